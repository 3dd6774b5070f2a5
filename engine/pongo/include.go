package pongo

import (
	"fmt"
	"strings"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// partial returns the compiled partial called name, compiling it on first use. A partial
// that includes itself finds its own (still compiling) Program in the cache, so recursion
// compiles once and is bounded at render time by Limits.MaxDepth.
//
// A partial is compiled for each HTML state it is included in (start).
func (p *Program) partial(name, indent string, start htmlState) (*Program, error) {
	sh := p.shared
	key := name + "\x00" + indent + "\x00" + start.key()
	sh.mu.Lock()
	if pp, ok := sh.partials[key]; ok {
		sh.mu.Unlock()
		return pp, nil
	}
	sh.mu.Unlock()
	if p.opt.Partial == nil {
		return nil, fmt.Errorf("partial %q not found (no partials are available)", name)
	}
	t, err := p.opt.Partial(name)
	if err != nil {
		return nil, err
	}
	if indent != "" {
		indentTree(t, indent)
	}
	pp := &Program{Tree: t, opt: p.opt, shared: sh, start: start}
	sh.mu.Lock()
	if prev, ok := sh.partials[key]; ok {
		sh.mu.Unlock()
		return prev, nil
	}
	sh.partials[key] = pp
	sh.mu.Unlock()
	if err := pp.build(); err != nil {
		sh.mu.Lock()
		delete(sh.partials, key)
		sh.mu.Unlock()
		return nil, err
	}
	return pp, nil
}

type includeEx struct {
	isolated bool
	name     eval.Fn
	static   *Program // resolved at compile time when the name is a literal
	partName string
	with     eval.Fn
	forEach  bool
	alias    string
	keys     []string
	args     []eval.Fn
	indent   string
	start    htmlState // the HTML state the partial is included in
	pos      tree.Pos
	file     string
	src      string
	// inline is set for a partial expanded in place: its body is the block's first body.
	inline []*pongo2.NodeWrapper
}

func (g *gen) compileInclude(x *tree.Include, o eval.Options) (executor, []body, error) {
	if x.Body != nil {
		return g.compileInlineInclude(x, o)
	}
	ex := &includeEx{isolated: x.Isolated, forEach: x.For, alias: x.Alias, indent: x.Indent, pos: x.Pos, file: g.at.name, src: g.at.src}
	if g.p.plan != nil {
		ex.start = g.p.plan.incl[x]
	}
	var err error
	if lit, ok := x.Name.(*tree.Literal); ok {
		ex.partName = value.ToString(lit.Value)
		ex.static, err = g.p.partial(ex.partName, x.Indent, ex.start)
		if err != nil && g.p.opt.MissingPartialsEmpty {
			return ex, nil, nil
		}
		if err != nil {
			return nil, nil, g.errAt(x.Pos, err)
		}
		if pp := ex.static.plan; pp != nil && g.p.plan != nil && g.p.plan.recursive[x] && !endsWhereStarts(pp.end, ex.start) {
			return nil, nil, g.errAt(x.Pos, fmt.Errorf("partial %q includes itself in %s but ends in %s, so what follows could not be escaped",
				ex.partName, ex.start.describe(), pp.end.describe()))
		}
	} else if ex.name, err = eval.Compile(x.Name, o); err != nil {
		return nil, nil, err
	}
	if err := ex.compileArgs(x, o); err != nil {
		return nil, nil, err
	}
	return ex, nil, nil
}

// compileArgs compiles the `with`/`for` value and the keyword arguments of an include.
func (ex *includeEx) compileArgs(x *tree.Include, o eval.Options) error {
	var err error
	if x.With != nil {
		if ex.with, err = eval.Compile(x.With, o); err != nil {
			return err
		}
	}
	for _, kv := range x.Args {
		fn, err := eval.Compile(kv.Value, o)
		if err != nil {
			return err
		}
		ex.keys = append(ex.keys, kv.Key)
		ex.args = append(ex.args, fn)
	}
	return nil
}

// errAt positions err at p unless it already carries a position.
func (g *gen) errAt(p tree.Pos, err error) error {
	if _, ok := err.(*diag.Error); ok {
		return err
	}
	return &diag.Error{File: g.at.name, Line: p.Line, Col: p.Col, Msg: err.Error(), Source: g.at.src, Err: err}
}

// compileInlineInclude compiles an include whose partial body is expanded in place.
func (g *gen) compileInlineInclude(x *tree.Include, o eval.Options) (executor, []body, error) {
	lit, _ := x.Name.(*tree.Literal)
	ex := &includeEx{isolated: x.Isolated, forEach: x.For, alias: x.Alias, pos: x.Pos, file: g.at.name, src: g.at.src,
		partName: value.ToString(lit.Value), inline: []*pongo2.NodeWrapper{}}
	if err := ex.compileArgs(x, o); err != nil {
		return nil, nil, err
	}
	return ex, []body{{x.Line, x.Body}}, nil
}

func (x *includeEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	if x.inline != nil {
		r = &run{s: r.s, ctx: r.ctx, w: r.w, n: r.n, inline: bodies[0]}
	}
	part := x.static
	name := x.partName
	if part == nil && x.name == nil && x.inline == nil {
		return nil // a missing partial under MissingPartialsEmpty
	}
	if part == nil && x.inline == nil {
		v, err := x.name(r.s)
		if err != nil {
			return err
		}
		name = value.ToString(v)
		if part, err = r.n.p.partial(name, x.indent, x.start); err != nil && r.n.p.opt.MissingPartialsEmpty {
			return nil
		} else if err != nil {
			return &diag.Error{File: x.file, Line: x.pos.Line, Col: x.pos.Col, Msg: err.Error(), Source: x.src, Rule: "render", Err: err}
		}
		if part.plan != nil && !endsWhereStarts(part.plan.end, x.start) {
			// the includer's escaping assumed the partial ends where it starts
			return &diag.Error{File: x.file, Line: x.pos.Line, Col: x.pos.Col, Source: x.src, Rule: "escape",
				Msg:  fmt.Sprintf("partial %q is included in %s but ends in %s", name, x.start.describe(), part.plan.end.describe()),
				Hint: "a partial chosen at render time must close every tag, quote and attribute value it opens"}
		}
	}
	s := r.s
	if s.Depth >= s.Limits.MaxDepth && s.Limits.MaxDepth > 0 {
		return &diag.Error{File: x.file, Line: x.pos.Line, Col: x.pos.Col, Rule: "limit", Source: x.src,
			Msg:  fmt.Sprintf("include depth limit exceeded (limit %d) including %q", s.Limits.MaxDepth, name),
			Hint: "a partial that includes itself needs a condition that ends the recursion", Err: &eval.LimitError{What: "include depth", Limit: s.Limits.MaxDepth}}
	}
	// a partial render counts as a loop iteration: partials that include each other several
	// times over fan out like nested loops, with no loop to count them
	if err := s.Tick(); err != nil {
		return err
	}
	// Evaluate arguments in the caller's scope.
	vals := make([]any, len(x.args))
	for i, fn := range x.args {
		v, err := fn(s)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	var with any
	if x.with != nil {
		v, err := x.with(s)
		if err != nil {
			return err
		}
		with = v
	}
	bindAs := x.alias
	if bindAs == "" {
		bindAs = name
		if i := strings.LastIndexByte(bindAs, '/'); i >= 0 {
			bindAs = bindAs[i+1:]
		}
	}
	if x.isolated {
		restore := s.Isolate()
		defer restore()
	}
	s.Depth++
	defer func() { s.Depth-- }()
	if x.isolated {
		// render: arguments are variables of the partial's own scope (assign may change them)
		for i, k := range x.keys {
			s.Assign(k, vals[i])
		}
	} else {
		for i, k := range x.keys {
			s.Push(k, vals[i])
		}
		defer s.Pop(len(x.keys))
	}
	if x.with != nil && x.forEach {
		list, ok := with.([]any)
		rg, isRange := with.(value.Range)
		if ok || isRange {
			// a range is iterated without building a list; every item counts as a loop
			// iteration, as in a for loop
			n := len(list)
			if isRange {
				n = rg.Len()
			}
			var loop *forloop
			if x.isolated {
				loop = &forloop{name: bindAs + "-" + name, length: n, isolated: true}
				s.Push("forloop", loop)
				defer s.Pop(1)
			}
			s.Push(bindAs, nil)
			defer s.Pop(1)
			for i := 0; i < n; i++ {
				if err := s.Tick(); err != nil {
					return err
				}
				if loop != nil {
					loop.index = i
				}
				if isRange {
					s.Set(0, rg.From+i)
				} else {
					s.Set(0, list[i])
				}
				if err := part.execInto(r, x.indent); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if x.with != nil {
		s.Push(bindAs, with)
		defer s.Pop(1)
	}
	return part.execInto(r, x.indent)
}

// execInto renders the partial program into the caller's writer with the caller's state
// (the indentation of a standalone partial is part of its compiled text). An expanded
// partial runs its inline body.
func (p *Program) execInto(r *run, indent string) error {
	if r.inline != nil {
		return r.body(r.inline, r.w)
	}
	err := p.tpl.ExecuteWriterUnbuffered(pongo2.Context{stateKey: r.s, writerKey: r.w}, r.w)
	if err != nil {
		return unwrapPongo(err)
	}
	return nil
}

type segmentEx struct {
	names   [][]string
	pos     []tree.Pos
	hasElse bool
}

func (g *gen) compileSegment(x *tree.Segment) (executor, []body, error) {
	ex := &segmentEx{hasElse: x.Else != nil}
	var bodies []body
	for _, b := range x.Branches {
		if set := g.p.opt.Segments; set != nil {
			for i, n := range b.Names {
				if !set.Has(n) {
					e := &diag.Error{File: g.at.name, Line: b.NamePos[i].Line, Col: b.NamePos[i].Col, Source: g.at.src, Rule: "segment",
						Msg: fmt.Sprintf("unknown segment %q", n), Hint: "segments are defined in segments.yaml"}
					if s := set.Suggest(n); s != "" {
						e.Hint = "did you mean '" + s + "'? (segments are defined in segments.yaml)"
					}
					return nil, nil, e
				}
			}
		}
		ex.names = append(ex.names, b.Names)
		ex.pos = append(ex.pos, b.Pos)
		bodies = append(bodies, body{b.Line, b.Body})
	}
	if x.Else != nil {
		bodies = append(bodies, body{x.Else.Line, x.Else.Body})
		ex.pos = append(ex.pos, x.Else.Pos)
	}
	return ex, nonNil(bodies), nil
}

func (x *segmentEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	in := r.s.Segment
	for i, names := range x.names {
		for _, n := range names {
			if in != nil && in(n) {
				return r.branch(bodies[i], x.pos[i], "segment")
			}
		}
	}
	if x.hasElse {
		return r.branch(bodies[len(x.names)], x.pos[len(x.names)], "else")
	}
	return nil
}

type liveEx struct {
	src      eval.Fn
	template string
	pos      tree.Pos
	file     string
	source   string
	// fallbackOnly writes just the fallback (the HTML variant, which never uses src)
	fallbackOnly bool
}

func (g *gen) compileLive(x *tree.Live, o eval.Options) (executor, []body, error) {
	fn, err := eval.Compile(x.Src, o)
	if err != nil {
		return nil, nil, err
	}
	ex := &liveEx{src: fn, template: x.Template, pos: x.Pos, file: g.at.name, source: g.at.src,
		fallbackOnly: g.p.opt.HTMLVariant}
	if lit, ok := x.Src.(*tree.Literal); ok {
		if s := value.ToString(lit.Value); checkLiveSrc(s) != "" {
			hint := `live blocks load JSON from an absolute https URL: {% live src="https://example.com/data.json" %}`
			if strings.Contains(s, "{{") || strings.Contains(s, "{%") {
				hint = `tags inside a quoted src are not expanded; build the URL from data with filters: {% live src="https://example.com/data.json?u=" | append: id %}`
			}
			return nil, nil, &diag.Error{File: ex.file, Line: lit.Line, Col: lit.Col, Msg: checkLiveSrc(s), Source: ex.source, Rule: "live", Hint: hint}
		}
	}
	return ex, []body{{x.Line, x.Fallback}}, nil
}

// checkLiveSrc returns why src cannot be a live-data URL, or "".
func checkLiveSrc(src string) string {
	switch {
	case !strings.HasPrefix(src, "https://") || len(src) <= len("https://"):
		return fmt.Sprintf("live src %q must be an absolute https URL", src)
	case strings.Contains(src, "{{") || strings.Contains(src, "{%") || strings.Contains(src, "*|"):
		return fmt.Sprintf("live src %q carries an unresolved placeholder", src)
	case strings.ContainsAny(src, " \t\r\n\"'<>"):
		return fmt.Sprintf("live src %q contains characters not allowed in a URL", src)
	}
	return ""
}

func (x *liveEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	v, err := x.src(r.s)
	if err != nil {
		return err
	}
	src := value.ToString(v)
	w := r.w
	if x.fallbackOnly {
		return r.body(bodies[0], w)
	}
	if msg := checkLiveSrc(src); msg != "" {
		// a src from the data: this recipient's message goes without its AMP part, and the
		// other variants show the fallback as always
		r.s.Omitted = append(r.s.Omitted, eval.Omission{File: x.file, Pos: x.pos, Variant: "amp", Rule: "amp-live",
			Message: msg + "; the src comes from the data, so this message goes without an AMP part"})
		return r.body(bodies[0], w)
	}
	// the live markup is the master document's; the fallback is both documents'
	mw := masterOnly(w)
	mw.WriteString(`<mm-live data-src="`)
	mw.WriteString(EscapeHTML(cleanText(src)))
	mw.WriteString(`"><template type="amp-mustache">`)
	mw.WriteString(x.template)
	mw.WriteString(`</template><mm-fallback>`)
	if err := r.body(bodies[0], w); err != nil {
		return err
	}
	_, err = mw.WriteString(`</mm-fallback></mm-live>`)
	return err
}

// indentTree prefixes every line of a partial's template text with indent (Mustache
// standalone partials): the first line and every line after a newline, except after the
// newline that ends the partial.
func indentTree(t *tree.Template, indent string) {
	var texts []*tree.Text
	tree.Walk(t.Body, func(n tree.Node) bool {
		if x, ok := n.(*tree.Text); ok {
			texts = append(texts, x)
		}
		return true
	})
	for i, x := range texts {
		s := x.Text
		last := i == len(texts)-1 && strings.HasSuffix(t.Source, s) && strings.HasSuffix(s, "\n")
		if last {
			x.Text = strings.ReplaceAll(s[:len(s)-1], "\n", "\n"+indent) + "\n"
		} else {
			x.Text = strings.ReplaceAll(s, "\n", "\n"+indent)
		}
	}
	t.Body = append([]tree.Node{&tree.Text{Pos: tree.Pos{Line: 1, Col: 1}, Text: indent}}, t.Body...)
}
