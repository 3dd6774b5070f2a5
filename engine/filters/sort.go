package filters

import (
	"sort"

	"github.com/mailmold/mailmold/engine/value"
)

// sortFilter is Ruby Liquid's sort: numbers by value, strings by bytes, nil last; values
// that cannot be ordered against each other are an error. With a property, every item must
// have properties (else the result is nil) and items sort by that property.
func sortFilter(env *Env, in any, a []any, _ map[string]any) (any, error) {
	return sortBy(env, "sort", in, arg(a, 0), func(x, y any) (int, bool) {
		if x == nil || y == nil {
			return nilLast(x, y), true
		}
		if c, ok := value.Compare(x, y); ok {
			return c, true
		}
		if eql(x, y) { // Ruby's Object#<=> is 0 for equal values of any type
			return 0, true
		}
		return 0, false
	})
}

// sortNatural is Ruby Liquid's sort_natural: items compare as text, ignoring ASCII case; nil
// last.
func sortNatural(env *Env, in any, a []any, _ map[string]any) (any, error) {
	return sortBy(env, "sort_natural", in, arg(a, 0), func(x, y any) (int, bool) {
		if x == nil || y == nil {
			return nilLast(x, y), true
		}
		return caseCompare(str(x), str(y)), true
	})
}

func nilLast(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	}
	return -1
}

// caseCompare is Ruby's casecmp: bytes compared with ASCII letters folded to lower case.
func caseCompare(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lowerASCII(a[i]), lowerASCII(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// sortBy sorts the items of in (stably) by cmp on the items, or on their property key when
// key is not nil.
func sortBy(env *Env, name string, in, key any, cmp func(x, y any) (int, bool)) (any, error) {
	list, err := items(env, name, in)
	if err != nil {
		return nil, err
	}
	keys := list
	if key != nil {
		keys = make([]any, len(list))
		typeErr := false
		for i, v := range list {
			p, st := property(v, key)
			switch st {
			case noIndex: // checked for every item before any property is read
				return nil, nil
			case typeError:
				typeErr = true
			}
			keys[i] = p
		}
		if typeErr {
			return nil, propertyError(name, key)
		}
	}
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	bad := false
	p := pace{env: env}
	var stopped error
	sort.SliceStable(idx, func(i, j int) bool {
		if stopped != nil {
			return false // past the deadline: let the sort run out cheaply
		}
		if stopped = p.step(1); stopped != nil {
			return false
		}
		c, ok := cmp(keys[idx[i]], keys[idx[j]])
		if !ok {
			bad = true
		}
		return c < 0
	})
	if stopped != nil {
		return nil, stopped
	}
	if bad {
		return nil, &ArgError{name, "cannot sort values of incompatible types"}
	}
	out := make([]any, len(list))
	for i, k := range idx {
		out[i] = list[k]
	}
	return out, nil
}
