package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/workspace"
)

// doubled is a template prefix that builds s, a 64 KiB string, by doubling.
const doubled = `{% assign s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" %}{% for i in (1..10) %}{% assign s = s | append: s %}{% endfor %}`

// TestValueSizeLimit proves that no value a template builds (and not all it holds together)
// passes max_output_bytes, whatever filter or tag builds it: each case stops with an error
// naming the position, the limit and what passed it, quickly and without the memory it asked
// for. (The doubling cases stop at 20 rounds, a few MB, so that without the limit the test
// fails instead of taking the machine's memory.)
func TestValueSizeLimit(t *testing.T) {
	const limit = 200_000
	for _, c := range []struct {
		name, body string
		at         string // where the error points: the last occurrence of this in body
		want       string
	}{
		{"append doubling", `{% assign s = "ab" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}`,
			"append", "append would build at least 262144 bytes"},
		{"prepend doubling", `{% assign s = "ab" %}{% for i in (1..20) %}{% assign s = s | prepend: s %}{% endfor %}`,
			"prepend", "prepend would build at least 262144 bytes"},
		{"capture doubling", `{% assign s = "ab" %}{% for i in (1..20) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}`,
			"", "limit exceeded (limit 200000)"},
		{"replace multiplies", doubled + `{% assign r = "abcdef" | replace: "", s %}`,
			"replace", "replace would build at least 458758 bytes"},
		{"replace_first adds", doubled + `{% assign s = s | append: s %}{% assign r = s | replace_first: "x", s %}`,
			"replace_first", "replace_first would build at least 262143 bytes"},
		{"join with a long separator", doubled + `{% assign a = "1,2,3,4,5" | split: "," %}{{ a | join: s }}`,
			"join", "join would build at least"},
		{"join of a range", `{{ (1..1000000) | join: "," }}`,
			"join", "join would build at least 16000000 bytes"},
		{"split into characters", doubled + `{% assign s = s | append: s %}{% assign p = s | split: "" %}`,
			"split", "split would build at least"},
		{"concat doubling", `{% assign a = "x,y" | split: "," %}{% for i in (1..20) %}{% assign a = a | concat: a %}{% endfor %}`,
			"concat", "concat would build at least"},
		{"a list holding one big value many times", doubled + `{% assign a = s | split: "," %}{% for i in (1..10) %}{% assign a = a | concat: a %}{% endfor %}`,
			"concat", "concat built 262208 bytes"},
		{"variables together", doubled + `{% assign s = s | append: s %}{% assign a = s | append: 1 %}{% assign b = s | append: 2 %}`,
			"{% assign a", "the variables hold 262145 bytes together after assigning a"},
		{"range expanded by a filter", `{{ (1..100000) | reverse | size }}`,
			"reverse", "reverse would build at least 1600000 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tpl := compile(t, c.body, engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true,
				Limits: engineLimits(100_000, 8, limit)})
			start := time.Now()
			_, err := tpl.Render(context.Background(), map[string]any{})
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v", took)
			}
			var de *diag.Error
			if !errors.As(err, &de) || !errors.Is(err, eval.ErrLimit) {
				t.Fatalf("want a positioned limit error, got %v", err)
			}
			if !strings.Contains(de.Msg, c.want) || !strings.Contains(de.Msg, "limit 200000") {
				t.Errorf("message %q, want %q and the limit", de.Msg, c.want)
			}
			// the body starts on line 4, after the front matter compile() adds
			if col := strings.LastIndex(c.body, c.at) + 1; de.Line != 4 || c.at != "" && de.Col != col {
				t.Errorf("at %d:%d, want 4:%d", de.Line, de.Col, col)
			}
			if de.Hint == "" || de.Rule != "limit" {
				t.Errorf("hint %q, rule %q", de.Hint, de.Rule)
			}
		})
	}
	// a template that builds big values within the limit still renders
	m := renderWith(t, `{% assign s = "ab" %}{% for i in (1..16) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}`, limit)
	if !strings.Contains(m.HTML, "131072") {
		t.Errorf("got %q", m.HTML)
	}
	// a variable given another value releases the value it held
	m = renderWith(t, `{% assign s = "ab" %}{% for i in (1..16) %}{% assign s = s | append: s %}{% endfor %}{% assign s = "" %}`+
		`{% assign t = "ab" %}{% for i in (1..16) %}{% assign t = t | append: t %}{% endfor %}{{ t | size }}`, limit)
	if !strings.Contains(m.HTML, "131072") {
		t.Errorf("got %q", m.HTML)
	}
}

