package engine_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/amp"
	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

var update = flag.Bool("update", false, "rewrite golden files")

func compile(t testing.TB, body string, opt engine.Options) *engine.Template {
	t.Helper()
	tpl, err := engine.Compile("t.liquid", "---\nsubject: \"Hi {{ first_name | default: 'there' }}\"\n---\n"+body, opt)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func render(t testing.TB, body string, data map[string]any) *engine.Message {
	t.Helper()
	m, err := compile(t, body, engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true}).Render(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestContextualEscaping checks profile data is escaped for the HTML context it lands in.
func TestContextualEscaping(t *testing.T) {
	tests := []struct {
		name, body string
		v          any
		want       string
	}{
		{"text", `<p>{{ v }}</p>`, `<script>alert("x")</script>`, `<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>`},
		{"attribute", `<a title="{{ v }}">x</a>`, `"><img src=x onerror=alert(1)>`, `<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>`},
		{"single-quoted attribute", `<a title='{{ v }}'>x</a>`, `' onmouseover='x`, `<a title='&#39; onmouseover=&#39;x'>x</a>`},
		{"javascript url blocked", `<a href="{{ v }}">x</a>`, `javascript:alert(1)`, `<a href="about:invalid#mailmold-blocked-url">x</a>`},
		{"obfuscated scheme blocked", `<a href="{{ v }}">x</a>`, " JaVaScRiPt:alert(1)", `<a href="about:invalid#mailmold-blocked-url">x</a>`},
		{"data url blocked", `<img src="{{ v }}">`, `data:text/html;base64,PHNjcmlwdD4=`, `<img src="about:invalid#mailmold-blocked-url">`},
		{"https url kept", `<a href="{{ v }}">x</a>`, `https://a.example/?q=1&r=2`, `<a href="https://a.example/?q=1&amp;r=2">x</a>`},
		{"relative url kept", `<a href="{{ v }}">x</a>`, `/path?x=1`, `<a href="/path?x=1">x</a>`},
		{"url middle escaped", `<a href="https://a.example/?u={{ v }}">x</a>`, `a"b`, `<a href="https://a.example/?u=a%22b">x</a>`},
		{"css expression blocked", `<p style="color: {{ v }}">x</p>`, `expression(alert(1))`, `<p style="color: mailmold-blocked-css">x</p>`},
		{"css breakout blocked", `<p style="color: {{ v }}">x</p>`, `red;background:url(x)`, `<p style="color: mailmold-blocked-css">x</p>`},
		{"css color kept", `<p style="color: {{ v }}">x</p>`, `#ff0000`, `<p style="color: #ff0000">x</p>`},
		{"attribute name position", `<p {{ v }}>x</p>`, `onclick=alert(1)`, `<p >x</p>`},
		{"raw opts out", `<p>{{ v | raw }}</p>`, `<b>bold</b>`, `<p><b>bold</b></p>`},
		{"escape filter not doubled", `<p>{{ v | escape }}</p>`, `a&b`, `<p>a&amp;b</p>`},
		{"template syntax literal", `<p>{{ v }}</p>`, `{{ secret }} {% if true %}x{% endif %}`, `<p>{{ secret }} {% if true %}x{% endif %}</p>`},
		{"nul dropped, invalid utf8 replaced", `<p>{{ v }}</p>`, "a\x00b\xffc", "<p>ab\uFFFDc</p>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := render(t, tc.body, map[string]any{"v": tc.v})
			if m.HTML != tc.want {
				t.Errorf("got  %s\nwant %s", m.HTML, tc.want)
			}
		})
	}
}

func TestFrontMatter(t *testing.T) {
	_, err := engine.Compile("f.liquid", "---\nsubject: x\nfoo: 1\n---\nbody", engine.Options{})
	var de *diag.Error
	if !errors.As(err, &de) || de.Line != 3 || !strings.Contains(de.Msg, `unknown front matter key "foo"`) {
		t.Fatalf("got %v", err)
	}
	_, err = engine.Compile("f.liquid", "---\nsubject: \"{{ x | nosuch }}\"\n---\nbody", engine.Options{})
	if !errors.As(err, &de) || de.Line != 2 || de.Col != 18 {
		t.Fatalf("subject error position: %v", err)
	}
	_, err = engine.Compile("f.liquid", "---\nsubject: x\n---\nline4\n{% if %}", engine.Options{})
	if !errors.As(err, &de) || de.Line != 5 {
		t.Fatalf("body error position: %v", err)
	}
	m := render(t, "{{ subject }}|{{ preheader }}", map[string]any{"first_name": "Ann"})
	if m.Subject != "Hi Ann" || m.HTML != "Hi Ann|" {
		t.Errorf("got subject %q html %q", m.Subject, m.HTML)
	}
}

func TestUndefinedDiagnostics(t *testing.T) {
	m := render(t, "<p>{{ a.b }}{{ c | default: 'x' }}</p>\n{% if d %}{% endif %}", map[string]any{})
	if len(m.Diagnostics) != 1 || m.Diagnostics[0].Rule != "undefined" || m.Diagnostics[0].Line != 4 || m.Diagnostics[0].Col != 7 {
		t.Errorf("got %+v", m.Diagnostics)
	}
	tpl := compile(t, "<p>\n{{ a }}</p>", engine.Options{Strict: true})
	_, err := tpl.Render(context.Background(), map[string]any{})
	var de *diag.Error
	if !errors.As(err, &de) || de.Line != 5 || de.Rule != "undefined" {
		t.Errorf("strict: got %v", err)
	}
}

func TestLimits(t *testing.T) {
	tpl := compile(t, "---\n{% for i in (1..1000000) %}x{% endfor %}", engine.Options{})
	_, err := tpl.Render(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "loop iterations limit") {
		t.Errorf("loop limit: %v", err)
	}
	tpl = compile(t, "{% for i in (1..1000) %}{{ 'x' | append: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' }}{% endfor %}",
		engine.Options{Limits: engineLimits(0, 0, 10_000)})
	if _, err = tpl.Render(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "output size") {
		t.Errorf("output limit: %v", err)
	}
}

// TestBundledAMPValidates renders every bundled template for every bundled and fixture
// profile and runs every AMP output through the official validator in one batch.
func TestBundledAMPValidates(t *testing.T) {
	v, err := amp.FindValidator()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the AMP validator is required in CI: %v", err)
		}
		t.Skipf("AMP validator not installed: %v", err)
	}
	ws, profiles := bundled(t)
	var docs, names []string
	for _, n := range ws.Templates {
		tpl, err := ws.Compile(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range profiles {
			m, err := tpl.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatalf("%s/%s: %v", n, p.ID, err)
			}
			if m.AMP == nil {
				t.Errorf("%s/%s: no AMP part: %v", n, p.ID, m.Diagnostics)
				continue
			}
			docs = append(docs, *m.AMP)
			names = append(names, n+"/"+p.ID)
		}
	}
	reports, err := v.Validate(context.Background(), docs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reports {
		if !r.Pass {
			t.Errorf("%s: AMP invalid: %v", names[i], r.Errors)
		}
	}
	t.Logf("validated %d AMP documents", len(docs))
}

