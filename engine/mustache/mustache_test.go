package mustache_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/tree"
)

// render compiles tr and renders it with data; a "segment" key in data is the one segment
// the profile is in.
func render(t testing.TB, tr *tree.Template, data map[string]any) string {
	t.Helper()
	prog, err := pongo.Compile(tr, pongo.Options{Escape: true, MissingPartialsEmpty: true})
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

var hbsData = map[string]any{"name": "Ann", "n": 0, "items": []any{"a", "b", "c"}, "user": map[string]any{"city": "Bend"},
	"tier": "gold", "segment": "vip", "obj": map[string]any{"x": 1, "y": 2}, "empty": []any{}, "html": "<b>", "zero": 0, "url": "https://x.example/d.json"}

func TestHandlebars(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{{#if name}}Hi {{name}}{{else}}Hi there{{/if}}`, "Hi Ann"},
		{`{{#if n}}yes{{else if name}}name{{else}}no{{/if}}`, "name"},
		{`{{#if n}}yes{{else unless name}}a{{else}}b{{/if}}`, "b"},
		{`{{#if zero}}0 is true{{else}}0 is false{{/if}}|{{#if empty}}t{{^}}[] is false{{/if}}`, "0 is false|[] is false"},
		{`{{#unless n}}zero{{/unless}}`, "zero"},
		{`{{#each items}}{{@index}}{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}},{{/each}}`, "0aF,1b,2cL,"},
		{`{{#each obj}}{{@key}}={{this}};{{/each}}`, "x=1;y=2;"},
		{`{{#each empty}}x{{else}}none{{/each}}`, "none"},
		{`{{#with user}}{{city}} {{../name}} {{this.city}}{{/with}}`, "Bend Ann Bend"},
		{`{{#with nobody}}x{{else}}no one{{/with}}`, "no one"},
		// block params: the item and its index/key get names; the item is still the context
		{`{{#each items as |item i|}}{{i}}{{item}}{{this}}{{@index}},{{/each}}`, "0aa0,1bb1,2cc2,"},
		{`{{#each obj as |v k|}}{{k}}={{v}};{{/each}}`, "x=1;y=2;"},
		{`{{#each items as |it|}}{{#each ../items as |jt|}}{{it}}{{jt}} {{/each}}{{/each}}`, "aa ab ac ba bb bc ca cb cc "},
		{`{{#with user as |u|}}{{u.city}} {{city}} {{name}}{{/with}}`, "Bend Bend Ann"},
		{`{{#with nobody as |u|}}x{{else}}none{{/with}}`, "none"},
		// @root: the profile, past every context and binding
		{`{{#each items}}{{@root.name}}{{/each}} {{#with user}}{{@root.user.city}}{{/with}}`, "AnnAnnAnn Bend"},
		{`{{#with @root as |r|}}{{r.tier}}{{/with}}{{#each items as |name|}}{{@root.name}}{{/each}}`, "goldAnnAnnAnn"},
		{`{{#each items}}{{#with ../user}}{{city}}{{../../name}}{{/with}}{{/each}}`, "BendAnnBendAnnBendAnn"},
		{`{{#if (eq tier "gold")}}G{{/if}}{{#if (and name (not n))}}A{{/if}}{{#if (or n (gt 2 1))}}O{{/if}}`, "GAO"},
		{`{{#if (ne tier 'gold')}}x{{else}}ne{{/if}}{{#if (lt 1 2)}}lt{{/if}}`, "nelt"},
		{`{{default nick "there"}} {{default name "x"}}`, "there Ann"},
		{`{{html}} {{{html}}} {{& html}}`, "&lt;b&gt; <b> <b>"},
		{`{{#segment "gold"}}G{{else segment "vip"}}V{{else}}E{{/segment}}`, "V"},
		{`{{#segment "gold", "vip"}}in{{/segment}}`, "in"},
		{"a {{~ name ~}} b", "aAnnb"},
		{"a {{~{html}~}} b", "a<b>b"},
		{"<p>\n  {{~#if name~}}\n  x\n  {{~/if~}}\n</p>", "<p>x</p>"},
		{`{{!-- a {{comment}} --}}ok{{! short }}`, "ok"},
		{`\{{name}} {{name}}`, "{{name}} Ann"},
		{"{{#if name}}\n  yes\n{{/if}}\n", "  yes\n"},
		{`{{#live src="https://x.example/d.json"}}<p>{{#items}}{{.}}{{/items}}</p>{{else}}{{name}}{{/live}}`,
			`<mm-live data-src="https://x.example/d.json"><template type="amp-mustache"><p>{{#items}}{{.}}{{/items}}</p></template><mm-fallback>Ann</mm-fallback></mm-live>`},
		{`{{#live src=url}}{{!not a comment}}{{else}}f{{/live}}`,
			`<mm-live data-src="https://x.example/d.json"><template type="amp-mustache">{{!not a comment}}</template><mm-fallback>f</mm-fallback></mm-live>`},
		{`{{#items}}[{{.}}]{{/items}}{{^empty}}none{{/empty}}`, "[a][b][c]none"},
	}
	for _, tc := range tests {
		tr, err := mustache.ParseHandlebars("t.hbs", tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if got := render(t, tr, hbsData); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.src, got, tc.want)
		}
	}
}

// TestTree checks the nodes and expressions the Handlebars helpers become.
func TestTree(t *testing.T) {
	tests := []struct{ src, want string }{
		{`{{@index}}`, `Output{Var{Root:"@" Steps:[index]}}`},
		{`{{../../a.b}}`, `Output{Var{Root:"a" Depth:2 Steps:[b]}}`},
		{`{{this}}`, `Output{Var{Implicit}}`},
		{`{{default name "there"}}`, `Output{Filtered{Var{Root:"name"} | default("there")}}`},
		{`{{#if (eq a 1)}}{{/if}}`, `If{if: Filtered{Binary{== Var{Root:"a"} 1} | truthy()}}`},
		{`{{#unless a}}{{/unless}}`, `If{unless: Filtered{Var{Root:"a"} | falsy()}}`},
		{`{{#if (not a)}}{{/if}}`, `If{if: Filtered{Not{Filtered{Var{Root:"a"} | truthy()}} | truthy()}}`},
	}
	for _, tc := range tests {
		tr, err := mustache.ParseHandlebars("t.hbs", tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if got := dump(tr.Body[0]); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

func dump(n any) string {
	switch x := n.(type) {
	case *tree.Output:
		return "Output{" + dump(x.Expr) + "}"
	case *tree.If:
		return "If{" + x.Tag + ": " + dump(x.Branches[0].Cond) + "}"
	case *tree.Var:
		s := "Var{"
		if x.Implicit {
			s += "Implicit"
		} else {
			s += fmt.Sprintf("Root:%q", x.Root)
		}
		if x.Depth > 0 {
			s += fmt.Sprintf(" Depth:%d", x.Depth)
		}
		if len(x.Steps) > 0 {
			var st []string
			for _, s := range x.Steps {
				st = append(st, s.Name)
			}
			s += " Steps:[" + strings.Join(st, " ") + "]"
		}
		return s + "}"
	case *tree.Filtered:
		var args []string
		for _, a := range x.Filters[0].Args {
			args = append(args, dump(a))
		}
		return "Filtered{" + dump(x.X) + " | " + x.Filters[0].Name + "(" + strings.Join(args, ", ") + ")}"
	case *tree.Binary:
		return "Binary{" + x.Op + " " + dump(x.L) + " " + dump(x.R) + "}"
	case *tree.Not:
		return "Not{" + dump(x.X) + "}"
	case *tree.Literal:
		if s, ok := x.Value.(string); ok {
			return fmt.Sprintf("%q", s)
		}
		return fmt.Sprint(x.Value)
	}
	return fmt.Sprintf("%T", n)
}
