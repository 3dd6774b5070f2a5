package mime

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// doc is a body made of pieces (fixed text) and values (data) between them: len(values)
// is len(pieces)-1.
type doc struct{ pieces, values []string }

// body returns the body and the ranges of its holes, one per value (empty ones too, as
// amp.Skeleton.Fill gives them).
func (d doc) body() (string, [][2]int) {
	var b strings.Builder
	ranges := [][2]int{}
	for i, p := range d.pieces {
		b.WriteString(p)
		if i < len(d.values) {
			start := b.Len()
			b.WriteString(d.values[i])
			ranges = append(ranges, [2]int{start, b.Len()})
		}
	}
	return b.String(), ranges
}

// encodeThrough encodes body with holes ranges through cache, checks that it gives the bytes
// of the whole encoding, and reports whether the layout the cache held before was used (the
// body fits it).
func encodeThrough(t testing.TB, cache *LayoutCache, body string, ranges [][2]int) ([]byte, bool) {
	t.Helper()
	before := cache.layout.Load()
	b, err := appendBody([]byte("prefix"), body, Holes{Ranges: ranges, Cache: cache})
	if err != nil {
		t.Fatalf("%.80q: %v", body, err)
	}
	if !strings.HasPrefix(string(b), "prefix") {
		t.Fatalf("%.80q: the bytes before were changed", body)
	}
	enc := b[len("prefix"):]
	if whole, _ := appendQuotedPrintable(nil, body); string(enc) != string(whole) {
		t.Fatalf("%.80q with holes %v:\n got %q\nwant %q", body, ranges, enc, whole)
	}
	fits := false
	if before != nil {
		_, fits, _ = before.appendTo(nil, body, ranges)
	}
	return enc, fits
}

