// Package engine compiles mailmold templates and renders them per recipient profile. A
// template file is YAML front matter between `---` lines and a body in one of the dialects
// (Liquid today); the dialect front-end parses it into engine/tree, engine/pongo runs it on
// pongo2, and the variant passes turn the rendered document into the HTML, AMP and text parts
// of a Message.
package engine

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/liquid"
	"github.com/mailmold/mailmold/engine/mailchimp"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/text"
	"github.com/mailmold/mailmold/engine/tree"
)

// SegmentSet is the compiled segments.yaml of a workspace (engine/segment.Set implements it).
type SegmentSet interface {
	Names() []string
	Has(name string) bool
	Suggest(name string) string
	Membership(profile map[string]any) (segment string, segments map[string]bool, err error)
}

// Options control compilation and rendering. The zero value is usable.
type Options struct {
	// Partial returns the source of the partial called name (for example partials/NAME.liquid
	// in the workspace) and the file name to report positions with.
	Partial  func(name string) (file, src string, err error)
	Segments SegmentSet
	// Now is the clock for date filters and segment rules; nil means time.Now.
	Now func() time.Time
	// Strict makes outputs of undefined variables errors instead of warnings.
	Strict bool
	// NoEscape turns off contextual HTML escaping of outputs (plain Liquid semantics).
	NoEscape bool
	// Limits and Timeout are the operator's ceilings for every render (the CLI flags): a
	// template's front matter may lower them, never raise them. A zero field leaves the
	// template's front matter in charge, up to eval.HardLimits (MaxTimeout), and without
	// front matter eval.DefaultLimits (DefaultTimeout) apply.
	Limits  eval.Limits
	Timeout time.Duration
	// Variants selects what Render produces besides the HTML; nil means all.
	Variants *Variants
	// NoInline and NoMinify turn off CSS inlining and minification of the HTML variant.
	NoInline, NoMinify bool
	// NoDual renders the master document and the HTML variant in two evaluations even where
	// one can write both (see dual.go); the output is the same.
	NoDual bool
	// NoLayouts parses every master document for the AMP and text passes instead of giving
	// the documents of one layout copies of one parsed tree (see htmltree.Layouts); the
	// output is the same.
	NoLayouts bool
	// TextLinks is how the text variant writes links, for templates whose front matter
	// does not say (text_links).
	TextLinks text.LinkStyle
}

// Variants selects the variants Render produces.
type Variants struct{ HTML, AMP, Text bool }

// Template is a compiled template. It never changes after Compile and is safe for concurrent
// use by any number of goroutines.
type Template struct {
	Name    string // file name as given
	Dialect string
	Front   FrontMatter
	Tree    *tree.Template
	Source  string // the whole file

	body, subject, preheader, unsubscribe *pongo.Program
	opt                                   Options
	limits                                eval.Limits
	timeout                               time.Duration
	post                                  *postProcessor
	textOpt                               text.Options // for the text variant
	// html renders the HTML variant (no marker elements), with the CSS inlined at compile
	// time when staticInlined; otherwise the message is inlined after rendering (unless
	// inlining is off) and InlineNote says why it could not be done at compile time.
	html           *pongo.Program
	staticInlined  bool
	InlineNote     string
	staticMinified bool // the html program's text is minified already
	// masterMin renders the master document with its static text minified (nil when that
	// cannot be done exactly); body still renders it as written, for traced renders
	masterMin *pongo.Program
	// dual renders masterMin's document and the HTML variant in one evaluation (nil when that
	// is not exact: see dual.go); htmlTree is the tree html was compiled from
	dual     *pongo.Program
	htmlTree *tree.Template
	// from and replyTo are the front matter's addresses as the MIME message takes them
	from, replyTo address
	// masterSize and htmlSize size the output buffers of the next render (see sizeHint)
	masterSize, htmlSize sizeHint
	masterHoles          sizeHint // the number of holes of the master document
	// srcTags are the template's start tags, for locating AMP diagnostics (read on first use)
	srcTags     *sourceTags
	srcTagsOnce sync.Once
}

// DialectOf returns the dialect a file name implies: liquid for .liquid (and anything else
// unknown), mustache for .mustache, handlebars for .hbs/.handlebars, mailchimp for .mc.html.
func DialectOf(name string) string {
	switch {
	case strings.HasSuffix(name, ".mc.html"):
		return "mailchimp"
	case strings.HasSuffix(name, ".mustache"):
		return "mustache"
	case strings.HasSuffix(name, ".hbs"), strings.HasSuffix(name, ".handlebars"):
		return "handlebars"
	}
	return "liquid"
}

