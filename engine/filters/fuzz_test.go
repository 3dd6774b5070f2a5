package filters_test

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/value"
)

// genValue builds a value of the value model from fuzz bytes: scalars (huge ints, NaN and
// infinities, invalid UTF-8), lists and maps nested up to depth, ranges, dates, SafeHTML.
func genValue(data []byte, depth int) (any, []byte) {
	if len(data) == 0 {
		return nil, data
	}
	op, data := data[0], data[1:]
	take := func(n int) []byte {
		n = min(n, len(data))
		b := data[:n]
		data = data[n:]
		return b
	}
	u64 := func() uint64 {
		var buf [8]byte
		copy(buf[:], take(8))
		return binary.LittleEndian.Uint64(buf[:])
	}
	switch op % 12 {
	case 0:
		return nil, data
	case 1:
		return op&16 != 0, data
	case 2:
		return int(u64()), data
	case 3:
		return math.Float64frombits(u64()), data
	case 4, 5:
		return string(take(int(op >> 4))), data
	case 6:
		return value.SafeHTML(take(int(op >> 4))), data
	case 7, 8:
		if depth <= 0 {
			return []any{}, data
		}
		n := int(op >> 4)
		list := make([]any, 0, n)
		for i := 0; i < n && len(data) > 0; i++ {
			var v any
			v, data = genValue(data, depth-1)
			list = append(list, v)
		}
		return list, data
	case 9:
		m := map[string]any{}
		if depth <= 0 {
			return m, data
		}
		for i := 0; i < int(op>>4) && len(data) > 0; i++ {
			k := string(take(int(data[0] % 5)))
			var v any
			v, data = genValue(data, depth-1)
			m[k] = v
		}
		return m, data
	case 10:
		from := int(int8(u64()))
		return value.Range{From: from, To: from + int(op>>4) - 3}, data
	}
	return time.Unix(int64(u64()%(1<<40))-(1<<39), 0).UTC(), data
}

// deep returns lists and maps nested n levels deep.
func deep(n int) any {
	var v any = "x"
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			v = []any{v, i}
		} else {
			v = map[string]any{"a": v}
		}
	}
	return v
}

// FuzzFilters calls every filter with arbitrary inputs and arguments: a filter may return an
// *ArgError, never panic or return another error.
func FuzzFilters(f *testing.F) {
	for i, c := range loadGolden(f) {
		if s, ok := c.In.(string); ok && i%4 == 0 {
			f.Add([]byte(s), s, int64(i), float64(i)/7)
		}
	}
	f.Add([]byte{7 | 5<<4, 2, 255, 255, 255, 255, 255, 255, 255, 127, 3, 0, 0, 0, 0, 0, 0, 248, 127, 4 | 3<<4, 0xff, 0xfe, 'a'},
		"%Y-%m-%d %-d %j %10N %::z", int64(math.MinInt64), math.Inf(-1))
	f.Add([]byte{9 | 3<<4, 1, 'k', 5 | 2<<4, 'a', 'b'}, "March 14, 2016 10:00 pm EST", int64(-3), math.NaN())
	f.Add([]byte{10 | 15<<4, 3}, "\xff\xfe<b>&amp;</b>", int64(math.MaxInt64), 1e308)
	names := filters.Names()
	nested := deep(60)
	env := &filters.Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, data []byte, s string, n int64, x float64) {
		gen, rest := genValue(data, 6)
		gen2, _ := genValue(rest, 3)
		inputs := []any{s, int(n), x, nil, true, value.SafeHTML(s), gen,
			[]any{s, int(n), x, nil, []any{gen, map[string]any{s: x}}},
			map[string]any{s: x, "a": gen}, value.Range{From: int(n % 100), To: int(n%100) + int(n%7)}, nested}
		argSets := [][]any{nil, {s}, {int(n)}, {x}, {nil}, {gen}, {s, int(n)}, {x, gen2}, {[]any{s}}, {s, s, s}}
		for _, name := range names {
			fn, _ := filters.Lookup(name)
			for _, in := range inputs {
				for _, args := range argSets {
					var kw map[string]any
					if name == "default" {
						kw = map[string]any{"allow_false": gen2}
					}
					_, err := fn(env, in, args, kw)
					var ae *filters.ArgError
					if err != nil && !errors.As(err, &ae) {
						t.Fatalf("%s: error %v is not an *ArgError", name, err)
					}
				}
			}
		}
	})
}
