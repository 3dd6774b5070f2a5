package filters

import (
	"github.com/mailmold/mailmold/engine/value"
)

// where, reject, find, find_index and has: Ruby Liquid's filter_array. Each item's property
// (read with Ruby's [] semantics, see property) is tested for truthiness, or for equality with
// the second argument when it is given and not nil. An item without properties (nil, a
// boolean, a float) ends the filter with nil; a property name of the wrong type for an item
// (a string on an integer) is an error.
func init() {
	hashes := []any{map[string]any{"x": 99}, map[string]any{"z": 42, "foo": "bar"}}
	mixed := []any{"x", nil, "z", false, true}
	register("where", 1, 2, selectFilter("where", selWhere),
		Example{In: []any{map[string]any{"t": "foo"}, map[string]any{"t": nil}}, Args: []any{"t"}, Want: []any{map[string]any{"t": "foo"}}},
		Example{In: []any{map[string]any{"b": false}, map[string]any{"b": "bar"}, map[string]any{"b": nil}}, Args: []any{"b", false}, Want: []any{map[string]any{"b": false}}},
		Example{In: []any{map[string]any{"b": false}, map[string]any{"b": "bar"}}, Args: []any{"b", nil}, Want: []any{map[string]any{"b": "bar"}}},
		Example{In: hashes, Args: []any{"z", 42}, Want: hashes[1:]}, Example{In: hashes, Args: []any{"z", "42"}, Want: []any{}},
		Example{In: []any{[]any{map[string]any{"a": 1.0}}, map[string]any{"a": 2}}, Args: []any{"a", 1}, Want: []any{map[string]any{"a": 1.0}}},
		Example{In: []any{"apple", "pear"}, Args: []any{"pp"}, Want: []any{"apple"}},
		Example{In: hashes, Args: []any{nil}, Want: []any{}}, Example{In: nil, Args: []any{"t"}, Want: []any{}},
		Example{In: 123, Args: []any{"t"}, Err: true}, Example{In: hashes, Err: true}, Example{In: hashes, Args: []any{"a", "b", "c"}, Err: true})
	register("reject", 1, 2, selectFilter("reject", selReject),
		Example{In: []any{"x", "y", "cat"}, Args: []any{"c"}, Want: []any{"x", "y"}},
		Example{In: []any{map[string]any{"t": "foo"}, map[string]any{"t": false}, map[string]any{"h": 1}}, Args: []any{"t"}, Want: []any{map[string]any{"t": false}, map[string]any{"h": 1}}},
		Example{In: []any{map[string]any{"t": true}, map[string]any{"t": "bar"}}, Args: []any{"t", true}, Want: []any{map[string]any{"t": "bar"}}},
		Example{In: map[string]any{"foo": 1, "bar": 2}, Args: []any{"bar"}, Want: []any{}},
		Example{In: map[string]any{"foo": 1, "bar": 2}, Args: []any{"bar", 1}, Want: []any{map[string]any{"foo": 1, "bar": 2}}},
		Example{In: "foobar", Args: []any{"oo"}, Want: []any{}}, Example{In: "foobar", Args: []any{"xx"}, Want: []any{"foobar"}},
		Example{In: []any{"x", "y", "cat", nil}, Args: []any{"c"}, Want: nil}, Example{In: []any{"x", "y"}, Args: []any{nil}, Want: nil},
		Example{In: []any{"x", "cat", 1}, Args: []any{"c"}, Err: true})
	register("find", 1, 2, selectFilter("find", selFind),
		Example{In: hashes, Args: []any{"z", 42}, Want: hashes[1]}, Example{In: []any{"x", "y", "zoo"}, Args: []any{"oo"}, Want: "zoo"},
		Example{In: []any{"x", "y", "zoo"}, Args: []any{"foo"}, Want: nil}, Example{In: map[string]any{"z": 42}, Args: []any{"z"}, Want: map[string]any{"z": 42}},
		Example{In: map[string]any{"z": nil}, Args: []any{"z", nil}, Want: nil}, Example{In: "zoo", Args: []any{"z", "z"}, Want: "zoo"},
		Example{In: "zoo", Args: []any{"z", "y"}, Want: nil}, Example{In: mixed, Args: []any{"z"}, Want: nil},
		Example{In: []any{map[string]any{"x": 99}, nil, map[string]any{"z": 42}}, Args: []any{"z", 42}, Want: nil})
	register("find_index", 1, 2, selectFilter("find_index", selFindIndex),
		Example{In: hashes, Args: []any{"z", 42}, Want: 1}, Example{In: []any{"x", "y", "z"}, Args: []any{"z"}, Want: 2},
		Example{In: []any{"x", "y", "zoo"}, Args: []any{"foo"}, Want: nil}, Example{In: map[string]any{"z": 42}, Args: []any{"z"}, Want: 0},
		Example{In: []any{"foo", "bar", map[string]any{"z": nil}}, Args: []any{"z", nil}, Want: nil},
		Example{In: "zoo", Args: []any{"z", "y"}, Want: nil}, Example{In: mixed, Args: []any{"z"}, Want: nil})
	register("has", 1, 2, selectFilter("has", selHas),
		Example{In: hashes, Args: []any{"z", 42}, Want: true}, Example{In: hashes, Args: []any{"z", 7}, Want: false},
		Example{In: hashes, Args: []any{false}, Want: false}, Example{In: hashes, Args: []any{42}, Want: false}, Example{In: hashes, Args: []any{nil}, Want: false},
		Example{In: []any{1, 2, 3}, Args: []any{2}, Want: true}, Example{In: []any{1, 2, 3}, Args: []any{"2"}, Err: true},
		Example{In: []any{"x", "y", "zoo"}, Args: []any{"z"}, Want: true}, Example{In: []any{"x", "y", "z"}, Args: []any{":("}, Want: false},
		Example{In: map[string]any{"z": nil}, Args: []any{"z", nil}, Want: false}, Example{In: map[string]any{"z": 42}, Args: []any{"z", nil}, Want: true},
		Example{In: map[string]any{"z": false}, Args: []any{"z", false}, Want: true}, Example{In: map[string]any{"z": 42}, Args: []any{"z", "42"}, Want: false},
		Example{In: []any{map[string]any{"x": 99}, nil, map[string]any{"z": 42}}, Args: []any{"z", 42}, Want: nil},
		Example{In: mixed, Args: []any{"z"}, Want: nil}, Example{In: "zoo", Args: []any{"z"}, Want: true}, Example{In: nil, Args: []any{"z"}, Want: false})
}

type selMode int

const (
	selWhere selMode = iota
	selReject
	selFind
	selFindIndex
	selHas
)

func selectFilter(name string, mode selMode) Func {
	return func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		list, err := items(env, name, in)
		if err != nil {
			return nil, err
		}
		key, target := a[0], arg(a, 1)
		var out []any
		if mode == selWhere || mode == selReject {
			out = make([]any, 0, len(list))
		}
		for i, v := range list {
			p, st := property(v, key)
			switch st {
			case typeError:
				return nil, propertyError(name, key)
			case noIndex:
				return nil, nil
			}
			match := value.Truthy(p)
			if target != nil {
				match = value.Equal(p, target)
			}
			switch {
			case mode == selReject && !match, mode == selWhere && match:
				out = append(out, v)
			case !match:
			case mode == selFind:
				return v, nil
			case mode == selFindIndex:
				return i, nil
			case mode == selHas:
				return true, nil
			}
		}
		switch mode {
		case selHas:
			return false, nil
		case selFind, selFindIndex:
			return nil, nil
		}
		return out, nil
	}
}
