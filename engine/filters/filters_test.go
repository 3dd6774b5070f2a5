package filters_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/value"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEnv is the clock every test uses: "now" is 2026-11-24 12:00 UTC.
var testEnv = &filters.Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}

// TestExamples runs the input/expected examples registered with every filter.
func TestExamples(t *testing.T) {
	n := 0
	for _, name := range filters.Names() {
		fn, ok := filters.Lookup(name)
		if !ok {
			t.Fatalf("Lookup(%q) failed for a listed name", name)
		}
		ex := filters.Examples(name)
		if len(ex) < 3 {
			t.Errorf("filter %s has %d examples; want at least 3", name, len(ex))
		}
		for _, e := range ex {
			got, err := fn(testEnv, e.In, e.Args, e.Kw)
			n++
			if e.Err {
				var ae *filters.ArgError
				if !errors.As(err, &ae) {
					t.Errorf("%s(%#v, %#v) = %#v, %v; want an *ArgError", name, e.In, e.Args, got, err)
				}
				continue
			}
			if err != nil || !sameValue(got, e.Want) {
				t.Errorf("%s(%#v, %#v, %v) = %#v, %v; want %#v", name, e.In, e.Args, e.Kw, got, err, e.Want)
			}
		}
	}
	t.Logf("%d examples of %d filters", n, len(filters.Names()))
}

// sameValue is reflect.DeepEqual, with NaN equal to NaN.
func sameValue(a, b any) bool {
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok && math.IsNaN(x) && math.IsNaN(y) {
			return true
		}
	}
	return reflect.DeepEqual(a, b)
}

// goldenCase is one Golden Liquid filter case, transcribed: the input, the filter chain, and
// the rendered result (or an error).
type goldenCase struct {
	Name  string `json:"name"`
	In    any    `json:"in"`
	Chain []struct {
		Filter string         `json:"filter"`
		Args   []any          `json:"args"`
		Kw     map[string]any `json:"kw"`
	} `json:"chain"`
	Render  *render  `json:"render"`
	Want    *string  `json:"want"`
	WantAny []string `json:"want_any"`
	Error   bool     `json:"error"`
}

// render is how a case that loops over the result in its template writes it.
type render struct {
	Mode string `json:"mode"` // pairs, items, index0, join, prop, pair01
	Fmt  string `json:"fmt"`  // pairs: the format of one pair, two %s
	Sep  string `json:"sep"`
	Key  string `json:"key"` // prop: the property written
}

// write renders v the way the case's template does.
func (r *render) write(v any) string {
	var b strings.Builder
	list := value.ToList(v)
	switch r.Mode {
	case "pairs": // {% for obj in v %}{% for i in obj %}(i[0],i[1])sep{% endfor %}{% endfor %}
		for _, obj := range list {
			for _, i := range value.ToList(obj) {
				k, _ := value.Index(i, 0)
				x, _ := value.Index(i, 1)
				b.WriteString(strings.Replace(strings.Replace(r.Fmt, "%s", value.ToString(k), 1), "%s", value.ToString(x), 1))
				b.WriteString(r.Sep)
			}
		}
	case "items": // {% for obj in v %}{{ obj }}sep{% endfor %}
		if r.Sep == "" {
			return value.ToString(v)
		}
		for _, obj := range list {
			b.WriteString(value.ToString(obj) + r.Sep)
		}
	case "index0": // {% for i in v %}sep{{ forloop.index0 }}{{ i }}{% endfor %}
		for n, obj := range list {
			b.WriteString(r.Sep + strconv.Itoa(n) + value.ToString(obj))
		}
	case "join": // {% for i in v %}{{ i }}{% unless forloop.last %}sep{% endunless %}{% endfor %}
		for n, obj := range list {
			if n > 0 {
				b.WriteString(r.Sep)
			}
			b.WriteString(value.ToString(obj))
		}
	case "prop": // {{ v.key }}
		p, _ := value.Property(v, r.Key)
		return value.ToString(p)
	case "pair01": // ({{ v[0] }},{{ v[1] }})
		k, _ := value.Index(v, 0)
		x, _ := value.Index(v, 1)
		return "(" + value.ToString(k) + "," + value.ToString(x) + ")"
	}
	return b.String()
}

