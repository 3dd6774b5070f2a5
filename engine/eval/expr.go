package eval

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// Fn is a compiled expression.
type Fn func(s *State) (any, error)

// Options control how expressions compile.
type Options struct {
	File   string // for positions in errors and undefined records
	Source string // for code frames
	// Record makes variable reads that find nothing append to State.Undefined.
	Record bool
}

// Error is an evaluation error at a position; it converts to *diag.Error at the engine
// boundary.
type Error = diag.Error

func errAt(o Options, p tree.Pos, format string, args ...any) *diag.Error {
	return &diag.Error{File: o.File, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Source: o.Source, Rule: "render"}
}

// Compile turns x into an Fn. Unknown filters are reported here, with a suggestion.
func Compile(x tree.Expr, o Options) (Fn, error) {
	switch e := x.(type) {
	case *tree.Literal:
		v := e.Value
		return func(*State) (any, error) { return v, nil }, nil
	case *tree.Var:
		return compileVar(e, o)
	case *tree.Range:
		from, err := Compile(e.From, o)
		if err != nil {
			return nil, err
		}
		to, err := Compile(e.To, o)
		if err != nil {
			return nil, err
		}
		pos := e.Pos
		return func(s *State) (any, error) {
			a, err := from(s)
			if err != nil {
				return nil, err
			}
			b, err := to(s)
			if err != nil {
				return nil, err
			}
			lo, ok1 := rangeBound(a)
			hi, ok2 := rangeBound(b)
			if !ok1 || !ok2 {
				return nil, errAt(o, pos, "range bounds must be numbers, got %s and %s", value.Inspect(a), value.Inspect(b))
			}
			return value.Range{From: lo, To: hi}, nil
		}, nil
	case *tree.Not:
		inner, err := Compile(e.X, o)
		if err != nil {
			return nil, err
		}
		return func(s *State) (any, error) {
			v, err := inner(s)
			if err != nil {
				return nil, err
			}
			return !value.Truthy(v), nil
		}, nil
	case *tree.Binary:
		return compileBinary(e, o)
	case *tree.Filtered:
		return compileFiltered(e, o)
	}
	return nil, errAt(o, x.Position(), "unsupported expression %T", x)
}

func rangeBound(v any) (int, bool) {
	switch n := value.ToNumber(v).(type) {
	case int:
		return n, true
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, false
		}
		return int(n), true
	}
	if v == nil {
		return 0, true
	}
	return 0, false
}

func compileVar(v *tree.Var, o Options) (Fn, error) {
	type step struct {
		name string
		idx  Fn
	}
	steps := make([]step, len(v.Steps))
	for i, st := range v.Steps {
		steps[i].name = st.Name
		if st.Index != nil {
			f, err := Compile(st.Index, o)
			if err != nil {
				return nil, err
			}
			steps[i].idx = f
		}
	}
	var root Fn
	if v.RootExpr != nil {
		f, err := Compile(v.RootExpr, o)
		if err != nil {
			return nil, err
		}
		root = f
	}
	name, pos, record, implicit, depth := v.Root, v.Pos, o.Record, v.Implicit, v.Depth
	path := v.String()
	return func(s *State) (any, error) {
		var cur any
		var ok bool
		switch {
		case root != nil:
			k, err := root(s)
			if err != nil {
				return nil, err
			}
			cur, ok = s.Lookup(value.ToString(k))
		case depth == tree.RootDepth && implicit:
			cur, ok = s.Data, true
		case depth == tree.RootDepth:
			cur, ok = s.LookupRoot(name)
		case implicit:
			cur, ok = s.Context(depth)
		case depth > 0:
			cur, ok = s.LookupFrom(depth, name)
		default:
			cur, ok = s.Lookup(name)
		}
		for i := 0; ok && i < len(steps); i++ {
			st := &steps[i]
			if st.idx == nil {
				cur, ok = value.Property(cur, st.name)
				continue
			}
			k, err := st.idx(s)
			if err != nil {
				return nil, err
			}
			if ks, isStr := k.(string); isStr {
				cur, ok = value.Property(cur, ks)
			} else {
				cur, ok = value.Index(cur, k)
			}
		}
		if !ok {
			if record {
				s.record(Undefined{File: o.File, Pos: pos, Name: path})
			}
			return nil, nil
		}
		if record && (cur == nil || cur == "") {
			s.record(Undefined{File: o.File, Pos: pos, Name: path, Blank: true})
		}
		return cur, nil
	}, nil
}

func compileBinary(b *tree.Binary, o Options) (Fn, error) {
	l, err := Compile(b.L, o)
	if err != nil {
		return nil, err
	}
	r, err := Compile(b.R, o)
	if err != nil {
		return nil, err
	}
	switch b.Op {
	case "and":
		return func(s *State) (any, error) {
			a, err := l(s)
			if err != nil || !value.Truthy(a) {
				return false, err
			}
			c, err := r(s)
			return value.Truthy(c), err
		}, nil
	case "or":
		return func(s *State) (any, error) {
			a, err := l(s)
			if err != nil {
				return nil, err
			}
			if value.Truthy(a) {
				return true, nil
			}
			c, err := r(s)
			return value.Truthy(c), err
		}, nil
	}
	op, pos := b.Op, b.Pos
	return func(s *State) (any, error) {
		a, err := l(s)
		if err != nil {
			return nil, err
		}
		c, err := r(s)
		if err != nil {
			return nil, err
		}
		switch op {
		case "==":
			return value.Equal(a, c), nil
		case "!=":
			return !value.Equal(a, c), nil
		case "contains":
			if c == nil || c == false { // Ruby Liquid: nothing contains nil or false
				return false, nil
			}
			return value.Contains(a, c), nil
		}
		cmp, ok := value.Compare(a, c)
		if !ok {
			if incomparable(a, c) {
				return nil, errAt(o, pos, "cannot compare %s with %s using '%s'", value.Inspect(a), value.Inspect(c), op)
			}
			return false, nil
		}
		switch op {
		case "<":
			return cmp < 0, nil
		case ">":
			return cmp > 0, nil
		case "<=":
			return cmp <= 0, nil
		case ">=":
			return cmp >= 0, nil
		}
		return false, nil
	}, nil
}

