package mailchimp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mailchimp"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

var update = flag.Bool("update", false, "rewrite golden files")

func render(t testing.TB, tr *tree.Template, data map[string]any) string {
	t.Helper()
	prog, err := pongo.Compile(tr, pongo.Options{Escape: true})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := prog.Render(eval.NewState(context.Background(), data), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMergeTags(t *testing.T) {
	data := map[string]any{"first_name": "Ann", "tier": "gold", "unsubscribe_url": "https://x.example/u", "count": 3,
		"bio": "<b>hi</b>", "score": 2.5, "zero": 0}
	tests := []struct{ src, want string }{
		{"Hi *|FNAME|*!", "Hi Ann!"},
		{"Hi *| fname |*!", "Hi Ann!"},
		{"*|IF:FNAME|*Hi *|FNAME|**|ELSE:|*Hi there*|END:IF|*", "Hi Ann"},
		{"*|IF:LNAME|*x*|ELSE:|*no last name*|END:IF|*", "no last name"},
		{"*|IF:LNAME|*x*|ELSE|*bare else*|END:IF|*", "bare else"},
		{"*|IF:TIER = 'silver'|*S*|ELSEIF:TIER = 'gold'|*G*|ELSE:|*N*|END:IF|*", "G"},
		{`*|IF:TIER == "gold"|*G*|END:IF|*`, "G"},
		{"*|IF:TIER != 'gold'|*x*|ELSE:|*same*|END:IF|*", "same"},
		{"*|IF:TIER = 'a|b'|*x*|ELSE:|*quoted bar*|END:IF|*", "quoted bar"},
		{"*|IF:TIER = 'a>=b'|*x*|ELSE:|*ops in quotes*|END:IF|*", "ops in quotes"},
		{"*|IFNOT:LNAME|*missing*|END:IF|*", "missing"},
		{"*|IFNOT:TIER = 'gold'|*x*|ELSE:|*gold*|END:IF|*", "gold"},
		{"*|IF:COUNT > 2|*many*|END:IF|*", "many"},
		{"*|IF:COUNT <= 3|*le*|END:IF|**|IF:COUNT < 3|*lt*|END:IF|**|IF:COUNT >= 4|*ge*|END:IF|*", "le"},
		{"*|IF:SCORE > 2.25|*float*|END:IF|*", "float"},
		{"*|IF:ZERO|*zero is a value*|END:IF|*", "zero is a value"},
		{"*|IF:TIER|**|IF:FNAME|*nested*|END:IF|**|END:IF|*", "nested"},
		{`<a href="*|UNSUB|*">u</a>`, `<a href="https://x.example/u">u</a>`},
		{"*|BIO|* *|HTML:BIO|*", "&lt;b&gt;hi&lt;/b&gt; <b>hi</b>"},
		{"no tags | * here", "no tags | * here"},
	}
	for _, tc := range tests {
		tr, err := mailchimp.Parse("t.mc.html", tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if got := render(t, tr, data); got != tc.want {
			t.Errorf("%s: got %q want %q", tc.src, got, tc.want)
		}
	}
}

func TestFieldName(t *testing.T) {
	for tag, want := range map[string]string{"FNAME": "first_name", "lname": "last_name", "EMAIL": "email", "UNSUB": "unsubscribe_url", "TIER": "tier", "Loyalty_Points": "loyalty_points"} {
		if got := mailchimp.FieldName(tag); got != want {
			t.Errorf("FieldName(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
		msg       string
	}{
		{"a\n *|IF:FNAME|*x", 2, 2, "*|IF:FNAME|* is never closed"},
		{"*|END:IF|*", 1, 1, "without a matching *|IF:…|*"},
		{"*|ELSE:|*", 1, 1, "without a matching"},
		{"x *|FNAME", 1, 3, "unclosed merge tag"},
		{"*|FOO BAR|*", 1, 1, "unknown merge tag *|FOO BAR|*"},
		{"*||*", 1, 1, "unknown merge tag"},
		{"é *|MC:SUBJECT|*", 1, 3, "unsupported merge tag *|MC:SUBJECT|*"},
		{"*|IF:FNAME|*a*|ELSE:|*b*|ELSEIF:X|*c*|END:IF|*", 1, 24, "after *|ELSE:|*"},
		{"*|IF:|*x*|END:IF|*", 1, 1, "needs a field"},
		{"*|IF: = 'x'|*x*|END:IF|*", 1, 7, "expected a field name"},
		{"*|IF:TIER ~ 'x'|*x*|END:IF|*", 1, 11, `unexpected "~ 'x'"`},
		{"*|IF:TIER =|*x*|END:IF|*", 1, 11, "'=' needs a value"},
		{"*|IF:TIER = 'x|*x*|END:IF|*", 1, 13, "unclosed string"},
		{"*|IF:TIER = 'x' y|*x*|END:IF|*", 1, 17, `unexpected "y" after the value`},
		{"*|IF:A|*x*|END:FOR|*", 1, 16, "unknown merge tag *|END:FOR|*"},
		{"*|IF:A|*x*|ELSE:B|*y*|END:IF|*", 1, 17, "*|ELSE:|* takes no condition"},
		{"*|HTML:a b|*", 1, 8, "invalid field"},
		{"\n\n*|IF:A|*" + strings.Repeat("*|IF:A|*", 60), 3, 409, "conditions nest too deep"},
	} {
		_, err := mailchimp.Parse("t.mc.html", tc.src)
		var de *diag.Error
		if !errors.As(err, &de) || de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) || de.File != "t.mc.html" {
			t.Errorf("%q: got %v, want t.mc.html:%d:%d: …%s…", tc.src, err, tc.line, tc.col, tc.msg)
		}
	}
}

// TestPositions checks the positions of outputs, conditions and their fields.
func TestPositions(t *testing.T) {
	tr, err := mailchimp.Parse("t.mc.html", "ab\n  *|FNAME|* *|IF:TIER = 'x'|*y*|ELSEIF:A|*z*|END:IF|*")
	if err != nil {
		t.Fatal(err)
	}
	out := tr.Body[1].(*tree.Output)
	if out.Line != 2 || out.Col != 3 || out.Expr.Position().Col != 5 {
		t.Errorf("output at %d:%d (field col %d), want 2:3 (5)", out.Line, out.Col, out.Expr.Position().Col)
	}
	n := tr.Body[3].(*tree.If)
	cond := n.Branches[0].Cond.(*tree.Binary)
	if cond.L.Position().Col != 18 || cond.Col != 23 || cond.R.Position().Col != 25 {
		t.Errorf("condition field/op/value at cols %d/%d/%d, want 18/23/25", cond.L.Position().Col, cond.Col, cond.R.Position().Col)
	}
	if b := n.Branches[1]; b.Tag != "elsif" || b.Col != 31 {
		t.Errorf("elseif branch %q at col %d, want elsif at 31", b.Tag, b.Col)
	}
}

// TestGolden renders testdata/*.mc.html with testdata/profile.json; -update rewrites the
// .golden files.
func TestGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/profile.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var d any
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	data := value.FromJSON(d).(map[string]any)
	files, _ := filepath.Glob("testdata/*.mc.html")
	if len(files) == 0 {
		t.Fatal("no testdata/*.mc.html")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := mailchimp.Parse(f, string(src))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		got := render(t, tr, data)
		golden := strings.TrimSuffix(f, ".mc.html") + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s:\n--- got\n%s\n--- want\n%s", f, got, want)
		}
	}
}

func FuzzMailchimp(f *testing.F) {
	for _, p := range []string{"testdata/newsletter.mc.html", "../../templates/winback.mc.html"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("*|IF:A = 'x'|**|ELSEIF:B >= 2.5|**|ELSE:|**|END:IF|**|FNAME|**|HTML:X|**|IFNOT:C != \"y\"|**|END:IF|*")
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := mailchimp.Parse("f.mc.html", s)
		if err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || de.Line < 1 || de.Col < 1 {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		tree.Walk(tr.Body, func(n tree.Node) bool {
			if p := n.Position(); p.Offset < 0 || p.Offset > len(s) || p.Line < 1 {
				t.Fatalf("%T at %+v outside the source", n, p)
			}
			return true
		})
	})
}

func BenchmarkParse(b *testing.B) {
	raw, err := os.ReadFile("../../templates/winback.mc.html")
	if err != nil {
		b.Skip(err)
	}
	src := string(raw)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mailchimp.Parse("winback.mc.html", src); err != nil {
			b.Fatal(err)
		}
	}
}
