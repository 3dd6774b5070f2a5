package value

import "strings"

// Equal reports Liquid equality: numbers compare by value across int and float, strings and
// SafeHTML by text, lists and maps element by element, and `empty`/`blank` against their rules.
func Equal(a, b any) bool {
	if sa, ok := a.(special); ok {
		return matchSpecial(sa, b)
	}
	if sb, ok := b.(special); ok {
		return matchSpecial(sb, a)
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int:
		switch y := b.(type) {
		case int:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case SafeHTML:
			return x == string(y)
		}
		return false
	case SafeHTML:
		return Equal(string(x), b)
	case []any:
		y, ok := b.([]any)
		if !ok {
			r, isRange := b.(Range)
			if !isRange || r.Len() != len(x) {
				return false // (the range is never expanded: (1..1000000000) would take gigabytes)
			}
			for i := range x {
				if !Equal(x[i], r.From+i) {
					return false
				}
			}
			return true
		}
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case Range:
		switch y := b.(type) {
		case Range:
			return x == y
		case []any:
			return Equal(y, x)
		}
		return false
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

func matchSpecial(s special, v any) bool {
	if o, ok := v.(special); ok {
		return o == s
	}
	if s == Empty {
		return IsEmpty(v)
	}
	return IsBlank(v)
}

// Compare orders a and b for <, <=, >, >=. ok is false when the two cannot be ordered (Liquid
// then raises an error or, in lax mode, the comparison is false).
func Compare(a, b any) (cmp int, ok bool) {
	switch x := a.(type) {
	case int:
		switch y := b.(type) {
		case int:
			return cmpInt(x, y), true
		case float64:
			return cmpFloat(float64(x), y), true
		}
	case float64:
		switch y := b.(type) {
		case int:
			return cmpFloat(x, float64(y)), true
		case float64:
			return cmpFloat(x, y), true
		}
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(x, y), true
		case SafeHTML:
			return strings.Compare(x, string(y)), true
		}
	case SafeHTML:
		return Compare(string(x), b)
	}
	return 0, false
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Contains is Liquid's `contains`: substring for strings, element equality for lists, key
// presence for maps.
func Contains(container, item any) bool {
	switch x := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			if item == nil {
				return false
			}
			s = ToString(item)
		}
		return strings.Contains(x, s)
	case SafeHTML:
		return Contains(string(x), item)
	case []any:
		for _, e := range x {
			if Equal(e, item) {
				return true
			}
		}
	case Range:
		n, ok := item.(int)
		return ok && n >= x.From && n <= x.To
	case map[string]any:
		k, ok := item.(string)
		if !ok {
			return false
		}
		_, has := x[k]
		return has
	}
	return false
}
