package filters_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/value"
)

func TestFootprint(t *testing.T) {
	big := strings.Repeat("x", 1000)
	m := map[string]any{"a": big, "n": 5}
	for _, c := range []struct {
		in   any
		max  int
		want int
	}{
		{"héllo", 0, 6},
		{value.SafeHTML("<b>"), 0, 3},
		{42, 0, 0},
		{nil, 0, 0},
		{value.Range{From: 1, To: 1 << 40}, 0, 0},
		{[]any{"ab", 1, nil}, 0, 3*filters.SlotBytes + 2},
		{[]any{[]any{"ab"}, "c"}, 0, 3*filters.SlotBytes + 3},
		{m, 0, 2*filters.SlotBytes + 1000},
		// the same object held three times counts three times
		{[]any{m, m, m}, 0, 3 * (filters.SlotBytes + 2*filters.SlotBytes + 1000)},
	} {
		if got := filters.Footprint(c.in, c.max); got != c.want {
			t.Errorf("Footprint(%s) = %d, want %d", value.Inspect(c.in), got, c.want)
		}
	}
	// with a bound, the walk stops soon after passing it
	list := make([]any, 1000)
	for i := range list {
		list[i] = m
	}
	if got := filters.Footprint(list, 5000); got <= 5000 || got > 5000+2*(1000+3*filters.SlotBytes)+1000*filters.SlotBytes {
		t.Errorf("bounded Footprint = %d", got)
	}
}

// TestMaxBytes: the filters that can multiply their input stop before they allocate a value
// over Env.MaxBytes, with a *SizeError; under the limit they work as before.
func TestMaxBytes(t *testing.T) {
	env := &filters.Env{MaxBytes: 1000}
	s600 := strings.Repeat("y", 600)
	for _, c := range []struct {
		filter string
		in     any
		args   []any
		size   int // the size reported (a lower bound for join)
	}{
		{"append", s600, []any{s600}, 1200},
		{"prepend", s600, []any{s600}, 1200},
		{"replace", "abcdefghij", []any{"", s600}, 10 + 11*600},
		{"replace", strings.Repeat("ab", 100), []any{"a", "xxxxxxxxxx"}, 200 + 100*9},
		{"replace_first", s600, []any{"y", s600}, 1199},
		{"replace_last", s600, []any{"y", s600}, 1199},
		{"join", []any{"a", "b", "c"}, []any{s600}, 602 + 601},
		{"join", value.Range{From: 1, To: 500}, []any{","}, 0},
		{"split", strings.Repeat("z", 100), []any{""}, 100*filters.SlotBytes + 100},
		{"split", strings.Repeat("a b ", 40), []any{" "}, 80*filters.SlotBytes + 160},
		{"concat", []any{1, 2, 3}, []any{make([]any, 60)}, 63 * filters.SlotBytes},
		{"reverse", value.Range{From: 1, To: 100}, nil, 100 * filters.SlotBytes},
		{"sort", value.Range{From: 1, To: 100}, nil, 100 * filters.SlotBytes},
		{"compact", value.Range{From: 1, To: 100}, nil, 100 * filters.SlotBytes},
	} {
		fn, _ := filters.Lookup(c.filter)
		_, err := fn(env, c.in, c.args, nil)
		var se *filters.SizeError
		if !errors.As(err, &se) || se.Limit != 1000 || se.Filter != c.filter || c.size > 0 && se.Size != c.size || se.Size <= 1000 {
			t.Errorf("%s %s %v: got %v, want a SizeError of %d bytes", value.Inspect(c.in), c.filter, c.args, err, c.size)
		}
		// without a bound the same call builds the value
		if _, err := fn(&filters.Env{}, c.in, c.args, nil); err != nil {
			t.Errorf("%s without a bound: %v", c.filter, err)
		}
	}
	// within the bound nothing changes
	for _, c := range []struct {
		filter string
		in     any
		args   []any
		want   any
	}{
		{"append", "ab", []any{"cd"}, "abcd"},
		{"replace", "aaa", []any{"a", "bb"}, "bbbbbb"},
		{"join", []any{"a", "b"}, []any{"-"}, "a-b"},
		{"split", "a,b", []any{","}, []any{"a", "b"}},
	} {
		fn, _ := filters.Lookup(c.filter)
		got, err := fn(env, c.in, c.args, nil)
		if err != nil || value.Inspect(got) != value.Inspect(c.want) {
			t.Errorf("%s: got %v, %v", c.filter, got, err)
		}
	}
}

// TestFilterStopsAtDeadline: a filter whose work grows faster than its input stops when the
// render's context is done.
func TestFilterStopsAtDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	list := make([]any, 20000)
	for i := range list {
		list[i] = map[string]any{"n": len(list) - i} // objects are compared pair by pair
	}
	for _, name := range []string{"uniq", "sort_natural"} {
		fn, _ := filters.Lookup(name)
		if _, err := fn(&filters.Env{Ctx: ctx}, list, nil, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: got %v, want the context's error", name, err)
		}
		if _, err := fn(&filters.Env{}, list[:50], nil, nil); err != nil {
			t.Errorf("%s without a context: %v", name, err)
		}
	}
}

func ExampleFootprint() {
	list := []any{"abc", 42, []any{"de"}} // 3 slots, "abc", and 1 slot and "de" inside
	fmt.Println(filters.Footprint("héllo", 0), filters.Footprint(list, 0))
	// Output: 6 69
}
