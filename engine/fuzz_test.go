package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

// goldenLiquid is where the Golden Liquid suite is when ../shared is beside the repository.
const goldenLiquid = "../../shared/spec/liquid/golden_liquid.json"

// fuzzSeeds returns template bodies and profiles to seed the render fuzzer: every template
// and partial of the bundled and hostile workspaces and the dialect test data, with the
// bundled sample profiles, and every Golden Liquid case with its data when the suite is
// there. Without ../shared the local seeds alone are used.
func fuzzSeeds(tb testing.TB) (bodies, data []string) {
	var files []string
	for _, g := range []string{"../templates/*", "../templates/partials/*", "../fixtures/hostile/templates/*",
		"../fixtures/hostile/templates/partials/*", "mustache/testdata/*/*", "mailchimp/testdata/*", "liquid/testdata/*.liquid"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, f := range files {
		if !workspace.IsTemplate(filepath.Base(f)) && !strings.Contains(f, "partials") {
			continue
		}
		if b, err := os.ReadFile(f); err == nil {
			bodies = append(bodies, string(b))
		}
	}
	profiles, _ := filepath.Glob("../templates/profiles/*.json")
	for _, p := range profiles {
		if b, err := os.ReadFile(p); err == nil {
			data = append(data, string(b))
		}
	}
	if len(bodies) < 10 || len(data) < 4 {
		tb.Fatalf("only %d local template seeds and %d profiles: the globs are wrong", len(bodies), len(data))
	}
	raw, err := os.ReadFile(goldenLiquid)
	if errors.Is(err, os.ErrNotExist) {
		tb.Logf("seeding without the Golden Liquid suite (%v)", err)
		return bodies, data
	}
	var suite struct {
		Tests []struct {
			Template string         `json:"template"`
			Data     map[string]any `json:"data"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(raw, &suite); err != nil {
		tb.Fatalf("%s: %v", goldenLiquid, err)
	}
	for _, c := range suite.Tests {
		d, _ := json.Marshal(c.Data)
		bodies = append(bodies, c.Template)
		data = append(data, string(d))
	}
	return bodies, data
}

// FuzzRender compiles and renders arbitrary Liquid with arbitrary data: errors, never panics,
// and every error is positioned.
func FuzzRender(f *testing.F) {
	bodies, data := fuzzSeeds(f)
	for i, b := range bodies {
		f.Add(b, data[i%len(data)])
	}
	f.Fuzz(func(t *testing.T, body, data string) {
		tpl, err := engine.Compile("f.liquid", body, engine.Options{Variants: &engine.Variants{HTML: true, Text: true}, NoInline: true, NoMinify: true,
			Limits: engineLimits(10000, 8, 1<<20)})
		if err != nil {
			return
		}
		p, err := workspace.DecodeProfile([]byte(data))
		if err != nil {
			p.Data = map[string]any{}
		}
		_, err = tpl.Render(context.Background(), p.Data)
		var de *diag.Error
		if err != nil && (!errors.As(err, &de) || de.Line < 1 || de.Col < 1) {
			t.Fatalf("render error without a position: %v", err)
		}
	})
}

// TestFuzzSeeds: the fuzzer's seeds include every local template, and the Golden Liquid
// suite when ../shared is there.
func TestFuzzSeeds(t *testing.T) {
	bodies, _ := fuzzSeeds(t)
	local := len(bodies)
	if _, err := os.Stat(goldenLiquid); err == nil && local < 1000 {
		t.Errorf("%d seeds: the Golden Liquid suite was not added", local)
	}
	t.Logf("%d seeds", local)
}

// boom is a profile value whose String method panics: a real panic inside a filter or an
// output, without registering anything in pongo2's or the filters' global registries.
type boom struct{}

func (boom) String() string { panic("boom") }

// TestPanicBecomesError forces panics inside filters and outputs: each becomes an error at
// the position of the tag that ran it, and the engine keeps working.
func TestPanicBecomesError(t *testing.T) {
	tests := []struct {
		body      string
		line, col int
		msg       string
	}{
		// in a filter: at the filter
		{"{{ v | upcase }}", 4, 8, "filter panicked: boom"},
		{"<p>\n  {{ v | append: 'x' | size }}</p>", 5, 10, "filter panicked: boom"},
		{"{% for i in (1..2) %}\n{% if i == 2 %}{{ v | downcase }}{% endif %}{% endfor %}", 5, 23, "filter panicked: boom"},
		{"{% assign s = v | strip %}{{ s }}", 4, 19, "filter panicked: boom"},
		// writing the value: at the output
		{"<p>{{ v }}</p>", 4, 4, "internal error: boom"},
		{`<a href="{{ v }}">x</a>`, 4, 10, "internal error: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			tpl := compile(t, tc.body, engine.Options{NoInline: true})
			_, err := tpl.Render(context.Background(), map[string]any{"v": boom{}})
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("want a positioned error, got %v", err)
			}
			if de.File != "t.liquid" || de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) || de.Hint == "" {
				t.Errorf("got %s (hint %q), want t.liquid:%d:%d: %s", de.Error(), de.Hint, tc.line, tc.col, tc.msg)
			}
			// the same template still renders for a sane profile
			if _, err := tpl.Render(context.Background(), map[string]any{"v": "ok"}); err != nil {
				t.Errorf("after the panic: %v", err)
			}
		})
	}
}
