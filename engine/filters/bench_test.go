package filters_test

import (
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/filters"
)

func bench(b *testing.B, name string, in any, args []any, kw map[string]any) {
	fn, ok := filters.Lookup(name)
	if !ok {
		b.Fatalf("no filter %s", name)
	}
	env := &filters.Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(env, in, args, kw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDefault(b *testing.B) { bench(b, "default", "", []any{"friend"}, nil) }
func BenchmarkDefaultAllowFalse(b *testing.B) {
	bench(b, "default", false, []any{"friend"}, map[string]any{"allow_false": true})
}
func BenchmarkUpcase(b *testing.B) { bench(b, "upcase", "Ada Lovelace", nil, nil) }
func BenchmarkDateISO(b *testing.B) {
	bench(b, "date", "2026-11-24T12:00:00Z", []any{"%B %-d, %Y"}, nil)
}
func BenchmarkDateNamed(b *testing.B) {
	bench(b, "date", "Mon, 24 Nov 2026 12:00:00 GMT", []any{"%a %e %b %l:%M %P"}, nil)
}
func BenchmarkDateTime(b *testing.B) {
	bench(b, "date", time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), []any{"%Y-%m-%d"}, nil)
}

func BenchmarkWhere(b *testing.B) {
	list := make([]any, 100)
	for i := range list {
		list[i] = map[string]any{"sku": i, "in_stock": i%3 == 0, "title": "item"}
	}
	b.Run("truthy", func(b *testing.B) { bench(b, "where", list, []any{"in_stock"}, nil) })
	b.Run("equal", func(b *testing.B) { bench(b, "where", list, []any{"sku", 42}, nil) })
}

func BenchmarkPlusFloat(b *testing.B) { bench(b, "plus", 10.1, []any{2.2}, nil) }
func BenchmarkPlusInt(b *testing.B)   { bench(b, "plus", 10, []any{2}, nil) }
