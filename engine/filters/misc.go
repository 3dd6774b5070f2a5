package filters

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/mailmold/mailmold/engine/value"
)

// default, json, and the Handlebars truthiness helpers.
func init() {
	registerSpec("default", spec{min: 0, max: 1, kw: []string{"allow_false"}}, defaultFilter,
		Example{In: nil, Args: []any{"foo"}, Want: "foo"}, Example{In: "", Args: []any{"foo"}, Want: "foo"},
		Example{In: false, Args: []any{"foo"}, Want: "foo"}, Example{In: []any{}, Args: []any{"foo"}, Want: "foo"},
		Example{In: map[string]any{}, Args: []any{"foo"}, Want: "foo"}, Example{In: value.Empty, Args: []any{nil}, Want: nil},
		Example{In: 0, Args: []any{"bar"}, Want: 0}, Example{In: 0.0, Args: []any{"bar"}, Want: 0.0},
		Example{In: " ", Args: []any{"bar"}, Want: " "}, Example{In: "hello", Args: []any{"foo"}, Want: "hello"},
		Example{In: false, Want: ""}, Example{In: nil, Args: []any{"bar"}, Kw: map[string]any{"allow_false": true}, Want: "bar"},
		Example{In: false, Args: []any{"bar"}, Kw: map[string]any{"allow_false": true}, Want: false},
		Example{In: false, Args: []any{"bar"}, Kw: map[string]any{"allow_false": false}, Want: "bar"},
		Example{In: "", Args: []any{"bar"}, Kw: map[string]any{"allow_false": true}, Want: "bar"},
		Example{In: nil, Args: []any{"foo", "bar"}, Err: true}, Example{In: nil, Args: []any{"foo"}, Kw: map[string]any{"allow": true}, Err: true})
	register("json", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		var b bytes.Buffer
		if err := writeJSON(&b, in, 0); err != nil {
			return nil, err
		}
		return b.String(), nil
	}, Example{In: map[string]any{"b": []any{1, 2.5, "x<y"}, "a": nil}, Want: `{"a":null,"b":[1,2.5,"x<y"]}`},
		Example{In: "héllo \"you\"", Want: `"héllo \"you\""`}, Example{In: true, Want: "true"}, Example{In: 1.0, Want: "1.0"},
		Example{In: value.Range{From: 1, To: 3}, Want: `"1..3"`}, Example{In: value.SafeHTML("<b>"), Want: `"<b>"`},
		Example{In: math.NaN(), Err: true})
	register("truthy", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return value.HandlebarsTruthy(in), nil
	}, Example{In: 0, Want: false}, Example{In: "x", Want: true}, Example{In: []any{}, Want: false}, Example{In: nil, Want: false})
	register("falsy", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return !value.HandlebarsTruthy(in), nil
	}, Example{In: "", Want: true}, Example{In: 0.0, Want: true}, Example{In: 1, Want: false})
}

// defaultFilter returns the argument ("" when there is none) when the input is nil, false, or
// empty (an empty string, list or map); with allow_false: true, false is kept.
func defaultFilter(_ *Env, in any, a []any, kw map[string]any) (any, error) {
	fallback := any("")
	if len(a) > 0 {
		fallback = a[0]
	}
	switch x := in.(type) {
	case nil:
		return fallback, nil
	case bool:
		if !x && !value.Truthy(kw["allow_false"]) {
			return fallback, nil
		}
		return in, nil
	case string:
		if x == "" {
			return fallback, nil
		}
		return in, nil
	case int, float64:
		return in, nil
	}
	if value.IsEmpty(in) {
		return fallback, nil
	}
	return in, nil
}

const maxJSONDepth = 1000

// writeJSON writes v as compact JSON the way Ruby's to_json does: map keys sorted, floats
// with a decimal point, HTML characters not escaped, dates and ranges as strings. NaN and
// infinities are errors.
func writeJSON(b *bytes.Buffer, v any, depth int) error {
	if depth > maxJSONDepth {
		return &ArgError{"json", "nesting too deep"}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return &ArgError{"json", value.FormatFloat(x) + " not allowed in JSON"}
		}
		b.WriteString(value.FormatFloat(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			jsonString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, x[k], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case time.Time:
		jsonString(b, x.Format("2006-01-02 15:04:05 -0700"))
	default:
		jsonString(b, str(v))
	}
	return nil
}

func jsonString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}
