package mustache_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/tree"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		src       string
		hbs       bool
		line, col int
		msg       string
	}{
		// Mustache
		{"a\n{{#items}}x", false, 2, 1, "section 'items' is never closed"},
		{"{{#a}}x{{/b}}", false, 1, 8, "'{{/b}}' closes section 'a' opened on line 1"},
		{"x\n  {{name", false, 2, 3, "unclosed tag '{{'"},
		{"é {{{name}}", false, 1, 3, "unclosed tag '{{{'"},
		{"{{/a}}", false, 1, 1, "closes nothing"},
		{"{{=<% %>", false, 1, 1, "unclosed tag"},
		{"{{=<% %>=}}<%name", false, 1, 12, "unclosed tag '<%': no matching '%>'"},
		{"{{=<%=}}", false, 1, 1, "two delimiters"},
		{"a {{ }}", false, 1, 3, "empty tag"},
		{"{{a..b}}", false, 1, 3, "invalid name 'a..b'"},
		{"{{>}}", false, 1, 1, "a partial tag needs a name"},
		{"{{$a}}x", false, 1, 1, "section 'a' is never closed"},
		{"{{<p}}{{/p}}", false, 1, 1, "template inheritance needs the partials"},
		{"{{<p}}x", false, 1, 1, "parent 'p' is never closed"},
		{"{{#a}}\n{{/a}}\n{{/a}}", false, 3, 1, "closes nothing"},
		// Handlebars
		{"{{#if a}}x{{else foo}}y{{/if}}", true, 1, 11, "unexpected '{{else foo}}'"},
		{"{{#if a}}x{{else}}y{{else}}z{{/if}}", true, 1, 20, "nothing may follow the {{else}}"},
		{"{{else}}", true, 1, 1, "'{{else}}' outside a block"},
		{"{{#each items as |a b c|}}x{{/each}}", true, 1, 15, "each takes one or two block parameters, not 3"},
		{"{{#with u as |a b|}}x{{/with}}", true, 1, 11, "with takes one block parameter, not 2"},
		{"{{#each items as |a}}x{{/each}}", true, 1, 15, "block parameters are not closed"},
		{"{{#each items as |1x|}}x{{/each}}", true, 1, 15, "invalid block parameter '1x'"},
		{"{{@root.}}", true, 1, 3, "invalid name '@root.'"},
		{"{{#each a}}x{{else if b}}{{/each}}", true, 1, 13, "unexpected '{{else if b}}' in each"},
		{"{{#a}}x{{else}}y{{/a}}", true, 1, 8, "only valid inside if, unless, each"},
		{"{{frob a b}}", true, 1, 3, "unknown helper 'frob'"},
		{"{{eq a}}", true, 1, 3, "eq takes 2 argument(s), got 1"},
		{"{{and a}}", true, 1, 3, "and takes at least 2 arguments"},
		{"{{#each}}x{{/each}}", true, 1, 8, "an expression is missing"},
		{`{{#if (eq a "b}}x{{/if}}`, true, 1, 13, "unclosed string"},
		{"{{#if (eq a b}}x{{/if}}", true, 1, 7, "unclosed '('"},
		{"{{#if a)}}x{{/if}}", true, 1, 8, "unexpected ')'"},
		{"{{#if ()}}x{{/if}}", true, 1, 7, "empty subexpression"},
		{"{{!-- x", true, 1, 1, "unclosed comment"},
		{"x\n{{#segment}}a{{/segment}}", true, 2, 1, "a segment block needs a segment name"},
		{`{{#segment (eq a b)}}a{{/segment}}`, true, 1, 12, "segment names are plain names"},
		{`{{#segment "a"}}x{{else}}y{{else segment "b"}}{{/segment}}`, true, 1, 27, "nothing may follow"},
		{`{{#segment "a"}}x{{else foo}}{{/segment}}`, true, 1, 18, "unexpected '{{else foo}}' in a segment block"},
		{"{{#live}}x{{else}}y{{/live}}", true, 1, 1, "a live block needs a source URL"},
		{`{{#live src="u"}}x{{/live}}`, true, 1, 1, "a live block needs {{else}}"},
		{`{{#live src="u"}}x{{else}}y{{else}}z{{/live}}`, true, 1, 28, "a live block has one {{else}}"},
		{"{{> p a=b}}", true, 1, 6, "partial arguments"},
		{"{{<p}}{{/p}}", true, 1, 1, "not Handlebars"},
		{"{{#with a}}x{{/each}}", true, 1, 13, "'{{/each}}' closes section 'with'"},
	}
	for _, tc := range tests {
		parse := mustache.Parse
		if tc.hbs {
			parse = mustache.ParseHandlebars
		}
		_, err := parse("t.tpl", tc.src)
		var de *diag.Error
		if !errors.As(err, &de) || de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) || de.File != "t.tpl" {
			t.Errorf("%q: got %v, want t.tpl:%d:%d: …%s…", tc.src, err, tc.line, tc.col, tc.msg)
		}
	}
}