func renderWith(t *testing.T, body string, maxOutput int) *engine.Message {
	t.Helper()
	tpl := compile(t, body, engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true,
		Limits: engineLimits(100_000, 8, maxOutput)})
	m, err := tpl.Render(context.Background(), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDefaultLimitStopsDoubling is the audit's case under the default limits: doubling a
// 64-byte string stops at 4 MiB (the audit's 30 doublings asked for 64 GiB; 17 are enough to
// pass the limit and keep the test harmless where there is none).
func TestDefaultLimitStopsDoubling(t *testing.T) {
	tpl := compile(t, `{% assign s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" %}{% for i in (1..17) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}`,
		engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := tpl.Render(context.Background(), map[string]any{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "value size (bytes) limit exceeded (limit 4194304): append would build at least 8388608 bytes") {
		t.Fatalf("got %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("the render allocated %d MB", grew>>20)
	}
}

// TestCapturesCountOnce renders a loop that captures a line per item and writes it: what it
// writes (3,000 lines, 1.3 MB) fits the 2 MB output limit, so it renders, though the lines
// were captured before they were written (a capture counts while it runs, not afterwards);
// the same loop writing twice as much stops at the limit.
func TestCapturesCountOnce(t *testing.T) {
	const body = `{% for i in (1..N) %}{% capture line %}<p>{{ i }}: {{ pad }}</p>{% endcapture %}{{ line }}{% endfor %}`
	data := map[string]any{"pad": strings.Repeat("x", 420)}
	opt := engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true, Limits: engineLimits(100_000, 8, 2<<20)}
	m, err := compile(t, strings.Replace(body, "N", "3000", 1), opt).Render(context.Background(), data)
	if err != nil {
		t.Fatalf("3,000 captured lines: %v", err)
	}
	if n := strings.Count(m.HTML, "&lt;p&gt;"); n != 3000 { // captured text is a string: escaped when written
		t.Errorf("%d lines written, want 3000", n)
	}
	_, err = compile(t, strings.Replace(body, "N", "6000", 1), opt).Render(context.Background(), data)
	if !errors.Is(err, eval.ErrLimit) || !strings.Contains(err.Error(), "output size (bytes) limit exceeded") {
		t.Errorf("6,000 captured lines: %v, want the output limit", err)
	}
}

// TestRunawayRoutes covers the other ways a template could run away without passing a loop,
// output or value limit: each stops (or completes) quickly.
func TestRunawayRoutes(t *testing.T) {
	const fm = "---\nsubject: s\n---\n"
	ws := workspaceOf(t, map[string]string{
		"partials/e.liquid": "",
		// three includes of itself per level down to a depth of 14: 3^14 renders, no loop
		"partials/fan.liquid": `{% assign d = d | plus: 1 %}{% if d < 14 %}{% include 'fan' %}{% include 'fan' %}{% include 'fan' %}{% endif %}{% assign d = d | minus: 1 %}`,
		"renderfor.liquid":    fm + `{% render 'e' for (1..3000000) as x %}done`,
		"fan.liquid":          fm + `{% assign d = 0 %}{% include 'fan' %}done`,
		"rangecmp.liquid":     fm + `{% assign a = "1,2" | split: "," %}{% if a == (1..20000000) %}same{% else %}different{% endif %}`,
		"undefined.liquid":    fm + `{% for i in (1..50000) %}{{ u1 }}{{ u2 }}{{ u3 }}{% endfor %}done`,
	})
	for name, want := range map[string]string{
		"renderfor.liquid": "loop iterations limit exceeded (limit 100000)",
		"fan.liquid":       "loop iterations limit exceeded (limit 100000)",
		"rangecmp.liquid":  "",
		"undefined.liquid": "",
	} {
		tpl, err := ws.Compile(name, func(o *engine.Options) { o.Variants = &engine.Variants{HTML: true} })
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		m, err := tpl.Render(context.Background(), map[string]any{})
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s took %v", name, took)
		}
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
		_ = m
	}
	// an output that renders blank in a loop is recorded once, not once per run
	tpl, _ := ws.Compile("undefined.liquid", func(o *engine.Options) { o.Variants = &engine.Variants{HTML: true} })
	m, err := tpl.Render(context.Background(), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Blanks) != 3 || len(m.Diagnostics) != 3 {
		t.Errorf("%d blank records and %d diagnostics for 3 places", len(m.Blanks), len(m.Diagnostics))
	}
	// comparing with a range never expands it
	tpl, _ = ws.Compile("rangecmp.liquid", func(o *engine.Options) { o.Variants = &engine.Variants{HTML: true} })
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m, _ = tpl.Render(context.Background(), map[string]any{})
	runtime.ReadMemStats(&after)
	if !strings.Contains(m.HTML, "different") {
		t.Errorf("range comparison: %q", m.HTML)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("comparing with a range allocated %d MB", grew>>20)
	}
}

// workspaceOf writes files (paths relative to the workspace) into a new folder and opens it.
func workspaceOf(t *testing.T, files map[string]string) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := workspace.Open(dir, benchNow)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestDeadlineInsideAFilter: one filter call on a large value stops at the render deadline
// (uniq over 20,000 distinct objects compares every pair: hundreds of millions of steps).
func TestDeadlineInsideAFilter(t *testing.T) {
	items := make([]any, 20000)
	for i := range items {
		items[i] = map[string]any{"n": i}
	}
	tpl, err := engine.Compile("u.liquid", "---\nsubject: s\ntimeout_ms: 100\n---\n{{ items | uniq | size }}",
		engine.Options{Variants: &engine.Variants{HTML: true}, NoInline: true, NoMinify: true})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = tpl.Render(context.Background(), map[string]any{"items": items})
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "u.liquid:5:12: render time (deadline) exceeded") {
		t.Errorf("got %v", err)
	}
	if took > 2*time.Second {
		t.Errorf("stopped after %v, the deadline is 100ms", took)
	}
}

// TestLimitsCeiling: the operator's limits (flags, Options) are ceilings front matter may
// lower but not raise; front matter alone may raise a default up to the hard maximum.
func TestLimitsCeiling(t *testing.T) {
	loop := "{% for i in (1..20000000) %}{% endfor %}"
	for _, c := range []struct {
		front string
		op    int
		want  string
	}{
		{"max_iterations: 1000000000000", 1000, "(limit 1000)"},
		{"max_iterations: 50", 1000, "(limit 50)"},
		{"max_iterations: 1000000000000", 0, fmt.Sprintf("(limit %d)", eval.HardLimits.MaxIterations)},
		{"max_iterations: 50", 0, "(limit 50)"},
		{"description: none", 0, "(limit 100000)"},
		{"description: none", 70, "(limit 70)"},
	} {
		tpl, err := engine.Compile("l.liquid", "---\nsubject: s\n"+c.front+"\n---\n"+loop,
			engine.Options{Variants: &engine.Variants{HTML: true}, Limits: eval.Limits{MaxIterations: c.op}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = tpl.Render(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), "loop iterations limit exceeded "+c.want) {
			t.Errorf("%s, flag %d: got %v, want %s", c.front, c.op, err, c.want)
		}
	}
	// the deadline: the operator's 50ms holds against front matter asking for a minute
	tpl, err := engine.Compile("d.liquid", "---\nsubject: s\ntimeout_ms: 60000\nmax_iterations: 1000000000\n---\n"+loop,
		engine.Options{Variants: &engine.Variants{HTML: true}, Timeout: 50 * time.Millisecond, Limits: eval.Limits{MaxIterations: 1 << 40}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err = tpl.Render(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("got %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("ran %v past a 50ms deadline", took)
	}
}
