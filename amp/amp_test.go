package amp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/amp"
)

const base = `<!doctype html><html lang="en"><head><title>t</title><style>
.a { color: red !important; behavior: url(x.htc); }
@font-face { font-family: X; src: url(https://x.example/f.woff); }
@media (max-width: 600px) { .a { display: block; } }
</style></head><body>%s</body></html>`

func doc(body string) string { return strings.Replace(base, "%s", body, 1) }

func TestTransformRules(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
		has, not   []string
	}{
		{"boilerplate and runtime", `<p>x</p>`, true,
			[]string{"<!doctype html>\n<html ⚡4email data-css-strict lang=\"en\">", `<meta charset="utf-8">`, amp.RuntimeScript, `<style amp4email-boilerplate>body{visibility:hidden}</style>`},
			[]string{"<title>"}},
		{"css sanitised", `<p class="a" style="color: blue !important; mso-hide: all">x</p>`, true,
			[]string{"<style amp-custom>.a{color:red;}@media (max-width:600px){.a{display:block;}}</style>", `style="color:blue"`},
			[]string{"!important", "@font-face", "behavior", "mso-hide"}},
		{"img to amp-img fixed", `<img src="https://x.example/a.png" width="100" height="50" alt="A">`, true,
			[]string{`<amp-img src="https://x.example/a.png" alt="A" width="100" height="50" layout="fixed"></amp-img>`}, []string{"<img"}},
		{"responsive img", `<img src="https://x.example/a.png" width="600" height="300" alt="A" style="width:100%;height:auto">`, true,
			[]string{`layout="responsive"`}, nil},
		{"gif to amp-anim", `<img src="https://x.example/a.gif" width="10" height="10" alt="">`, true,
			[]string{`<amp-anim src="https://x.example/a.gif"`, `custom-element="amp-anim"`}, nil},
		{"img without size", `<img src="https://x.example/a.png" alt="A">`, true, []string{`height="150" layout="fixed-height"`}, nil},
		{"http img left out", `<img src="http://x.example/a.png" width="10" height="10" alt="A"><p>y</p>`, true, []string{"<p>y</p>"}, []string{"amp-img"}},
		{"links", `<a href="javascript:alert(1)" target="_top">a</a><a href="https://x.example/" target="_blank" onclick="x()">b</a><a href="/rel">c</a>`, true,
			[]string{`<a>a</a>`, `<a href="https://x.example/" target="_blank">b</a>`, `<a>c</a>`}, []string{"javascript", "onclick", "_top"}},
		{"disallowed tags removed", `<script>x()</script><iframe src="https://x.example/"></iframe><p>ok</p>`, true, []string{"<p>ok</p>"}, []string{"<script>x", "iframe"}},
		{"form is fatal", `<form action="https://x.example/"><input name="q"></form>`, false, nil, nil},
		{"video is fatal", `<video src="https://x.example/v.mp4"></video>`, false, nil, nil},
		{"conditional comments dropped", `<!--[if mso]><p>outlook</p><![endif]--><!--[if !mso]><!--><p>others</p><!--<![endif]-->`, true, []string{"<p>others</p>"}, []string{"outlook", "<!--"}},
		{"markers", `<mm-htmlonly><p>h</p></mm-htmlonly><mm-textonly>t</mm-textonly>`, true, []string{"<p>h</p>"}, []string{"mm-", ">t<"}},
		{"live block", `<mm-live data-src="https://api.example/d.json"><template type="amp-mustache"><p>{{name}}</p></template><mm-fallback><p>static</p></mm-fallback></mm-live>`, true,
			[]string{`<amp-list src="https://api.example/d.json" layout="fixed-height" height="120" binding="no"><template type="amp-mustache"><p>{{name}}</p></template><div placeholder=""><p>static</p></div><div fallback=""><p>static</p></div></amp-list>`,
				`custom-element="amp-list"`, `custom-template="amp-mustache"`}, nil},
		{"live src must be https", `<mm-live data-src="http://api.example/d.json"><mm-fallback>s</mm-fallback></mm-live>`, false, nil, nil},
		{"i-amphtml class dropped", `<p class="i-amphtml-x">x</p>`, true, []string{"<p>x</p>"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := amp.Transform(doc(tc.body), amp.Options{})
			if r.OK != tc.ok {
				t.Fatalf("OK=%v, want %v: %+v", r.OK, tc.ok, r.Diagnostics)
			}
			if !r.OK {
				if r.HTML != "" || len(r.Diagnostics) == 0 {
					t.Error("a failed transform must give no document and say why")
				}
				return
			}
			for _, h := range tc.has {
				if !strings.Contains(r.HTML, h) {
					t.Errorf("missing %q in\n%s", h, r.HTML)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(r.HTML, n) {
					t.Errorf("unexpected %q in\n%s", n, r.HTML)
				}
			}
		})
	}
}