// TestInheritanceErrors checks errors of parent expansion: they point into the file where
// they are, the parent's own file for a parse error in it.
func TestInheritanceErrors(t *testing.T) {
	partials := map[string]string{
		"self":   "{{<self}}{{/self}}",
		"broken": "ok\n{{#x}}",
		"wide":   strings.Repeat("{{<wider}}{{/wider}}", 50),
		"wider":  strings.Repeat("{{<leaf}}{{/leaf}}", 50),
		"leaf":   "x",
	}
	load := func(name string) (string, string, error) {
		if src, ok := partials[name]; ok {
			return name + ".mustache", src, nil
		}
		return "", "", fmt.Errorf("no partial %q", name)
	}
	tests := []struct {
		src       string
		file      string
		line, col int
		msg       string
	}{
		{"x\n {{<nope}}{{/nope}}", "t.mustache", 2, 2, `parent 'nope': no partial "nope"`},
		{"{{<broken}}{{/broken}}", "broken.mustache", 2, 1, "section 'x' is never closed"},
		{"{{<self}}{{/self}}", "self.mustache", 1, 1, "parents nest more than 32 deep"},
		{"{{<wide}}{{/wide}}", "wider.mustache", 1, 163, "more than 2000 parent expansions"},
		{"{{<broken}}{{$a}}{{/b}}{{/broken}}", "t.mustache", 1, 18, "'{{/b}}' closes section 'a'"},
	}
	for _, tc := range tests {
		_, err := mustache.ParseWith("t.mustache", tc.src, mustache.Options{Partial: load})
		var de *diag.Error
		if !errors.As(err, &de) || de.File != tc.file || de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) {
			t.Errorf("%q: got %v, want %s:%d:%d: …%s…", tc.src, err, tc.file, tc.line, tc.col, tc.msg)
		}
	}
}

// TestPositions checks that nodes and expressions carry their line and column (in
// characters) in the user's file, and that expanded parents take the parent tag's position.
func TestPositions(t *testing.T) {
	src := "héllo\n  {{name}} {{#if (eq a.b 1)}}x{{/if}}\n{{<p}}{{/p}}"
	tr, err := mustache.ParseWith("t.mustache", strings.Replace(src, "{{#if (eq a.b 1)}}x{{/if}}", "{{#a.b}}x{{/a.b}}", 1),
		mustache.Options{Partial: func(string) (string, string, error) { return "p", "\n\n{{v}}", nil }})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tree.Walk(tr.Body, func(n tree.Node) bool {
		p := n.Position()
		s := fmt.Sprintf("%T@%d:%d", n, p.Line, p.Col)
		switch x := n.(type) {
		case *tree.Output:
			s += fmt.Sprintf(" expr@%d:%d", x.Expr.Position().Line, x.Expr.Position().Col)
		case *tree.Section:
			s += fmt.Sprintf(" expr@%d:%d", x.Expr.Position().Line, x.Expr.Position().Col)
		}
		got = append(got, s)
		return true
	})
	want := []string{"*tree.Text@1:1", "*tree.Output@2:3 expr@2:5", "*tree.Text@2:11", "*tree.Section@2:12 expr@2:15",
		"*tree.Text@2:20", "*tree.Text@2:29", "*tree.Block@3:1", "*tree.Text@3:1", "*tree.Output@3:1 expr@3:1"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("mustache positions:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
	tr, err = mustache.ParseHandlebars("t.hbs", strings.Split(src, "{{<p}}")[0])
	if err != nil {
		t.Fatal(err)
	}
	x := tr.Body[3].(*tree.If)
	cond := x.Branches[0].Cond.(*tree.Filtered).X.(*tree.Binary)
	if p := cond.L.Position(); p.Line != 2 || p.Col != 22 {
		t.Errorf("a.b at %d:%d, want 2:22", p.Line, p.Col)
	}
	if p := cond.Position(); p.Line != 2 || p.Col != 19 {
		t.Errorf("eq at %d:%d, want 2:19", p.Line, p.Col)
	}
}
