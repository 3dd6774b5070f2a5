package check_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mailmold/mailmold/amp"
	"github.com/mailmold/mailmold/engine/check"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/htmlprod"
	"github.com/mailmold/mailmold/engine/workspace"
)

var now = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

const segments = "segments:\n  - name: vip\n    when: lifetime_value >= 1000\n  - name: new\n    when: days_since(signup_at) <= 30\n" +
	"  - name: platinum\n    when: lifetime_value >= 100000\n"

var profiles = map[string]string{
	"a.json": `{"id":"a","email":"ann@x.example","first_name":"Ann","lifetime_value":2000,"signup_at":"2020-01-01T00:00:00Z","tier":"silver","items":[1]}`,
	"b.json": `{"id":"b","email":"bo@x.example","lifetime_value":10,"signup_at":"2026-11-20T00:00:00Z","tier":"bronze","items":[]}`,
}

// page wraps a body in a complete email with everything the other rules want.
func page(body string) string {
	return "---\nsubject: \"Hello\"\npreheader: \"Pre\"\n---\n<html><body>\n" + body +
		"\n<a href=\"https://x.example/unsubscribe\">Unsubscribe</a>\n</body></html>\n"
}

// workspaceWith makes a workspace with the test profiles and segments and one template,
// t.liquid.
func workspaceWith(t *testing.T, tpl string) *workspace.Workspace {
	return workspaceFiles(t, map[string]string{"t.liquid": tpl})
}