// nestedLive is a live block nested 30 deep in its own fallback: fuzzing found that each
// level doubled the document (placeholder and fallback both hold it), 2^30 copies.
func nestedLive(depth int) string {
	s := "<p>x</p>"
	for i := 0; i < depth; i++ {
		s = `<mm-live data-src="https://a.example/d.json"><template type="amp-mustache">{{a}}</template><mm-fallback>` + s + `</mm-fallback></mm-live>`
	}
	return doc(s)
}

func TestNestedLiveStaysLinear(t *testing.T) {
	r := amp.Transform(nestedLive(30), amp.Options{})
	if !r.OK || strings.Count(r.HTML, "<amp-list") != 1 || len(r.HTML) > 5000 {
		t.Errorf("OK=%v, %d amp-lists, %d bytes", r.OK, strings.Count(r.HTML, "<amp-list"), len(r.HTML))
	}
}

func TestLimits(t *testing.T) {
	big := doc(strings.Repeat(`<p style="color:red;padding:1px 2px 3px 4px;margin:0">x</p>`, 3000))
	if r := amp.Transform(big, amp.Options{}); r.OK {
		t.Error("over 75,000 bytes of CSS must fail")
	}
	if r := amp.Transform(doc(strings.Repeat("<p>x</p>", 100)), amp.Options{MaxBytes: 500}); r.OK {
		t.Error("over MaxBytes must fail")
	}
	long := `<p style="` + strings.Repeat("color:red;", 150) + `">x</p>`
	if r := amp.Transform(doc(long), amp.Options{}); !r.OK || strings.Contains(r.HTML, "color:red;color:red;") {
		t.Error("a style attribute over 1,000 bytes must be removed")
	}
}

// TestCorpusValidates transforms every corpus email and validates every result with the
// official validator in one batch.
func TestCorpusValidates(t *testing.T) {
	v, err := amp.FindValidator()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the AMP validator is required in CI: %v", err)
		}
		t.Skipf("AMP validator not installed: %v", err)
	}
	files, _ := filepath.Glob("../fixtures/emails/*.html")
	var docs, names []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		r := amp.Transform(string(b), amp.Options{})
		if r.OK {
			docs = append(docs, r.HTML)
			names = append(names, f)
		}
	}
	if len(docs) < 12 {
		t.Fatalf("only %d corpus emails became AMP", len(docs))
	}
	reports, err := v.Validate(context.Background(), docs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reports {
		if !r.Pass {
			t.Errorf("%s: %v", names[i], r.Errors)
		}
	}
}

func FuzzTransform(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/emails/*.html")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Add(nestedLive(12)) // regression seed: exponential copies of nested live blocks
	f.Fuzz(func(t *testing.T, s string) {
		a := amp.Transform(s, amp.Options{})
		b := amp.Transform(s, amp.Options{})
		if a.HTML != b.HTML || a.OK != b.OK {
			t.Fatal("not deterministic")
		}
	})
}

func BenchmarkTransform(b *testing.B) {
	src, err := os.ReadFile("../fixtures/emails/04-newsletter-columns.html")
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Repeat(string(src), 3)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		amp.Transform(s, amp.Options{})
	}
}
