// Package pongo runs mailmold's tree on pongo2, the one core template engine. Compile
// rewrites a tree into pongo2 source newline-for-newline (every node starts on the line it
// starts on in the user's file) in which each tree node is a mailmold tag bound to a compiled
// executor; text stays pongo2 text. A Program is immutable: all render state is the
// *eval.State passed to Render.
package pongo

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
)

// SegmentSet is what Compile needs to know about segments to check segment blocks.
type SegmentSet interface {
	Has(name string) bool
	Suggest(name string) string
}

// Options control compilation.
type Options struct {
	// Escape HTML-escapes every output for its HTML context (text, attribute, URL, CSS).
	// Off gives plain Liquid semantics (subjects, the conformance suite).
	Escape bool
	// Partial returns the parsed partial called name, for include and render.
	Partial func(name string) (*tree.Template, error)
	// Segments, when set, makes unknown segment names in segment blocks compile errors.
	Segments SegmentSet
	// MissingPartialsEmpty renders a partial that cannot be found as nothing (Mustache)
	// instead of failing.
	MissingPartialsEmpty bool
	// HTMLVariant compiles the HTML variant directly instead of the master document: textonly
	// blocks render nothing, htmlonly blocks render their content without marker tags, and
	// live blocks render only their fallback (a literal src is still checked). The output then
	// holds no mailmold marker elements.
	HTMLVariant bool
	// Dual compiles a program that writes the master document and the HTML variant in one
	// evaluation (RenderDual): Dual maps each text node of the (master) tree whose text in the
	// HTML variant's tree differs to that text; the trees are otherwise the same. Marker
	// elements, textonly blocks and live markup go to the master document only.
	Dual map[*tree.Text]string
}

// Program is a compiled template, safe for concurrent use.
type Program struct {
	Tree   *tree.Template
	Source string // the generated pongo2 source
	tpl    *pongo2.Template
	opt    Options
	shared *shared
	// start is the HTML state the program starts in (a partial included inside a tag or
	// an attribute value); plan is how its outputs are escaped (nil without escaping).
	start htmlState
	plan  *escPlan
}

// shared is the partial cache common to a program and every partial it reaches, and the
// text of every file their nodes come from (for code frames).
type shared struct {
	mu       sync.Mutex
	partials map[string]*Program
	sources  map[string]string
}

// srcFile is the file a node comes from: the program's own, or a partial's whose body was
// expanded in place.
type srcFile struct{ name, src string }

// SourceOf returns the text of file when it is p's own file or one of the partials p
// reaches (compiled so far), or "".
func (p *Program) SourceOf(file string) string {
	if file == p.Tree.Name {
		return p.Tree.Source
	}
	p.shared.mu.Lock()
	defer p.shared.mu.Unlock()
	return p.shared.sources[file]
}

func (sh *shared) addSource(f *srcFile) {
	sh.mu.Lock()
	if sh.sources == nil {
		sh.sources = map[string]string{}
	}
	sh.sources[f.name] = f.src
	sh.mu.Unlock()
}

// unit is one compile in progress: the node executors the generated tags refer to.
type unit struct {
	prog  *Program
	nodes []executor
	pos   []tree.Pos
	at    []*srcFile
}

// Compile compiles t.
func Compile(t *tree.Template, opt Options) (*Program, error) {
	return compile(t, opt, &shared{partials: map[string]*Program{}})
}

func compile(t *tree.Template, opt Options, sh *shared) (*Program, error) {
	p := &Program{Tree: t, opt: opt, shared: sh}
	return p, p.build()
}

