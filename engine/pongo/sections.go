package pongo

import (
	"errors"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// sectionEx runs a Mustache section: a list renders the body once per item with the item
// pushed as the context, a map or other truthy value renders it once with the value pushed,
// a falsy value (nil, false, empty list, empty string) renders nothing. Inverted sections
// render their body only for falsy values.
type sectionEx struct {
	fn       eval.Fn
	inverted bool
	pos      tree.Pos
}

func (g *gen) compileSection(x *tree.Section, o eval.Options) (executor, []body, error) {
	fn, err := eval.Compile(x.Expr, o)
	if err != nil {
		return nil, nil, err
	}
	return &sectionEx{fn: fn, inverted: x.Inverted, pos: x.Pos}, []body{{x.Line, x.Body}}, nil
}

// mustacheFalsy reports Mustache falsiness.
func mustacheFalsy(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

func (x *sectionEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	v, err := x.fn(r.s)
	if err != nil {
		return err
	}
	if x.inverted {
		if mustacheFalsy(v) {
			return r.branch(bodies[0], x.pos, "inverted")
		}
		return nil
	}
	if mustacheFalsy(v) {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	r.s.PushContext(nil)
	defer r.s.Pop(1)
	for _, it := range list {
		if err := r.s.Tick(); err != nil {
			return err
		}
		r.s.Set(0, it)
		if err := r.branch(bodies[0], x.pos, "section"); err != nil {
			return err
		}
	}
	return nil
}

// withEx runs Handlebars {{#with x}}: the body with x as the context when x is truthy
// (Handlebars truthiness), else the else branch.
type withEx struct {
	fn           eval.Fn
	varName      string // block param: bound to the value
	hasElse      bool
	pos, elsePos tree.Pos
}

func (g *gen) compileWith(x *tree.With, o eval.Options) (executor, []body, error) {
	fn, err := eval.Compile(x.Expr, o)
	if err != nil {
		return nil, nil, err
	}
	ex := &withEx{fn: fn, varName: x.Var, hasElse: x.Else != nil, pos: x.Pos}
	bodies := []body{{x.Line, x.Body}}
	if x.Else != nil {
		bodies = append(bodies, body{x.Else.Line, x.Else.Body})
		ex.elsePos = x.Else.Pos
	}
	return ex, bodies, nil
}

func (x *withEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	v, err := x.fn(r.s)
	if err != nil {
		return err
	}
	if !value.HandlebarsTruthy(v) {
		if x.hasElse {
			return r.branch(bodies[1], x.elsePos, "else")
		}
		return nil
	}
	r.s.PushContext(v)
	n := 1
	if x.varName != "" {
		r.s.Push(x.varName, v)
		n++
	}
	defer r.s.Pop(n)
	return r.branch(bodies[0], x.pos, "with")
}

// eachLoop is the data of a Handlebars {{#each}} iteration: @index, @first, @last, @key.
type eachLoop struct {
	index, length int
	key           any
}

// Get implements value.Getter for the @-variables.
func (l *eachLoop) Get(k string) (any, bool) {
	switch k {
	case "index":
		return l.index, true
	case "first":
		return l.index == 0, true
	case "last":
		return l.index == l.length-1, true
	case "key":
		return l.keyOrIndex(), true
	}
	return nil, false
}

// keyOrIndex is @key: the key of an object's entry, the index of a list's item.
func (l *eachLoop) keyOrIndex() any {
	if l.key == nil {
		return l.index
	}
	return l.key
}

// each runs a Handlebars each loop: items pushed as the context, `@` bound to the loop data,
// block params (when given) bound to the item and to its index or key; maps iterate their
// values in key order with @key.
func (f *forEx) each(r *run, bodies []*pongo2.NodeWrapper, coll any) error {
	var items, keys []any
	switch c := coll.(type) {
	case []any:
		items = c
	case map[string]any:
		for _, kv := range value.ToList(c) {
			pair := kv.([]any)
			keys = append(keys, pair[0])
			items = append(items, pair[1])
		}
	case value.Range:
		// a range longer than the iterations left would stop at the limit anyway: stop
		// before its list is built
		if max := r.s.Limits.MaxIterations; max > 0 && c.Len() > max-r.s.Iterations {
			return &eval.LimitError{What: "loop iterations", Limit: max}
		}
		items = c.Slice()
	}
	if len(items) == 0 {
		if f.hasElse {
			return r.branch(bodies[1], f.elsePos, "else")
		}
		return nil
	}
	loop := &eachLoop{length: len(items)}
	r.s.Push("@", loop)
	r.s.PushContext(nil)
	n := 2
	for _, name := range []string{f.varName, f.indexVar} {
		if name != "" {
			r.s.Push(name, nil)
			n++
		}
	}
	defer r.s.Pop(n)
	for i, it := range items {
		if err := r.s.Tick(); err != nil {
			return err
		}
		loop.index = i
		if keys != nil {
			loop.key = keys[i]
		}
		// the bindings from the top: index param, item param, context
		d := 0
		if f.indexVar != "" {
			r.s.Set(d, loop.keyOrIndex())
			d++
		}
		if f.varName != "" {
			r.s.Set(d, it)
			d++
		}
		r.s.Set(d, it)
		if err := r.branch(bodies[0], f.pos, "each"); err != nil {
			if errors.Is(err, errBreak) {
				break
			}
			return err
		}
	}
	return nil
}
