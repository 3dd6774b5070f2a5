package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
)

// TestErrorPositionsInPartials: a diagnostic or error from a partial names the partial's file
// and shows its text, with or without compile-time CSS inlining (which expands partials in
// place), and every render error has a position, a frame and a hint.
func TestErrorPositionsInPartials(t *testing.T) {
	partials := map[string]string{
		"a": "line1\n  {{ undefined_in_partial }}\n",
		"b": "x\n  {% if %}\n",
		"c": "a\nb {{ 1 | divided_by: 0 }}\n",
	}
	tests := []struct {
		name, body string
		strict     bool
		want       string // error or diagnostic: file:line:col: message prefix
		frame      string // a line of the code frame
	}{
		{"undefined in render", `{% render "a" %}`, false, "partials/a.liquid:2:6: 'undefined_in_partial' is not defined", ""},
		{"undefined in include", `<p>{% include "a" %}</p>`, false, "partials/a.liquid:2:6: 'undefined_in_partial' is not defined", ""},
		{"strict in render", `{% render "a" %}`, true, "partials/a.liquid:2:6: 'undefined_in_partial' is not defined", "> 2 |   {{ undefined_in_partial }}"},
		{"filter error in render", `{% render "c" %}`, false, "partials/c.liquid:2:10: filter divided_by: divided by 0", "> 2 | b {{ 1 | divided_by: 0 }}"},
		{"filter error in include", `{% include "c" %}`, false, "partials/c.liquid:2:10: filter divided_by: divided by 0", "> 2 | b {{ 1 | divided_by: 0 }}"},
		{"syntax error in partial", `{% include "b" %}`, false, "partials/b.liquid:2:9: ", "> 2 |   {% if %}"},
		{"limit not a number", "<p>\n{% for x in items limit: \"abc\" %}{{ x }}{% endfor %}", false, `t.liquid:5:26: limit must be a number, got "abc"`, `> 5 | {% for x in items limit: "abc" %}`},
		{"offset not a number", `{% for x in items offset: "z" %}{{ x }}{% endfor %}`, false, `t.liquid:4:27: offset must be a number, got "z"`, "> 4 |"},
		{"cols not a number", `<table>{% tablerow x in items cols: "z" %}{{ x }}{% endtablerow %}</table>`, false, `t.liquid:4:37: cols must be a number, got "z"`, "> 4 |"},
	}
	for _, inline := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(tc.name+map[bool]string{true: " inlined", false: ""}[inline], func(t *testing.T) {
				opt := engine.Options{Strict: tc.strict, NoInline: !inline, Partial: func(n string) (string, string, error) {
					src, ok := partials[n]
					if !ok {
						return "", "", errors.New("no partial " + n)
					}
					return "partials/" + n + ".liquid", src, nil
				}}
				got, frame, hint := "", "", ""
				tpl, err := engine.Compile("t.liquid", "---\nsubject: s\n---\n"+tc.body, opt)
				var m *engine.Message
				if err == nil {
					m, err = tpl.Render(context.Background(), map[string]any{"items": []any{1, 2}})
				}
				var de *diag.Error
				switch {
				case errors.As(err, &de):
					got, frame, hint = de.Error(), de.Format(), de.Hint
				case err != nil:
					t.Fatalf("error without a position: %v", err)
				default:
					for _, d := range m.Diagnostics {
						if d.Rule == "undefined" {
							got = (&diag.Error{File: d.File, Line: d.Line, Col: d.Col, Msg: d.Message}).Error()
							hint = "-"
						}
					}
				}
				if !strings.HasPrefix(got, tc.want) {
					t.Fatalf("got  %q\nwant %q…", got, tc.want)
				}
				if !strings.Contains(frame, tc.frame) || strings.Contains(frame, "subject: s") {
					t.Errorf("frame:\n%s\nwant a line %q", frame, tc.frame)
				}
				if hint == "" && !strings.HasPrefix(tc.name, "syntax") { // every runtime error has a hint
					t.Errorf("no hint: %s", frame)
				}
			})
		}
	}
}
