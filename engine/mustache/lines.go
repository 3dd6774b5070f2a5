package mustache

import "strings"

func isBlank(s string) bool { return strings.Trim(s, " \t") == "" }

// lineText is a text token's content without its line ending.
func lineText(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r") }

// markParentCloses sets closesParent on the close tags that end a {{<parent}}, following
// the nesting of section, parent and block tags.
func markParentCloses(toks []token) {
	var open []kind
	for i := range toks {
		switch t := &toks[i]; t.kind {
		case kSection, kInverted, kParent, kBlock:
			open = append(open, t.kind)
		case kClose:
			if n := len(open); n > 0 {
				t.closesParent = open[n-1] == kParent
				open = open[:n-1]
			}
		}
	}
}

// standaloneLines removes the whitespace and newline around a tag that stands alone on its
// line (the line then produces no output) and records the removed indentation on the tag;
// a standalone partial or parent indents what it includes by it. A line may hold several
// tags and still stand alone only when one of them opens or closes a {{<parent}}
// ({{<parent}}{{$block}}, {{/block}}{{/parent}}). A live block's raw source is never part
// of a standalone line.
func standaloneLines(toks []token) []token {
	markParentCloses(toks)
	out := make([]token, 0, len(toks))
	midLine := false // the line starts after raw text that did not end a line
	for start := 0; start < len(toks); {
		if toks[start].kind == kRawText {
			out = append(out, toks[start])
			midLine = toks[start].text != "" && !strings.HasSuffix(toks[start].text, "\n")
			start++
			continue
		}
		// a line: tokens up to and including a text that ends with "\n", or up to raw text
		end := start
		endsLine := false
		for end < len(toks) {
			t := toks[end]
			if t.kind == kRawText {
				break
			}
			end++
			if t.kind == kText && strings.HasSuffix(t.text, "\n") {
				endsLine = true
				break
			}
		}
		line := toks[start:end]
		cut := !midLine && (endsLine || end == len(toks))
		out = appendLine(out, line, cut)
		midLine = false
		start = end
	}
	return out
}

// appendLine appends the tokens of one line, as a standalone line when it is one and
// canStand is set (the line is whole: it neither starts nor ends beside raw text).
func appendLine(out, line []token, canStand bool) []token {
	tags, parent := 0, false
	blank := true
	for _, t := range line {
		switch {
		case t.kind == kText:
			if !isBlank(lineText(t.text)) {
				blank = false
			}
		case t.kind.standalone():
			tags++
			if t.kind == kParent || t.closesParent {
				parent = true
			}
		default:
			blank = false
		}
	}
	if canStand && blank && (tags == 1 || tags > 1 && parent) {
		indent := ""
		first := true
		for _, t := range line {
			if t.kind == kText {
				if first {
					indent += lineText(t.text)
				}
				continue
			}
			t.standalone = true
			if first {
				t.indent = indent
				first = false
			}
			out = append(out, t)
		}
		return out
	}
	lead, leading := "", true
	for _, t := range line {
		if t.kind == kText {
			if leading && isBlank(t.text) {
				lead += t.text
			} else {
				leading = false
			}
		} else if leading {
			t.lead = lead
			leading = false
		}
		out = append(out, t)
	}
	return out
}
