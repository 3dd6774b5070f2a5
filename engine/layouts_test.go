package engine_test

import (
	"testing"

	"github.com/mailmold/mailmold/engine"
)

// TestLayoutsSameAsParse renders every bundled template for every bundled and hostile
// profile, twice over, with the master document's tree copied from its layout's where it
// can be (see htmltree.Layouts) and with every master parsed, and expects the same message
// to the byte. The newsletter's masters must mostly share layouts.
func TestLayoutsSameAsParse(t *testing.T) {
	ws, profiles := bundledAndHostile(t)
	for _, name := range ws.Templates {
		tpl, err := ws.Compile(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := ws.Compile(name, func(o *engine.Options) { o.NoLayouts = true })
		if err != nil {
			t.Fatal(err)
		}
		for round := range 2 {
			for i, p := range profiles {
				if d := sameRender(tpl, parsed, p); d != "" {
					t.Errorf("%s, round %d, profile %d: %s", name, round, i, d)
				}
			}
		}
		if r, _ := engine.LayoutStats(parsed); r != 0 {
			t.Errorf("%s: NoLayouts is not honoured", name)
		}
		reused, parsedN := engine.LayoutStats(tpl)
		t.Logf("%s: %d masters from a layout's tree, %d parsed", name, reused, parsedN)
		if name == "newsletter.liquid" && reused < 2*parsedN {
			t.Errorf("%s: only %d of %d masters reuse a layout", name, reused, reused+parsedN)
		}
	}
}

// FuzzLayoutRender renders any template for a profile and for the same profile with every
// string changed, with layouts and with every master parsed, and expects the same
// messages. Seeded with every local template and the Golden Liquid suite.
func FuzzLayoutRender(f *testing.F) {
	bodies, data := fuzzSeeds(f)
	for i, b := range bodies {
		f.Add(b, data[i%len(data)], " z")
	}
	f.Add(`<p class="{{ c }}">Hi {{ a }}, <a href="{{ u }}">{{ b }}</a>&amp{{ a }} <{{ a }}</p>`,
		`{"a":"Ann","b":"&lt;x","c":"k","u":"https://x.example/"}`, "&")
	f.Fuzz(func(t *testing.T, body, data, suffix string) {
		fuzzSame(t, body, data, func(o *engine.Options) { o.NoLayouts = true }, func(p map[string]any) []map[string]any {
			return []map[string]any{appendToStrings(p, suffix), p}
		})
	})
}

// appendToStrings returns a copy of v with suffix appended to every string in it.
func appendToStrings(v map[string]any, suffix string) map[string]any {
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case string:
			return x + suffix
		case map[string]any:
			c := make(map[string]any, len(x))
			for k, e := range x {
				c[k] = walk(e)
			}
			return c
		case []any:
			c := make([]any, len(x))
			for i, e := range x {
				c[i] = walk(e)
			}
			return c
		}
		return x
	}
	return walk(v).(map[string]any)
}
