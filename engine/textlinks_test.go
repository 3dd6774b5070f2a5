package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/text"
)

// TestTextLinks checks that front matter text_links and Options.TextLinks choose how the
// text variant writes links, front matter first.
func TestTextLinks(t *testing.T) {
	const body = `<p>Read <a href="https://x.example/a">the guide</a>.</p>`
	tests := []struct {
		name, front string
		opt         text.LinkStyle
		want        string
	}{
		{"default inline", "", text.Inline, "Read the guide (https://x.example/a).\n"},
		{"front matter references", "text_links: references\n", text.Inline, "Read the guide [1].\n\n[1] https://x.example/a\n"},
		{"option references", "", text.References, "Read the guide [1].\n\n[1] https://x.example/a\n"},
		{"front matter wins over the option", "text_links: inline\n", text.References, "Read the guide (https://x.example/a).\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := body
			if tc.front != "" {
				src = "---\n" + tc.front + "---\n" + body
			}
			tpl, err := engine.Compile("t.liquid", src, engine.Options{TextLinks: tc.opt, Variants: &engine.Variants{Text: true}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := tpl.Render(context.Background(), map[string]any{})
			if err != nil {
				t.Fatal(err)
			}
			if *m.Text != tc.want {
				t.Errorf("got %q, want %q", *m.Text, tc.want)
			}
		})
	}
	_, err := engine.Compile("t.liquid", "---\nsubject: x\ntext_links: footnotes\n---\nbody", engine.Options{})
	var de *diag.Error
	if !errors.As(err, &de) || de.Line != 3 || de.Col != 13 || !strings.Contains(de.Msg, "text_links must be inline or references") {
		t.Errorf("got %v", err)
	}
}