// TestGoldenRenders compares every bundled template x sample profile with golden files
// (HTML source render, text variant, subject); -update rewrites them.
func TestGoldenRenders(t *testing.T) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ws.Templates {
		tpl, err := ws.Compile(n, func(o *engine.Options) { o.NoInline, o.NoMinify = true, true })
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ws.Profiles {
			m, err := tpl.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatal(err)
			}
			got := "Subject: " + m.Subject + "\nPreheader: " + m.Preheader + "\nSegment: " + m.Segment + "\n\n" + *m.Text + "\n---- html ----\n" + m.HTML
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(n, ".liquid")+"."+p.ID+".txt")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				os.WriteFile(golden, []byte(got), 0o644)
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./engine -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s", n+"/"+p.ID, golden)
			}
		}
	}
}

// TestCompileTimeInlining checks the bundled templates inline their CSS at compile time and
// that the result matches per-message inlining on the properties that matter.
func TestCompileTimeInlining(t *testing.T) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ws.Templates {
		tpl, err := ws.Compile(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tpl.InlineNote != "" {
			t.Errorf("%s: %s", n, tpl.InlineNote)
		}
		m, err := tpl.Render(context.Background(), ws.Profiles[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`<h1 style="margin:0 0 16px;font-size:26px`, `<body style="margin:0;padding:0;background-color:#f2f4f1">`, `.button-a:hover{background-color:#25613a!important}`} {
			if strings.Contains(want, "hover") && !strings.Contains(tpl.Source, ":hover") {
				continue
			}
			// the minifier may keep the space before !important
			if !strings.Contains(strings.ReplaceAll(m.HTML, " !important", "!important"), want) {
				t.Errorf("%s: missing %s", n, want)
			}
		}
	}
	// a class built from data cannot be inlined at compile time: per-message inlining
	tpl := compile(t, `<html><head><style>.a{color:red}</style></head><body><p class="{{ c }}">x</p></body></html>`, engine.Options{})
	if !strings.Contains(tpl.InlineNote, "class attribute is built at render time") {
		t.Errorf("note %q", tpl.InlineNote)
	}
	m, _ := tpl.Render(context.Background(), map[string]any{"c": "a"})
	if !strings.Contains(m.HTML, `<p class="a" style="color:red">`) {
		t.Errorf("fallback did not inline: %s", m.HTML)
	}
}

// TestDialectTwins renders the win-back campaign in every dialect for every bundled profile
// and requires the same visible text as the Liquid original.
func TestDialectTwins(t *testing.T) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	compileT := func(n string) *engine.Template {
		tpl, err := ws.Compile(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tpl
	}
	liquid := compileT("winback.liquid")
	for _, twin := range []string{"winback.mustache", "winback.hbs", "winback.mc.html"} {
		tpl := compileT(twin)
		if want := map[string]string{"winback.mustache": "mustache", "winback.hbs": "handlebars", "winback.mc.html": "mailchimp"}[twin]; tpl.Dialect != want {
			t.Errorf("%s: dialect %s", twin, tpl.Dialect)
		}
		for _, p := range ws.Profiles {
			a, err := liquid.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatal(err)
			}
			b, err := tpl.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatalf("%s/%s: %v", twin, p.ID, err)
			}
			if *a.Text != *b.Text || a.Subject != b.Subject {
				t.Errorf("%s/%s differs from winback.liquid:\n%s\n--- vs ---\n%s", twin, p.ID, *b.Text, *a.Text)
			}
		}
	}
}

