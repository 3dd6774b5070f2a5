package filters_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/filters"
)

// TestExamples runs the input/expected examples registered with every filter.
func TestExamples(t *testing.T) {
	env := &filters.Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	n := 0
	for _, name := range filters.Names() {
		fn, _ := filters.Lookup(name)
		ex := filters.Examples(name)
		if len(ex) == 0 {
			t.Errorf("filter %s has no examples", name)
		}
		for _, e := range ex {
			got, err := fn(env, e.In, e.Args, nil)
			if err != nil || !reflect.DeepEqual(got, e.Want) {
				t.Errorf("%s(%v, %v) = %#v, %v; want %#v", name, e.In, e.Args, got, err, e.Want)
			}
			n++
		}
	}
	fmt.Printf("filters: %d examples of %d filters\n", n, len(filters.Names()))
}

func TestArgCount(t *testing.T) {
	fn, _ := filters.Lookup("append")
	if _, err := fn(nil, "a", nil, nil); err == nil {
		t.Error("append without an argument must fail")
	}
	if _, err := fn(nil, "a", []any{"b", "c"}, nil); err == nil {
		t.Error("append with two arguments must fail")
	}
}

// FuzzFilters calls every filter with arbitrary inputs: errors, never panics.
func FuzzFilters(f *testing.F) {
	f.Add("abc", "b", int64(2), 1.5)
	f.Add("", "%Y-%m-%d %-d %j", int64(-9), -0.0)
	names := filters.Names()
	f.Fuzz(func(t *testing.T, s, arg string, n int64, x float64) {
		for _, name := range names {
			fn, _ := filters.Lookup(name)
			for _, in := range []any{s, int(n), x, nil, []any{s, int(n), map[string]any{"a": s}}, map[string]any{s: x}} {
				for _, args := range [][]any{nil, {arg}, {int(n)}, {x, arg}} {
					fn(&filters.Env{}, in, args, map[string]any{"allow_false": true})
				}
			}
		}
	})
}