func (p *Program) build() error {
	g := &gen{p: p, u: &unit{prog: p}, line: 1, id: unitSeq.Add(1), at: &srcFile{p.Tree.Name, p.Tree.Source}}
	p.shared.addSource(g.at)
	if p.opt.Escape {
		plan, err := planEscapes(p, p.start)
		if err != nil {
			return err
		}
		p.plan = plan
	}
	// the whole program is one block, so everything in it writes to Render's writer (see
	// rootEx)
	g.cur = tree.Pos{Line: 1, Col: 1}
	g.b.WriteString("{% mm_block " + g.add(rootEx{}) + " %}")
	if err := g.nodes(p.Tree.Body); err != nil {
		return err
	}
	g.b.WriteString("{% mm_end %}")
	p.Source = g.b.String()
	units.Store(g.id, g.u)
	defer units.Delete(g.id)
	tpl, err := pongo2.FromString(p.Source)
	if err != nil {
		return fmt.Errorf("%s: internal error compiling generated pongo2 source: %w", p.Tree.Name, err)
	}
	p.tpl = tpl
	return nil
}

// gen writes the pongo2 source.
type gen struct {
	p    *Program
	u    *unit
	b    strings.Builder
	line int // current line of the generated source
	id   int64
	cur  tree.Pos // the position of the node being generated
	at   *srcFile // the file the nodes being generated come from
	// guards counts the URL guards open where the nodes being generated are: a guard renders
	// into a buffer, which cannot hold a Dual program's two texts
	guards int
}

// pad adds newlines (inside a pongo2 comment, so they render nothing) until the generated
// source reaches line.
func (g *gen) pad(line int) {
	if line <= g.line {
		return
	}
	g.b.WriteString("{% comment %}")
	g.b.WriteString(strings.Repeat("\n", line-g.line))
	g.b.WriteString("{% endcomment %}")
	g.line = line
}

func (g *gen) add(ex executor) string {
	g.u.nodes = append(g.u.nodes, ex)
	g.u.pos = append(g.u.pos, g.cur)
	g.u.at = append(g.u.at, g.at)
	return strconv.FormatInt(g.id, 10) + " " + strconv.Itoa(len(g.u.nodes)-1)
}

func (g *gen) leaf(ex executor) { g.b.WriteString("{% mm " + g.add(ex) + " %}") }

// block writes a block tag whose bodies are written by the given functions, each padded to
// start on its source line.
func (g *gen) block(ex executor, lines []int, bodies ...[]tree.Node) error {
	g.b.WriteString("{% mm_block " + g.add(ex) + " %}")
	for i, body := range bodies {
		if i > 0 {
			g.b.WriteString("{% mm_br %}")
		}
		if i < len(lines) {
			g.pad(lines[i])
		}
		if err := g.nodes(body); err != nil {
			return err
		}
	}
	g.b.WriteString("{% mm_end %}")
	return nil
}

func (g *gen) nodes(nodes []tree.Node) error {
	for _, n := range nodes {
		if g.p.plan != nil {
			if gd := g.p.plan.before[n]; gd != nil {
				g.openGuard(gd)
			}
		}
		if err := g.node(n); err != nil {
			return err
		}
	}
	return nil
}

// ctx is the escaping context of an output or cycle.
func (g *gen) ctx(n tree.Node) outCtx {
	if g.p.plan == nil {
		return ctxText
	}
	return g.p.plan.ctx[n]
}

// openGuard starts a block whose output is checked whole as a URL attribute value; the
// closing cut ends it (in the same node list, by construction of the plan).
func (g *gen) openGuard(gd *urlGuard) {
	g.cur = gd.pos
	g.guards++
	g.b.WriteString("{% mm_block " + g.add(&guardEx{g: gd}) + " %}")
}

// text writes literal template text.
func (g *gen) text(s string, pos tree.Pos) {
	if s == "" {
		return
	}
	if strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#") ||
		strings.HasSuffix(s, "{") || strings.HasPrefix(s, "}") || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "%") {
		g.cur = pos
		g.leaf(&textEx{text: s})
	} else {
		g.b.WriteString(s)
	}
	g.line += strings.Count(s, "\n")
}

