// Package value defines the data model that every mailmold package reads profile data with,
// and Liquid's rules for truthiness, comparison, conversion to text and property access.
//
// Profile JSON is decoded once into plain Go values: nil, bool, int, float64, string, []any and
// map[string]any. A few engine-made values join them: SafeHTML (already-escaped markup), Range
// (an integer range), time.Time (dates), Empty and Blank (the Liquid literals), and any value
// implementing Getter (objects such as forloop). All functions here work on those types with type
// switches and never panic.
package value

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SafeHTML is text that is already valid HTML and is written without escaping.
type SafeHTML string

// Range is the inclusive integer range (From..To) of a Liquid range literal.
type Range struct{ From, To int }

// Len reports the number of integers in r (0 when To < From).
func (r Range) Len() int {
	if r.To < r.From {
		return 0
	}
	return r.To - r.From + 1
}

// Slice returns the integers of r as a list.
func (r Range) Slice() []any {
	n := r.Len()
	out := make([]any, n)
	for i := 0; i < n; i++ {
		out[i] = r.From + i
	}
	return out
}

// Getter is implemented by engine objects (forloop, tablerowloop, drops) that expose properties.
type Getter interface {
	Get(key string) (any, bool)
}

type special int

// Empty and Blank are the Liquid literals `empty` and `blank`; they compare equal to empty
// (respectively blank) values and render as "".
const (
	Empty special = iota + 1
	Blank
)

// IsNumber reports whether v is an int or a float64.
func IsNumber(v any) bool {
	switch v.(type) {
	case int, float64:
		return true
	}
	return false
}

// Truthy reports Liquid truthiness: only nil and false are falsy.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case special:
		return true
	}
	return true
}

// HandlebarsTruthy reports Handlebars truthiness: nil, false, 0, "" and empty lists are
// false, everything else (maps included) is true.
func HandlebarsTruthy(v any) bool {
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
	case SafeHTML:
		return x != ""
	case []any:
		return len(x) > 0
	}
	return true
}

// ToString renders v the way Liquid outputs it: nil as "", lists concatenated, floats with at
// least one decimal (1.0), maps as their JSON-like inspection.
func ToString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case SafeHTML:
		return string(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return FormatFloat(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		var b strings.Builder
		for _, e := range x {
			b.WriteString(ToString(e))
		}
		return b.String()
	case Range:
		return strconv.Itoa(x.From) + ".." + strconv.Itoa(x.To)
	case time.Time:
		return x.Format("2006-01-02 15:04:05 -0700")
	case special:
		return ""
	case map[string]any:
		return Inspect(x)
	case []string:
		return strings.Join(x, "")
	}
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

// FormatFloat writes f as Ruby does: integral values keep ".0", others use the shortest
// representation that round-trips.
func FormatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if math.Abs(f) >= 1e16 {
		s = strconv.FormatFloat(f, 'e', -1, 64)
	}
	return s
}

// Inspect renders a value the way Ruby's inspect does, used for maps in output.
func Inspect(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Inspect(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + "=>" + Inspect(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return ToString(v)
}

// ToNumber converts v to a number the way Liquid's math filters do: numbers pass through,
// numeric strings parse (integers as int), anything else is 0.
func ToNumber(v any) any {
	switch x := v.(type) {
	case int, float64:
		return x
	case string:
		return ParseNumber(strings.TrimSpace(x))
	case SafeHTML:
		return ParseNumber(strings.TrimSpace(string(x)))
	case bool, nil:
		return 0
	}
	return 0
}

// ParseNumber parses the leading number of s (Ruby's to_i/to_f style): "12abc" is 12, "1.5" is
// 1.5, "abc" is 0.
func ParseNumber(s string) any {
	if s == "" {
		return 0
	}
	if i, err := strconv.Atoi(s); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN_") {
		return f
	}
	// leading numeric prefix
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	digits := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == digits {
		return 0
	}
	if end < len(s)-1 && s[end] == '.' && s[end+1] >= '0' && s[end+1] <= '9' {
		fe := end + 1
		for fe < len(s) && s[fe] >= '0' && s[fe] <= '9' {
			fe++
		}
		f, _ := strconv.ParseFloat(s[:fe], 64)
		return f
	}
	i, err := strconv.Atoi(s[:end])
	if err != nil {
		f, _ := strconv.ParseFloat(s[:end], 64)
		return f
	}
	return i
}

// ToFloat converts v to float64 via ToNumber.
func ToFloat(v any) float64 {
	switch x := ToNumber(v).(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// ToInt converts v to int via ToNumber, truncating floats.
func ToInt(v any) int {
	switch x := ToNumber(v).(type) {
	case int:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return int(x)
	}
	return 0
}

// ToList converts v to a list for iteration: lists as they are, ranges expanded, maps as a list of
// [key, value] pairs, nil as an empty list, strings as a one-element list (empty string: empty).
func ToList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case Range:
		return x.Slice()
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = []any{k, x[k]}
		}
		return out
	case string:
		if x == "" {
			return nil
		}
		return []any{x}
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

// Size is Liquid's size: string length in characters, list and map length, 0 otherwise.
func Size(v any) int {
	switch x := v.(type) {
	case string:
		return len([]rune(x))
	case SafeHTML:
		return len([]rune(string(x)))
	case []any:
		return len(x)
	case map[string]any:
		if s, ok := x["size"]; ok {
			return ToInt(s)
		}
		return len(x)
	case Range:
		return x.Len()
	case int:
		return 8 // Ruby Integer#size (bytes in a machine word)
	}
	return 0
}

// IsEmpty reports whether v equals the Liquid `empty` literal: "", [] or {}.
func IsEmpty(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case SafeHTML:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case Range:
		return x.Len() == 0
	case special:
		return true
	}
	return false
}

// IsBlank reports whether v equals the Liquid `blank` literal: nil, false, empty, or a string of
// only whitespace.
func IsBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return strings.TrimSpace(x) == ""
	case SafeHTML:
		return strings.TrimSpace(string(x)) == ""
	}
	return IsEmpty(v)
}
