package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
)

// findDiag returns the first diagnostic with rule, or nil.
func findDiag(ds []diag.Diagnostic, rule string) *diag.Diagnostic {
	for i := range ds {
		if ds[i].Rule == rule {
			return &ds[i]
		}
	}
	return nil
}

// TestLiveSrcFromData: a live block whose src comes from the data and is not a live-data
// URL for one profile costs that message its AMP part, with a diagnostic at the live tag;
// HTML and text show the fallback and the render succeeds. A literal bad src stays a
// compile error, and src takes filters.
func TestLiveSrcFromData(t *testing.T) {
	const head = "---\nsubject: live\nfrom: shop@example.com\n---\n<!doctype html><html><head><title>l</title></head><body>\n"
	const tail = "<p>{{name}}</p>{% fallback %}<p>Static for {{ first_name }}</p>{% endlive %}\n</body></html>\n"
	compileLive := func(t *testing.T, src string) *engine.Template {
		t.Helper()
		tpl, err := engine.Compile("live.liquid", head+"{% live src="+src+" %}"+tail, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return tpl
	}
	for _, tc := range []struct {
		name, src string
		data      map[string]any
		ampURL    string // "" when the AMP part must be omitted
	}{
		{"data https", "feed", map[string]any{"feed": "https://api.example/d.json"}, "https://api.example/d.json"},
		{"data http", "feed", map[string]any{"feed": "http://api.example/d.json"}, ""},
		{"data relative", "feed", map[string]any{"feed": "/d.json"}, ""},
		{"data placeholder", "feed", map[string]any{"feed": "https://api.example/{{x}}"}, ""},
		{"data missing", "feed", map[string]any{}, ""},
		{"data with the parameter AMP reserves", "feed", map[string]any{"feed": "https://api.example/d.json?__amp_source_origin=x"}, ""},
		{"default filter used", `feed | default: "https://api.example/fallback.json"`, map[string]any{}, "https://api.example/fallback.json"},
		{"default filter not needed", `feed | default: "https://api.example/fallback.json"`, map[string]any{"feed": "https://api.example/mine.json"}, "https://api.example/mine.json"},
		{"append filter", `"https://api.example/d.json?u=" | append: id`, map[string]any{"id": "u7"}, "https://api.example/d.json?u=u7"},
		{"append filter, bad data", `"https://api.example/d.json?u=" | append: id`, map[string]any{"id": "a b"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.data["first_name"] = "Ann"
			m, err := compileLive(t, tc.src).Render(context.Background(), tc.data)
			if err != nil {
				t.Fatalf("the render must not fail: %v", err)
			}
			if !strings.Contains(m.HTML, "Static for Ann") || m.Text == nil || !strings.Contains(*m.Text, "Static for Ann") {
				t.Errorf("HTML and text must show the fallback:\n%s\n%v", m.HTML, m.Text)
			}
			if tc.ampURL != "" {
				if m.AMP == nil || !strings.Contains(*m.AMP, `<amp-list src="`+tc.ampURL+`"`) {
					t.Errorf("want an amp-list from %s, got %v (%v)", tc.ampURL, m.AMP, m.Diagnostics)
				}
				return
			}
			if m.AMP != nil {
				t.Fatalf("the AMP part must be omitted:\n%s", *m.AMP)
			}
			d := findDiag(m.Diagnostics, "amp-live")
			if d == nil || d.Severity != diag.SeverityError || d.Line != 6 || d.Col != 1 || d.File != "live.liquid" {
				t.Errorf("want an amp-live error at live.liquid:6:1, got %+v", m.Diagnostics)
			}
			if findDiag(m.Diagnostics, "amp-omitted") == nil {
				t.Errorf("no amp-omitted diagnostic: %+v", m.Diagnostics)
			}
		})
	}
	t.Run("html variant alone", func(t *testing.T) {
		tpl, err := engine.Compile("live.liquid", head+"{% live src=feed %}"+tail, engine.Options{Variants: &engine.Variants{HTML: true}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := tpl.Render(context.Background(), map[string]any{"feed": "http://x.example/", "first_name": "Ann"})
		if err != nil || !strings.Contains(m.HTML, "Static for Ann") {
			t.Fatalf("%v\n%s", err, m.HTML)
		}
	})
	t.Run("handlebars", func(t *testing.T) {
		src := "---\nsubject: live\n---\n<html><body>\n{{#live src=feed}}<p>{{name}}</p>{{else}}<p>Static</p>{{/live}}\n</body></html>\n"
		tpl, err := engine.Compile("live.hbs", src, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := tpl.Render(context.Background(), map[string]any{"feed": "http://x.example/"})
		if err != nil {
			t.Fatal(err)
		}
		if d := findDiag(m.Diagnostics, "amp-live"); m.AMP != nil || d == nil || d.Line != 5 || !strings.Contains(m.HTML, "Static") {
			t.Errorf("AMP %v, diagnostics %+v", m.AMP != nil, m.Diagnostics)
		}
	})
	for _, src := range []string{`"http://api.example/d.json"`, `"https://api.example/{{ id }}.json"`, `"/d.json"`} {
		_, err := engine.Compile("live.liquid", head+"{% live src="+src+" %}"+tail, engine.Options{})
		if err == nil || !strings.Contains(err.Error(), "live.liquid:6:13:") {
			t.Errorf("literal src %s: want a compile error at the src, got %v", src, err)
		}
	}
}

// TestAMPDiagnosticPositions: each AMP diagnostic points at the template tag its element
// came from, not the first tag with the same name.
func TestAMPDiagnosticPositions(t *testing.T) {
	type want struct {
		rule      string
		line, col int
		message   string // a part of the message, to tell diagnostics apart
	}
	for _, tc := range []struct {
		name string
		body string
		data map[string]any
		want []want
	}{
		{"second img lacks dimensions", `<p>Hi</p>
<img src="https://cdn.example/logo.png" width="100" height="50" alt="logo">
<p>Text</p>
  <img src="https://cdn.example/hero.png" alt="hero">`, nil,
			[]want{{"amp-img-size", 8, 3, ""}}},
		{"templated src, after a loop", `{% for i in items %}<img src="{{ i }}" width="10" height="10" alt="">{% endfor %}
<img src="{{ hero }}" alt="">`, map[string]any{"items": []any{"https://x.example/1.png", "https://x.example/2.png"}, "hero": "https://x.example/h.png"},
			[]want{{"amp-img-size", 6, 1, ""}}},
		{"inside a loop", `<img src="https://x.example/a.png" width="1" height="2" alt="">
<ul>{% for i in items %}
  <li><a href="{{ i }}">x</a></li>{% endfor %}</ul>`, map[string]any{"items": []any{"https://ok.example/", "/relative"}},
			[]want{{"amp-link", 7, 7, "/relative"}}},
		{"commented-out copy first", `{% comment %}<img src="{{ a }}" alt="">{% endcomment %}<!-- <img src="{{ a }}" alt=""> -->
<p>x</p><img src="{{ a }}" alt="">`, map[string]any{"a": "https://x.example/a.png"},
			[]want{{"amp-img-size", 6, 9, ""}}},
		{"the branch taken", `{% if vip %}<a href="https://ok.example/vip">vip</a>{% else %}<a href="{{ link }}">all</a>{% endif %}
<a href="{{ link }}">again</a>`, map[string]any{"link": "javascript:x()"},
			[]want{{"amp-link", 5, 63, ""}, {"amp-link", 6, 1, ""}}},
		{"same tags, in order", `<p id="AMP">one</p>
<p id="AMP">two</p>`, nil,
			[]want{{"amp-attr", 5, 1, ""}, {"amp-attr", 6, 1, ""}}},
		{"in the stylesheet", `<style>
  .a { color: red; }
  .b { color: blue !important; }
</style><p class="a b">x</p>`, nil,
			[]want{{"amp-css", 7, 8, "!important"}}},
	} {
		for _, minify := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/minify=%v", tc.name, minify), func(t *testing.T) {
				src := "---\nsubject: s\n---\n<html><head><title>t</title></head><body>\n" + tc.body + "\n</body></html>\n"
				tpl, err := engine.Compile("pos.liquid", src, engine.Options{NoMinify: !minify})
				if err != nil {
					t.Fatal(err)
				}
				data := tc.data
				if data == nil {
					data = map[string]any{}
				}
				m, err := tpl.Render(context.Background(), data)
				if err != nil {
					t.Fatal(err)
				}
				var got []want
				for _, d := range m.Diagnostics {
					if strings.HasPrefix(d.Rule, "amp-") {
						got = append(got, want{d.Rule, d.Line, d.Col, d.Message})
					}
				}
				if len(got) != len(tc.want) {
					t.Fatalf("got %+v, want %+v", got, tc.want)
				}
				for i, w := range tc.want {
					g := got[i]
					if g.rule != w.rule || g.line != w.line || g.col != w.col || !strings.Contains(g.message, w.message) {
						t.Errorf("got %s at %d:%d (%s), want %s at %d:%d", g.rule, g.line, g.col, g.message, w.rule, w.line, w.col)
					}
				}
			})
		}
	}
}

// TestAMPSizeWarning: an AMP part over 100 KB (and within 200 KB) gets a warning.
func TestAMPSizeWarning(t *testing.T) {
	for _, tc := range []struct {
		paras int
		warn  bool
	}{{100, false}, {3000, true}} {
		body := "{% for i in (1.." + fmt.Sprint(tc.paras) + ") %}<p>Paragraph {{ i }} of the newsletter</p>\n{% endfor %}"
		src := "---\nsubject: s\n---\n<html><head><title>t</title></head><body>\n" + body + "\n</body></html>\n"
		tpl, err := engine.Compile("big.liquid", src, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := tpl.Render(context.Background(), map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if m.AMP == nil {
			t.Fatalf("no AMP part: %+v", m.Diagnostics)
		}
		d := findDiag(m.Diagnostics, "amp-size")
		if (d != nil) != tc.warn || d != nil && (d.Severity != diag.SeverityWarning || !strings.Contains(d.Message, "100000")) {
			t.Errorf("%d bytes of AMP: size warning %+v", len(*m.AMP), d)
		}
	}
}
