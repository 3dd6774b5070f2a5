package liquid_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/liquid"
	"github.com/mailmold/mailmold/engine/tree"
)

// TestParseErrors checks that syntax errors point at the exact line and column of the
// user's file, for every kind of tag.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"unclosed output", "Hi\n  {{ name", 2, 3, "unclosed output"},
		{"unclosed tag", "{% if x", 1, 1, "unclosed tag"},
		{"unclosed if", "a\n{% if x %}\nb", 2, 1, "'if' tag was never closed"},
		{"unknown tag", "x\n\n   {% iff x %}{% endif %}", 3, 4, "unknown tag 'iff'"},
		{"stray endif", "{% endif %}", 1, 1, "unexpected 'endif'"},
		{"bad filter syntax", "{{ x | }}", 1, 8, "expected a filter name"},
		{"bad operator", "{% if a = b %}x{% endif %}", 1, 9, "unexpected token"},
		{"for without in", "{% for x of y %}{% endfor %}", 1, 10, "expected 'in'"},
		{"assign without =", "{% assign x 1 %}", 1, 13, "expected '='"},
		{"unclosed range", "{{ (1..3 }}", 1, 10, "expected ')'"},
		{"segment without name", "{% segment %}x{% endsegment %}", 1, 12, "expected a segment name"},
		{"live needs https src", "{% live %}x{% fallback %}y{% endlive %}", 1, 9, "'live' needs src"},
		{"live needs fallback", "{% live src=\"https://a.example/x\" %}x{% endlive %}", 1, 1, "needs a {% fallback %}"},
		{"markdown unclosed", "{% markdown %}\n# hi", 1, 1, "'markdown' tag was never closed"},
		{"raw unclosed", "{% raw %}abc", 1, 1, "'raw' tag was never closed"},
		{"unicode column", "Ünal {{ x | }}", 1, 13, "expected a filter name"},
		{"case bad when", "{% case x %}{% when %}a{% endcase %}", 1, 21, "expected a value"},
		{"render dynamic name", "{% render x %}", 1, 11, "'render' needs a quoted partial name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := liquid.Parse("t.liquid", tc.src)
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("want a *diag.Error, got %v", err)
			}
			if de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) {
				t.Errorf("got %d:%d %q, want %d:%d containing %q", de.Line, de.Col, de.Msg, tc.line, tc.col, tc.msg)
			}
			if !strings.HasPrefix(de.Error(), "t.liquid:") {
				t.Errorf("error %q does not start with the file name", de.Error())
			}
			if f := de.Format(); !strings.Contains(f, "^") {
				t.Errorf("no caret in the code frame:\n%s", f)
			}
		})
	}
}

// TestPositions checks node positions in a multi-line template.
func TestPositions(t *testing.T) {
	src := "Hello\n{% if a %}\n  {{ b }}\n{% elsif c %}x{% endif %}\n{% segment vip, new %}V{% else %}E{% endsegment %}"
	tr, err := liquid.Parse("p.liquid", src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tree.Walk(tr.Body, func(n tree.Node) bool {
		switch x := n.(type) {
		case *tree.If:
			for _, b := range x.Branches {
				got = append(got, b.Tag+"@"+itoa(b.Line)+":"+itoa(b.Col))
			}
		case *tree.Output:
			got = append(got, "out@"+itoa(x.Line)+":"+itoa(x.Col))
		case *tree.Segment:
			for _, b := range x.Branches {
				got = append(got, strings.Join(b.Names, ",")+"@"+itoa(b.Line)+":"+itoa(b.Col))
			}
			got = append(got, "else@"+itoa(x.Else.Line)+":"+itoa(x.Else.Col))
		}
		return true
	})
	want := "if@2:1 elsif@4:1 out@3:3 vip,new@5:1 else@5:24"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q\nwant %q", strings.Join(got, " "), want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// FuzzParse checks the front-end never panics, seeded from testdata/fuzz/FuzzParse, the
// bundled templates and, when ../shared holds it, the Golden Liquid suite: without the suite
// it still runs on the other seeds.
func FuzzParse(f *testing.F) {
	cases, err := goldenCases()
	if err != nil {
		f.Logf("seeding without the golden suite: %v", err)
	}
	for _, c := range cases {
		f.Add(c.Template)
	}
	var files []string
	for _, g := range []string{"../../templates/*.liquid", "../../templates/partials/*.liquid",
		"../../fixtures/hostile/templates/*.liquid", "../../fixtures/hostile/templates/partials/*.liquid"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 8 {
		f.Fatalf("only %d local Liquid seeds: the globs match nothing", len(files))
	}
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("{% live src=\"https://x.example/a\" %}{{a}}{% fallback %}b{% endlive %}")
	f.Fuzz(func(t *testing.T, src string) {
		tr, err := liquid.Parse("f.liquid", src)
		if err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || de.Line < 1 || de.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if tr == nil {
			t.Fatal("nil tree without error")
		}
	})
}
