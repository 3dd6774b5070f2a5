package mustache_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/pongo"
)

func hbs(t *testing.T, src string, data map[string]any) string {
	t.Helper()
	tr, err := mustache.ParseHandlebars("t.hbs", src)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := pongo.Compile(tr, pongo.Options{Escape: true})
	if err != nil {
		t.Fatal(err)
	}
	st := eval.NewState(context.Background(), data)
	st.Segment = func(n string) bool { return n == data["segment"] }
	var b strings.Builder
	if err := prog.Render(st, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHandlebars(t *testing.T) {
	data := map[string]any{"name": "Ann", "n": 0, "items": []any{"a", "b", "c"}, "user": map[string]any{"city": "Bend"},
		"tier": "gold", "segment": "vip", "obj": map[string]any{"x": 1, "y": 2}, "empty": []any{}, "html": "<b>"}
	tests := []struct{ src, want string }{
		{`{{#if name}}Hi {{name}}{{else}}Hi there{{/if}}`, "Hi Ann"},
		{`{{#if n}}yes{{else if name}}name{{else}}no{{/if}}`, "name"},
		{`{{#unless n}}zero{{/unless}}`, "zero"},
		{`{{#each items}}{{@index}}{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}},{{/each}}`, "0aF,1b,2cL,"},
		{`{{#each obj}}{{@key}}={{this}};{{/each}}`, "x=1;y=2;"},
		{`{{#each empty}}x{{else}}none{{/each}}`, "none"},
		{`{{#with user}}{{city}} {{../name}}{{/with}}`, "Bend Ann"},
		{`{{#if (eq tier "gold")}}G{{/if}}{{#if (and name (not n))}}A{{/if}}{{#if (or n (gt 2 1))}}O{{/if}}`, "GAO"},
		{`{{default nick "there"}} {{default name "x"}}`, "there Ann"},
		{`{{html}} {{{html}}}`, "&lt;b&gt; <b>"},
		{`{{#segment "gold"}}G{{else segment "vip"}}V{{else}}E{{/segment}}`, "V"},
		{"a {{~ name ~}} b", "aAnnb"},
		{`{{!-- a {{comment}} --}}ok`, "ok"},
	}
	for _, tc := range tests {
		if got := hbs(t, tc.src, data); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.src, got, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		src       string
		hbs       bool
		line, col int
		msg       string
	}{
		{"a\n{{#items}}x", false, 2, 1, "section 'items' is never closed"},
		{"{{#a}}x{{/b}}", false, 1, 8, "'{{/b}}' closes section 'a'"},
		{"x\n  {{name", false, 2, 3, "unclosed tag"},
		{"{{/a}}", false, 1, 1, "closes nothing"},
		{"{{=<% %>", false, 1, 1, "unclosed tag"},
		{"{{#if a}}x{{else foo}}y{{/if}}", true, 1, 11, "unexpected '{{else foo}}'"},
		{"{{frob a b}}", true, 1, 3, "unknown helper 'frob'"},
		{"{{eq a}}", true, 1, 3, "eq takes 2 argument(s)"},
		{"{{#each}}x{{/each}}", true, 1, 8, "an expression is missing"},
	}
	for _, tc := range tests {
		parse := mustache.Parse
		if tc.hbs {
			parse = mustache.ParseHandlebars
		}
		_, err := parse("t.tpl", tc.src)
		var de *diag.Error
		if !errors.As(err, &de) || de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) {
			t.Errorf("%q: got %v, want %d:%d %s", tc.src, err, tc.line, tc.col, tc.msg)
		}
	}
}

func seeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(specDir, "*.json"))
	for _, file := range files {
		raw, _ := os.ReadFile(file)
		for _, part := range strings.Split(string(raw), `"template": "`)[1:] {
			if i := strings.Index(part, `"`); i > 0 {
				f.Add(part[:i])
			}
		}
	}
	for _, p := range []string{"../../templates/winback.mustache", "../../templates/winback.hbs"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
}

func FuzzMustache(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := mustache.Parse("f.mustache", s); err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || de.Line < 1 {
				t.Fatalf("error without position: %v", err)
			}
		}
	})
}

func FuzzHandlebars(f *testing.F) {
	seeds(f)
	f.Add(`{{#if (eq a (or b "c"))}}x{{else if d}}y{{else}}z{{/if}}{{#each l}}{{@index}}{{../x}}{{/each}}`)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := mustache.ParseHandlebars("f.hbs", s); err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || de.Line < 1 {
				t.Fatalf("error without position: %v", err)
			}
		}
	})
}
