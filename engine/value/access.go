package value

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Property returns v[key] for a name used after a dot or in brackets: map keys, Getter
// properties, and the special names size, first and last on lists (size also on strings and
// maps without such a key).
func Property(v any, key string) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x[key]; ok {
			return r, true
		}
		switch key {
		case "size":
			return len(x), true
		case "first":
			if l := ToList(x); len(l) > 0 {
				return l[0], true
			}
		}
		return nil, false
	case []any:
		switch key {
		case "size":
			return len(x), true
		case "first":
			if len(x) == 0 {
				return nil, false
			}
			return x[0], true
		case "last":
			if len(x) == 0 {
				return nil, false
			}
			return x[len(x)-1], true
		}
	case Range:
		switch key {
		case "size":
			return x.Len(), true
		case "first":
			return x.From, true
		case "last":
			return x.To, true
		}
	case string:
		if key == "size" {
			return utf8.RuneCountInString(x), true
		}
	case SafeHTML:
		return Property(string(x), key)
	case Getter:
		return x.Get(key)
	}
	return nil, false
}

// Index returns v[i] for lists (negative i counts from the end) and v[key] for maps when i is a
// string.
func Index(v any, i any) (any, bool) {
	switch k := i.(type) {
	case string:
		return Property(v, k)
	case SafeHTML:
		return Property(v, string(k))
	case float64:
		if k != float64(int(k)) {
			return nil, false
		}
		return Index(v, int(k))
	case int:
		var list []any
		switch x := v.(type) {
		case []any:
			list = x
		case Range:
			if k < 0 {
				k += x.Len()
			}
			if k < 0 || k >= x.Len() {
				return nil, false
			}
			return x.From + k, true
		case map[string]any:
			r, ok := x[strconv.Itoa(k)]
			return r, ok
		default:
			return nil, false
		}
		if k < 0 {
			k += len(list)
		}
		if k < 0 || k >= len(list) {
			return nil, false
		}
		return list[k], true
	}
	return nil, false
}

// FromJSON normalises a value decoded by encoding/json with UseNumber into the value model:
// json.Number becomes int when it is an integer that fits, else float64; lists and maps are
// converted in place.
func FromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.Atoi(string(x)); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = FromJSON(x[i])
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = FromJSON(e)
		}
		return x
	}
	return v
}
