package engine

import (
	"strings"
)

// postProcessor turns the rendered master document into the variants of a Message. What it
// needs from the template is prepared once per template.
type postProcessor struct {
	t *Template
}

func newPostProcessor(t *Template) *postProcessor {
	return &postProcessor{t: t}
}

func (p *postProcessor) variants() Variants {
	if v := p.t.opt.Variants; v != nil {
		return *v
	}
	return Variants{HTML: true, AMP: true, Text: true}
}

// run fills the variants of m from m.Master.
func (p *postProcessor) run(m *Message) error {
	m.HTML = HTMLMarkers(m.Master)
	return nil
}

// HTMLMarkers resolves the mailmold marker elements for the HTML variant: textonly content
// goes, htmlonly content stays without its tags, live blocks keep only their fallback. The
// markers are written only by the engine (data is escaped), so plain string search is exact.
func HTMLMarkers(s string) string {
	if !strings.Contains(s, "<mm-") {
		return s
	}
	s = cutElements(s, "<mm-textonly>", "</mm-textonly>", func(string) string { return "" })
	s = strings.ReplaceAll(strings.ReplaceAll(s, "<mm-htmlonly>", ""), "</mm-htmlonly>", "")
	s = cutElements(s, "<mm-live ", "</mm-live>", func(el string) string {
		i := strings.Index(el, "<mm-fallback>")
		j := strings.LastIndex(el, "</mm-fallback>")
		if i < 0 || j < i {
			return ""
		}
		return el[i+len("<mm-fallback>") : j]
	})
	return s
}

// cutElements replaces every element from open to its matching close (nesting counted) with
// repl(element).
func cutElements(s, open, close string, repl func(string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, open)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		depth, j := 0, i
		for {
			o := strings.Index(s[j+1:], open)
			c := strings.Index(s[j+1:], close)
			if c < 0 {
				// unbalanced: drop the rest of the element text as far as it goes
				b.WriteString(repl(s[i:]))
				return b.String()
			}
			if o >= 0 && o < c {
				depth++
				j += 1 + o
				continue
			}
			j += 1 + c
			if depth == 0 {
				end := j + len(close)
				b.WriteString(repl(s[i:end]))
				s = s[end:]
				break
			}
			depth--
		}
	}
}