// workspaceFiles makes a workspace with the test profiles and segments and files (a
// template named t.* in the dialect to test, partials…).
func workspaceFiles(t *testing.T, files map[string]string) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"segments.yaml": segments}
	for n, p := range profiles {
		all["profiles/"+n] = p
	}
	for n, f := range files {
		all[n] = f
	}
	for n, f := range all {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := workspace.Open(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// checkOne checks the single template file name holding src.
func checkOne(t *testing.T, name, src string) *check.Result {
	t.Helper()
	return check.Workspace(context.Background(), workspaceFiles(t, map[string]string{name: src}), nil, check.Options{})
}

// withRule returns the diagnostics of one rule.
func withRule(res *check.Result, rule string) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range res.Diagnostics {
		if d.Rule == rule {
			out = append(out, d)
		}
	}
	return out
}

// ruleCase is a template that breaks a rule and one that keeps it. The bad template's
// finding is expected at line:col, the col of at's first occurrence in the line (all on
// line 6, the first body line of page, unless line says otherwise), with every string of
// msg in its message.
type ruleCase struct {
	name, rule string
	file       string // the template's name, t.liquid when empty
	bad, good  string
	line       int
	at         string
	msg        []string
}

// run checks tc's templates.
func (tc ruleCase) run(t *testing.T) {
	t.Helper()
	file := tc.file
	if file == "" {
		file = "t.liquid"
	}
	line := tc.line
	if line == 0 {
		line = 6
	}
	col := 0
	if tc.at != "" {
		src := strings.Split(tc.bad, "\n")[line-1]
		col = utf8.RuneCountInString(src[:strings.Index(src, tc.at)]) + 1
	}
	res := checkOne(t, file, tc.bad)
	found := false
	for _, d := range withRule(res, tc.rule) {
		ok := d.Line == line && (col == 0 || d.Col == col)
		for _, m := range tc.msg {
			ok = ok && strings.Contains(d.Message, m)
		}
		found = found || ok
	}
	if !found {
		t.Errorf("bad template: no %s diagnostic at %d:%d with %q; got %v", tc.rule, line, col, tc.msg, res.Diagnostics)
	}
	res = checkOne(t, file, tc.good)
	for _, d := range withRule(res, tc.rule) {
		t.Errorf("good template: unexpected %s at %d:%d: %s", tc.rule, d.Line, d.Col, d.Message)
	}
	if tc.rule == "empty-branch" {
		for _, d := range withRule(res, "unreached-branch") {
			t.Errorf("good template: unexpected unreached-branch at %d:%d: %s", d.Line, d.Col, d.Message)
		}
	}
}

// TestRules holds, for each rule, a template that breaks it and one that keeps it.
func TestRules(t *testing.T) {
	tests := []ruleCase{
		{rule: "empty-branch", bad: page(`{% if first_name %}<p>Hi {{ first_name }}</p>{% else %} {% endif %}`),
			good: page(`{% if first_name %}<p>Hi {{ first_name }}</p>{% else %}<p>Hi there</p>{% endif %}`), at: "{% else"},
		{rule: "empty-branch", bad: page(`{% case tier %}{% when "silver" %}<p>S</p>{% when "bronze" %}<b></b>{% endcase %}`),
			good: page(`{% case tier %}{% when "silver" %}<p>S</p>{% when "bronze" %}<p>B</p>{% endcase %}`), at: `{% when "bronze"`},
		{rule: "empty-branch", bad: page(`{% segment vip %}<p>V</p>{% when new %}<br>{% else %}<p>E</p>{% endsegment %}`),
			good: page(`{% segment vip %}<p>V</p>{% when new %}<p>N</p>{% else %}<p>E</p>{% endsegment %}`), at: "{% when new"},
		{rule: "empty-branch", bad: page(`{% for i in items %}<p>{{ i }}</p>{% else %}<span> </span>{% endfor %}`),
			good: page(`{% for i in items %}<p>{{ i }}</p>{% else %}<p>No items</p>{% endfor %}`), at: "{% else"},
		// text a reader never sees is not content
		{name: "style", rule: "empty-branch", bad: page(`{% if first_name %}<style>.a{color:red}</style>{% else %}<p>x</p>{% endif %}`),
			good: page(`{% if first_name %}<style>.a{color:red}</style><p>Hi</p>{% else %}<p>x</p>{% endif %}`), at: "{% if"},
		{name: "script and comment", rule: "empty-branch", bad: page(`{% if email %}<span title="hello"></span><!-- note --><script>var a = 1;</script>{% endif %}<p>x</p>`),
			good: page(`{% if email %}<span title="hello">Hello</span><!-- note -->{% endif %}<p>x</p>`), at: "{% if"},
		{name: "head", rule: "empty-branch", bad: page(`{% if email %}<head><title>Hi</title></head>{% endif %}<p>x</p>`),
			good: page(`{% if email %}<head><title>Hi</title></head><p>Hi</p>{% endif %}<p>x</p>`), at: "{% if"},
		{rule: "segment-fallback", bad: page(`{% segment vip %}<p>V</p>{% endsegment %}`),
			good: page(`{% segment vip %}<p>V</p>{% else %}<p>E</p>{% endsegment %}`), at: "{% segment"},
		{rule: "unreached-branch", bad: page(`{% if items.first.x.y contains tier %}<p>x</p>{% endif %}<p>y</p>`),
			good: page(`<p>y</p>`), at: "{% if", msg: []string{"no profile could be synthesized"}},
		{rule: "missing-fallback", bad: page(`<p>Hi {{ first_name }},</p>`), good: page(`<p>Hi {{ first_name | default: "there" }},</p>`),
			at: "first_name", msg: []string{`profile "b"`}},
		{rule: "empty-output", bad: page(`<h1>{{ nick | default: "" }}</h1>`), good: page(`<h1>{{ nick | default: "Hello" }}</h1>`), at: "<h1>"},
		{rule: "links", bad: page(`<p><a href="#">Read</a></p>`), good: page(`<p><a href="https://x.example/read">Read</a></p>`), at: "<a"},
		{name: "no href", rule: "links", bad: page(`<p><a>Click here</a></p>`),
			good: page(`<p><a name="top"></a><a id="faq"></a><a href="https://x.example/c">Click here</a></p>`), at: "<a>", msg: []string{`"Click here" has no href`}},
		{rule: "images", bad: page(`<img src="https://x.example/a.png" width="10" height="10">`), good: page(`<img src="https://x.example/a.png" width="10" height="10" alt="A">`), at: "<img"},
		{rule: "subject", bad: "---\nsubject: \"" + strings.Repeat("long ", 20) + "\"\npreheader: p\n---\n<p>x</p><a href=\"https://x.example/unsubscribe\">u</a>",
			good: "---\nsubject: \"Short\"\npreheader: p\n---\n<p>x</p><a href=\"https://x.example/unsubscribe\">u</a>", line: 2},
		{name: "warning", rule: "size", bad: page(filler(htmlprod.WarnBytes + 2048)), good: page(filler(htmlprod.WarnBytes - 8192)),
			line: 1, msg: []string{"close to Gmail's 102 KB limit"}},
		{name: "error", rule: "size", bad: page(filler(htmlprod.ClipBytes + 2048)), good: page(filler(htmlprod.WarnBytes - 8192)),
			line: 1, msg: []string{"over Gmail's 102 KB limit"}},
		// a form cannot be converted to AMP for Email: the AMP part is left out
		{rule: "amp-invalid", bad: page(`<form action="https://x.example/s"><input name="q"></form><p>x</p>`),
			good: page(`<p><a href="https://x.example/s">Search</a></p>`), at: "<form", msg: []string{"<form>"}},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSpace(tc.rule+" "+tc.name), tc.run)
	}
}