// TestHTMLOnlyRender renders every bundled template for every bundled profile twice: all
// variants (the master document, then the passes) and the HTML variant alone (its compiled
// program only, no master). The HTML, the blank-output records and the non-AMP diagnostics
// must be the same.
func TestHTMLOnlyRender(t *testing.T) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	nonAMP := func(ds []diag.Diagnostic) []diag.Diagnostic {
		var out []diag.Diagnostic
		for _, d := range ds {
			if !strings.HasPrefix(d.Rule, "amp") && !strings.HasPrefix(d.Message, "AMP:") {
				out = append(out, d)
			}
		}
		return out
	}
	for _, n := range ws.Templates {
		full, err := ws.Compile(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		only, err := ws.Compile(n, func(o *engine.Options) { o.Variants = &engine.Variants{HTML: true} })
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ws.Profiles {
			a, errA := full.Render(context.Background(), p.Data)
			b, errB := only.Render(context.Background(), p.Data)
			if (errA == nil) != (errB == nil) {
				t.Fatalf("%s/%s: errors differ: %v / %v", n, p.ID, errA, errB)
			}
			if errA != nil {
				continue
			}
			if b.Master != "" && full.InlineNote == "" {
				t.Errorf("%s/%s: the HTML-only render also rendered the master", n, p.ID)
			}
			if a.HTML != b.HTML {
				t.Errorf("%s/%s: HTML differs between the full and the HTML-only render", n, p.ID)
			}
			if !reflect.DeepEqual(a.Blanks, b.Blanks) {
				t.Errorf("%s/%s: blanks differ:\n%v\n%v", n, p.ID, a.Blanks, b.Blanks)
			}
			if da, db := nonAMP(a.Diagnostics), nonAMP(b.Diagnostics); !reflect.DeepEqual(da, db) {
				t.Errorf("%s/%s: diagnostics differ:\n%v\n%v", n, p.ID, da, db)
			}
		}
	}
}

// TestProductionText renders every bundled template for every sample profile with the
// production options (compile-time inlining and minifying, the minified master) and requires
// the text variant of the golden render (made without them): compile-time passes over the
// template's text must not change what the reader sees.
func TestProductionText(t *testing.T) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ws.Templates {
		plain, err := ws.Compile(n, func(o *engine.Options) { o.NoInline, o.NoMinify = true, true })
		if err != nil {
			t.Fatal(err)
		}
		prod, err := ws.Compile(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ws.Profiles {
			a, err := plain.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatal(err)
			}
			b, err := prod.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatal(err)
			}
			if *a.Text != *b.Text {
				t.Errorf("%s/%s: the production text differs:\n%s", n, p.ID, lineDiff(*a.Text, *b.Text))
			}
		}
	}
}

// lineDiff shows the first differing line of a and b.
func lineDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, x, y)
		}
	}
	return ""
}
