package htmlprod

import (
	"strconv"
	"strings"
)

// A masker swaps spans of a document for placeholder comments before a step that must not
// see them (the HTML parser behind premailer, the minifier) and puts them back afterwards.
// A placeholder is <!--NnN--> (or <!--#NnN--> for the minifier, which keeps comments
// starting with '#' verbatim), where N is a private-use rune the document does not contain
// and n the span's index, so no text of the document can be mistaken for one.
type masker struct {
	nonce string // one rune, absent from the document
	ssi   bool   // placeholders start with '#'
	spans []string
}

// newMasker returns a masker for doc, or nil when every candidate rune occurs in doc.
func newMasker(doc string, ssi bool) *masker {
	for r := rune(0xF0000); r <= 0xFFFFD; r++ {
		if !strings.ContainsRune(doc, r) {
			return &masker{nonce: string(r), ssi: ssi}
		}
	}
	return nil
}

// hide records span and returns its placeholder.
func (m *masker) hide(span string) string {
	m.spans = append(m.spans, span)
	p := "<!--"
	if m.ssi {
		p += "#"
	}
	return p + m.nonce + strconv.Itoa(len(m.spans)-1) + m.nonce + "-->"
}

// restore puts every span back in place of its placeholder. It reports false when a
// placeholder is missing, altered or repeated (the step moved or rewrote it).
func (m *masker) restore(s string) (string, bool) {
	if len(m.spans) == 0 {
		return s, !strings.Contains(s, m.nonce)
	}
	open := "<!--"
	if m.ssi {
		open += "#"
	}
	open += m.nonce
	var b strings.Builder
	b.Grow(len(s) + 64*len(m.spans))
	seen := make([]bool, len(m.spans))
	for {
		i := strings.Index(s, open)
		if i < 0 {
			if strings.Contains(s, m.nonce) {
				return "", false
			}
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i+len(open):]
		j := strings.Index(s, m.nonce)
		if j < 0 {
			return "", false
		}
		n, err := strconv.Atoi(s[:j])
		if err != nil || n < 0 || n >= len(m.spans) || seen[n] || !strings.HasPrefix(s[j+len(m.nonce):], "-->") {
			return "", false
		}
		seen[n] = true
		b.WriteString(m.spans[n])
		s = s[j+len(m.nonce)+3:]
	}
	for _, ok := range seen {
		if !ok {
			return "", false
		}
	}
	return b.String(), true
}

// scanMode says which spans maskSpans hides.
type scanMode int

const (
	// forInline hides the marker tags, the whole of <mm-textonly> and the AMP part of
	// <mm-live> (its start tag through <mm-fallback>), so the HTML parser can neither move
	// them (foster parenting in tables) nor inline into them.
	forInline scanMode = iota
	// forMinify hides the whole of <mm-textonly> (its line breaks matter to the text
	// variant), downlevel-hidden conditional comments (whitespace-collapsed only: the
	// minifier would drop the "/" of <w:anchorlock/> and rewrite Outlook's VML) and
	// <meta http-equiv> (the minifier rewrites it to <meta charset>).
	forMinify
)

// rawTextTags are elements whose content is not markup; the scan skips it.
var rawTextTags = []string{"script", "style", "title", "textarea"}

// maskSpans returns doc with the spans mode selects replaced by m's placeholders. It reads
// the document at the level of tags and comments only; a marker written inside an
// attribute value is hidden too, and the caller notices when restore fails.
func maskSpans(doc string, m *masker, mode scanMode) string {
	if m == nil {
		return doc
	}
	var b strings.Builder
	b.Grow(len(doc))
	i := 0
	for {
		j := strings.IndexByte(doc[i:], '<')
		if j < 0 {
			b.WriteString(doc[i:])
			return b.String()
		}
		p := i + j
		b.WriteString(doc[i:p])
		rest := doc[p:]
		end := 1 // bytes of rest consumed
		out := ""
		hide := false
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end = commentEnd(rest)
			if mode == forMinify && strings.HasPrefix(rest, "<!--[if") && strings.HasSuffix(rest[:end], "<![endif]-->") {
				out, hide = collapseSpace(rest[:end]), true
			}
		case strings.HasPrefix(rest, "<mm-textonly>"):
			end = tagEnd(rest)
			if k := strings.Index(rest, "</mm-textonly>"); k >= 0 {
				end = k + len("</mm-textonly>")
			}
			hide = true
		case mode == forInline && strings.HasPrefix(rest, "<mm-live"):
			end = tagEnd(rest)
			closing := strings.Index(rest, "</mm-live>")
			if k := strings.Index(rest, "<mm-fallback>"); k >= 0 && (closing < 0 || k < closing) {
				end = k + len("<mm-fallback>")
			} else if closing >= 0 {
				end = closing + len("</mm-live>")
			}
			hide = true
		case mode == forInline && (strings.HasPrefix(rest, "<mm-") || strings.HasPrefix(rest, "</mm-")):
			end, hide = tagEnd(rest), true
		case mode == forMinify && hasTagPrefix(rest, "meta"):
			end = tagEnd(rest)
			hide = indexFold(rest[:end], "http-equiv") >= 0
		default:
			for _, t := range rawTextTags {
				if hasTagPrefix(rest, t) {
					end = rawTextEnd(rest, t)
					break
				}
			}
		}
		if hide {
			if out == "" {
				out = rest[:end]
			}
			b.WriteString(m.hide(out))
		} else {
			b.WriteString(rest[:end])
		}
		i = p + end
	}
}

// commentEnd returns the length of the comment s starts with (all of s when unclosed).
func commentEnd(s string) int {
	if strings.HasPrefix(s, "<!-->") {
		return 5
	}
	if strings.HasPrefix(s, "<!--->") {
		return 6
	}
	if k := strings.Index(s[4:], "-->"); k >= 0 {
		return 4 + k + 3
	}
	return len(s)
}

// tagEnd returns the length of the tag s starts with, through its '>' (all of s when
// unclosed). Quoted attribute values may hold '>'.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i > 0 && s[i-1] == '=' || i > 1 && s[i-1] <= ' ' && s[i-2] == '=' {
				quote = c
			}
		case c == '>':
			return i + 1
		}
	}
	return len(s)
}

// hasTagPrefix reports whether s starts with the start tag of name, in any case.
func hasTagPrefix(s, name string) bool {
	if len(s) < len(name)+2 || !strings.EqualFold(s[1:1+len(name)], name) {
		return false
	}
	switch s[1+len(name)] {
	case ' ', '\t', '\n', '\r', '\f', '/', '>':
		return true
	}
	return false
}

// rawTextEnd returns the length of the element name that s starts with, through its end
// tag (all of s when there is none).
func rawTextEnd(s, name string) int {
	i := tagEnd(s)
	for i < len(s) {
		k := strings.Index(s[i:], "</")
		if k < 0 {
			break
		}
		i += k
		if len(s)-i >= len(name)+2 && strings.EqualFold(s[i+2:i+2+len(name)], name) {
			return i + tagEnd(s[i:])
		}
		i += 2
	}
	return len(s)
}

// indexFold is strings.Index for an ASCII lowercase needle, ignoring ASCII case in s.
func indexFold(s, needle string) int {
	if needle == "" {
		return 0
	}
	first := needle[0]
	upper := first
	if first >= 'a' && first <= 'z' {
		upper = first - 'a' + 'A'
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		if c := s[i]; c != first && c != upper {
			continue
		}
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// collapseSpace turns every run of ASCII whitespace in s into one space.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
			space = true
			i++
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
		i++
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