// mapOrder is why some suite cases differ: Ruby hashes keep insertion order; the value model's
// maps are unordered and are iterated in sorted key order.
const mapOrder = "map keys iterate sorted, not in insertion order"

// knownDifferences are suite cases mailmold answers differently, and why.
var knownDifferences = map[string]string{
	"compact, array of objects with key property":       mapOrder,
	"reject, input is a hash, default value, nil match": mapOrder,
	"reject, input is a hash, default value, no match":  mapOrder,
	"reject, input is a hash, explicit nil match":       mapOrder,
	"reject, input is a hash, int value, no match":      mapOrder,
	"uniq, array of objects with key property":          mapOrder,
	"uniq, array of objects with missing key property":  mapOrder,
}

// decode reads test JSON into the value model: {"$float": "5.0"} is a float written with a
// point, {"$range": [1, 3]} a range, {"$empty": true} the empty literal.
func decode(v any) any {
	v = value.FromJSON(v)
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = decode(x[i])
		}
		return x
	case map[string]any:
		if f, ok := x["$float"]; ok {
			n, _ := json.Number(f.(string)).Float64()
			return n
		}
		if r, ok := x["$range"].([]any); ok {
			return value.Range{From: r[0].(int), To: r[1].(int)}
		}
		if _, ok := x["$empty"]; ok {
			return value.Empty
		}
		for k := range x {
			x[k] = decode(x[k])
		}
		return x
	}
	return v
}

