package filters

import (
	"sort"
	"strings"

	"github.com/mailmold/mailmold/engine/value"
)

func init() {
	register("size", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return value.Size(in), nil
	}, Example{[]any{1, 2}, nil, 2}, Example{"héllo", nil, 5})
	register("first", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return firstLast(in, true), nil
	}, Example{[]any{1, 2}, nil, 1})
	register("last", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return firstLast(in, false), nil
	}, Example{[]any{1, 2}, nil, 2})
	register("join", 0, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		sep := " "
		if len(a) > 0 {
			sep = str(a[0])
		}
		list, ok := in.([]any)
		if !ok {
			if r, isRange := in.(value.Range); isRange {
				list = r.Slice()
			} else {
				return str(in), nil
			}
		}
		parts := make([]string, len(list))
		for i, v := range list {
			parts[i] = str(v)
		}
		return strings.Join(parts, sep), nil
	}, Example{[]any{"a", "b"}, []any{"-"}, "a-b"})
	register("reverse", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		list := listOf(in)
		out := make([]any, len(list))
		for i, v := range list {
			out[len(list)-1-i] = v
		}
		return out, nil
	}, Example{[]any{1, 2, 3}, nil, []any{3, 2, 1}})
	register("concat", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		other, ok := a[0].([]any)
		if !ok {
			if r, isRange := a[0].(value.Range); isRange {
				other = r.Slice()
			} else {
				return nil, &ArgError{"concat", "expected an array argument, got " + value.Inspect(a[0])}
			}
		}
		list := flatten(listOf(in))
		return append(append([]any{}, list...), other...), nil
	}, Example{[]any{1}, []any{[]any{2}}, []any{1, 2}})
	register("compact", 0, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		var out []any
		for _, v := range listOf(in) {
			x := v
			if len(a) > 0 {
				x, _ = value.Property(v, str(a[0]))
			}
			if x != nil {
				out = append(out, v)
			}
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	}, Example{[]any{1, nil, 2}, nil, []any{1, 2}})
	register("uniq", 0, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		var out []any
		var keys []any
	next:
		for _, v := range listOf(in) {
			k := v
			if len(a) > 0 {
				k, _ = value.Property(v, str(a[0]))
			}
			for _, seen := range keys {
				if value.Equal(seen, k) && sameKind(seen, k) {
					continue next
				}
			}
			keys = append(keys, k)
			out = append(out, v)
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	}, Example{[]any{1, 1, 2}, nil, []any{1, 2}})
	register("map", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		key := str(a[0])
		var out []any
		for _, v := range flatten(listOf(in)) {
			switch v.(type) {
			case map[string]any, value.Getter:
			default:
				return nil, &ArgError{"map", "cannot read property " + key + " of " + value.Inspect(v)}
			}
			p, _ := value.Property(v, key)
			out = append(out, p)
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	}, Example{[]any{map[string]any{"a": 1}}, []any{"a"}, []any{1}})
	register("where", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return filterItems(in, a, true), nil
	}, Example{[]any{map[string]any{"a": 1}, map[string]any{"a": 2}}, []any{"a", 2}, []any{map[string]any{"a": 2}}})
	register("reject", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return filterItems(in, a, false), nil
	}, Example{[]any{map[string]any{"a": 1}, map[string]any{"a": 2}}, []any{"a", 2}, []any{map[string]any{"a": 1}}})
	register("find", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		list := filterItems(in, a, true)
		if len(list) == 0 {
			return nil, nil
		}
		return list[0], nil
	}, Example{[]any{map[string]any{"a": 1}, map[string]any{"a": 2}}, []any{"a", 2}, map[string]any{"a": 2}})
	register("find_index", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		for i, v := range listOf(in) {
			if matches(v, a) {
				return i, nil
			}
		}
		return nil, nil
	}, Example{[]any{map[string]any{"a": 1}, map[string]any{"a": 2}}, []any{"a", 2}, 1})
	register("has", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		for _, v := range listOf(in) {
			if matches(v, a) {
				return true, nil
			}
		}
		return false, nil
	}, Example{[]any{map[string]any{"a": 1}}, []any{"a", 1}, true})
	register("sum", 0, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		total := any(0)
		for _, v := range flatten(listOf(in)) {
			if len(a) > 0 {
				v, _ = value.Property(v, str(a[0]))
			}
			n := value.ToNumber(v)
			ti, tInt := total.(int)
			ni, nInt := n.(int)
			if tInt && nInt {
				total = ti + ni
			} else {
				total = value.ToFloat(total) + value.ToFloat(n)
			}
		}
		return total, nil
	}, Example{[]any{1, "2", 3.5}, nil, 6.5})
	register("sort", 0, 1, sortFilter(false), Example{[]any{"b", "a", "C"}, nil, []any{"C", "a", "b"}})
	register("sort_natural", 0, 1, sortFilter(true), Example{[]any{"b", "a", "C"}, nil, []any{"a", "b", "C"}})
	register("slice", 1, 2, slice, Example{"Liquid", []any{-3, 2}, "ui"})
	register("truthy", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return hbsTruthy(in), nil
	}, Example{0, nil, false}, Example{"x", nil, true}, Example{[]any{}, nil, false})
	register("falsy", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return !hbsTruthy(in), nil
	}, Example{"", nil, true})
	register("default", 0, 1, func(_ *Env, in any, a []any, kw map[string]any) (any, error) {
		allowFalse := value.Truthy(kw["allow_false"])
		if allowFalse && in == false {
			return in, nil
		}
		if in == nil || in == false || value.IsEmpty(in) {
			return arg(a, 0), nil
		}
		return in, nil
	}, Example{nil, []any{"there"}, "there"}, Example{"", []any{"x"}, "x"}, Example{0, []any{"x"}, 0})
}

