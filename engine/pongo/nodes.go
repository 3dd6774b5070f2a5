package pongo

import (
	"bytes"
	"errors"
	"strings"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
	"github.com/yuin/goldmark"
)

// compileNode returns the executor for n and, for block nodes, its bodies (nil for leaves).
func (g *gen) compileNode(n tree.Node) (executor, []body, error) {
	o := g.opts()
	switch x := n.(type) {
	case *tree.Output:
		ro := o
		ro.Record = true
		fn, err := eval.Compile(x.Expr, ro)
		if err != nil {
			return nil, nil, err
		}
		return &outputEx{fn: fn, ctx: g.ctx(x), escape: g.p.opt.Escape, raw: x.Raw, pos: x.Pos}, nil, nil
	case *tree.If:
		ex := &ifEx{}
		var bodies []body
		for _, b := range x.Branches {
			ex.pos = append(ex.pos, b.Pos)
			ex.tags = append(ex.tags, b.Tag)
			var fn eval.Fn
			if b.Cond != nil {
				f, err := eval.Compile(b.Cond, o)
				if err != nil {
					return nil, nil, err
				}
				fn = f
			}
			ex.conds = append(ex.conds, fn)
			bodies = append(bodies, body{b.Line, b.Body})
		}
		return ex, nonNil(bodies), nil
	case *tree.Case:
		subj, err := eval.Compile(x.Subject, o)
		if err != nil {
			return nil, nil, err
		}
		ex := &caseEx{subj: subj}
		var bodies []body
		for _, w := range x.Whens {
			var vals []eval.Fn
			for _, v := range w.Values {
				f, err := eval.Compile(v, o)
				if err != nil {
					return nil, nil, err
				}
				vals = append(vals, f)
			}
			ex.whens = append(ex.whens, vals)
			ex.pos = append(ex.pos, w.Pos)
			bodies = append(bodies, body{w.Line, w.Body})
		}
		return ex, nonNil(bodies), nil
	case *tree.For:
		return g.compileFor(x, o)
	case *tree.Assign:
		fn, err := eval.Compile(x.Value, o)
		if err != nil {
			return nil, nil, err
		}
		_, built := x.Value.(*tree.Filtered)
		return &assignEx{name: x.Name, fn: fn, built: built}, nil, nil
	case *tree.Capture:
		return &captureEx{name: x.Name}, []body{{x.Line, x.Body}}, nil
	case *tree.Counter:
		return &counterEx{name: x.Name, delta: x.Delta}, nil, nil
	case *tree.Cycle:
		return g.compileCycle(x, o)
	case *tree.LoopJump:
		if x.Continue {
			return jumpEx{errContinue}, nil, nil
		}
		return jumpEx{errBreak}, nil, nil
	case *tree.Include:
		return g.compileInclude(x, o)
	case *tree.IfChanged:
		return &ifChangedEx{}, []body{{x.Line, x.Body}}, nil
	case *tree.Markdown:
		return markdownEx{}, []body{{x.Line, x.Body}}, nil
	case *tree.VariantOnly:
		if g.p.opt.HTMLVariant {
			return variantEx{drop: x.Variant == "text"}, []body{{x.Line, x.Body}}, nil
		}
		return variantEx{tag: "mm-" + x.Variant + "only"}, []body{{x.Line, x.Body}}, nil
	case *tree.Segment:
		return g.compileSegment(x)
	case *tree.Live:
		return g.compileLive(x, o)
	case *tree.Section:
		return g.compileSection(x, o)
	case *tree.With:
		return g.compileWith(x, o)
	}
	return nil, nil, &diag.Error{File: g.at.name, Line: n.Position().Line, Col: n.Position().Col,
		Msg: "this construct is not supported by the renderer", Source: g.at.src}
}

// nonNil makes sure a block with zero bodies still counts as a block (one empty body).
func nonNil(b []body) []body {
	if len(b) == 0 {
		return []body{{}}
	}
	return b
}

type textEx struct{ text string }

func (t *textEx) exec(rv run, _ []*pongo2.NodeWrapper) error {
	r := &rv
	_, err := r.w.WriteString(t.text)
	return err
}

type outputEx struct {
	fn     eval.Fn
	ctx    outCtx
	escape bool
	raw    bool
	pos    tree.Pos
}

func (o *outputEx) exec(rv run, _ []*pongo2.NodeWrapper) error {
	r := &rv
	v, err := o.fn(r.s)
	if err != nil {
		return err
	}
	if !o.escape {
		_, err = r.w.WriteString(cleanText(value.ToString(v)))
		return err
	}
	return writeOutput(r, v, o.ctx, o.raw, o.pos)
}

type ifEx struct {
	conds []eval.Fn
	pos   []tree.Pos
	tags  []string
}

func (x *ifEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	for i, c := range x.conds {
		if c != nil {
			v, err := c(r.s)
			if err != nil {
				return err
			}
			if !value.Truthy(v) {
				continue
			}
		}
		return r.branch(bodies[i], x.pos[i], x.tags[i])
	}
	return nil
}

