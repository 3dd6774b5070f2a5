package segment_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/segment"
)

var now = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

func bundled(t testing.TB) *segment.Set {
	src, err := os.ReadFile("testdata/segments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := segment.Parse("segments.yaml", src, segment.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMembership(t *testing.T) {
	s := bundled(t)
	tests := []struct {
		name    string
		profile map[string]any
		first   string
		all     string
	}{
		{"high value", map[string]any{"lifetime_value": 1500, "last_purchase_at": "2026-11-01T00:00:00Z"}, "high_value", "high_value"},
		{"number as string", map[string]any{"lifetime_value": "1200.50", "last_purchase_at": "2026-10-01T00:00:00Z"}, "high_value", "high_value"},
		{"new and deal seeker", map[string]any{"signup_at": "2026-11-20T08:00:00Z", "tags": []any{"discount"}}, "new", "deal_seeker,new"},
		{"missing fields match nothing", map[string]any{}, "", ""},
		{"null date", map[string]any{"lifetime_value": 5000, "last_purchase_at": nil}, "", ""},
		{"bad date", map[string]any{"lifetime_value": 5000, "last_purchase_at": "yesterday"}, "", ""},
		{"wrong types", map[string]any{"lifetime_value": []any{1}, "tags": []any{"nodiscount"}, "orders_count": "many"}, "", ""},
		{"at risk", map[string]any{"orders_count": 2, "last_purchase_at": "2025-12-01T00:00:00Z"}, "at_risk", "at_risk"},
		{"date only", map[string]any{"signup_at": "2026-11-10"}, "new", "new"},
		{"override is exactly that segment", map[string]any{"segment": "at_risk", "signup_at": "2026-11-20T08:00:00Z"}, "at_risk", "at_risk"},
		{"override wins over an earlier match", map[string]any{"segment": "at_risk", "lifetime_value": 5000, "last_purchase_at": "2026-11-01T00:00:00Z"}, "at_risk", "at_risk"},
		{"tags contains", map[string]any{"tags": []any{"newsletter", "discount"}}, "deal_seeker", "deal_seeker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, all, err := s.Membership(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, n := range s.Names() {
				if all[n] {
					names = append(names, n)
				}
			}
			sortStrings(names)
			if first != tc.first || strings.Join(names, ",") != tc.all {
				t.Errorf("got %q %v, want %q %q", first, names, tc.first, tc.all)
			}
		})
	}
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestSegmentReferences(t *testing.T) {
	src := "segments:\n  - name: vip\n    when: lifetime_value >= 1000\n  - name: vip_new\n    when: segments.vip and days_since(signup_at) < 10\n"
	s, err := segment.Parse("s.yaml", []byte(src), segment.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	first, all, _ := s.Membership(map[string]any{"lifetime_value": 2000, "signup_at": "2026-11-20T00:00:00Z"})
	if first != "vip" || !all["vip_new"] {
		t.Errorf("got %q %v", first, all)
	}
	_, all, _ = s.Membership(map[string]any{"lifetime_value": 10, "signup_at": "2026-11-20T00:00:00Z"})
	if all["vip_new"] {
		t.Errorf("vip_new without vip: %v", all)
	}
}

func TestErrors(t *testing.T) {
	known := segment.Options{KnownFields: []string{"lifetime_value", "signup_at", "tags"}, Now: now}
	tests := []struct {
		name, src string
		want      string
		hint      string
	}{
		{"unknown field", "segments:\n  - name: a\n    when: lifetime_valu >= 3\n", "s.yaml:3:11: unknown field \"lifetime_valu\"", `"lifetime_value"`},
		{"unknown field later in rule", "segments:\n  - name: a\n    when: tags != nil and signup >= 3\n", "s.yaml:3:27: unknown field \"signup\"", `"signup_at"`},
		{"unknown function", "segments:\n  - name: a\n    when: day_since(signup_at) < 3\n", "s.yaml:3:11: unknown function day_since()", "days_since"},
		{"syntax", "segments:\n  - name: a\n    when: \"lifetime_value >\"\n", "s.yaml:3:", ""},
		{"unknown segment", "segments:\n  - name: vip\n    when: lifetime_value > 1\n  - name: b\n    when: segments.vpi\n", "s.yaml:5:20: unknown segment \"vpi\"", `"vip"`},
		{"later segment", "segments:\n  - name: a\n    when: segments.b\n  - name: b\n    when: tags != nil\n", "s.yaml:3:20: unknown segment \"b\"", ""},
		{"duplicate", "segments:\n  - name: a\n    when: tags != nil\n  - name: a\n    when: tags != nil\n", "s.yaml:4:11: segment \"a\" is defined twice", ""},
		{"no when", "segments:\n  - name: a\n", "s.yaml:2:11: segment \"a\" has no `when:` rule", ""},
		{"bad name", "segments:\n  - name: High Value\n    when: tags != nil\n", "s.yaml:2:11: segment name \"High Value\" is not an identifier", ""},
		{"unknown key", "segments:\n  - name: a\n    wen: x\n", "s.yaml:3:5: unknown key \"wen\"", ""},
		{"bad yaml", "segments:\n  - name: [\n", "s.yaml:", ""},
		{"block scalar", "segments:\n  - name: a\n    when: |\n      tags != nil and\n      nosuch > 1\n", "s.yaml:5:7: unknown field \"nosuch\"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := segment.Parse("s.yaml", []byte(tc.src), known)
			var se *segment.Error
			if !errors.As(err, &se) {
				t.Fatalf("want *segment.Error, got %v", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got  %q\nwant %q…", err.Error(), tc.want)
			}
			if !strings.Contains(se.Hint, tc.hint) {
				t.Errorf("hint %q does not mention %q", se.Hint, tc.hint)
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	s := bundled(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				p := map[string]any{"lifetime_value": g * 300, "last_purchase_at": "2026-11-01T00:00:00Z"}
				first, _, err := s.Membership(p)
				want := ""
				if g*300 >= 1000 {
					want = "high_value"
				}
				if err != nil || first != want {
					t.Errorf("g%d: got %q %v, want %q", g, first, err, want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func benchProfiles() []map[string]any {
	var out []map[string]any
	for i := 0; i < 64; i++ {
		p := map[string]any{
			"id": fmt.Sprint("p", i), "email": "x@example.com", "first_name": "Ann",
			"lifetime_value": float64(i * 40), "orders_count": i % 7,
			"signup_at":        time.Date(2026, time.Month(1+i%11), 1+i%27, 0, 0, 0, 0, time.UTC).Format(time.RFC3339),
			"last_purchase_at": time.Date(2025, time.Month(1+i%12), 1+i%27, 0, 0, 0, 0, time.UTC).Format(time.RFC3339),
			"tags":             []any{"newsletter"},
		}
		if i%3 == 0 {
			p["tags"] = []any{"discount", "newsletter"}
		}
		if i%5 == 0 {
			delete(p, "last_purchase_at")
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkEvaluate measures one profile's evaluation against the bundled four rules.
func BenchmarkEvaluate(b *testing.B) {
	s := bundled(b)
	ps := benchProfiles()
	match := make([]bool, len(s.Names()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Evaluate(ps[i%len(ps)], match); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "profiles/s")
}

// FuzzParse compiles arbitrary segments files: errors, never panics. A compiled set
// evaluates every profile; the only error it may return is the *ProfileError that reports
// a rule failing at run time (with no sample profiles to type-check against, `when: id` is
// such a rule), and a segment whose rule failed is not matched.
func FuzzParse(f *testing.F) {
	src, _ := os.ReadFile("testdata/segments.yaml")
	f.Add(string(src))
	f.Add("segments:\n  - name: a\n    when: segments.b or x in [1,2]\n")
	f.Fuzz(func(t *testing.T, s string) {
		set, err := segment.Parse("f.yaml", []byte(s), segment.Options{Now: now})
		if err != nil {
			return
		}
		names := set.Names()
		match := make([]bool, len(names))
		for _, p := range benchProfiles()[:4] {
			_, err := set.Evaluate(p, match)
			if err == nil {
				continue
			}
			var pe *segment.ProfileError
			if !errors.As(err, &pe) {
				t.Fatal(err)
			}
			for _, pr := range pe.Problems {
				if i := slices.Index(names, pr.Segment); pr.Segment != "" && (i < 0 || match[i]) {
					t.Fatalf("segment %q: its rule failed (%s) but it matched", pr.Segment, pr.Msg)
				}
			}
		}
	})
}

// FuzzEvaluate runs the bundled rules over arbitrary field values.
func FuzzEvaluate(f *testing.F) {
	s := bundled(f)
	f.Add("2026-11-01T00:00:00Z", "1500", int64(3), "discount")
	f.Add("", "x", int64(-1), "")
	f.Fuzz(func(t *testing.T, date, ltv string, orders int64, tag string) {
		p := map[string]any{"last_purchase_at": date, "signup_at": date, "lifetime_value": ltv, "orders_count": int(orders), "tags": []any{tag}}
		if _, _, err := s.Membership(p); err != nil {
			t.Fatal(err)
		}
	})
}
