package filters_test

import (
	"fmt"
	"time"

	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/value"
)

// Filters are looked up by name and called with the piped-in value and the arguments.
func ExampleLookup() {
	truncate, _ := filters.Lookup("truncate")
	out, _ := truncate(nil, "Ground control to Major Tom.", []any{20}, nil)
	fmt.Println(out)

	minus, _ := filters.Lookup("minus")
	out, _ = minus(nil, 10.1, []any{2.2}, nil)
	fmt.Println(value.ToString(out))

	dflt, _ := filters.Lookup("default")
	out, _ = dflt(nil, false, []any{"friend"}, map[string]any{"allow_false": true})
	fmt.Println(out)

	_, err := minus(nil, 1, nil, nil)
	fmt.Println(err)
	// Output:
	// Ground control to...
	// 7.9
	// false
	// filter minus: expects 1 argument, got 0
}

// The date filter reads "now" from the Env.
func ExampleEnv() {
	date, _ := filters.Lookup("date")
	env := &filters.Env{Now: time.Date(2026, 11, 24, 9, 5, 0, 0, time.UTC)}
	out, _ := date(env, "now", []any{"%A %-d %B, %l:%M %P"}, nil)
	fmt.Println(out)
	// Output: Tuesday 24 November,  9:05 am
}

func ExampleNames() {
	fmt.Println(len(filters.Names()) > 60, filters.Names()[:3])
	// Output: true [abs append at_least]
}

func ExampleStrftime() {
	t := time.Date(2016, 3, 4, 17, 6, 7, 0, time.FixedZone("", 3600))
	fmt.Println(filters.Strftime(t, "%a %e %b %Y %l:%M %p %:z"))
	// Output: Fri  4 Mar 2016  5:06 PM +01:00
}

func ExampleArgError() {
	slice, _ := filters.Lookup("slice")
	_, err := slice(nil, "Liquid", []any{2.2}, nil)
	fmt.Println(err)
	// Output: filter slice: invalid integer 2.2
}

// escape, escape_once and newline_to_br return value.SafeHTML; raw and safe mark text as HTML.
func ExampleExamples() {
	for _, e := range filters.Examples("newline_to_br")[:1] {
		fmt.Printf("%q -> %#v\n", e.In, e.Want)
	}
	// Output: "a\nb\nc" -> "a<br />\nb<br />\nc"
}