type caseEx struct {
	subj  eval.Fn
	whens [][]eval.Fn // nil: else
	pos   []tree.Pos
}

func (x *caseEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	subj, err := x.subj(r.s)
	if err != nil {
		return err
	}
	runElse := true
	for i, vals := range x.whens {
		if vals == nil {
			if runElse {
				if err := r.branch(bodies[i], x.pos[i], "else"); err != nil {
					return err
				}
			}
			continue
		}
		for _, f := range vals {
			v, err := f(r.s)
			if err != nil {
				return err
			}
			if value.Equal(subj, v) {
				runElse = false
				if err := r.branch(bodies[i], x.pos[i], "when"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// assignEx runs an assign. A value made by filters is a value the template built: it is
// held to the value size budget (State.AssignBuilt); a plain variable or literal is only a
// second name for a value that exists already.
type assignEx struct {
	name  string
	fn    eval.Fn
	built bool
}

func (a *assignEx) exec(rv run, _ []*pongo2.NodeWrapper) error {
	r := &rv
	v, err := a.fn(r.s)
	if err != nil {
		return err
	}
	if a.built {
		return r.s.AssignBuilt(a.name, v)
	}
	r.s.Assign(a.name, v)
	return nil
}

// capture renders b into a string. While it runs its text counts toward the output limit
// (so no capture grows past it); once done it no longer does: captured text counts when it
// is written out, and as a variable's value (State.AssignBuilt), not once per capture, so a
// loop that captures and writes a line per item is limited by what it writes.
func (r *run) capture(b *pongo2.NodeWrapper) (string, error) {
	var buf bytes.Buffer
	err := r.body(b, &limitWriter{w: &buf, s: r.s})
	r.s.Output -= buf.Len()
	return buf.String(), err
}

type captureEx struct{ name string }

func (c *captureEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	s, err := r.capture(bodies[0])
	if err != nil {
		return err
	}
	return r.s.AssignBuilt(c.name, s)
}

type counterEx struct {
	name  string
	delta int
}

func (c *counterEx) exec(rv run, _ []*pongo2.NodeWrapper) error {
	r := &rv
	_, err := r.w.WriteString(value.ToString(r.s.Count(c.name, c.delta)))
	return err
}

var (
	errBreak    = errors.New("break outside a loop")
	errContinue = errors.New("continue outside a loop")
)

type jumpEx struct{ err error }

func (j jumpEx) exec(run, []*pongo2.NodeWrapper) error { return j.err }

type ifChangedEx struct{}

func (x *ifChangedEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	s, err := r.capture(bodies[0])
	if err != nil {
		return err
	}
	if r.s.Registers == nil {
		r.s.Registers = map[any]any{}
	}
	if last, ok := r.s.Registers[ifChangedKey{}]; ok && last == s {
		return nil
	}
	r.s.Registers[ifChangedKey{}] = s
	_, err = r.w.WriteString(s)
	return err
}

type ifChangedKey struct{}

// md is the goldmark converter for markdown blocks: raw HTML in the Markdown is dropped and
// dangerous link schemes are neutralised (goldmark's safe default).
var md = goldmark.New()

type markdownEx struct{}

func (markdownEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	src, err := r.capture(bodies[0])
	if err != nil {
		return err
	}
	return md.Convert([]byte(dedent(src)), r.w)
}

// Markdown returns the HTML a markdown block whose body is src renders (the same
// conversion as at render time), for compile-time passes over static blocks.
func Markdown(src string) (string, error) {
	var b strings.Builder
	err := md.Convert([]byte(dedent(src)), &b)
	return b.String(), err
}

// dedent removes the indentation common to every non-blank line, so Markdown indented to
// match the surrounding HTML is not read as a code block.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if common < 0 || n < common {
			common = n
		}
	}
	if common <= 0 {
		return s
	}
	for i, l := range lines {
		if len(l) >= common {
			lines[i] = l[common:]
		} else {
			lines[i] = strings.TrimLeft(l, " \t")
		}
	}
	return strings.Join(lines, "\n")
}

// variantEx renders a textonly/htmlonly block: in the master, its body between marker
// tags; in the HTML variant (tag ""), the body alone, or nothing when drop is set.
type variantEx struct {
	tag  string
	drop bool
}

func (v variantEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	if v.drop {
		return nil
	}
	if v.tag == "" {
		return r.body(bodies[0], r.w)
	}
	// the marker elements are the master document's (in a Dual program, so is the content
	// of a textonly block)
	mw, w := masterOnly(r.w), r.w
	if v.tag == "mm-textonly" {
		w = mw
	}
	mw.WriteString("<" + v.tag + ">")
	if err := r.body(bodies[0], w); err != nil {
		return err
	}
	_, err := mw.WriteString("</" + v.tag + ">")
	return err
}