// TestSynthesis: empty branches no sample profile reaches are found through a profile
// synthesized for the branch's condition, the earlier branches' conditions false; the
// message names the values it set. Sample a is silver, in segment vip, with first_name and
// items; b is bronze, in segment new, without them; neither is platinum nor has tags, nick,
// vip_code.
func TestSynthesis(t *testing.T) {
	tests := []ruleCase{
		{name: "elsif", bad: page(`{% if tier == "silver" %}<p>S</p>{% elsif first_name %}<b> </b>{% else %}<p>E</p>{% endif %}`),
			good: page(`{% if tier == "silver" %}<p>S</p>{% elsif first_name %}<p>Hi</p>{% else %}<p>E</p>{% endif %}`),
			at:   "{% elsif", msg: []string{`profile "a" with tier = "bronze" (as in "b")`}},
		{name: "else of if", bad: page(`{% if items.size > 0 or tier == "bronze" %}<p>x</p>{% else %} {% endif %}`),
			good: page(`{% if items.size > 0 or tier == "bronze" %}<p>x</p>{% else %}<p>Browse</p>{% endif %}`),
			at:   "{% else", msg: []string{`items = [] (as in "b")`}},
		{name: "else of case", bad: page(`{% case tier %}{% when "silver" %}<p>S</p>{% when "bronze", "iron" %}<p>B</p>{% else %}<span> </span>{% endcase %}`),
			good: page(`{% case tier %}{% when "silver" %}<p>S</p>{% when "bronze", "iron" %}<p>B</p>{% else %}<p>Hi</p>{% endcase %}`),
			at:   "{% else", msg: []string{`tier = "silver-other"`}},
		{name: "else of unless", bad: page(`{% unless tier == "gold" %}<p>Hi</p>{% else %} {% endunless %}`),
			good: page(`{% unless tier == "gold" %}<p>Hi</p>{% else %}<p>Gold</p>{% endunless %}`),
			at:   "{% else", msg: []string{`tier = "gold"`}},
		{name: "comparison", bad: page(`{% if lifetime_value > 5000 %}<td></td>{% else %}<p>x</p>{% endif %}`),
			good: page(`{% if lifetime_value > 5000 %}<p>Thanks!</p>{% else %}<p>x</p>{% endif %}`),
			at:   "{% if", msg: []string{`lifetime_value = 5001`}},
		{name: "contains", bad: page(`{% if tags contains "vip" %} {% endif %}<p>x</p>`),
			good: page(`{% if tags contains "vip" %}<p>VIP</p>{% endif %}<p>x</p>`),
			at:   "{% if", msg: []string{`tags = ["vip"]`}},
		{name: "nested", bad: page(`{% if tier == "gold" %}<p>G</p>{% if first_name %}<i></i>{% endif %}{% endif %}`),
			good: page(`{% if tier == "gold" %}<p>G</p>{% if first_name %}<p>Hi</p>{% endif %}{% endif %}`),
			at:   "{% if first_name", msg: []string{`tier = "gold"`}},
		{name: "nested field", bad: page(`{% if address %}<p>A</p>{% if address.city == "Oslo" %}<b></b>{% endif %}{% endif %}`),
			good: page(`{% if address %}<p>A</p>{% if address.city == "Oslo" %}<p>Hei!</p>{% endif %}{% endif %}`),
			at:   "{% if address.city", msg: []string{`address.city = "Oslo"`}},
		// a loop item's condition is read on the collection's first item
		{name: "loop item", bad: page(`{% for r in recs %}<p>{{ r.name }}</p>{% if r.price %}<b>{{ r.price }}</b>{% else %} {% endif %}{% endfor %}`),
			good: page(`{% for r in recs %}<p>{{ r.name }}</p>{% if r.price %}<b>{{ r.price }}</b>{% else %}<b>Sold out</b>{% endif %}{% endfor %}`),
			at:   "{% else", msg: []string{`recs = ["sample"]`}},
		{name: "loop item field", bad: page(`{% for r in recs %}<p>x</p>{% if r.price > 100 %}<b></b>{% endif %}{% endfor %}`),
			good: page(`{% for r in recs %}<p>x</p>{% if r.price > 100 %}<b>Free shipping</b>{% endif %}{% endfor %}`),
			at:   "{% if", msg: []string{`recs = [{"price"=>101}]`}},
		// a name assigned once is read through its value
		{name: "assigned", bad: page(`{% assign left = 5000 | minus: lifetime_value %}{% if left > 0 %}<p>Almost</p>{% else %}<i></i>{% endif %}`),
			good: page(`{% assign left = 5000 | minus: lifetime_value %}{% if left > 0 %}<p>Almost</p>{% else %}<p>Gold</p>{% endif %}`),
			at:   "{% else", msg: []string{`lifetime_value = 5000`}},
		{name: "segments map", bad: page(`{% if segments.platinum %}<p> </p>{% else %}<p>E</p>{% endif %}`),
			good: page(`{% if segments.platinum %}<p>P</p>{% else %}<p>E</p>{% endif %}`),
			at:   "{% if", msg: []string{`segment = "platinum"`}},
		{name: "segment name", bad: page(`{% if segment == "platinum" %}<p> </p>{% endif %}<p>E</p>`),
			good: page(`{% if segment == "platinum" %}<p>P</p>{% endif %}<p>E</p>`),
			at:   "{% if", msg: []string{`segment = "platinum"`}},
		{name: "segment block", bad: page(`{% segment platinum %}<p> </p>{% else %}<p>E</p>{% endsegment %}`),
			good: page(`{% segment platinum %}<p>P</p>{% else %}<p>E</p>{% endsegment %}`),
			at:   "{% segment", msg: []string{`segment = "platinum"`}},
		// both samples are in a segment: only a profile in none reaches the else
		{name: "segment else", bad: page(`{% segment vip, new %}<p>V</p>{% else %} {% endsegment %}`),
			good: page(`{% segment vip, new %}<p>V</p>{% else %}<p>E</p>{% endsegment %}`),
			at:   "{% else", msg: []string{"an empty profile"}},
		{name: "unless segment", bad: page(`{% unless segments.vip or segments.new %}<br>{% endunless %}<p>x</p>`),
			good: page(`{% unless segments.vip or segments.new %}<p>Hi</p>{% endunless %}<p>x</p>`),
			at:   "{% unless", msg: []string{"an empty profile"}},
		{name: "handlebars unless", file: "t.hbs", bad: page(`{{#unless email}} {{/unless}}<p>x</p>`),
			good: page(`{{#unless email}}<p>Add your email</p>{{/unless}}<p>x</p>`),
			at:   "{{#unless", msg: []string{`email = <missing>`}},
		{name: "handlebars else if", file: "t.hbs", bad: page(`{{#if first_name}}<p>Hi</p>{{else if nick}} {{else}}<p>x</p>{{/if}}`),
			good: page(`{{#if first_name}}<p>Hi</p>{{else if nick}}<p>Yo</p>{{else}}<p>x</p>{{/if}}`),
			at:   "{{else if", msg: []string{`nick = "sample"`}},
		{name: "handlebars eq", file: "t.hbs", bad: page(`{{#if (eq tier "gold")}} {{else}}<p>x</p>{{/if}}`),
			good: page(`{{#if (eq tier "gold")}}<p>Gold</p>{{else}}<p>x</p>{{/if}}`),
			at:   "{{#if", msg: []string{`tier = "gold"`}},
		{name: "handlebars each", file: "t.hbs", bad: page(`{{#each tags}}<i></i>{{/each}}<p>x</p>`),
			good: page(`{{#each tags}}<p>{{this}}</p>{{/each}}<p>x</p>`),
			at:   "{{#each", msg: []string{`tags = ["sample"]`}},
		{name: "handlebars segment", file: "t.hbs", bad: page(`{{#segment "platinum"}} {{else}}<p>N</p>{{/segment}}`),
			good: page(`{{#segment "platinum"}}<p>P</p>{{else}}<p>N</p>{{/segment}}`),
			at:   "{{#segment", msg: []string{`segment = "platinum"`}},
		{name: "mustache inverted", file: "t.mustache", bad: page(`{{^email}} {{/email}}<p>x</p>`),
			good: page(`{{^email}}<p>Add your email</p>{{/email}}<p>x</p>`),
			at:   "{{^email", msg: []string{`email = <missing>`}},
		{name: "mustache section", file: "t.mustache", bad: page(`{{#vip_code}} {{/vip_code}}<p>x</p>`),
			good: page(`{{#vip_code}}<p>Code {{vip_code}}</p>{{/vip_code}}<p>x</p>`),
			at:   "{{#vip_code", msg: []string{`vip_code = "sample"`}},
		{name: "mustache segments", file: "t.mustache", bad: page(`{{#segments.platinum}} {{/segments.platinum}}<p>x</p>`),
			good: page(`{{#segments.platinum}}<p>P</p>{{/segments.platinum}}<p>x</p>`),
			at:   "{{#segments", msg: []string{`segment = "platinum"`}},
		{name: "mailchimp if", file: "t.mc.html", bad: page(`*|IF:VIP_CODE|* *|ELSE:|*<p>x</p>*|END:IF|*`),
			good: page(`*|IF:VIP_CODE|*<p>Code *|VIP_CODE|*</p>*|ELSE:|*<p>x</p>*|END:IF|*`),
			at:   "*|IF", msg: []string{`vip_code = "sample"`}},
		{name: "mailchimp ifnot", file: "t.mc.html", bad: page(`*|IFNOT:EMAIL|* *|END:IF|*<p>x</p>`),
			good: page(`*|IFNOT:EMAIL|*<p>Add your email</p>*|END:IF|*<p>x</p>`),
			at:   "*|IFNOT", msg: []string{`email = ""`}},
		{name: "mailchimp elseif", file: "t.mc.html", bad: page(`*|IF:TIER = 'silver'|*<p>S</p>*|ELSEIF:TIER = 'gold'|*<b></b>*|ELSE:|*<p>x</p>*|END:IF|*`),
			good: page(`*|IF:TIER = 'silver'|*<p>S</p>*|ELSEIF:TIER = 'gold'|*<p>G</p>*|ELSE:|*<p>x</p>*|END:IF|*`),
			at:   "*|ELSEIF", msg: []string{`tier = "gold"`}},
		{name: "mailchimp segment", file: "t.mc.html", bad: page(`*|IF:SEGMENT = 'platinum'|* *|END:IF|*<p>x</p>`),
			good: page(`*|IF:SEGMENT = 'platinum'|*<p>P</p>*|END:IF|*<p>x</p>`),
			at:   "*|IF", msg: []string{`segment = "platinum"`}},
	}
	for _, tc := range tests {
		tc.rule = "empty-branch"
		tc.msg = append(tc.msg, "synthesized")
		t.Run(tc.name, tc.run)
	}
}

