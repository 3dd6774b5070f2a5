package filters

import (
	"strings"

	"github.com/mailmold/mailmold/engine/value"
)

// The array filters. Except first, last, size and slice they read their input through items
// (nested lists flattened, a single value as a one-item list).
func init() {
	register("size", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if m, ok := in.(map[string]any); ok {
			return len(m), nil // Ruby's Hash#size: a "size" key does not count, unlike {{ m.size }}
		}
		return value.Size(in), nil
	}, Example{In: []any{"a", "b", "c"}, Want: 3}, Example{In: "héllo", Want: 5}, Example{In: map[string]any{"size": 5}, Want: 1},
		Example{In: 1.5, Want: 0}, Example{In: 7, Want: 8}, Example{In: value.Range{From: 1, To: 4}, Want: 4},
		Example{In: map[string]any{"a": 1, "b": 2}, Want: 2}, Example{In: nil, Want: 0},
		Example{In: []any{}, Want: 0}, Example{In: []any{1}, Args: []any{"foo"}, Err: true})
	register("first", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return firstLast(in, true), nil
	}, Example{In: []any{"a", "b"}, Want: "a"}, Example{In: []any{}, Want: nil},
		Example{In: map[string]any{"b": 1, "c": 2}, Want: []any{"b", 1}}, Example{In: "hello", Want: nil},
		Example{In: 12, Want: nil}, Example{In: value.Range{From: 1, To: 3}, Want: 1})
	register("last", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return firstLast(in, false), nil
	}, Example{In: []any{"a", "b"}, Want: "b"}, Example{In: []any{"a", map[string]any{}}, Want: map[string]any{}},
		Example{In: map[string]any{"b": 1}, Want: nil}, Example{In: "hello", Want: nil},
		Example{In: nil, Want: nil}, Example{In: value.Range{From: 1, To: 3}, Want: 3})
	register("join", 0, 1, join,
		Example{In: []any{"a", "b"}, Args: []any{"#"}, Want: "a#b"}, Example{In: []any{1, 2}, Args: []any{"#"}, Want: "1#2"},
		Example{In: []any{"a", "b"}, Want: "a b"}, Example{In: []any{"a", "b"}, Args: []any{nil}, Want: "ab"},
		Example{In: []any{"a", "b"}, Args: []any{5}, Want: "a5b"}, Example{In: "a,b", Args: []any{"#"}, Want: "a,b"},
		Example{In: 123, Args: []any{"#"}, Want: "123"}, Example{In: value.Range{From: 1, To: 3}, Args: []any{"#"}, Want: "1#2#3"},
		Example{In: []any{"a", []any{"b", []any{1.5}}, nil}, Args: []any{"-"}, Want: "a-b-1.5-"},
		Example{In: nil, Args: []any{"#"}, Want: ""}, Example{In: []any{}, Args: []any{"#", 42}, Err: true})
	register("reverse", 0, 0, func(env *Env, in any, _ []any, _ map[string]any) (any, error) {
		list, err := items(env, "reverse", in)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i, v := range list {
			out[len(list)-1-i] = v
		}
		return out, nil
	}, Example{In: []any{"b", "a", "B", "A"}, Want: []any{"A", "B", "a", "b"}},
		Example{In: []any{"a", "b", 1, []any{}, map[string]any{}}, Want: []any{map[string]any{}, 1, "b", "a"}},
		Example{In: 123, Want: []any{123}}, Example{In: nil, Want: []any{}}, Example{In: []any{}, Args: []any{0}, Err: true})
	register("concat", 1, 1, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		other, ok := a[0].([]any)
		if !ok {
			return nil, &ArgError{"concat", "expects an array argument, got " + value.Inspect(a[0])}
		}
		list, err := items(env, "concat", in)
		if err != nil {
			return nil, err
		}
		if err := env.fits("concat", (len(list)+len(other))*SlotBytes); err != nil {
			return nil, err
		}
		out := make([]any, 0, len(list)+len(other))
		return append(append(out, list...), other...), nil
	}, Example{In: []any{"a", "b"}, Args: []any{[]any{"c", "d"}}, Want: []any{"a", "b", "c", "d"}},
		Example{In: "ab", Args: []any{[]any{"c"}}, Want: []any{"ab", "c"}},
		Example{In: []any{[]any{"a", "x"}, []any{"b"}}, Args: []any{[]any{[]any{"c"}}}, Want: []any{"a", "x", "b", []any{"c"}}},
		Example{In: value.Range{From: 1, To: 2}, Args: []any{[]any{5}}, Want: []any{1, 2, 5}},
		Example{In: nil, Args: []any{[]any{"c"}}, Want: []any{"c"}},
		Example{In: []any{"a"}, Args: []any{5}, Err: true}, Example{In: []any{"a"}, Args: []any{nil}, Err: true})
	register("compact", 0, 1, compact,
		Example{In: []any{"b", "a", nil, "A"}, Want: []any{"b", "a", "A"}}, Example{In: []any{}, Want: []any{}},
		Example{In: 123, Want: []any{123}}, Example{In: nil, Want: []any{}},
		Example{In: []any{map[string]any{"t": 1}, map[string]any{"t": nil}, map[string]any{}}, Args: []any{"t"}, Want: []any{map[string]any{"t": 1}}},
		Example{In: []any{1, 2}, Args: []any{"t"}, Err: true}, Example{In: []any{map[string]any{"t": 1}, nil}, Args: []any{"t"}, Want: nil},
		Example{In: []any{}, Args: []any{"foo", "bar"}, Err: true})
	register("uniq", 0, 1, uniq,
		Example{In: []any{"a", "b", "b", "a"}, Want: []any{"a", "b"}}, Example{In: []any{"a", "b", 1, 1}, Want: []any{"a", "b", 1}},
		Example{In: []any{1, 1.0, "1"}, Want: []any{1, 1.0, "1"}},
		Example{In: []any{"a", "b", []any{}, map[string]any{}, map[string]any{}}, Want: []any{"a", "b", map[string]any{}}},
		Example{In: []any{map[string]any{"t": "foo", "n": 1}, map[string]any{"t": "foo", "n": 2}, map[string]any{"n": 3}, map[string]any{"n": 4}}, Args: []any{"t"},
			Want: []any{map[string]any{"t": "foo", "n": 1}, map[string]any{"n": 3}}},
		Example{In: 123, Want: []any{123}}, Example{In: nil, Want: []any{}}, Example{In: nil, Args: []any{"a", "b"}, Err: true})
	register("map", 1, 1, mapFilter,
		Example{In: []any{map[string]any{"title": "foo"}, map[string]any{"title": "bar"}}, Args: []any{"title"}, Want: []any{"foo", "bar"}},
		Example{In: []any{map[string]any{"title": "foo"}, []any{map[string]any{"title": "bar"}, map[string]any{"heading": "baz"}}}, Args: []any{"title"}, Want: []any{"foo", "bar", nil}},
		Example{In: map[string]any{"title": "foo", "some": "thing"}, Args: []any{"title"}, Want: []any{"foo"}},
		Example{In: []any{map[string]any{"title": "foo"}}, Args: []any{nil}, Want: []any{nil}},
		Example{In: []any{"abc", nil, 1.5}, Args: []any{"b"}, Want: []any{"b", nil, nil}},
		Example{In: []any{map[string]any{"title": "foo"}, 5}, Args: []any{"title"}, Err: true},
		Example{In: 123, Args: []any{"title"}, Err: true})
	register("sum", 0, 1, sum,
		Example{In: []any{1, 2, 3}, Want: 6}, Example{In: []any{-1, "-2", "-3"}, Want: -6}, Example{In: []any{1, []any{2, []any{3}}}, Want: 6},
		Example{In: []any{}, Want: 0}, Example{In: []any{0.1, 0.2}, Want: 0.3}, Example{In: []any{1, "2.5"}, Want: 3.5},
		Example{In: []any{map[string]any{"k": "1"}, map[string]any{"k": 2}, map[string]any{"x": 3}}, Args: []any{"k"}, Want: 3},
		Example{In: []any{map[string]any{"k": 1}}, Want: 0}, Example{In: []any{nil, true, 2.5}, Args: []any{"k"}, Want: 0},
		Example{In: []any{1, 2, 3}, Args: []any{"k"}, Err: true})
	register("sort", 0, 1, sortFilter,
		Example{In: []any{1, 1000, 3, 30}, Want: []any{1, 3, 30, 1000}}, Example{In: []any{"b", "a", "C", "B", "A"}, Want: []any{"A", "B", "C", "a", "b"}},
		Example{In: []any{2, nil, 1.5}, Want: []any{1.5, 2, nil}}, Example{In: []any{"b", "a"}, Args: []any{nil}, Want: []any{"a", "b"}},
		Example{In: []any{map[string]any{"t": "foo"}, map[string]any{"h": "Baz"}, map[string]any{"t": "bar"}}, Args: []any{"t"},
			Want: []any{map[string]any{"t": "bar"}, map[string]any{"t": "foo"}, map[string]any{"h": "Baz"}}},
		Example{In: "BzAa4", Want: []any{"BzAa4"}}, Example{In: 123, Want: []any{123}}, Example{In: nil, Want: []any{}},
		Example{In: []any{1, nil}, Args: []any{"t"}, Want: nil},
		Example{In: []any{[]any{}, map[string]any{}, 1, "4"}, Err: true}, Example{In: []any{1, "a"}, Err: true})
	register("sort_natural", 0, 1, sortNatural,
		Example{In: []any{"b", "a", "C", "B", "A"}, Want: []any{"a", "A", "b", "B", "C"}},
		Example{In: []any{"b", nil, "A"}, Want: []any{"A", "b", nil}},
		Example{In: []any{map[string]any{}, 1, "4"}, Want: []any{1, "4", map[string]any{}}},
		Example{In: []any{map[string]any{"t": 9}, map[string]any{"t": 1111}, map[string]any{"t": 87}}, Args: []any{"t"},
			Want: []any{map[string]any{"t": 1111}, map[string]any{"t": 87}, map[string]any{"t": 9}}},
		Example{In: []any{map[string]any{"t": "foo"}, map[string]any{"h": "Baz"}, map[string]any{"t": "Bar"}}, Args: []any{"t"},
			Want: []any{map[string]any{"t": "Bar"}, map[string]any{"t": "foo"}, map[string]any{"h": "Baz"}}},
		Example{In: 123, Want: []any{123}}, Example{In: nil, Want: []any{}})
	register("slice", 1, 2, slice,
		Example{In: "hello", Args: []any{1}, Want: "e"}, Example{In: "hello", Args: []any{1, 3}, Want: "ell"},
		Example{In: "Liquid", Args: []any{-2}, Want: "i"}, Example{In: "Liquid", Args: []any{-2, 99}, Want: "id"},
		Example{In: "Liquid", Args: []any{-2, -1}, Want: ""}, Example{In: "hello", Args: []any{99}, Want: ""},
		Example{In: "hello", Args: []any{"2"}, Want: "l"}, Example{In: "hello", Args: []any{3, "2"}, Want: "lo"},
		Example{In: "hello", Args: []any{1, nil}, Want: "e"}, Example{In: "héllo", Args: []any{1, 2}, Want: "él"},
		Example{In: []any{1, 2, 3, 4, 5}, Args: []any{2, 3}, Want: []any{3, 4, 5}}, Example{In: []any{1, 2}, Args: []any{5}, Want: []any{}},
		Example{In: 5, Args: []any{1}, Want: ""}, Example{In: nil, Args: []any{1, 3}, Want: ""},
		Example{In: "Liquid", Args: []any{2.2}, Err: true}, Example{In: "Liquid", Args: []any{1, 2.2}, Err: true},
		Example{In: "hello", Args: []any{"foo"}, Err: true}, Example{In: "hello", Args: []any{nil, 3}, Err: true})
}

