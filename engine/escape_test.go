package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
)

// renderFile compiles name (its extension picks the dialect) with the given partials and
// renders the HTML variant, unminified, for data.
func renderFile(t *testing.T, name, body string, partials map[string]string, data map[string]any) (*engine.Message, error) {
	t.Helper()
	opt := engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true,
		Partial: func(n string) (string, string, error) {
			src, ok := partials[n]
			if !ok {
				return "", "", errors.New("no partial " + n)
			}
			return "partials/" + n + ".liquid", src, nil
		}}
	tpl, err := engine.Compile(name, "---\nsubject: s\n---\n"+body, opt)
	if err != nil {
		return nil, err
	}
	return tpl.Render(context.Background(), data)
}

const blocked = `about:invalid#mailmold-blocked-url`

// TestURLSchemeWholeValue: the scheme of a URL attribute value that holds data is decided on
// the whole value as a browser parses it, however the value is put together.
func TestURLSchemeWholeValue(t *testing.T) {
	js := "javascript:alert(1)"
	tests := []struct {
		name, body string
		data       map[string]any
		want       string
	}{
		{"empty then data", `<a href="{{ base }}{{ path }}">`, map[string]any{"base": "", "path": js}, `<a href="` + blocked + `">`},
		{"undefined then data", `<a href="{{ nothing }}{{ u }}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		{"leading space", `<a href=" {{ u }}">`, map[string]any{"u": js}, `<a href=" ` + blocked + `">`},
		{"leading newline", "<a href=\"\n{{ u }}\">", map[string]any{"u": js}, "<a href=\"\n" + blocked + "\">"},
		{"scheme split over data", `<a href="{{ a }}{{ b }}">`, map[string]any{"a": "java", "b": "script:alert(1)"}, `<a href="` + blocked + `">`},
		{"colon after data", `<a href="{{ a }}{{ b }}">`, map[string]any{"a": "javascript", "b": ":alert(1)"}, `<a href="` + blocked + `">`},
		{"static colon after data", `<a href="{{ a }}:alert(1)">`, map[string]any{"a": "javascript"}, `<a href="` + blocked + `:alert(1)">`},
		{"static scheme start", `<a href="java{{ a }}">`, map[string]any{"a": "script:alert(1)"}, `<a href="java` + blocked + `">`},
		{"entity in static start", `<a href="&#106;{{ a }}">`, map[string]any{"a": "avascript:alert(1)"}, `<a href="&#106;avascript%3aalert%281%29">`},
		{"tab in scheme", `<a href="{{ u }}">`, map[string]any{"u": "java\tscript:alert(1)"}, `<a href="` + blocked + `">`},
		{"newline in scheme", `<a href="{{ u }}">`, map[string]any{"u": "java\nscript:alert(1)"}, `<a href="` + blocked + `">`},
		{"control char first", `<a href="{{ u }}">`, map[string]any{"u": "\x01javascript:alert(1)"}, `<a href="` + blocked + `">`},
		{"upper case", `<a href="{{ u }}">`, map[string]any{"u": "JAVASCRIPT:alert(1)"}, `<a href="` + blocked + `">`},
		{"vbscript", `<a href="{{ u }}">`, map[string]any{"u": "vbscript:msgbox(1)"}, `<a href="` + blocked + `">`},
		{"data url", `<img src="{{ u }}">`, map[string]any{"u": "data:text/html,<script>"}, `<img src="` + blocked + `">`},
		{"in if", `<a href="{% if 1 %}{{ u }}{% endif %}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		{"in for", `<a href="{% for x in (1..1) %}{{ u }}{% endfor %}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		{"capture", `<a href="{% capture c %}{{ u }}{% endcapture %}{{ c }}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		{"append filter", `<a href="{{ base | append: path }}">`, map[string]any{"base": "java", "path": "script:x"}, `<a href="` + blocked + `">`},
		{"cycle", `<a href="{% cycle u, u %}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		{"raw filter", `<a href="{{ u | raw }}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		{"unquoted", `<a href={{ u }}>`, map[string]any{"u": js}, `<a href=` + blocked + `>`},
		{"srcset candidate", `<img srcset="{{ a }} 1x, {{ b }} 2x">`, map[string]any{"a": "/a.png", "b": js}, `<img srcset="` + blocked + `">`},
		{"xlink:href", `<use xlink:href="{{ u }}">`, map[string]any{"u": js}, `xlink:href="` + blocked + `"`},
		{"formaction", `<button formaction="{{ u }}">`, map[string]any{"u": js}, `formaction="` + blocked + `"`},
		{"background", `<td background="{{ u }}">`, map[string]any{"u": js}, `background="` + blocked + `"`},
		{"data-url attribute", `<div data-url="{{ u }}">`, map[string]any{"u": js}, `data-url="` + blocked + `"`},
		{"outlook conditional", `<!--[if mso]><v:roundrect href="{{ u }}"></v:roundrect><![endif]-->`, map[string]any{"u": js}, `href="` + blocked + `"`},
		{"partial in href", `<a href="{% render 'u', u: u %}">`, map[string]any{"u": js}, `<a href="` + blocked + `">`},
		// what must keep working
		{"https kept", `<a href="{{ u }}">`, map[string]any{"u": "https://a.example/p?q=1&r=2#f"}, `<a href="https://a.example/p?q=1&amp;r=2#f">`},
		{"mailto kept", `<a href="mailto:{{ e }}">`, map[string]any{"e": "a+b@x.example"}, `<a href="mailto:a+b@x.example">`},
		{"tel kept", `<a href="{{ u }}">`, map[string]any{"u": "tel:+15551234"}, `<a href="tel:+15551234">`},
		{"base and path kept", `<a href="{{ base }}{{ path }}">`, map[string]any{"base": "https://a.example", "path": "/a b"}, `<a href="https://a.example/a%20b">`},
		{"static scheme settles", `<a href="https://a.example/{{ p }}">`, map[string]any{"p": js}, `<a href="https://a.example/javascript:alert%281%29">`},
		{"relative kept", `<a href="{{ u }}?utm=1">`, map[string]any{"u": "/cart"}, `<a href="/cart?utm=1">`},
		{"query percent-encoded", `<a href="https://a.example/?q={{ q }}">`, map[string]any{"q": `a"b' <x>&c=d`}, `<a href="https://a.example/?q=a%22b%27%20%3cx%3e%26c%3dd">`},
		{"url_encode not doubled", `<a href="/r?to={{ u | url_encode }}">`, map[string]any{"u": "https://x.example/a b"}, `<a href="/r?to=https%3A%2F%2Fx.example%2Fa+b">`},
		{"srcset kept", `<img srcset="{{ a }} 1x, {{ b }} 2x">`, map[string]any{"a": "/a.png", "b": "/b.png"}, `<img srcset="/a.png 1x, /b.png 2x">`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := renderFile(t, "t.liquid", tc.body, map[string]string{"u": "{{ u }}"}, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.HTML, tc.want) {
				t.Errorf("got  %s\nwant %s", m.HTML, tc.want)
			}
			if d := dangerous(m.HTML); len(d) > 0 {
				t.Errorf("dangerous output: %v\n%s", d, m.HTML)
			}
		})
	}
}

// TestScriptStyleAndNames: data never reaches an event handler, srcdoc or <script>, is
// filtered in styles, and may add only plain attribute names and digits to element names.
func TestScriptStyleAndNames(t *testing.T) {
	tests := []struct {
		name, body string
		v          string
		want       string
		rule       string
	}{
		{"onclick", `<a onclick="track('{{ v }}')">x</a>`, "');alert(1);('", `<a onclick="track('mailmold_blocked_js')">`, "unsafe-js"},
		{"onmouseover unquoted", `<a onmouseover={{ v }}>x</a>`, "alert(1)", `<a onmouseover=mailmold_blocked_js>`, "unsafe-js"},
		{"script element", `<script>var x = "{{ v }}";</script>`, `";alert(1);"`, `var x = "mailmold_blocked_js";`, "unsafe-js"},
		{"srcdoc", `<iframe srcdoc="{{ v }}"></iframe>`, "<script>alert(1)</script>", `srcdoc="mailmold_blocked_js"`, "unsafe-js"},
		{"style url", `<p style="background: {{ v }}">x</p>`, "url(javascript:x)", `style="background: mailmold-blocked-css"`, "unsafe-css"},
		{"style moz-binding", `<p style="x: {{ v }}">x</p>`, "-moz-binding", `style="x: mailmold-blocked-css"`, "unsafe-css"},
		{"style element", `<style>p { color: {{ v }} }</style>`, "red}body{background:url(x)", `color: mailmold-blocked-css`, "unsafe-css"},
		{"style colour kept", `<p style="color: {{ v }}">x</p>`, "#336699", `style="color: #336699"`, ""},
		{"attribute name onclick", `<p {{ v }}>x</p>`, "onclick", `<p >x</p>`, "unsafe-name"},
		{"attribute name href", `<p {{ v }}>x</p>`, "href", `<p >x</p>`, "unsafe-name"},
		{"attribute name kept", `<td {{ v }}>x</td>`, "nowrap", `<td nowrap>x</td>`, ""},
		{"name prefix", `<p on{{ v }}="x">x</p>`, "click", `<p on="x">x</p>`, "unsafe-name"},
		{"element name", `<{{ v }}>x`, "script", `<>x`, "unsafe-name"},
		{"element name split", `<scr{{ v }}>x`, "ipt", `<scr>x`, "unsafe-name"},
		{"element name digits kept", `<h{{ v }}>x</h{{ v }}>`, "2", `<h2>x</h2>`, ""},
		{"unquoted attribute", `<p title={{ v }}>x</p>`, "a onmouseover=alert(1)", `<p title=a&#32;onmouseover&#61;alert(1)>`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := renderFile(t, "t.liquid", tc.body, nil, map[string]any{"v": tc.v})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.HTML, tc.want) {
				t.Errorf("got  %s\nwant %s", m.HTML, tc.want)
			}
			found := tc.rule == ""
			for _, d := range m.Diagnostics {
				if d.Rule == tc.rule && d.Line == 4 && d.Col > 1 && d.Severity == diag.SeverityWarning {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s diagnostic at 4:N: %+v", tc.rule, m.Diagnostics)
			}
		})
	}
}

