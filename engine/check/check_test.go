package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/check"
	"github.com/mailmold/mailmold/engine/workspace"
)

var now = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

const segments = "segments:\n  - name: vip\n    when: lifetime_value >= 1000\n  - name: new\n    when: days_since(signup_at) <= 30\n"

var profiles = map[string]string{
	"a.json": `{"id":"a","first_name":"Ann","lifetime_value":2000,"signup_at":"2020-01-01T00:00:00Z","tier":"silver","items":[1]}`,
	"b.json": `{"id":"b","lifetime_value":10,"signup_at":"2026-11-20T00:00:00Z","tier":"bronze","items":[]}`,
}

// page wraps a body in a complete email with everything the other rules want.
func page(body string) string {
	return "---\nsubject: \"Hello\"\npreheader: \"Pre\"\n---\n<html><body>\n" + body +
		"\n<a href=\"https://x.example/unsubscribe\">Unsubscribe</a>\n</body></html>\n"
}

func workspaceWith(t *testing.T, tpl string) *workspace.Workspace {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "profiles"), 0o755)
	for n, p := range profiles {
		os.WriteFile(filepath.Join(dir, "profiles", n), []byte(p), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "segments.yaml"), []byte(segments), 0o644)
	os.WriteFile(filepath.Join(dir, "t.liquid"), []byte(tpl), 0o644)
	ws, err := workspace.Open(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestRules holds, for each rule, a template that breaks it and one that keeps it.
func TestRules(t *testing.T) {
	tests := []struct {
		rule, bad, good string
		line            int
	}{
		{"empty-branch", page(`{% if first_name %}<p>Hi {{ first_name }}</p>{% else %} {% endif %}`),
			page(`{% if first_name %}<p>Hi {{ first_name }}</p>{% else %}<p>Hi there</p>{% endif %}`), 6},
		{"empty-branch", page(`{% case tier %}{% when "silver" %}<p>S</p>{% when "bronze" %}<b></b>{% endcase %}`),
			page(`{% case tier %}{% when "silver" %}<p>S</p>{% when "bronze" %}<p>B</p>{% endcase %}`), 6},
		{"empty-branch", page(`{% segment vip %}<p>V</p>{% when new %}<br>{% else %}<p>E</p>{% endsegment %}`),
			page(`{% segment vip %}<p>V</p>{% when new %}<p>N</p>{% else %}<p>E</p>{% endsegment %}`), 6},
		{"empty-branch", page(`{% for i in items %}<p>{{ i }}</p>{% else %}<span> </span>{% endfor %}`),
			page(`{% for i in items %}<p>{{ i }}</p>{% else %}<p>No items</p>{% endfor %}`), 6},
		// only a synthesized profile (tier == "gold") reaches this branch
		{"empty-branch", page(`{% if tier == "gold" %}<td></td>{% else %}<p>x</p>{% endif %}`),
			page(`{% if tier == "gold" %}<p>Gold!</p>{% else %}<p>x</p>{% endif %}`), 6},
		{"segment-fallback", page(`{% segment vip %}<p>V</p>{% endsegment %}`),
			page(`{% segment vip %}<p>V</p>{% else %}<p>E</p>{% endsegment %}`), 6},
		{"unreached-branch", page(`{% if items.first.x.y contains tier %}<p>x</p>{% endif %}<p>y</p>`),
			page(`<p>y</p>`), 6},
		{"missing-fallback", page(`<p>Hi {{ first_name }},</p>`), page(`<p>Hi {{ first_name | default: "there" }},</p>`), 6},
		{"empty-output", page(`<h1>{{ nick | default: "" }}</h1>`), page(`<h1>{{ nick | default: "Hello" }}</h1>`), 6},
		{"links", page(`<p><a href="#">Read</a></p>`), page(`<p><a href="https://x.example/read">Read</a></p>`), 6},
		{"images", page(`<img src="https://x.example/a.png" width="10" height="10">`), page(`<img src="https://x.example/a.png" width="10" height="10" alt="A">`), 6},
		{"subject", "---\nsubject: \"" + strings.Repeat("long ", 20) + "\"\npreheader: p\n---\n<p>x</p><a href=\"https://x.example/unsubscribe\">u</a>",
			"---\nsubject: \"Short\"\npreheader: p\n---\n<p>x</p><a href=\"https://x.example/unsubscribe\">u</a>", 2},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			res := check.Workspace(context.Background(), workspaceWith(t, tc.bad), nil, check.Options{})
			found := false
			for _, d := range res.Diagnostics {
				if d.Rule == tc.rule {
					found = true
					if d.Line != tc.line {
						t.Errorf("%s reported at line %d, want %d: %s", tc.rule, d.Line, tc.line, d.Message)
					}
				}
			}
			if !found {
				t.Errorf("bad template: no %s diagnostic; got %v", tc.rule, res.Diagnostics)
			}
			res = check.Workspace(context.Background(), workspaceWith(t, tc.good), nil, check.Options{})
			for _, d := range res.Diagnostics {
				if d.Rule == tc.rule {
					t.Errorf("good template: unexpected %s: %s", tc.rule, d.Message)
				}
			}
		})
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
// a default is reported even when every sample profile has the field.
func TestSchemaOptionalFields(t *testing.T) {
	schemaJSON := `{"type":"object","required":["id","first_name"],"properties":{"id":{},"first_name":{},"nick":{},
		"address":{"type":"object","required":["city"],"properties":{"city":{}}}}}`
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`<p>Hi {{ nick }}</p>`, true},
		{`<p>Hi {{ nick | default: "there" }}</p>`, false},
		{`{% if nick %}<p>Hi {{ nick }}</p>{% else %}<p>Hi</p>{% endif %}`, false},
		{`<p>Hi {{ first_name }}</p>`, false},
		{`<p>{{ address.city }}</p>`, true},
	} {
		ws := workspaceWith(t, page(tc.body))
		os.WriteFile(filepath.Join(ws.Dir, "profile.schema.json"), []byte(schemaJSON), 0o644)
		ws, _ = workspace.Open(ws.Dir, now)
		res := check.Workspace(context.Background(), ws, nil, check.Options{})
		got := false
		for _, d := range res.Diagnostics {
			got = got || d.Rule == "missing-fallback" && strings.Contains(d.Message, "profile.schema.json")
		}
		if got != tc.want {
			t.Errorf("%s: reported=%v, want %v: %v", tc.body, got, tc.want, res.Diagnostics)
		}
	}
}