func firstLast(in any, first bool) any {
	switch x := in.(type) {
	case []any:
		if len(x) == 0 {
			return nil
		}
		if first {
			return x[0]
		}
		return x[len(x)-1]
	case value.Range:
		if first {
			return x.From
		}
		return x.To
	case map[string]any: // Ruby's Hash#first is the first [key, value] pair; Hash has no last
		if first && len(x) > 0 {
			return value.ToList(x)[0]
		}
	}
	return nil
}

func join(env *Env, in any, a []any, _ map[string]any) (any, error) {
	sep := " "
	if len(a) > 0 {
		sep = str(a[0])
	}
	list, err := items(env, "join", in)
	if err != nil {
		return nil, err
	}
	switch len(list) {
	case 0:
		return "", nil
	case 1:
		return str(list[0]), nil
	}
	var b strings.Builder
	for i, v := range list {
		s := str(v)
		if i > 0 {
			if err := env.fits("join", b.Len()+len(sep)+len(s)); err != nil {
				return nil, err
			}
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func compact(env *Env, in any, a []any, _ map[string]any) (any, error) {
	list, err := items(env, "compact", in)
	if err != nil {
		return nil, err
	}
	key := arg(a, 0)
	out := make([]any, 0, len(list))
	for _, v := range list {
		p := v
		if key != nil {
			var st lookup
			switch p, st = property(v, key); st {
			case typeError:
				return nil, propertyError("compact", key)
			case noIndex:
				return nil, nil
			}
		}
		if p != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

func uniq(env *Env, in any, a []any, _ map[string]any) (any, error) {
	list, err := items(env, "uniq", in)
	if err != nil {
		return nil, err
	}
	key := arg(a, 0)
	out := make([]any, 0, len(list))
	seen := map[any]bool{}
	var seenOther []any // items that cannot be map keys, compared one by one
	p := pace{env: env}
next:
	for _, v := range list {
		if err := p.step(1 + len(seenOther)); err != nil {
			return nil, err
		}
		k := v
		if key != nil {
			var st lookup
			switch k, st = property(v, key); st {
			case typeError:
				return nil, propertyError("uniq", key)
			case noIndex:
				return nil, nil
			}
		}
		if hk, ok := hashKey(k); ok {
			if seen[hk] {
				continue
			}
			seen[hk] = true
		} else {
			for _, s := range seenOther {
				if eql(s, k) {
					continue next
				}
			}
			seenOther = append(seenOther, k)
		}
		out = append(out, v)
	}
	return out, nil
}

func mapFilter(env *Env, in any, a []any, _ map[string]any) (any, error) {
	list, err := items(env, "map", in)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(list))
	for i, v := range list {
		p, st := property(v, a[0])
		if st == typeError {
			return nil, propertyError("map", a[0])
		}
		out[i] = p
	}
	return out, nil
}

func sum(env *Env, in any, a []any, _ map[string]any) (any, error) {
	key := arg(a, 0)
	list, err := items(env, "sum", in)
	if err != nil {
		return nil, err
	}
	var total any = 0
	for _, v := range list {
		if key != nil {
			p, st := property(v, key)
			switch st {
			case typeError:
				return nil, propertyError("sum", key)
			case noIndex:
				continue
			}
			if l, ok := p.([]any); ok { // a list-valued property is summed item by item
				for _, e := range flatten(nil, l) {
					total = add(total, value.ToNumber(e))
				}
				continue
			}
			v = p
		}
		total = add(total, value.ToNumber(v))
	}
	return total, nil
}

// add adds two numbers from value.ToNumber as plus does.
func add(a, b any) any {
	ai, aInt := a.(int)
	bi, bInt := b.(int)
	if aInt && bInt {
		if r, ok := intOp(opPlus, ai, bi); ok {
			return r
		}
	}
	return floatOp(opPlus, toFloat(a), toFloat(b))
}

// slice is Ruby Liquid's slice: offset and length are integers (numeric text allowed); a
// negative offset counts from the end; lists give lists and anything else is sliced as text.
func slice(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	start, err := toInteger("slice", a[0])
	if err != nil {
		return nil, err
	}
	n := 1
	if len(a) > 1 && a[1] != nil {
		if n, err = toInteger("slice", a[1]); err != nil {
			return nil, err
		}
	}
	if list, ok := in.([]any); ok {
		from, to, ok := sliceBounds(start, n, len(list))
		if !ok {
			return []any{}, nil
		}
		out := make([]any, to-from)
		copy(out, list[from:to])
		return out, nil
	}
	s := str(in)
	runes := []rune(s)
	from, to, ok := sliceBounds(start, n, len(runes))
	if !ok {
		return "", nil
	}
	return string(runes[from:to]), nil
}

// sliceBounds is the part of Ruby's slice(start, length) that applies to a sequence of size
// elements.
func sliceBounds(start, n, size int) (from, to int, ok bool) {
	if start < 0 {
		start += size
	}
	if start < 0 || start > size || n < 0 {
		return 0, 0, false
	}
	return start, start + min(n, size-start), true
}