// TestEscapingDialects: Liquid, Mustache, Handlebars and Mailchimp share one escaper.
func TestEscapingDialects(t *testing.T) {
	data := map[string]any{"u": "javascript:alert(1)", "base": "", "BASE": "", "q": `a"b`, "v": "x onmouseover=alert(1)"}
	tests := []struct {
		file, body, want string
	}{
		{"t.liquid", `<a href="{{ base }}{{ u }}">`, `<a href="` + blocked + `">`},
		{"t.mustache", `<a href="{{base}}{{u}}">`, `<a href="` + blocked + `">`},
		{"t.mustache", `<a href="{{{u}}}">`, `<a href="` + blocked + `">`},
		{"t.mustache", `<a href="{{#base}}x{{/base}}{{u}}">`, `<a href="` + blocked + `">`},
		{"t.mustache", `<a title="{{{q}}}">`, `<a title="a&quot;b">`},
		{"t.hbs", `<a href="{{base}}{{u}}">`, `<a href="` + blocked + `">`},
		{"t.hbs", `<a href="{{#if u}}{{u}}{{/if}}">`, `<a href="` + blocked + `">`},
		{"t.hbs", `<a onclick="{{q}}">`, `<a onclick="mailmold_blocked_js">`},
		{"t.mc.html", `<a href="*|U|*">`, `<a href="` + blocked + `">`},
		{"t.mc.html", `<a href="*|BASE|**|U|*">`, `<a href="` + blocked + `">`},
		{"t.mc.html", `<a href="*|HTML:U|*">`, `<a href="` + blocked + `">`},
		{"t.mc.html", `<p title=*|V|*>`, `<p title=x&#32;onmouseover&#61;alert(1)>`},
	}
	for _, tc := range tests {
		t.Run(tc.file+" "+tc.body, func(t *testing.T) {
			m, err := renderFile(t, tc.file, tc.body, nil, data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.HTML, tc.want) {
				t.Errorf("got  %s\nwant %s", m.HTML, tc.want)
			}
		})
	}
}

// TestEscapingRefusesAmbiguousTemplates: where the HTML context after a block cannot be known,
// or a URL value whose scheme depends on data cannot be checked whole, the template does not
// compile; the error names the position.
func TestEscapingRefusesAmbiguousTemplates(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"value closed in a branch", `<a href="{% if x %}{{ u }}">x</a>{% else %}#">y</a>{% endif %}`, "t.liquid:4:20: data decides the scheme"},
		{"branches end apart", `{% if x %}<a href="{% endif %}x">`, "t.liquid:4:1: the ways through this block end in different places"},
		{"loop body ends elsewhere", `{% for i in (1..2) %}<a title="{% endfor %}">`, "t.liquid:4:1: this loop's body starts in element content"},
		{"unclosed value", `<a href="{{ u }}`, "t.liquid:4:10: the value of href= that holds this data is not closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := renderFile(t, "t.liquid", tc.body, nil, map[string]any{"u": "x"})
			var de *diag.Error
			if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), tc.want) || de.Hint == "" {
				t.Fatalf("got %v, want %q… with a hint", err, tc.want)
			}
		})
	}
}
