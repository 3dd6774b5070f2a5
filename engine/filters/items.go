package filters

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailmold/mailmold/engine/value"
)

// maxRangeItems bounds the ranges an array filter expands: (1..1000000000) | join would
// otherwise allocate gigabytes.
const maxRangeItems = 1 << 20

// items is Ruby Liquid's InputIterator: the list an array filter works on. Lists are flattened,
// a map is a one-item list, nil is empty, a range lists its integers (an error beyond
// maxRangeItems, or beyond what env.MaxBytes allows), and anything else is a one-item list.
// The result may be in itself: callers never modify it.
func items(env *Env, name string, in any) ([]any, error) {
	switch x := in.(type) {
	case nil:
		return nil, nil
	case []any:
		for _, v := range x {
			if _, nested := v.([]any); nested {
				return flatten(make([]any, 0, len(x)+4), x), nil
			}
		}
		return x, nil
	case value.Range:
		if x.Len() > maxRangeItems {
			return nil, &ArgError{name, "range " + value.ToString(x) + " has more than " + strconv.Itoa(maxRangeItems) + " items"}
		}
		if x.Len() > env.maxItems() {
			return nil, &SizeError{Filter: name, Size: x.Len() * SlotBytes, Limit: env.MaxBytes}
		}
		return x.Slice(), nil
	}
	return []any{in}, nil
}

func flatten(dst, list []any) []any {
	for _, v := range list {
		if l, ok := v.([]any); ok {
			dst = flatten(dst, l)
		} else {
			dst = append(dst, v)
		}
	}
	return dst
}

// lookup is the outcome of reading a property of one item.
type lookup int

const (
	found     lookup = iota // the value (possibly nil) was read
	noIndex                 // the item has no properties (nil, bool, float, date): Ruby's NoMethodError
	typeError               // the item cannot be indexed by this key: Ruby's TypeError
)

// property reads item[key] with Ruby's [] semantics, as the array filters do: maps and objects
// by name (a missing name is nil), strings by substring (key itself when it occurs, else nil)
// or character index, integers by bit index. Items without [] (and strings read with a nil key)
// report noIndex; keys of the wrong type report typeError.
func property(item, key any) (any, lookup) {
	switch x := item.(type) {
	case map[string]any:
		if k, ok := stringsOf(key); ok {
			return x[k], found
		}
		return nil, found
	case value.Getter:
		if k, ok := stringsOf(key); ok {
			v, _ := x.Get(k)
			return v, found
		}
		return nil, found
	case string:
		return stringIndex(x, key)
	case value.SafeHTML:
		return stringIndex(string(x), key)
	case int:
		i, ok := intKey(key)
		if !ok {
			return nil, typeError
		}
		switch {
		case i < 0:
			return 0, found
		case i >= 63:
			if x < 0 {
				return 1, found
			}
			return 0, found
		}
		return (x >> i) & 1, found
	case []any:
		i, ok := intKey(key)
		if !ok {
			return nil, typeError
		}
		v, _ := value.Index(x, i)
		return v, found
	}
	return nil, noIndex
}

func stringIndex(s string, key any) (any, lookup) {
	if key == nil { // Ruby raises a TypeError; the Golden Liquid suite expects no match and no error
		return nil, noIndex
	}
	if k, ok := stringsOf(key); ok {
		if strings.Contains(s, k) {
			return k, found
		}
		return nil, found
	}
	i, ok := intKey(key)
	if !ok {
		return nil, typeError
	}
	n := utf8.RuneCountInString(s)
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, found
	}
	// the character's width in the string, not utf8.RuneLen: an invalid byte decodes to
	// U+FFFD (3 bytes when encoded) but takes 1 byte here
	for j := 0; j < len(s); {
		_, w := utf8.DecodeRuneInString(s[j:])
		if i == 0 {
			return s[j : j+w], found
		}
		i--
		j += w
	}
	return nil, found
}

// intKey converts an index for Integer#[] and String#[]: ints, and floats truncated.
func intKey(key any) (int, bool) {
	switch k := key.(type) {
	case int:
		return k, true
	case float64:
		if k != k || k > 1<<62 || k < -(1<<62) {
			return 0, false
		}
		return int(k), true
	}
	return 0, false
}

func propertyError(name string, key any) error {
	return &ArgError{name, "cannot select the property " + strconv.Quote(str(key))}
}

// eql is Ruby's eql? as used by uniq: like value.Equal, but an int never equals a float.
func eql(a, b any) bool {
	switch x := a.(type) {
	case int:
		y, ok := b.(int)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !eql(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !eql(v, w) {
				return false
			}
		}
		return true
	}
	if _, ok := b.(int); ok {
		return false
	}
	if _, ok := b.(float64); ok {
		return false
	}
	return value.Equal(a, b)
}

// hashKey returns a comparable key for values eql compares by value, so uniq stays linear
// for lists of scalars; ok is false for lists, maps and other values.
func hashKey(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, int, string:
		return x, true
	case float64:
		if x != x {
			return nil, false
		}
		return x, true
	case value.SafeHTML:
		return string(x), true
	}
	return nil, false
}