// incomparable reports Ruby's "comparison of String with Integer failed": both sides are
// concrete values of different orderable kinds.
func incomparable(a, b any) bool {
	kind := func(v any) int {
		switch v.(type) {
		case int, float64:
			return 1
		case string:
			return 2
		}
		return 0
	}
	ka, kb := kind(a), kind(b)
	return ka != 0 && kb != 0 && ka != kb
}

func compileFiltered(f *tree.Filtered, o Options) (Fn, error) {
	// A value that goes through default anywhere in the chain is expected to be missing:
	// don't record it.
	inner := o
	for _, flt := range f.Filters {
		if flt.Name == "default" {
			inner.Record = false
		}
	}
	x, err := Compile(f.X, inner)
	if err != nil {
		return nil, err
	}
	type call struct {
		fn   filters.Func
		name string
		pos  tree.Pos
		args []Fn
		keys []string
		kws  []Fn
	}
	calls := make([]call, len(f.Filters))
	for i, flt := range f.Filters {
		fn, ok := filters.Lookup(flt.Name)
		if !ok {
			e := errAt(o, flt.Pos, "unknown filter '%s'", flt.Name)
			if s := diag.Suggest(flt.Name, filters.Names()); s != "" {
				e.Hint = "did you mean '" + s + "'?"
			}
			e.Rule = "syntax"
			return nil, e
		}
		c := call{fn: fn, name: flt.Name, pos: flt.Pos}
		for _, a := range flt.Args {
			af, err := Compile(a, o)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, af)
		}
		for _, kv := range flt.KwArgs {
			kf, err := Compile(kv.Value, o)
			if err != nil {
				return nil, err
			}
			c.keys = append(c.keys, kv.Key)
			c.kws = append(c.kws, kf)
		}
		calls[i] = c
	}
	return func(s *State) (any, error) {
		v, err := x(s)
		if err != nil {
			return nil, err
		}
		max := s.Limits.MaxOutput
		// what the filters know of the limits: the value size bound they check before they
		// allocate, and the context long filter calls stop on
		s.Env.MaxBytes, s.Env.Ctx = max, s.Ctx
		for i := range calls {
			c := &calls[i]
			// the arguments go on the state's stack (an argument's own filters push and
			// pop above them); the filter gets them as a slice it must not keep
			base := len(s.args)
			for _, af := range c.args {
				a, err := af(s)
				if err != nil {
					s.args = s.args[:base]
					return nil, err
				}
				s.args = append(s.args, a)
			}
			args := s.args[base:len(s.args):len(s.args)]
			var kw map[string]any
			if len(c.keys) > 0 {
				kw = make(map[string]any, len(c.keys))
				for j, kf := range c.kws {
					a, err := kf(s)
					if err != nil {
						return nil, err
					}
					kw[c.keys[j]] = a
				}
			}
			v, err = callFilter(c.fn, &s.Env, v, args, kw)
			clear(s.args[base:])
			s.args = s.args[:base]
			if err != nil {
				var se *filters.SizeError
				if errors.As(err, &se) {
					return nil, limitAt(o, c.pos, &LimitError{What: "value size (bytes)", Limit: se.Limit,
						Detail: c.name + " would build at least " + itoa(se.Size) + " bytes", Err: se})
				}
				if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
					return nil, limitAt(o, c.pos, &LimitError{What: "render time (deadline)", Err: err})
				}
				e := errAt(o, c.pos, "%s", err.Error())
				e.Err = err
				return nil, e
			}
			if max > 0 {
				if err := checkBuilt(s, v, max); err != nil {
					if err.Detail != "" {
						err.Detail = c.name + " " + err.Detail
					}
					return nil, limitAt(o, c.pos, err)
				}
			}
		}
		return v, nil
	}, nil
}

// bigValue is the footprint from which a filter's result is worth a look at the deadline:
// work on values this large takes long enough that a loop of them must not wait for Tick.
const bigValue = 64 << 10

// checkBuilt holds a filter's result to the value size limit (its footprint, at most max) and,
// for a big value, checks the render deadline: one filter call on a large value is where a
// render spends its time between loop iterations.
func checkBuilt(s *State, v any, max int) *LimitError {
	var n int
	switch x := v.(type) {
	case string:
		n = len(x)
	case int, float64, bool, nil:
		return nil
	default:
		n = filters.Footprint(x, max)
	}
	if n > max {
		return &LimitError{What: "value size (bytes)", Limit: max, Detail: "built " + itoa(n) + " bytes"}
	}
	if n >= bigValue {
		if err := s.Ctx.Err(); err != nil {
			return &LimitError{What: "render time (deadline)", Err: err}
		}
	}
	return nil
}

// limitAt positions a limit error at a filter, with its hint.
func limitAt(o Options, p tree.Pos, le *LimitError) *diag.Error {
	return &diag.Error{File: o.File, Line: p.Line, Col: p.Col, Msg: le.Error(), Source: o.Source, Rule: "limit", Hint: le.Hint(), Err: le}
}

// callFilter runs one filter, turning a panic into an error.
func callFilter(fn filters.Func, env *filters.Env, in any, args []any, kw map[string]any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("filter panicked: %v", r)
		}
	}()
	return fn(env, in, args, kw)
}
