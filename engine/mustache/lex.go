// Package mustache is mailmold's Mustache and Handlebars front-end: it parses templates
// into the shared engine/tree (positions kept), so they run on the same engine as Liquid.
// Mustache follows the Mustache spec (sections, inverted sections, partials with standalone
// indentation, set delimiters, standalone-line rules); Handlebars adds if/else if/else,
// unless, each with @index/@first/@last/@key, with, this, ../ parent access, comparison
// helpers, default, whitespace control and mailmold's segment and live blocks.
package mustache

import (
	"strings"
)

// kind is the kind of a tag token.
type kind int

const (
	kText     kind = iota
	kVar           // {{name}}
	kRaw           // {{{name}}} or {{& name}}
	kSection       // {{#name}}
	kInverted      // {{^name}}
	kClose         // {{/name}}
	kComment       // {{! … }}
	kPartial       // {{> name}}
	kDelims        // {{=<% %>=}}
	kElse          // {{else}} (Handlebars)
	kParent        // {{<parent}} (inheritance)
	kBlock         // {{$block}} (inheritance)
)

// token is a piece of the template.
type token struct {
	kind         kind
	text         string // text, or the tag's content
	off, end     int    // byte span in the source
	textOff      int    // where text starts in the source
	trimL, trimR bool   // Handlebars {{~ ~}}
	indent       string // a standalone partial's indentation
}

// standaloneKinds can stand alone on a line, which then disappears from the output.
func (k kind) standalone() bool {
	switch k {
	case kSection, kInverted, kClose, kComment, kPartial, kDelims, kElse, kParent, kBlock:
		return true
	}
	return false
}

type lexErr struct {
	off int
	msg string
}

// lex splits src into text and tag tokens, following set-delimiter tags, then applies the
// standalone-line rules. handlebars enables {{else}}, {{~ ~}} and {{!-- --}}.
func lex(src string, handlebars bool) ([]token, *lexErr) {
	open, close := "{{", "}}"
	var toks []token
	pos := 0
	for pos < len(src) {
		i := strings.Index(src[pos:], open)
		if i < 0 {
			toks = appendText(toks, src[pos:], pos)
			break
		}
		if i > 0 {
			toks = appendText(toks, src[pos:pos+i], pos)
		}
		start := pos + i
		p := start + len(open)
		t := token{off: start}
		// {{{ name }}} with the default delimiters
		if open == "{{" && strings.HasPrefix(src[p:], "{") {
			j := strings.Index(src[p+1:], "}"+close)
			if j < 0 {
				return nil, &lexErr{start, "unclosed tag '{{{': no matching '}}}'"}
			}
			t.kind, t.text, t.end = kRaw, strings.TrimSpace(src[p+1:p+1+j]), p+1+j+1+len(close)
			if handlebars {
				t.text, t.trimL, t.trimR = trimTilde(t.text)
			}
			t.textOff = start + strings.Index(src[start:t.end], t.text)
			toks = append(toks, t)
			pos = t.end
			continue
		}
		if handlebars && strings.HasPrefix(src[p:], "!--") {
			j := strings.Index(src[p:], "--"+close)
			if j < 0 {
				return nil, &lexErr{start, "unclosed comment '{{!--': no matching '--}}'"}
			}
			t.kind, t.text, t.end = kComment, src[p+3:p+j], p+j+2+len(close)
			toks = append(toks, t)
			pos = t.end
			continue
		}
		j := strings.Index(src[p:], close)
		if j < 0 {
			return nil, &lexErr{start, "unclosed tag '" + open + "': no matching '" + close + "'"}
		}
		inner := src[p : p+j]
		t.end = p + j + len(close)
		if handlebars {
			inner, t.trimL, t.trimR = trimTilde(inner)
		}
		body := strings.TrimSpace(inner)
		if body == "" {
			return nil, &lexErr{start, "empty tag"}
		}
		switch body[0] {
		case '#':
			t.kind = kSection
		case '^':
			t.kind = kInverted
		case '/':
			t.kind = kClose
		case '!':
			t.kind = kComment
		case '>':
			t.kind = kPartial
		case '&':
			t.kind = kRaw
		case '<':
			t.kind = kParent
		case '$':
			t.kind = kBlock
		case '=':
			if !strings.HasSuffix(body, "=") || len(body) < 3 {
				return nil, &lexErr{start, "a set-delimiter tag looks like {{=<% %>=}}"}
			}
			f := strings.Fields(body[1 : len(body)-1])
			if len(f) != 2 || strings.ContainsRune(f[0], '=') || strings.ContainsRune(f[1], '=') {
				return nil, &lexErr{start, "a set-delimiter tag needs two delimiters without '=': {{=<% %>=}}"}
			}
			t.kind = kDelims
			toks = append(toks, t)
			open, close = f[0], f[1]
			pos = t.end
			continue
		default:
			t.kind = kVar
			if handlebars && (body == "else" || strings.HasPrefix(body, "else ")) {
				t.kind = kElse
				t.text = strings.TrimSpace(body[4:])
				toks = append(toks, t)
				pos = t.end
				continue
			}
		}
		if t.kind != kVar {
			body = body[1:]
		}
		if t.kind != kComment {
			body = strings.TrimSpace(body)
		}
		t.text = body
		t.textOff = start
		if k := strings.Index(src[start:t.end], body); k >= 0 && body != "" {
			t.textOff = start + k
		}
		toks = append(toks, t)
		pos = t.end
	}
	toks = standaloneLines(toks)
	if handlebars {
		applyTilde(toks)
	}
	return toks, nil
}