// hbsTruthy is Handlebars truthiness: nil, false, 0, "" and empty lists are false (used by
// the Handlebars front-end for if/unless/and/or/not).
func hbsTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case value.SafeHTML:
		return x != ""
	case []any:
		return len(x) > 0
	}
	return true
}

func sameKind(a, b any) bool {
	_, ai := a.(int)
	_, bi := b.(int)
	_, as := a.(string)
	_, bs := b.(string)
	return ai == bi && as == bs
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
		if x.Len() == 0 {
			return nil
		}
		if first {
			return x.From
		}
		return x.To
	}
	return nil
}

// listOf turns the input of an array filter into a list (a non-list becomes one item,
// nil an empty list).
func listOf(in any) []any {
	switch x := in.(type) {
	case nil:
		return nil
	case []any:
		return x
	case value.Range:
		return x.Slice()
	case string:
		return []any{x}
	}
	return []any{in}
}

func flatten(list []any) []any {
	var out []any
	for _, v := range list {
		if l, ok := v.([]any); ok {
			out = append(out, flatten(l)...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

func matches(v any, a []any) bool {
	switch v.(type) {
	case map[string]any, value.Getter:
	default:
		// a plain item matches the argument itself (strings by substring)
		if s, ok := v.(string); ok {
			return strings.Contains(s, str(a[0]))
		}
		return value.Equal(v, a[0])
	}
	p, _ := value.Property(v, str(a[0]))
	if len(a) < 2 || a[1] == nil {
		return value.Truthy(p)
	}
	return value.Equal(p, a[1])
}

func filterItems(in any, a []any, keep bool) []any {
	out := []any{}
	for _, v := range flatten(listOf(in)) {
		if matches(v, a) == keep {
			out = append(out, v)
		}
	}
	return out
}

// sortFilter sorts lists: numbers and strings each in order, nil (and missing keys) last;
// natural sort compares strings case-insensitively.
func sortFilter(natural bool) Func {
	name := "sort"
	if natural {
		name = "sort_natural"
	}
	return func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		list, ok := in.([]any)
		if !ok {
			if in == nil {
				return []any{}, nil
			}
			return in, nil
		}
		out := append([]any(nil), list...)
		key := func(v any) any {
			if len(a) > 0 && a[0] != nil {
				p, _ := value.Property(v, str(a[0]))
				return p
			}
			return v
		}
		var bad bool
		sort.SliceStable(out, func(i, j int) bool {
			x, y := key(out[i]), key(out[j])
			if x == nil || y == nil {
				return x != nil && y == nil
			}
			if natural {
				return strings.ToLower(str(x)) < strings.ToLower(str(y))
			}
			c, ok := value.Compare(x, y)
			if !ok {
				bad = true
				return false
			}
			return c < 0
		})
		if bad {
			return nil, &ArgError{name, "cannot compare the items of " + value.Inspect(in)}
		}
		return out, nil
	}
}

func slice(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	if a[0] == nil {
		return nil, &ArgError{"slice", "offset is undefined"}
	}
	start, err := intArg("slice", a[0], 0)
	if err != nil {
		return nil, err
	}
	n, err := intArg("slice", arg(a, 1), 1)
	if err != nil {
		return nil, err
	}
	var items []any
	var runes []rune
	isStr := false
	switch x := in.(type) {
	case []any:
		items = x
	case string:
		runes, isStr = []rune(x), true
	case value.SafeHTML:
		runes, isStr = []rune(string(x)), true
	default:
		return "", nil
	}
	size := len(items)
	if isStr {
		size = len(runes)
	}
	if start < 0 {
		start += size
	}
	if start < 0 || start >= size || n <= 0 {
		if isStr {
			return "", nil
		}
		return []any{}, nil
	}
	end := min(start+n, size)
	if isStr {
		return string(runes[start:end]), nil
	}
	return append([]any{}, items[start:end]...), nil
}
