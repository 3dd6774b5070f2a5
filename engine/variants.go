package engine

import (
	"fmt"
	"github.com/mailmold/mailmold/engine/mime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/htmlprod"
	"github.com/mailmold/mailmold/engine/htmltree"
)

// postProcessor finishes the variants of a Message: the HTML program's output gets what
// was not done at compile time (inline CSS, minify); AMP and text are passes over the
// master document (the amp transform; HTML to text). What it needs from the template is
// prepared once.
type postProcessor struct {
	t    *Template
	prod *htmlprod.Pipeline // for messages whose CSS is not inlined at compile time
	min  *htmlprod.Pipeline // minify only, for compile-time inlined messages
	none *htmlprod.Pipeline // for messages inlined and minified at compile time

	// layouts parse the master documents: each layout (a document outside its holes) is
	// parsed once, and its other documents get a copy of the tree with their values
	layouts *htmltree.Layouts
	// skeletons holds the AMP and text skeletons of each layout met (*skeletons, keyed by
	// *htmltree.Layout); ampFilled and textFilled count the parts made from one
	skeletons             sync.Map
	ampFilled, textFilled atomic.Int64
}

func newPostProcessor(t *Template) *postProcessor {
	var layouts *htmltree.Layouts // nil: parse every document
	if !t.opt.NoLayouts {
		layouts = htmltree.NewLayouts(maxLayouts)
	}
	return &postProcessor{t: t,
		prod:    htmlprod.New(htmlprod.Options{Inline: !t.opt.NoInline, Minify: !t.opt.NoMinify}),
		min:     htmlprod.New(htmlprod.Options{Minify: !t.opt.NoMinify}),
		none:    htmlprod.New(htmlprod.Options{}),
		layouts: layouts}
}

// maxLayouts bounds the layouts a template keeps (each holds a parsed master document, some
// tens of KB for a newsletter); the documents of any others are parsed every time.
const maxLayouts = 64

func (p *postProcessor) variants() Variants {
	if v := p.t.opt.Variants; v != nil {
		return *v
	}
	return Variants{HTML: true, AMP: true, Text: true}
}

// run fills the variants of m: HTML from htmlDoc, the output of the template's HTML program
// (see Template.html) with its holes at htmlHoles (nil: not known), AMP and text from
// m.Master.
func (p *postProcessor) run(m *Message, htmlDoc string, htmlHoles [][2]int) error {
	v := p.variants()
	if v.HTML {
		pipe := p.prod
		if p.t.staticInlined {
			pipe = p.min
			if p.t.staticMinified {
				pipe = p.none
			}
		}
		html, err := pipe.Process(htmlDoc)
		if err != nil {
			return fmt.Errorf("%s: %w", p.t.Name, err)
		}
		m.HTML = html
		if pipe != p.none {
			htmlHoles = nil // the HTML pass rewrote the document: the holes are not its
		}
		if sev, msg := htmlprod.CheckSize(len(html)); sev != "" {
			m.Diagnostics = append(m.Diagnostics, diag.Diagnostic{File: p.t.Name, Line: 1, Col: 1, Severity: sev, Rule: "size", Message: msg, Profile: m.ProfileID})
		}
	}
	// the text and AMP passes share one parse of the master: text reads it, AMP then
	// rewrites it
	var tree *htmltree.Tree
	var sk *skeletons
	if v.Text || v.AMP {
		var err error
		if tree, err = p.layouts.ParseTree(m.Master, m.holes); err != nil {
			return fmt.Errorf("%s: parsing the rendered document: %w", p.t.Name, err)
		}
		defer tree.Release() // the passes keep strings only
		sk = p.skeletonsOf(tree)
	}
	if sk != nil && htmlHoles != nil {
		m.htmlHoles = mime.Holes{Ranges: htmlHoles, Cache: &sk.htmlQP}
	}
	if v.Text {
		s := p.textPart(tree, sk)
		m.Text = &s
	}
	if v.AMP {
		p.ampPart(m, tree, sk)
	}
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
	b.Grow(len(s))
	for {
		i := strings.Index(s, open)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		depth, j := 0, i
		for {
			c := strings.Index(s[j+1:], close)
			if c < 0 {
				b.WriteString(repl(s[i:]))
				return b.String()
			}
			// a nested opening only counts before the next closing
			if o := strings.Index(s[j+1:j+1+c], open); o >= 0 {
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
