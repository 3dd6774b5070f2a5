package segment_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/segment"
)

// TestNullSafeOperators: contains works on lists (an equal element) and strings (a
// substring); in, contains, startsWith and endsWith are false, not errors, on missing or
// mistyped data.
func TestNullSafeOperators(t *testing.T) {
	tests := []struct {
		rule    string
		profile map[string]any
		want    bool
	}{
		{`tags contains "discount"`, map[string]any{"tags": []any{"newsletter", "discount"}}, true},
		{`tags contains "vip"`, map[string]any{"tags": []any{"newsletter", "discount"}}, false},
		{`scores contains 3`, map[string]any{"scores": []any{1.0, 3.0}}, true},
		{`scores contains "3"`, map[string]any{"scores": []any{1.0, 3.0}}, false},
		{`first_name contains "nn"`, map[string]any{"first_name": "Ann"}, true},
		{`prefs contains "sms"`, map[string]any{"prefs": map[string]any{"sms": true}}, true},
		{`tags contains "discount"`, map[string]any{}, false},
		{`tags contains "discount"`, map[string]any{"tags": nil}, false},
		{`not (tags contains "discount")`, map[string]any{"tags": []any{"x"}}, true},
		{`"discount" in tags`, map[string]any{"tags": []any{"discount"}}, true},
		{`"discount" in tags`, map[string]any{}, false},
		{`"discount" not in tags`, map[string]any{"tags": []any{"x"}}, true},
		{`email endsWith "@example.com"`, map[string]any{"email": "a@example.com"}, true},
		{`email startsWith "a"`, map[string]any{}, false},
		{`email startsWith "a"`, map[string]any{"email": 5.0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			s, err := segment.Parse("segments.yaml", []byte("segments:\n  - name: a\n    when: '"+strings.ReplaceAll(tc.rule, "'", "''")+"'\n"), segment.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			_, all, err := s.Membership(tc.profile)
			if err != nil {
				t.Fatalf("null-safe rule reported %v", err)
			}
			if all["a"] != tc.want {
				t.Errorf("member = %v, want %v", all["a"], tc.want)
			}
		})
	}
}

// TestRuleRuntimeErrorsReported: a rule that fails for a profile makes it not a member and
// is reported with its segments.yaml position; the other rules still count.
func TestRuleRuntimeErrorsReported(t *testing.T) {
	src := "segments:\n  - name: doubled\n    when: lifetime_value * 2 > 100\n  - name: any\n    when: true\n  - name: deal\n    when: '\"discount\" in tags'\n"
	s, err := segment.Parse("ws/segments.yaml", []byte(src), segment.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		profile map[string]any
		first   string
		problem string
	}{
		{"fine", map[string]any{"lifetime_value": 80.0}, "doubled", ""},
		{"missing field in arithmetic", map[string]any{}, "any", `ws/segments.yaml:3:`},
		{"wrong type in arithmetic", map[string]any{"lifetime_value": []any{1}}, "any", `the rule of segment "doubled" failed for this profile`},
		{"in on a string", map[string]any{"lifetime_value": 10.0, "tags": "discount"}, "any", `ws/segments.yaml:7:`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, all, err := s.Membership(tc.profile)
			if first != tc.first || all["doubled"] != (tc.first == "doubled") {
				t.Errorf("got %q %v, want %q", first, all, tc.first)
			}
			var pe *segment.ProfileError
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("got %v, want a *ProfileError mentioning %q", err, tc.problem)
			}
			d := pe.Diagnostics()[0]
			if d.Rule != "segment-rule" || d.Line < 3 || d.Col < 11 || d.Hint == "" {
				t.Errorf("diagnostic %+v", d)
			}
		})
	}
}

// TestTypeErrors: wrong arity, mismatched comparisons and rules that are not true or false
// are compile errors at segments.yaml:LINE:COL with a hint.
func TestTypeErrors(t *testing.T) {
	samples := []map[string]any{{"lifetime_value": 1200.0, "signup_at": "2026-01-01", "vip": true, "tags": []any{"x"}}}
	tests := []struct {
		rule, want, hint string
	}{
		{`days_since(signup_at, 2) < 3`, "s.yaml:3:12: in rule of segment \"a\": ", "take one date"},
		{`days_since() < 3`, "s.yaml:3:12: in rule of segment \"a\": ", "take one date"},
		{`now() > 3`, "s.yaml:3:", "now() is the current time"},
		{`lifetime_value`, "s.yaml:3:", "must be true or false"},
		{`days_since(signup_at)`, "s.yaml:3:", "must be true or false"},
		{`lifetime_value >= "1000"`, "s.yaml:3:", "lifetime_value (number)"},
		{`tags > 3`, "s.yaml:3:", "tags (list)"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := segment.Parse("s.yaml", []byte("segments:\n  - name: a\n    when: '"+tc.rule+"'\n"), segment.Options{Now: now, Samples: samples})
			var se *segment.Error
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tc.want) || !strings.Contains(se.Hint, tc.hint) {
				t.Fatalf("got %v (hint %q), want %q… with a hint about %q", err, hintOf(se), tc.want, tc.hint)
			}
		})
	}
	// and what must still compile
	for _, rule := range []string{`vip`, `lifetime_value >= 1000 and days_since(signup_at) <= 90`, `tags contains "x"`, `unknown_field > 3`, `lifetime_value > "3"` + ` or true`} {
		if _, err := segment.Parse("s.yaml", []byte("segments:\n  - name: a\n    when: '"+rule+"'\n"), segment.Options{Now: now}); err != nil {
			t.Errorf("%s: %v", rule, err)
		}
	}
}

func hintOf(e *segment.Error) string {
	if e == nil {
		return ""
	}
	return e.Hint
}

// TestOverride: the profile's segment field makes it a member of exactly that segment; a
// name segments.yaml does not define is reported with a suggestion and ignored.
func TestOverride(t *testing.T) {
	s := bundled(t)
	tests := []struct {
		name    string
		profile map[string]any
		first   string
		all     []string
		problem string
	}{
		{"override beats the first match", map[string]any{"segment": "at_risk", "lifetime_value": 5000, "last_purchase_at": "2026-11-01T00:00:00Z"}, "at_risk", []string{"at_risk"}, ""},
		{"override clears other matches", map[string]any{"segment": "new", "tags": []any{"discount"}}, "new", []string{"new"}, ""},
		{"unknown override", map[string]any{"segment": "at_rsk", "tags": []any{"discount"}}, "deal_seeker", []string{"deal_seeker"}, `did you mean "at_risk"?`},
		{"override of another type", map[string]any{"segment": 3.0}, "", nil, "segments: high_value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, all, err := s.Membership(tc.profile)
			var got []string
			for _, n := range s.Names() {
				if all[n] {
					got = append(got, n)
				}
			}
			if first != tc.first || strings.Join(got, ",") != strings.Join(tc.all, ",") {
				t.Errorf("got %q %v, want %q %v", first, got, tc.first, tc.all)
			}
			var pe *segment.ProfileError
			if tc.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.As(err, &pe) || !strings.Contains(pe.Problems[0].Hint, tc.problem) || pe.Diagnostics()[0].Rule != "segment-override" {
				t.Fatalf("got %v, want a problem with %q", err, tc.problem)
			}
		})
	}
}