func TestLayout(t *testing.T) {
	x70 := strings.Repeat("x", 70)
	for _, tc := range []struct {
		name   string
		pieces []string
		values [][]string // the first makes the layout; each later one must fit it
	}{
		{"no holes", []string{"<p>Hello</p>\n"}, [][]string{{}, {}}},
		{"one hole", []string{"<p>Hello ", "!</p>"}, [][]string{{"Ada"}, {"Grace"}, {"Ünïcødé 🏕"}}},
		{"hole at the start and the end", []string{"", " and ", ""}, [][]string{{"a", "b"}, {"xyz", "=="}}},
		{"adjacent holes", []string{"<a href=\"", "", "\">"}, [][]string{{"https://x.example/", "?u=1"}, {"https://y.example/a=b", "&c=d"}}},
		{"equals signs in the text", []string{"<td style=\"a=b\" class=\"", "\">="}, [][]string{{"c"}, {"d=e"}}},
		{"a value runs past the line end", []string{x70, x70}, [][]string{{"short"}, {x70 + x70}, {strings.Repeat("é", 40)}}},
		{"a value that ends a line", []string{"a ", "b"}, [][]string{{"x\n"}, {"y\n\n"}}},
		{"a space before a value that starts a line break", []string{"a ", "b"}, [][]string{{"x"}, {"\nnext"}}},
		{"a value that ends in a space before a line break", []string{"a", "\nb"}, [][]string{{"x"}, {"x "}, {"x\t"}}},
		{"a space at the soft-break position", []string{strings.Repeat("y", 74), "z"}, [][]string{{" "}, {" \n"}}},
		{"a piece that ends in a space at the end", []string{"a", "b "}, [][]string{{"x"}, {"y"}}},
		{"control characters in a value", []string{"[", "]"}, [][]string{{"a"}, {"\x00\x1f\x7f"}}},
		{"long text around a value", []string{strings.Repeat("<p>para</p>\n", 40), strings.Repeat("<td>cell</td>", 40)}, [][]string{{"v"}, {"w"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cache LayoutCache
			for i, vs := range tc.values {
				body, ranges := doc{tc.pieces, vs}.body()
				_, used := encodeThrough(t, &cache, body, ranges)
				if i > 0 && !used {
					t.Errorf("values %q: the body does not fit the layout", vs)
				}
			}
		})
	}
}

// TestLayoutMisfit: a body that differs from the layout anywhere is encoded whole. Its text
// makes the layout again, at most maxRemakes times. A body whose line breaks are rewritten
// loses its holes.
func TestLayoutMisfit(t *testing.T) {
	var cache LayoutCache
	a, ra := doc{[]string{"<p>Hi ", ", see ", "</p>"}, []string{"Ada", "https://x.example/"}}.body()
	b, rb := doc{[]string{"<p>Hello ", ", see ", "</p>"}, []string{"Ada", "u"}}.body()
	c, rc := doc{[]string{"<p>Hi ", ", see </p>"}, []string{"Ada"}}.body()
	if _, used := encodeThrough(t, &cache, a, ra); used {
		t.Fatal("the first body used a layout made before it")
	}
	bodies := []struct {
		body   string
		ranges [][2]int
	}{{b, rb}, {c, rc}, {a, ra}, {b, rb}, {c, rc}}
	for i, x := range bodies {
		before := cache.layout.Load()
		if _, used := encodeThrough(t, &cache, x.body, x.ranges); used {
			t.Errorf("misfit %d: the layout was used", i+1)
		}
		if remade := cache.layout.Load() != before; remade != (i < maxRemakes) {
			t.Errorf("misfit %d: remade %v", i+1, remade)
		}
	}
	if n := cache.remakes.Load(); n != int32(len(bodies)) {
		t.Errorf("%d misfits counted, want %d", n, len(bodies))
	}
	if _, used := encodeThrough(t, &cache, a, ra); !used {
		t.Error("the body the layout was last made from does not fit it")
	}
	for _, body := range []string{"<p>Hi A\rda, see u</p>", "<p>Hi A\r\nda, see u</p>"} {
		parts := (&Message{HTML: body, HTMLHoles: Holes{Ranges: [][2]int{{6, 10}, {16, 17}}, Cache: &cache}}).parts()
		if p := parts[len(parts)-1]; p.holes.Cache != nil || strings.Contains(p.body, "\r") {
			t.Errorf("%q: part %q keeps its holes", body, p.body)
		}
	}
}

func TestLayoutNotUTF8(t *testing.T) {
	var cache LayoutCache
	good, ranges := doc{[]string{"<p>", "</p>"}, []string{"ok"}}.body()
	encodeThrough(t, &cache, good, ranges)
	bad, ranges := doc{[]string{"<p>", "</p>"}, []string{"\xff"}}.body()
	if _, err := appendBody(nil, bad, Holes{Ranges: ranges, Cache: &cache}); err != errNotUTF8 {
		t.Errorf("error %v, want errNotUTF8", err)
	}
	if l := newLayout("<p>\xff", [][2]int{{3, 3}}); l != nil {
		t.Error("a layout of text that is not UTF-8")
	}
	for _, r := range [][][2]int{{{2, 1}}, {{0, 9}}, {{2, 3}, {1, 2}}} {
		if l := newLayout("abcd", r); l != nil {
			t.Errorf("a layout with holes %v", r)
		}
	}
}

// TestLayoutRandom encodes random documents of the characters that matter through one
// layout per set of pieces, with values of the same characters, and expects the whole
// encoding of each.
func TestLayoutRandom(t *testing.T) {
	alphabet := []string{"a", "<p>", "=", " ", "\t", "\n", "\x00", "é", "🏕", "  \n", strings.Repeat("x", 70)}
	r := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		var b strings.Builder
		for range r.IntN(n) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	used := 0
	for range 300 {
		pieces := make([]string, 1+r.IntN(8))
		for i := range pieces {
			pieces[i] = text(20)
		}
		var cache LayoutCache
		for range 5 {
			values := make([]string, len(pieces)-1)
			for i := range values {
				values[i] = text(10)
			}
			body, ranges := doc{pieces, values}.body()
			if _, ok := encodeThrough(t, &cache, body, ranges); ok {
				used++
			}
		}
	}
	if used != 300*4 {
		t.Errorf("%d of %d bodies fit their layout", used, 300*4)
	}
}

// FuzzLayout encodes two documents with the same pieces and the fuzzed values through one
// layout and expects the whole encoding of each.
func FuzzLayout(f *testing.F) {
	f.Add("<p>Hi ", "!</p>\n", "Ada", "Grace")
	f.Add(strings.Repeat("x", 74), " \n", " ", "=\n")
	f.Add("a \n", "", "\nb", "é🏕")
	f.Fuzz(func(t *testing.T, p0, p1, v0, v1 string) {
		if strings.Contains(p0+p1+v0+v1, "\r") {
			t.Skip("a CR is rewritten before encoding")
		}
		var cache LayoutCache
		for _, v := range []string{v0, v1} {
			body, ranges := doc{[]string{p0, p1}, []string{v}}.body()
			b, err := appendBody(nil, body, Holes{Ranges: ranges, Cache: &cache})
			if err != nil {
				if err != errNotUTF8 {
					t.Fatal(err)
				}
				continue
			}
			if want, _ := appendQuotedPrintable(nil, body); string(b) != string(want) {
				t.Fatalf("through the layout\n%q\nwhole\n%q", b, want)
			}
		}
	})
}