// parsers maps dialect names to front-ends.
var parsers = map[string]func(name, src string) (*tree.Template, error){
	"liquid":     liquid.Parse,
	"mustache":   mustache.Parse,
	"handlebars": mustache.ParseHandlebars,
	"mailchimp":  mailchimp.Parse,
}

// Compile compiles the template file name with content src.
func Compile(name, src string, opt Options) (*Template, error) {
	t := &Template{Name: name, Source: src, opt: opt}
	yamlSrc, body, bodyOff := splitFrontMatter(src)
	if bodyOff < 0 {
		return nil, &diag.Error{File: name, Line: 1, Col: 1, Msg: "front matter is not closed", Hint: "end the front matter with a line holding only '---'", Source: src, Rule: "front-matter"}
	}
	fm, err := parseFrontMatter(name, src, yamlSrc, 1)
	if err != nil {
		return nil, err
	}
	t.Front = fm
	t.Dialect = DialectOf(name)
	if fm.Dialect.Value != "" {
		t.Dialect = fm.Dialect.Value
	}
	parse, ok := parsers[t.Dialect]
	if !ok {
		return nil, &diag.Error{File: name, Line: fm.Dialect.Line, Col: fm.Dialect.Col, Source: src, Rule: "front-matter",
			Msg: fmt.Sprintf("unknown dialect %q", t.Dialect), Hint: "use liquid, mustache, handlebars or mailchimp"}
	}
	if t.Dialect == "mustache" {
		// Mustache template inheritance ({{<parent}}) reads parents through the partials
		parse = func(n, s string) (*tree.Template, error) {
			return mustache.ParseWith(n, s, mustache.Options{Partial: opt.Partial})
		}
	}
	bodyLine := strings.Count(src[:bodyOff], "\n")
	padded := strings.Repeat("\n", bodyLine) + body
	tr, err := parse(name, padded)
	if err != nil {
		return nil, withSource(err, name, src)
	}
	trimLeading(tr, bodyLine)
	tr.Source = src
	t.Tree = tr
	popt := pongo.Options{Escape: !opt.NoEscape, Segments: opt.Segments, Partial: t.partialLoader(parse),
		MissingPartialsEmpty: t.Dialect == "mustache" || t.Dialect == "handlebars"}
	if t.body, err = pongo.Compile(tr, popt); err != nil {
		return nil, withSource(err, name, src)
	}
	textOpt := popt
	textOpt.Escape = false
	for _, f := range []struct {
		fld  Field
		prog **pongo.Program
	}{{fm.Subject, &t.subject}, {fm.Preheader, &t.preheader}, {fm.Unsubscribe, &t.unsubscribe}} {
		if f.fld.Value == "" {
			continue
		}
		if *f.prog, err = compileField(name, src, f.fld, parse, textOpt); err != nil {
			return nil, err
		}
	}
	t.limits = mergeLimits(opt.Limits, fm)
	fmTimeout := time.Duration(min(fm.TimeoutMS, 1<<40)) * time.Millisecond // (no overflow)
	t.timeout = time.Duration(limit(int64(fmTimeout), int64(opt.Timeout), int64(DefaultTimeout), int64(MaxTimeout)))
	t.textOpt.Links = opt.TextLinks
	if fm.TextLinks.Value != "" {
		t.textOpt.Links = fm.Links
	}
	hopt := popt
	hopt.HTMLVariant = true
	if !opt.NoInline {
		if st, err := staticInline(tr, popt.Partial); err != nil {
			t.InlineNote = err.Error()
		} else {
			if !opt.NoMinify {
				// minify the inlined text once, here, instead of every message
				t.staticMinified = minifyStatic(st.Body) == nil
				if !t.staticMinified {
					st, _ = staticInline(tr, popt.Partial)
				}
			}
			if t.html, err = pongo.Compile(st, hopt); err != nil {
				t.html, t.InlineNote, t.staticMinified = nil, "no compile-time inlining: "+err.Error(), false
			} else {
				t.staticInlined, t.htmlTree = true, st
			}
		}
	}
	if t.html == nil {
		// the HTML variant without compile-time CSS: inlined per message unless NoInline
		if t.html, err = pongo.Compile(tr, hopt); err != nil {
			return nil, err
		}
	}
	if !opt.NoMinify {
		// the master document for the AMP and text passes, its static text minified once
		// here: a smaller document to parse per message, and a smaller AMP part
		if body, err := expandPartials(tr.Body, popt.Partial, 0); err == nil && minifyStatic(body) == nil {
			c := *tr
			c.Body = body
			t.masterMin, _ = pongo.Compile(&c, popt)
			if t.masterMin != nil && t.staticInlined && !opt.NoDual {
				// both documents in one evaluation (see dual.go)
				if alt, ok := dualTexts(c.Body, t.htmlTree.Body); ok {
					dopt := popt
					dopt.Dual = alt
					t.dual, _ = pongo.Compile(&c, dopt)
				}
			}
		}
	}
	t.from, t.replyTo = parsedAddress(fm.From.Value), parsedAddress(fm.ReplyTo.Value)
	t.post = newPostProcessor(t)
	return t, nil
}