// cutText writes a text node in pieces around the guards that open or close inside it. In a
// Dual program a text that differs in the HTML variant can be cut only where both texts
// agree up to the last cut; the rest is written apart.
func (g *gen) cutText(x *tree.Text, cuts []cut) error {
	alt, dual := g.p.opt.Dual[x]
	if dual && !strings.HasPrefix(alt, x.Text[:cuts[len(cuts)-1].off]) {
		return ErrNotDual
	}
	prev := 0
	for _, c := range cuts {
		g.text(x.Text[prev:c.off], x.Pos)
		prev = c.off
		if c.open {
			g.openGuard(c.g)
		} else {
			g.guards--
			g.b.WriteString("{% mm_end %}")
		}
	}
	if dual {
		return g.dualText(x.Text[prev:], alt[prev:], x.Pos)
	}
	g.text(x.Text[prev:], x.Pos)
	return nil
}

// dualText writes a text that differs between the two documents of a Dual program, or
// returns ErrNotDual inside a URL guard.
func (g *gen) dualText(master, html string, pos tree.Pos) error {
	if g.guards > 0 {
		return ErrNotDual
	}
	g.cur = pos
	g.leaf(&dualTextEx{master: master, html: html})
	g.line += strings.Count(master, "\n")
	return nil
}

func (g *gen) opts() eval.Options {
	return eval.Options{File: g.at.name, Source: g.at.src}
}

func (g *gen) node(n tree.Node) error {
	g.pad(n.Position().Line)
	g.cur = n.Position()
	switch x := n.(type) {
	case *tree.Text:
		if g.p.plan != nil {
			if cuts := g.p.plan.cuts[x]; len(cuts) > 0 {
				return g.cutText(x, cuts)
			}
		}
		if alt, ok := g.p.opt.Dual[x]; ok {
			return g.dualText(x.Text, alt, x.Pos)
		}
		if x.Text == "" {
			return nil
		}
		if strings.Contains(x.Text, "{{") || strings.Contains(x.Text, "{%") || strings.Contains(x.Text, "{#") {
			g.leaf(&textEx{text: x.Text})
		} else {
			g.b.WriteString(x.Text)
		}
		g.line += strings.Count(x.Text, "\n")
		return nil
	case *tree.Block:
		return g.nodes(x.Body)
	}
	ex, bodies, err := g.compileNode(n)
	if err != nil {
		return err
	}
	if bodies == nil {
		g.leaf(ex)
		return nil
	}
	lines := make([]int, len(bodies))
	for i, b := range bodies {
		lines[i] = b.line
	}
	nb := make([][]tree.Node, len(bodies))
	for i, b := range bodies {
		nb[i] = b.nodes
	}
	if inc, ok := n.(*tree.Include); ok && inc.BodyFile != "" {
		// a partial expanded in place: its nodes keep their own file for messages
		outer := g.at
		g.at = &srcFile{inc.BodyFile, inc.BodySource}
		g.p.shared.addSource(g.at)
		defer func() { g.at = outer }()
	}
	return g.block(ex, lines, nb...)
}

// body is one pongo2 body of a block node and the source line it starts on.
type body struct {
	line  int
	nodes []tree.Node
}

// Render executes the program with s, writing to w. Errors are positioned *diag.Error values
// (or limit errors wrapping eval.ErrLimit); a panic anywhere in the render becomes an error.
func (p *Program) Render(s *eval.State, w io.Writer) error {
	return p.execute(s, &limitWriter{w: w, s: s})
}

// execute runs the program with state s into w (see rootEx), a panic becoming an error.
func (p *Program) execute(s *eval.State, w pongo2.TemplateWriter) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &diag.Error{File: p.Tree.Name, Line: 1, Col: 1, Msg: fmt.Sprintf("internal error during render: %v", r), Rule: "render"}
		}
	}()
	err = p.tpl.ExecuteWriterUnbuffered(pongo2.Context{stateKey: s, writerKey: w}, w)
	if err != nil {
		err = unwrapPongo(err)
		if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
			return nil // break/continue outside a loop stops rendering, as in Ruby Liquid
		}
		return err
	}
	return nil
}