func loadGolden(t testing.TB) []goldenCase {
	raw, err := os.ReadFile("testdata/golden_filters.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var cases []goldenCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// run applies the case's filter chain.
func (c *goldenCase) run() (any, error) {
	v := decode(c.In)
	for _, f := range c.Chain {
		fn, ok := filters.Lookup(f.Filter)
		if !ok {
			return nil, errors.New("unknown filter " + f.Filter)
		}
		args := make([]any, len(f.Args))
		for i, a := range f.Args {
			args[i] = decode(a)
		}
		var kw map[string]any
		if f.Kw != nil {
			kw = decode(f.Kw).(map[string]any)
		}
		var err error
		if v, err = fn(testEnv, v, args, kw); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// TestGoldenFilters runs the Golden Liquid suite's filter cases (transcribed in
// testdata/golden_filters.json) and compares the rendered result.
func TestGoldenFilters(t *testing.T) {
	cases := loadGolden(t)
	passed := 0
	for _, c := range cases {
		got, err := c.run()
		ok := false
		var gotText string
		switch {
		case c.Error:
			ok = err != nil
		case err == nil:
			gotText = value.ToString(got)
			if c.Render != nil {
				gotText = c.Render.write(got)
			}
			ok = c.Want != nil && gotText == *c.Want
			for _, w := range c.WantAny {
				ok = ok || gotText == w
			}
		}
		if ok {
			passed++
			continue
		}
		if why, known := knownDifferences[c.Name]; known {
			t.Logf("%s: known difference: %s", c.Name, why)
			continue
		}
		want := "an error"
		if c.Want != nil {
			want = *c.Want
		} else if c.WantAny != nil {
			want = strings.Join(c.WantAny, " or ")
		}
		t.Errorf("%s: got %q (%v), want %q", c.Name, gotText, err, want)
	}
	t.Logf("golden filter cases: %d of %d pass", passed, len(cases))
}

// TestNames checks the registry: sorted names, every standard filter present.
func TestNames(t *testing.T) {
	names := filters.Names()
	if !sort.StringsAreSorted(names) {
		t.Error("Names is not sorted")
	}
	for _, want := range []string{"abs", "append", "at_least", "at_most", "base64_decode", "base64_encode",
		"base64_url_safe_decode", "base64_url_safe_encode", "capitalize", "ceil", "compact", "concat", "date",
		"default", "divided_by", "downcase", "escape", "escape_once", "find", "find_index", "first", "floor",
		"has", "join", "json", "last", "lstrip", "map", "minus", "modulo", "newline_to_br", "plus", "prepend",
		"raw", "reject", "remove", "remove_first", "remove_last", "replace", "replace_first", "replace_last",
		"reverse", "round", "rstrip", "safe", "size", "slice", "sort", "sort_natural", "split", "strip",
		"strip_html", "strip_newlines", "sum", "times", "truncate", "truncatewords", "uniq", "upcase",
		"url_decode", "url_encode", "where"} {
		if _, ok := filters.Lookup(want); !ok {
			t.Errorf("filter %s is missing", want)
		}
	}
	if _, ok := filters.Lookup("money"); ok {
		t.Error("money is not a standard filter")
	}
}

// TestArgErrors checks the argument checks and the error text.
func TestArgErrors(t *testing.T) {
	tests := []struct {
		filter string
		args   []any
		kw     map[string]any
		want   string
	}{
		{"append", nil, nil, "filter append: expects 1 argument, got 0"},
		{"append", []any{"a", "b"}, nil, "filter append: expects 1 argument, got 2"},
		{"upcase", []any{1}, nil, "filter upcase: expects no arguments, got 1"},
		{"truncate", []any{1, 2, 3}, nil, "filter truncate: expects at most 2 arguments, got 3"},
		{"where", nil, nil, "filter where: expects 1 to 2 arguments, got 0"},
		{"default", []any{"x"}, map[string]any{"strict": true}, `filter default: unexpected keyword argument "strict"`},
		{"upcase", nil, map[string]any{"x": 1}, `filter upcase: unexpected keyword argument "x"`},
		{"divided_by", []any{0}, nil, "filter divided_by: divided by 0"},
		{"slice", []any{"x"}, nil, `filter slice: invalid integer "x"`},
		{"map", []any{"t"}, nil, `filter map: cannot select the property "t"`},
		{"sort", nil, nil, "filter sort: cannot sort values of incompatible types"},
	}
	for _, tt := range tests {
		fn, _ := filters.Lookup(tt.filter)
		in := any(7)
		if tt.filter == "sort" {
			in = []any{1, "a"}
		}
		_, err := fn(nil, in, tt.args, tt.kw)
		var ae *filters.ArgError
		if !errors.As(err, &ae) || err.Error() != tt.want || ae.Filter != tt.filter {
			t.Errorf("%s(%v, %v): error %v; want %q", tt.filter, tt.args, tt.kw, err, tt.want)
		}
	}
}

// TestNoAliasing checks that filters neither modify their input nor return a list sharing
// its storage (other than the input itself).
func TestNoAliasing(t *testing.T) {
	in := []any{3, []any{1, 2}, nil, 2}
	keep := []any{3, []any{1, 2}, nil, 2}
	for _, name := range filters.Names() {
		fn, _ := filters.Lookup(name)
		for _, args := range [][]any{nil, {0}, {1, 2}, {[]any{9}}} {
			out, _ := fn(testEnv, in, args, nil)
			if l, ok := out.([]any); ok && len(l) > 0 && &l[0] != &in[0] { // returning the input itself is fine
				l[0] = "changed"
			}
		}
		if !reflect.DeepEqual(in, keep) {
			t.Fatalf("%s modified its input: %v", name, in)
		}
	}
}

// TestCatalog compares the catalog of filters and their examples, as a reader sees them, with
// testdata/catalog.golden (go test -update rewrites it).
func TestCatalog(t *testing.T) {
	var b strings.Builder
	for _, name := range filters.Names() {
		b.WriteString(name + "\n")
		for _, e := range filters.Examples(name) {
			call := value.Inspect(e.In) + " | " + name
			for i, a := range e.Args {
				sep := ", "
				if i == 0 {
					sep = ": "
				}
				call += sep + value.Inspect(a)
			}
			for k, v := range e.Kw {
				call += ", " + k + ": " + value.Inspect(v)
			}
			result := "error"
			if !e.Err {
				result = fmt.Sprintf("%s (%T)", value.Inspect(e.Want), e.Want)
			}
			b.WriteString("\t" + strconv.QuoteToASCII(call) + " => " + strconv.QuoteToASCII(result) + "\n")
		}
	}
	const path = "testdata/catalog.golden"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != b.String() {
		t.Errorf("%s is out of date: run go test -update and review the diff", path)
	}
}