// DefaultTimeout is the render deadline when neither the operator nor the front matter
// sets one; MaxTimeout is the most front matter may ask for when the operator set none.
const (
	DefaultTimeout = 10 * time.Second
	MaxTimeout     = 60 * time.Second
)

// mergeLimits gives the limits a template renders under from the operator's (op: flags,
// Options) and its front matter's: see Options.Limits.
func mergeLimits(op eval.Limits, fm FrontMatter) eval.Limits {
	d, h := eval.DefaultLimits, eval.HardLimits
	return eval.Limits{
		MaxIterations: int(limit(int64(fm.MaxIterations), int64(op.MaxIterations), int64(d.MaxIterations), int64(h.MaxIterations))),
		MaxDepth:      int(limit(int64(fm.MaxDepth), int64(op.MaxDepth), int64(d.MaxDepth), int64(h.MaxDepth))),
		MaxOutput:     int(limit(int64(fm.MaxOutputBytes), int64(op.MaxOutput), int64(d.MaxOutput), int64(h.MaxOutput))),
	}
}

// limit is one effective limit: the operator's value (op) is a ceiling the front matter's
// (fm) may only lower; without it, fm counts up to hard; without either, def. Zero or less
// means not set.
func limit(fm, op, def, hard int64) int64 {
	switch {
	case op > 0 && fm > 0:
		return min(fm, op)
	case op > 0:
		return op
	case fm > 0:
		return min(fm, hard)
	}
	return def
}

// trimLeading removes the newlines that stand in for the front matter from the body.
func trimLeading(t *tree.Template, n int) {
	if n == 0 || len(t.Body) == 0 {
		return
	}
	if txt, ok := t.Body[0].(*tree.Text); ok {
		cut := 0
		for cut < len(txt.Text) && cut < n && txt.Text[cut] == '\n' {
			cut++
		}
		txt.Text = txt.Text[cut:]
		txt.Offset += cut
		txt.Line += cut
		txt.Col = 1
		if txt.Text == "" {
			t.Body = t.Body[1:]
		}
	}
}

// compileField compiles a templated front matter value; positions map into the file.
func compileField(name, src string, f Field, parse func(string, string) (*tree.Template, error), opt pongo.Options) (*pongo.Program, error) {
	padded := strings.Repeat("\n", f.Line-1) + strings.Repeat(" ", max(f.Col-1, 0)) + f.Value
	tr, err := parse(name, padded)
	if err != nil {
		return nil, withSource(err, name, src)
	}
	trimLeading(tr, f.Line-1)
	if len(tr.Body) > 0 {
		if txt, ok := tr.Body[0].(*tree.Text); ok {
			txt.Text = strings.TrimPrefix(txt.Text, strings.Repeat(" ", max(f.Col-1, 0)))
		}
	}
	tr.Source = src
	prog, err := pongo.Compile(tr, opt)
	if err != nil {
		return nil, withSource(err, name, src)
	}
	return prog, nil
}

// withSource points the code frame of a positioned error in the template file name at its
// real text (an error in a partial keeps the partial's).
func withSource(err error, name, src string) error {
	if e, ok := err.(*diag.Error); ok && (e.File == name || e.Source == "") {
		e.Source = src
	}
	return err
}

// partialLoader adapts Options.Partial to the tree the pongo package needs.
func (t *Template) partialLoader(parse func(string, string) (*tree.Template, error)) func(string) (*tree.Template, error) {
	return func(name string) (*tree.Template, error) {
		if t.opt.Partial == nil {
			return nil, fmt.Errorf("partial %q not found: no partials folder", name)
		}
		file, src, err := t.opt.Partial(name)
		if err != nil {
			return nil, err
		}
		p := parse
		if d := DialectOf(file); d != t.Dialect && parsers[d] != nil && path.Ext(file) != "" {
			p = parsers[d]
		}
		return p(file, src)
	}
}

// Render renders the template for one profile.
func (t *Template) Render(ctx context.Context, profile map[string]any) (*Message, error) {
	return t.render(ctx, profile, RenderOptions{})
}

// now returns the template's clock.
func (t *Template) now() time.Time {
	if t.opt.Now != nil {
		return t.opt.Now()
	}
	return time.Now()
}