// TestPositions: an element a rule reports is located at its own start tag in the source,
// not at the first tag of its kind (loops, conditionals and repeated tags included).
func TestPositions(t *testing.T) {
	tests := []ruleCase{
		{name: "second heading", rule: "empty-output", bad: page("<h1>Welcome</h1>\n<p>t</p>\n<h1>{{ nick | default: \"\" }}</h1>"),
			good: page("<h1>Welcome</h1>\n<p>t</p>\n<h1>{{ nick | default: \"Hello\" }}</h1>"), line: 8, at: "<h1>"},
		{name: "blank dynamic href", rule: "links", bad: page(`<p><a href="https://x.example/a">A</a> <a href="{{ url | default: "" }}">dyn</a></p>`),
			good: page(`<p><a href="https://x.example/a">A</a> <a href="{{ url | default: "https://x.example/" }}">dyn</a></p>`), at: `<a href="{{`},
		{name: "after a loop", rule: "links", bad: page(`{% for i in items %}<a href="https://x.example/{{ i }}">{{ i }}</a>{% endfor %}<p><a href="#">top</a></p>`),
			good: page(`{% for i in items %}<a href="https://x.example/{{ i }}">{{ i }}</a>{% endfor %}<p><a href="https://x.example/">top</a></p>`), at: `<a href="#"`},
		{name: "in a branch", rule: "links", bad: page("<p><a href=\"https://x.example/a\">A</a></p>\n{% if first_name %}\n  <p><a href=\"javascript:go()\">B</a></p>\n{% endif %}"),
			good: page("<p><a href=\"https://x.example/a\">A</a></p>\n{% if first_name %}\n  <p><a href=\"https://x.example/b\">B</a></p>\n{% endif %}"), line: 8, at: "<a"},
		{name: "title", rule: "empty-output", bad: "---\nsubject: Hi\npreheader: P\n---\n<html><head><title>{{ x | default: \"\" }}</title></head><body>\n<p>x</p><a href=\"https://x.example/unsubscribe\">u</a></body></html>",
			good: "---\nsubject: Hi\npreheader: P\n---\n<html><head><title>{{ x | default: \"Hi\" }}</title></head><body>\n<p>x</p><a href=\"https://x.example/unsubscribe\">u</a></body></html>", line: 5, at: "<title>"},
		{name: "handlebars", rule: "empty-output", file: "t.hbs", bad: page(`<h2>Title</h2>{{#if first_name}}<h2>{{default nick ""}}</h2>{{/if}}`),
			good: page(`<h2>Title</h2>{{#if first_name}}<h2>{{default nick "Hi"}}</h2>{{/if}}`), at: "<h2>{{"},
		{name: "mustache", rule: "images", file: "t.mustache", bad: page(`<img src="https://x.example/a.png" alt="A" width="1" height="1"><img src="https://x.example/b.png" width="1" height="1">`),
			good: page(`<img src="https://x.example/a.png" alt="A" width="1" height="1"><img src="https://x.example/b.png" alt="B" width="1" height="1">`), at: `<img src="https://x.example/b`},
		{name: "mailchimp", rule: "links", file: "t.mc.html", bad: page(`<a href="https://x.example/">ok</a> <a href="ftp://x.example/f">f</a>`),
			good: page(`<a href="https://x.example/">ok</a> <a href="https://x.example/f">f</a>`), at: `<a href="ftp`},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// TestPositionInPartial: an element from a partial is reported in the partial's file.
func TestPositionInPartial(t *testing.T) {
	ws := workspaceFiles(t, map[string]string{
		"t.liquid": "---\nsubject: Hi\npreheader: P\n---\n<html><body>\n<p><a href=\"#\">Top</a></p>{% include \"footer\" %}\n</body></html>\n",
		"partials/footer.liquid": "<p>Questions?</p>\n<p><a href=\"https://x.example/help\">Help</a> <a href=\"#\">Back</a></p>\n" +
			"<p><a href=\"{{ unsubscribe_url | default: 'https://x.example/u' }}\">Unsubscribe</a></p>\n",
	})
	res := check.Workspace(context.Background(), ws, nil, check.Options{})
	var got []string
	for _, d := range withRule(res, "links") {
		got = append(got, fmt.Sprintf("%s:%d:%d", filepath.Base(d.File), d.Line, d.Col))
		if res.Sources[d.File] == "" {
			t.Errorf("no source for %s, for its code frame", d.File)
		}
	}
	// the footer's unsubscribe link counts
	want := []string{"footer.liquid:2:46", "t.liquid:6:4"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("links at %v, want %v", got, want)
	}
}

// filler is HTML text of about n bytes once rendered and minified.
func filler(n int) string {
	const p = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p>\n"
	return strings.Repeat(p, n/(len(p)-1)+1)
}

// TestSizeSeverity: the size rule warns from 80 KB and is an error over 102 KB.
func TestSizeSeverity(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{htmlprod.WarnBytes - 8192, ""}, {htmlprod.WarnBytes + 2048, diag.SeverityWarning}, {htmlprod.ClipBytes + 2048, diag.SeverityError}} {
		got := ""
		for _, d := range withRule(checkOne(t, "t.liquid", page(filler(tc.n))), "size") {
			got = d.Severity
		}
		if got != tc.want {
			t.Errorf("%d bytes: size severity %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestAMPValidator: amp-invalid reports what the AMP validator says of the AMP outputs, per
// profile; with MAILMOLD_AMP_VALIDATOR set, the official validator passes a clean template.
func TestAMPValidator(t *testing.T) {
	ws := workspaceWith(t, page(`<p>Hello</p>`))
	calls := 0
	fake := func(_ context.Context, docs []string) ([][]string, error) {
		calls++
		out := make([][]string, len(docs))
		for i, d := range docs {
			if !strings.Contains(d, "⚡4email") && !strings.Contains(d, "amp4email") {
				t.Errorf("doc %d is not an AMP email: %.80s", i, d)
			}
			out[i] = []string{"1:1: The tag 'x' is disallowed. (DISALLOWED_TAG)"}
		}
		return out, nil
	}
	res := check.Workspace(context.Background(), ws, nil, check.Options{Validate: fake})
	got := withRule(res, "amp-invalid")
	if calls != 1 || len(got) != 1 || got[0].Severity != diag.SeverityError || !strings.Contains(got[0].Message, "DISALLOWED_TAG") ||
		!strings.Contains(got[0].Message, `profiles "a" and "b"`) {
		t.Errorf("fake validator: %d calls, amp-invalid %v", calls, got)
	}
	if os.Getenv("MAILMOLD_AMP_VALIDATOR") == "" {
		t.Skip("MAILMOLD_AMP_VALIDATOR is not set: the official validator is not run")
	}
	v, err := amp.FindValidator()
	if err != nil {
		t.Fatal(err)
	}
	validate := func(ctx context.Context, docs []string) ([][]string, error) {
		reports, err := v.Validate(ctx, docs...)
		out := make([][]string, len(reports))
		for i, r := range reports {
			if !r.Pass {
				out[i] = append([]string{"invalid AMP"}, r.Errors...)
			}
		}
		return out, err
	}
	res = check.Workspace(context.Background(), ws, nil, check.Options{Validate: validate})
	for _, d := range res.Diagnostics {
		t.Errorf("official validator on a clean template: %s", d.Message)
	}
}

func TestSyntaxError(t *testing.T) {
	res := check.Workspace(context.Background(), workspaceWith(t, page(`{% if x %}`)), nil, check.Options{})
	if res.Errors() != 1 || res.Diagnostics[0].Line != 6 {
		t.Errorf("got %v", res.Diagnostics)
	}
}

// TestBundledWorkspaceIsClean checks the bundled example workspace has no error or warning.
func TestBundledWorkspaceIsClean(t *testing.T) {
	ws, err := workspace.Open("", now)
	if err != nil {
		t.Fatal(err)
	}
	res := check.Workspace(context.Background(), ws, nil, check.Options{})
	for _, d := range res.Diagnostics {
		t.Errorf("%s:%d:%d: %s: %s [%s]", d.File, d.Line, d.Col, d.Severity, d.Message, d.Rule)
	}
}

// BenchmarkCheckBundled measures a full check of the bundled workspace (without the external
// AMP validator process).
func BenchmarkCheckBundled(b *testing.B) {
	ws, err := workspace.Open("", now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		check.Workspace(context.Background(), ws, nil, check.Options{})
	}
}

// TestSchemaOptionalFields: with profile.schema.json, an output of an optional field without
// a default is reported even when every sample profile has the field, filters or not.
func TestSchemaOptionalFields(t *testing.T) {
	schemaJSON := `{"type":"object","required":["id","first_name"],"properties":{"id":{},"first_name":{},"nick":{},
		"address":{"type":"object","required":["city"],"properties":{"city":{}}}}}`
	for _, tc := range []struct {
		file, body string
		want       bool
	}{
		{"t.liquid", `<p>Hi {{ nick }}</p>`, true},
		{"t.liquid", `<p>Hi {{ nick | default: "there" }}</p>`, false},
		{"t.liquid", `{% if nick %}<p>Hi {{ nick }}</p>{% else %}<p>Hi</p>{% endif %}`, false},
		{"t.liquid", `<p>Hi {{ first_name }}</p>`, false},
		{"t.liquid", `<p>{{ address.city }}</p>`, true},
		{"t.liquid", `<p>{{ address.city | upcase }}</p>`, true},
		{"t.liquid", `<p>{{ nick | strip | upcase }}</p>`, true},
		{"t.liquid", `<p>{{ nick | upcase | default: "THERE" }}</p>`, false},
		{"t.liquid", `<p>{{ nick | default: "there" | upcase }}</p>`, false},
		{"t.liquid", `{% unless nick %}<p>{{ nick | upcase }}</p>{% endunless %}`, true},
		{"t.hbs", `<p>Hi {{nick}}</p>`, true},
		{"t.hbs", `<p>Hi {{default nick "there"}}</p>`, false},
		{"t.hbs", `{{#if nick}}<p>Hi {{nick}}</p>{{/if}}`, false},
		{"t.hbs", `{{#unless nick}}<p>Hi {{nick}}</p>{{/unless}}`, true},
		{"t.mustache", `<p>Hi {{nick}}</p>`, true},
		{"t.mustache", `{{#nick}}<p>Hi {{nick}}</p>{{/nick}}`, false},
		{"t.mustache", `{{^nick}}<p>Hi {{nick}}</p>{{/nick}}`, true},
		{"t.mc.html", `<p>Hi *|NICK|*</p>`, true},
		{"t.mc.html", `*|IF:NICK|*<p>Hi *|NICK|*</p>*|END:IF|*`, false},
		{"t.mc.html", `*|IFNOT:NICK|*<p>Hi *|NICK|*</p>*|END:IF|*`, true},
	} {
		ws := workspaceFiles(t, map[string]string{tc.file: page(tc.body), "profile.schema.json": schemaJSON})
		res := check.Workspace(context.Background(), ws, nil, check.Options{})
		got := false
		for _, d := range withRule(res, "missing-fallback") {
			got = got || strings.Contains(d.Message, "profile.schema.json")
		}
		if got != tc.want {
			t.Errorf("%s %s: reported=%v, want %v: %v", tc.file, tc.body, got, tc.want, res.Diagnostics)
		}
	}
}

// TestDialectHints: hints are written in the template's own dialect.
func TestDialectHints(t *testing.T) {
	for _, tc := range []struct {
		file, body, rule, want string
	}{
		{"t.liquid", `<p>Hi {{ nick }}</p>`, "missing-fallback", `{{ nick | default: "…" }}`},
		{"t.hbs", `<p>Hi {{nick}}</p>`, "missing-fallback", `{{default nick "…"}}`},
		{"t.mustache", `<p>Hi {{nick}}</p>`, "missing-fallback", `{{#nick}}…{{/nick}} and add {{^nick}}a fallback{{/nick}}`},
		{"t.mc.html", `<p>Hi *|FNAME|*</p>`, "missing-fallback", `*|IF:FNAME|*…*|FNAME|*…*|ELSE:|*a fallback*|END:IF|*`},
		{"t.liquid", `{% segment vip %}<p>V</p>{% endsegment %}`, "segment-fallback", `{% else %}`},
		{"t.hbs", `{{#segment "vip"}}<p>V</p>{{/segment}}`, "segment-fallback", `{{else}}`},
		{"t.hbs", `<p>{{address.city}}</p>`, "schema", `{{default address.city "…"}} or wrap it in {{#if address.city}}`},
		{"t.mc.html", `<p>*|NICK|*</p>`, "schema", `*|IF:NICK|*`},
	} {
		files := map[string]string{tc.file: page(tc.body)}
		rule := tc.rule
		if rule == "schema" {
			files["profile.schema.json"] = `{"properties":{"nick":{},"address":{"properties":{"city":{}}}}}`
			rule = "missing-fallback"
		}
		seen := 0
		for _, d := range withRule(check.Workspace(context.Background(), workspaceFiles(t, files), nil, check.Options{}), rule) {
			if tc.rule == "schema" && !strings.Contains(d.Message, "profile.schema.json") {
				continue
			}
			seen++
			if !strings.Contains(d.Hint, tc.want) {
				t.Errorf("%s %s: hint %q, want it to hold %q", tc.file, tc.body, d.Hint, tc.want)
			}
		}
		if seen == 0 {
			t.Errorf("%s %s: no %s", tc.file, tc.body, tc.rule)
		}
	}
}

// TestCollapse: a finding repeated for several profiles is reported once, naming them; the
// profile field keeps the first.
func TestCollapse(t *testing.T) {
	res := checkOne(t, "t.liquid", page(`<p>Hi {{ nick }}</p><h2>{{ first_name }}</h2>`))
	mf := withRule(res, "missing-fallback")
	if len(mf) != 2 {
		t.Fatalf("missing-fallback: %v", mf)
	}
	if !strings.Contains(mf[0].Message, `'nick' is missing from profiles "a" and "b" and`) || mf[0].Profile != "a" {
		t.Errorf("collapsed: %+v", mf[0])
	}
	if !strings.Contains(mf[1].Message, `profile "b"`) || mf[1].Profile != "b" {
		t.Errorf("one profile: %+v", mf[1])
	}
	if eo := withRule(res, "empty-output"); len(eo) != 1 || eo[0].Profile != "b" {
		t.Errorf("empty-output: %v", eo)
	}
}

// TestSARIFRuleDescriptions: every rule in a SARIF log has a short description, the rules of
// the AMP transform included.
func TestSARIFRuleDescriptions(t *testing.T) {
	res := checkOne(t, "t.liquid", page(`<form action="https://x.example/s"><input name="q"></form><script>var a;</script>`+
		`<p style="position:fixed" onclick="x()"><a href="//x.example/">p</a><img src="http://x.example/i.png" alt="i"></p>`))
	res.Diagnostics = append(res.Diagnostics, diag.Diagnostic{File: "t.liquid", Line: 1, Col: 1, Rule: "amp-new-rule", Severity: "warning"})
	log := check.SARIF(res, "test")
	rules := log["runs"].([]map[string]any)[0]["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]map[string]any)
	amps := 0
	for _, r := range rules {
		id := r["id"].(string)
		if strings.HasPrefix(id, "amp-") {
			amps++
		}
		if text := r["shortDescription"].(map[string]any)["text"].(string); text == "" {
			t.Errorf("rule %s has no short description", id)
		}
	}
	if amps < 5 {
		t.Errorf("only %d amp-* rules in %v", amps, rules)
	}
}
