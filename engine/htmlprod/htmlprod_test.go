package htmlprod_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/htmlprod"
)

const doc = `<!DOCTYPE html>
<html><head><style>
  .btn { color: #fff; background-color: #06c; padding: 10px; }
  p { margin: 0 0 16px 0; }
  .btn:hover { background-color: #048; }
  @media (max-width: 600px) { .col { display: block; } }
</style></head>
<body>
<p>Hello</p>
<!--[if mso]><table><tr><td>Outlook only</td></tr></table><![endif]-->
<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="600"><tr><td class="col" bgcolor="#ffffff">
<a class="btn" href="https://x.example/">Go</a>
<mm-textonly>text only</mm-textonly>
</td></tr></table>
</body></html>`

func TestProcess(t *testing.T) {
	out, err := htmlprod.New(htmlprod.Options{Inline: true, Minify: true}).Process(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<!doctype html>", "<html>", "<head>", "<body>", // document tags kept
		`<!--[if mso]>`, `Outlook only`, // conditional comments kept
		`<p style="margin:0 0 16px">Hello</p>`,                   // inlined
		`.btn:hover{background-color:#048!important}`,            // pseudo-class kept in <style>
		`@media(max-width:600px){.col{display:block!important}}`, // media query kept
		`border="0" cellpadding="0" cellspacing="0" width="600"`, // email attributes kept, quoted
		`<mm-textonly>text only</mm-textonly>`,                   // markers untouched
		`</td></tr></table>`,                                     // end tags kept
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "\n\n") {
		t.Error("not minified")
	}
}

func TestStepsOff(t *testing.T) {
	out, err := htmlprod.New(htmlprod.Options{}).Process(doc)
	if err != nil || out != doc {
		t.Errorf("with both steps off the document must pass through unchanged: %v", err)
	}
	out, _ = htmlprod.New(htmlprod.Options{Minify: true}).Process(doc)
	if strings.Contains(out, `style="margin`) {
		t.Error("inlined although Inline is off")
	}
}

func TestCheckSize(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{1000, ""}, {htmlprod.WarnBytes - 1, ""}, {htmlprod.WarnBytes, "warning"}, {htmlprod.ClipBytes, "warning"}, {htmlprod.ClipBytes + 1, "error"}} {
		if sev, msg := htmlprod.CheckSize(tc.n); sev != tc.want || (sev != "" && !strings.Contains(msg, "KB")) {
			t.Errorf("%d bytes: %q %q", tc.n, sev, msg)
		}
	}
}

func load(b *testing.B) string {
	src, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "emails", "04-newsletter-columns.html"))
	if err != nil {
		b.Fatal(err)
	}
	return strings.Repeat(string(src), 3)
}

func BenchmarkInline(b *testing.B) {
	s := load(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		htmlprod.Inline(s)
	}
}

func BenchmarkMinify(b *testing.B) {
	s := load(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		htmlprod.Minify(s)
	}
}

func FuzzProcess(f *testing.F) {
	files, _ := filepath.Glob("../../fixtures/emails/*.html")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Add(doc)
	p := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	f.Fuzz(func(t *testing.T, s string) {
		p.Process(s)
	})
}