// RenderDual renders a Dual program: the master document into master and the HTML variant
// into html, in one evaluation with one state. It returns ErrNotDual when the program
// reached a place where the two cannot be written apart (a text that differs between them
// inside a capture, say); the caller then renders each on its own. The output limit
// applies to each document.
func (p *Program) RenderDual(s *eval.State, master, html io.Writer) error {
	if p.opt.Dual == nil {
		return ErrNotDual
	}
	return p.execute(s, &dualWriter{m: masterWriter{limitWriter{w: master, s: s}}, h: html, s: s})
}

// ErrNotDual is what RenderDual returns when the program cannot write its two documents in
// one evaluation.
var ErrNotDual = errors.New("the master document and the HTML variant cannot be rendered together here")

// dualWriter writes what both documents share to both: the master document through the
// state's output count and limit (as a master render does), the HTML variant with a count
// and limit of its own (as its own render had).
type dualWriter struct {
	m  masterWriter
	h  io.Writer
	hn int // bytes of the HTML variant
	s  *eval.State
}

func (d *dualWriter) Write(b []byte) (int, error) {
	if err := countOutput(&d.hn, len(b), d.s.Limits.MaxOutput); err != nil {
		return 0, err
	}
	if _, err := d.h.Write(b); err != nil {
		return 0, err
	}
	return d.m.Write(b)
}

func (d *dualWriter) WriteString(str string) (int, error) { return d.write(str, str) }

// write writes html to the HTML variant and master to the master document, each counted
// against the output limit.
func (d *dualWriter) write(master, html string) (int, error) {
	if err := countOutput(&d.hn, len(html), d.s.Limits.MaxOutput); err != nil {
		return 0, err
	}
	if _, err := io.WriteString(d.h, html); err != nil {
		return 0, err
	}
	return d.m.WriteString(master)
}

// masterWriter writes to the master document alone (in a Dual program: marker elements,
// the content of textonly blocks).
type masterWriter struct{ limitWriter }

// masterOnly returns the writer for what only the master document carries: w itself,
// except under a Dual program's writer.
func masterOnly(w pongo2.TemplateWriter) pongo2.TemplateWriter {
	if d, ok := w.(*dualWriter); ok {
		return &d.m
	}
	return w
}

// dualTextEx writes a text that differs between the two documents of a Dual program.
type dualTextEx struct{ master, html string }

func (t *dualTextEx) exec(rv run, _ []*pongo2.NodeWrapper) error {
	r := &rv
	switch w := r.w.(type) {
	case *dualWriter:
		_, err := w.write(t.master, t.html)
		return err
	case *masterWriter:
		_, err := w.WriteString(t.master)
		return err
	}
	return ErrNotDual // inside a capture or a URL guard: one buffer cannot hold both texts
}

// writerKey is the pongo2 context key holding the writer a program renders into.
const writerKey = "mm_w"

// rootEx runs a program's whole body into the writer under writerKey instead of the one
// pongo2 passes: pongo2 wraps the io.Writer given to it in a writer whose WriteString copies
// every string into a new []byte before writing it (a copy and an allocation for each piece
// of text and each output), while the writers here (limitWriter over a strings.Builder)
// take strings as they are.
type rootEx struct{}

func (rootEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	if len(bodies) == 0 {
		return nil
	}
	w, _ := r.ctx.Public[writerKey].(pongo2.TemplateWriter)
	if w == nil {
		w = r.w
	}
	return r.body(bodies[0], w)
}

// limitWriter counts output bytes and enforces State.Limits.MaxOutput.
type limitWriter struct {
	w io.Writer
	s *eval.State
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if err := countOutput(&l.s.Output, len(b), l.s.Limits.MaxOutput); err != nil {
		return 0, err
	}
	return l.w.Write(b)
}

func (l *limitWriter) WriteString(str string) (int, error) {
	if err := countOutput(&l.s.Output, len(str), l.s.Limits.MaxOutput); err != nil {
		return 0, err
	}
	return io.WriteString(l.w, str)
}

// countOutput adds n bytes to the output count *total and returns a limit error when it
// passes max (no limit when max is 0 or less).
func countOutput(total *int, n, max int) error {
	*total += n
	if max > 0 && *total > max {
		return &eval.LimitError{What: "output size (bytes)", Limit: max}
	}
	return nil
}
