package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/workspace"
)

func engineLimits(iter, depth, out int) eval.Limits {
	return eval.Limits{MaxIterations: iter, MaxDepth: depth, MaxOutput: out}
}

// bundledAndHostile opens the bundled workspace with a fixed clock (the Date header is the
// render's) and returns it with its sample profiles and the hostile fixture profiles.
func bundledAndHostile(t *testing.T) (*workspace.Workspace, []map[string]any) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	var profiles []map[string]any
	for _, p := range ws.Profiles {
		profiles = append(profiles, p.Data)
	}
	hostile, _ := filepath.Glob("../fixtures/profiles/*.json")
	for _, f := range hostile {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := workspace.DecodeProfile(b); err == nil {
			profiles = append(profiles, p.Data)
		}
	}
	return ws, profiles
}

// compileBoth compiles the workspace template name as it is and with off applied to its
// options.
func compileBoth(t *testing.T, ws *workspace.Workspace, name string, off func(*engine.Options)) (on, other *engine.Template) {
	on, err := ws.Compile(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if other, err = ws.Compile(name, off); err != nil {
		t.Fatal(err)
	}
	return on, other
}

// fuzzSame compiles body as Liquid twice, the second time with off applied to the options,
// and expects sameRender of each of profiles (data, decoded, then the profiles more gives
// it) to find no difference. A template that does not compile is skipped.
func fuzzSame(t *testing.T, body, data string, off func(*engine.Options), more func(map[string]any) []map[string]any) {
	opt := engine.Options{Limits: engineLimits(10000, 8, 1<<20), Now: benchNow}
	tpl, err := engine.Compile("f.liquid", body, opt)
	if err != nil {
		return
	}
	off(&opt)
	other, err := engine.Compile("f.liquid", body, opt)
	if err != nil {
		t.Fatalf("compiles one way, not the other: %v", err)
	}
	p, err := workspace.DecodeProfile([]byte(data))
	if err != nil {
		p.Data = map[string]any{}
	}
	for _, d := range append([]map[string]any{p.Data}, more(p.Data)...) {
		if diff := sameRender(tpl, other, d); diff != "" && !strings.Contains(diff, "deadline") {
			t.Fatal(diff)
		}
	}
}
