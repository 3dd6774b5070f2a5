package pongo

import (
	"errors"
	"strconv"
	"strings"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

type forEx struct {
	tag            string
	varName        string
	indexVar       string // each with block params: bound to the index or key
	name           string // "var-collection", the key for offset:continue
	iter           eval.Fn
	limit, offset  eval.Fn
	cols           eval.Fn
	offsetContinue bool
	reversed       bool
	hasElse        bool
	pos, elsePos   tree.Pos
	// argPos are the positions of limit, offset and cols, for their errors
	argPos [3]tree.Pos
	at     *srcFile
}

func (g *gen) compileFor(x *tree.For, o eval.Options) (executor, []body, error) {
	ex := &forEx{tag: x.Tag, varName: x.Var, indexVar: x.IndexVar, offsetContinue: x.OffsetContinue, reversed: x.Reversed, hasElse: x.Else != nil, pos: x.Pos, at: g.at}
	if x.Else != nil {
		ex.elsePos = x.Else.Pos
	}
	var err error
	if ex.iter, err = eval.Compile(x.Iter, o); err != nil {
		return nil, nil, err
	}
	ex.name = x.Var + "-" + exprName(x.Iter)
	for i, c := range []struct {
		e  tree.Expr
		fn *eval.Fn
	}{{x.Limit, &ex.limit}, {x.Offset, &ex.offset}, {x.Cols, &ex.cols}} {
		if c.e != nil {
			ex.argPos[i] = c.e.Position()
			if *c.fn, err = eval.Compile(c.e, o); err != nil {
				return nil, nil, err
			}
		}
	}
	bodies := []body{{x.Line, x.Body}}
	if x.Else != nil {
		bodies = append(bodies, body{x.Else.Line, x.Else.Body})
	}
	return ex, bodies, nil
}

// exprName is the source-like name of an expression, for loop names.
func exprName(e tree.Expr) string {
	switch x := e.(type) {
	case *tree.Var:
		return x.String()
	case *tree.Range:
		return "(" + exprName(x.From) + ".." + exprName(x.To) + ")"
	case *tree.Literal:
		return value.ToString(x.Value)
	}
	return ""
}

// loopInt converts a limit/offset/cols argument.
func loopInt(v any, what string) (int, bool, error) {
	switch n := v.(type) {
	case nil:
		return 0, false, nil
	case int:
		return n, true, nil
	case float64:
		return int(n), true, nil
	case string, value.SafeHTML:
		// like Ruby's Integer(): the whole string must be an integer
		if i, err := strconv.Atoi(strings.TrimSpace(value.ToString(n))); err == nil {
			return i, true, nil
		}
	}
	return 0, false, errors.New(what + " must be a number, got " + value.Inspect(v))
}

// argErr positions an error about the loop's limit (0), offset (1) or cols (2) argument.
func (f *forEx) argErr(i int, err error) error {
	what := [3]string{"limit", "offset", "cols"}[i]
	p := f.argPos[i]
	if p.Line == 0 {
		p = f.pos
	}
	return &diag.Error{File: f.at.name, Line: p.Line, Col: p.Col, Msg: err.Error(), Source: f.at.src, Rule: "render", Err: err,
		Hint: what + " takes a whole number (or a numeric string), e.g. " + what + ": 3"}
}

type offsetKey struct{ name string }

// seq is what a loop iterates: a list, or an integer range that is never materialised;
// off and rev select the window after limit/offset/reversed.
type seq struct {
	list    []any
	isRange bool
	from, n int
	off     int
	rev     bool
}

// slice returns the window [start, end) of s, reversed if asked.
func (s seq) slice(start, end int, rev bool) seq {
	return seq{list: s.list, isRange: s.isRange, from: s.from, off: s.off + start, n: end - start, rev: rev}
}

// at returns the i-th item of the window.
func (s seq) at(i int) any {
	if s.rev {
		i = s.n - 1 - i
	}
	if s.isRange {
		return s.from + s.off + i
	}
	return s.list[s.off+i]
}

func (f *forEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	coll, err := f.iter(r.s)
	if err != nil {
		return err
	}
	if f.tag == "each" {
		return f.each(r, bodies, coll)
	}
	var all seq
	switch c := coll.(type) {
	case string:
		if c != "" {
			all.list = []any{c}
		}
	case nil, bool, int, float64:
	case value.Range:
		// ranges are iterated without building a list, however long they are
		all.isRange, all.from, all.n = true, c.From, c.Len()
	default:
		all.list = value.ToList(coll)
	}
	if !all.isRange {
		all.n = len(all.list)
	}
	start := 0
	if r.s.Registers == nil {
		r.s.Registers = map[any]any{}
	}
	if f.offsetContinue {
		start, _ = r.s.Registers[offsetKey{f.name}].(int)
	} else if f.offset != nil {
		v, err := f.offset(r.s)
		if err != nil {
			return err
		}
		if start, _, err = loopInt(v, "offset"); err != nil {
			return f.argErr(1, err)
		}
	}
	end := all.n
	if f.limit != nil {
		v, err := f.limit(r.s)
		if err != nil {
			return err
		}
		n, set, err := loopInt(v, "limit")
		if err != nil {
			return f.argErr(0, err)
		}
		if set {
			end = start + max(n, 0)
		}
	}
	start = min(max(start, 0), all.n)
	end = min(max(end, start), all.n)
	items := all.slice(start, end, f.reversed)
	if f.tag == "for" {
		r.s.Registers[offsetKey{f.name}] = end
	}
	if f.tag == "tablerow" {
		return f.tablerow(r, bodies[0], items)
	}
	if items.n == 0 {
		if f.hasElse {
			return r.branch(bodies[1], f.elsePos, "else")
		}
		return nil
	}
	parent, _ := r.s.Lookup("forloop")
	pl, _ := parent.(*forloop)
	if pl != nil && pl.isolated {
		pl = nil // a render loop is never a parentloop
	}
	loop := &forloop{name: f.name, length: items.n, parent: pl}
	r.s.Push("forloop", loop)
	r.s.Push(f.varName, nil)
	defer r.s.Pop(2)
	for i := 0; i < items.n; i++ {
		if err := r.s.Tick(); err != nil {
			return err
		}
		loop.index = i
		r.s.Set(0, items.at(i))
		if err := r.branch(bodies[0], f.pos, f.tag); err != nil {
			if errors.Is(err, errBreak) {
				break
			}
			if errors.Is(err, errContinue) {
				continue
			}
			return err
		}
	}
	return nil
}

// forloop is the `forloop` object inside a for loop.
type forloop struct {
	name          string
	index, length int
	parent        *forloop
	cols          int  // tablerow only
	isolated      bool // the loop of {% render … for … %}
}

// Get implements value.Getter.
func (l *forloop) Get(key string) (any, bool) {
	switch key {
	case "name":
		return l.name, true
	case "length":
		return l.length, true
	case "index":
		return l.index + 1, true
	case "index0":
		return l.index, true
	case "rindex":
		return l.length - l.index, true
	case "rindex0":
		return l.length - l.index - 1, true
	case "first":
		return l.index == 0, true
	case "last":
		return l.index == l.length-1, true
	case "parentloop":
		if l.parent == nil {
			return nil, false
		}
		return l.parent, true
	}
	if l.cols > 0 {
		col0 := l.index % l.cols
		switch key {
		case "col":
			return col0 + 1, true
		case "col0":
			return col0, true
		case "col_first":
			return col0 == 0, true
		case "col_last":
			return col0 == l.cols-1, true
		case "row":
			return l.index/l.cols + 1, true
		}
	}
	return nil, false
}

// String renders the loop object like Ruby's inspection of a drop.
func (l *forloop) String() string { return "ForloopDrop" }

func (f *forEx) tablerow(r *run, b *pongo2.NodeWrapper, items seq) error {
	cols := items.n
	if f.cols != nil {
		v, err := f.cols(r.s)
		if err != nil {
			return err
		}
		n, set, err := loopInt(v, "cols")
		if err != nil {
			err = f.argErr(2, err)
		}
		if err != nil {
			return err
		}
		if set && n > 0 {
			cols = n
		}
	}
	if cols == 0 {
		cols = 1
	}
	loop := &forloop{name: f.name, length: items.n, cols: cols}
	r.s.Push("tablerowloop", loop)
	r.s.Push(f.varName, nil)
	defer r.s.Pop(2)
	w := r.w
	w.WriteString(`<tr class="row1">` + "\n")
	for i := 0; i < items.n; i++ {
		if err := r.s.Tick(); err != nil {
			return err
		}
		loop.index = i
		r.s.Set(0, items.at(i))
		col := i%cols + 1
		w.WriteString(`<td class="col` + strconv.Itoa(col) + `">`)
		err := r.body(b, w)
		w.WriteString("</td>")
		if err != nil {
			if errors.Is(err, errBreak) {
				break
			}
			if !errors.Is(err, errContinue) {
				return err
			}
		}
		if col == cols && i != items.n-1 {
			w.WriteString("</tr>\n" + `<tr class="row` + strconv.Itoa(i/cols+2) + `">`)
		}
	}
	_, err := w.WriteString("</tr>\n")
	return err
}

type cycleEx struct {
	group  eval.Fn
	key    string
	values []eval.Fn
	ctx    outCtx
	pos    tree.Pos
}

type cycleKey struct{ key string }

func (g *gen) compileCycle(x *tree.Cycle, o eval.Options) (executor, []body, error) {
	ex := &cycleEx{ctx: g.ctx(x), pos: x.Pos}
	var err error
	if x.Group != nil {
		if ex.group, err = eval.Compile(x.Group, o); err != nil {
			return nil, nil, err
		}
	}
	for _, v := range x.Values {
		fn, err := eval.Compile(v, o)
		if err != nil {
			return nil, nil, err
		}
		ex.values = append(ex.values, fn)
		ex.key += exprName(v) + "\x00"
	}
	return ex, nil, nil
}

func (c *cycleEx) exec(rv run, _ []*pongo2.NodeWrapper) error {
	r := &rv
	key := c.key
	if c.group != nil {
		g, err := c.group(r.s)
		if err != nil {
			return err
		}
		key = "group:" + value.ToString(g)
	}
	if r.s.Registers == nil {
		r.s.Registers = map[any]any{}
	}
	// Ruby Liquid's semantics when calls of one named group list different numbers of
	// values: the position is shared, a position past this call's values prints nothing,
	// and it wraps to 0 once it reaches this call's count
	i, seen := r.s.Registers[cycleKey{key}].(int)
	if !seen && c.group != nil {
		// every new group name stays in the registers until the render ends
		if err := r.s.Hold(len(key), "the cycle group name"); err != nil {
			return err
		}
	}
	next := i + 1
	if next >= len(c.values) {
		next = 0
	}
	r.s.Registers[cycleKey{key}] = next
	if i >= len(c.values) {
		return nil
	}
	v, err := c.values[i](r.s)
	if err != nil {
		return err
	}
	if !r.n.p.opt.Escape {
		_, err := r.w.WriteString(value.ToString(v))
		return err
	}
	return writeOutput(r, v, c.ctx, false, c.pos)
}
