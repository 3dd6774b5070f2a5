package amp_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/amp"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files")

// corpus returns the input emails under testdata, by file name.
func corpus(t testing.TB) (names []string, docs []string) {
	t.Helper()
	files, err := filepath.Glob("testdata/*.html")
	if err != nil || len(files) < 12 {
		t.Fatalf("need at least 12 emails in testdata, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f)
		docs = append(docs, string(b))
	}
	return names, docs
}

// describe renders a result as golden text: verdict, diagnostics, document.
func describe(r amp.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "OK: %v\n--- diagnostics\n", r.OK)
	for _, d := range r.Diagnostics {
		fmt.Fprintf(&b, "%s %s %d:%d %s\n    %s\n", d.Severity, d.Rule, d.Line, d.Col, d.Message, d.Snippet)
	}
	b.WriteString("--- html\n")
	b.WriteString(r.HTML)
	return b.String()
}

func TestGolden(t *testing.T) {
	names, docs := corpus(t)
	for i, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			got := describe(amp.Transform(docs[i], amp.Options{}))
			checkGolden(t, strings.TrimSuffix(name, ".html")+".golden", got)
		})
	}
}

// validator finds the official validator, installing it when needed. It skips the test only
// when node is not installed.
func validator(t *testing.T) *amp.Validator {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed, so the official AMP validator cannot run: " + err.Error())
	}
	v, err := amp.FindValidator()
	if err != nil {
		t.Fatalf("node is installed but the validator script is not found: %v", err)
	}
	install := filepath.Join(filepath.Dir(v.Script()), "install")
	if out, err := exec.Command(install).CombinedOutput(); err != nil {
		t.Fatalf("installing the AMP validator: %v\n%s", err, out)
	}
	return v
}

// TestCorpusValidates runs every AMP document the corpus produces through the official
// validator, in one batch, and checks the emails that cannot become AMP say why.
func TestCorpusValidates(t *testing.T) {
	names, docs := corpus(t)
	var out, outNames []string
	for i, d := range docs {
		r := amp.Transform(d, amp.Options{})
		if !r.OK {
			if r.HTML != "" || !hasError(r) {
				t.Errorf("%s: a failed transform must give no document and an error diagnostic", names[i])
			}
			continue
		}
		out, outNames = append(out, r.HTML), append(outNames, names[i])
	}
	if len(out) < 9 {
		t.Fatalf("only %d corpus emails became AMP", len(out))
	}
	v := validator(t)
	// a control document the validator must reject, so a silent validator cannot pass
	bad := strings.Replace(out[0], "</body>", `<img src="https://x.example/a.png"></body>`, 1)
	reports, err := v.Validate(context.Background(), append(out, bad)...)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(out)+1 {
		t.Fatalf("%d reports for %d documents", len(reports), len(out)+1)
	}
	if last := reports[len(out)]; last.Pass || len(last.Errors) == 0 {
		t.Fatalf("the validator accepted a document with a plain <img>: %+v", last)
	}
	reports = reports[:len(out)]
	for i, r := range reports {
		if !r.Pass {
			t.Errorf("%s: the official validator rejects the output:\n  %s", outNames[i], strings.Join(r.Errors, "\n  "))
		}
	}
}

func hasError(r amp.Result) bool {
	for _, d := range r.Diagnostics {
		if d.Severity == "error" && d.Message != "" {
			return true
		}
	}
	return false
}

// The differential goldens below pin the whole output (document and every diagnostic field)
// of what the other tests only sample: the corpus through TransformNode, whose diagnostics
// have no positions, and every input of the rule tests and fuzz seeds through both entry
// points.

// checkGolden compares got with the golden file at path (rewritten with -update).
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

// transformNode parses s and runs TransformNode on it (a parsed document without its source).
func transformNode(t testing.TB, s string) amp.Result {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return amp.TransformNode(doc, amp.Options{})
}

// describeBoth is the golden text of one input through Transform and TransformNode.
func describeBoth(t testing.TB, name, s string) string {
	return "=== " + name + "\n--- Transform\n" + describe(amp.Transform(s, amp.Options{})) +
		"\n--- TransformNode\n" + describe(transformNode(t, s)) + "\n"
}

func TestNodeGolden(t *testing.T) {
	names, docs := corpus(t)
	for i, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			golden := filepath.Join("testdata", "node", strings.TrimSuffix(filepath.Base(name), ".html")+".golden")
			checkGolden(t, golden, describe(transformNode(t, docs[i])))
		})
	}
}

// TestExtraInputsGolden pins the inputs of the rule tests that are not case tables and the
// fuzz seeds.
func TestExtraInputsGolden(t *testing.T) {
	inputs := []struct{ name, s string }{
		{"document shell", "\ufeff" + `<html lang="de" dir="ltr" xmlns:v="urn:x"><head><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta name="viewport" content="width=device-width"><title>x</title></head><body><p>x</p></body></html>`},
		{"nested live 12", nestedLive(12)},
		{"nested live 30", nestedLive(30)},
		{"template style seed", page("", `<p style="color:{{c}}">`)},
		{"live in table seed", `<table><mm-live data-src="https://a.example/x"><template type="amp-mustache"><tr><td>{{a}}</td></tr></template></mm-live></table>`},
		{"positions", "<html><body>\n<p>\n  <a target=\"_blank\"\n     href=\"/x\">a</a></p></body></html>"},
		{"too much css", page("", strings.Repeat(`<p style="color:red;padding:1px 2px 3px 4px;margin:0">x</p>`, 2000))},
		{"too big", page("", strings.Repeat("<p>x</p>", 30_000))},
		{"long style", page("", `<p style="`+strings.Repeat("color:red;", 150)+`">x</p>`)},
		{"no body", `<frameset><frame src="x"></frameset>`},
		{"empty", ``},
	}
	var b strings.Builder
	for _, in := range inputs {
		b.WriteString(describeBoth(t, in.name, in.s))
	}
	checkGolden(t, filepath.Join("testdata", "rules", "extra.golden"), b.String())
}