func trimTilde(s string) (string, bool, bool) {
	l, r := strings.HasPrefix(s, "~"), strings.HasSuffix(s, "~")
	if l {
		s = s[1:]
	}
	if r && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s, l, r
}

// appendText adds text split after each newline, so lines can be judged one by one.
func appendText(toks []token, s string, off int) []token {
	for s != "" {
		n := strings.IndexByte(s, '\n')
		piece := s
		if n >= 0 {
			piece = s[:n+1]
		}
		toks = append(toks, token{kind: kText, text: piece, off: off, end: off + len(piece)})
		off += len(piece)
		s = s[len(piece):]
	}
	return toks
}

func isBlank(s string) bool { return strings.Trim(s, " \t") == "" }

// standaloneLines removes the whitespace and newline around a tag that stands alone on its
// line (the line then produces no output); a standalone partial keeps the leading
// whitespace as its indentation.
func standaloneLines(toks []token) []token {
	var out []token
	lineStart := 0
	for lineStart < len(toks) {
		// a line: tokens up to and including a text that ends with "\n"
		end := lineStart
		for end < len(toks) && !(toks[end].kind == kText && strings.HasSuffix(toks[end].text, "\n")) {
			end++
		}
		last := end
		if end == len(toks) {
			last = end - 1
		}
		line := toks[lineStart : last+1]
		tag := -1
		ok := true
		for i, t := range line {
			switch {
			case t.kind == kText:
				txt := strings.TrimSuffix(strings.TrimSuffix(t.text, "\n"), "\r")
				if !isBlank(txt) {
					ok = false
				}
			case t.kind.standalone() && tag < 0:
				tag = i
			default:
				ok = false
			}
		}
		if ok && tag >= 0 {
			t := line[tag]
			for _, x := range line[:tag] {
				t.indent += x.text
			}
			out = append(out, t)
		} else {
			out = append(out, line...)
		}
		lineStart = last + 1
	}
	return out
}

// applyTilde applies Handlebars whitespace control to the neighbouring text.
func applyTilde(toks []token) {
	for i := range toks {
		t := &toks[i]
		if t.kind == kText {
			continue
		}
		if t.trimL {
			for j := i - 1; j >= 0 && toks[j].kind == kText; j-- {
				toks[j].text = strings.TrimRight(toks[j].text, " \t\r\n")
				if toks[j].text != "" {
					break
				}
			}
		}
		if t.trimR {
			for j := i + 1; j < len(toks) && toks[j].kind == kText; j++ {
				trimmed := strings.TrimLeft(toks[j].text, " \t\r\n")
				toks[j].off += len(toks[j].text) - len(trimmed)
				toks[j].text = trimmed
				if trimmed != "" {
					break
				}
			}
		}
	}
}
