package engine_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/mailmold/mailmold/engine"
)

// sameRender renders profile with tpl (one evaluation for the master document and the HTML
// variant, where the template allows it) and with split (two evaluations) and reports the
// first difference: error, subject, HTML, AMP, text, master document, diagnostics, blanks,
// the whole EML message.
func sameRender(tpl, split *engine.Template, profile map[string]any) string {
	a, errA := tpl.Render(context.Background(), profile)
	b, errB := split.Render(context.Background(), profile)
	if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
		return fmt.Sprintf("errors differ: %v / %v", errA, errB)
	}
	if errA != nil {
		return ""
	}
	for _, f := range []struct {
		name string
		x, y any
	}{{"subject", a.Subject, b.Subject}, {"html", a.HTML, b.HTML}, {"amp", a.AMP, b.AMP}, {"text", a.Text, b.Text},
		{"master", a.Master, b.Master}, {"diagnostics", a.Diagnostics, b.Diagnostics}, {"blanks", a.Blanks, b.Blanks}} {
		if !reflect.DeepEqual(f.x, f.y) {
			return fmt.Sprintf("%s differs:\n%.600v\n---\n%.600v", f.name, f.x, f.y)
		}
	}
	ea, errA := a.EML()
	eb, errB := b.EML()
	if string(ea) != string(eb) || (errA == nil) != (errB == nil) {
		return "the EML messages differ"
	}
	return ""
}

// TestDualRenderSameAsTwo renders every bundled template for every bundled and hostile
// profile in one evaluation and in two, and expects the same message to the byte.
func TestDualRenderSameAsTwo(t *testing.T) {
	ws, profiles := bundledAndHostile(t)
	dual := 0
	for _, name := range ws.Templates {
		tpl, split := compileBoth(t, ws, name, func(o *engine.Options) { o.NoDual = true })
		if engine.RendersDual(split) {
			t.Fatalf("%s: NoDual is not honoured", name)
		}
		if engine.RendersDual(tpl) {
			dual++
		}
		for i, p := range profiles {
			if d := sameRender(tpl, split, p); d != "" {
				t.Errorf("%s, profile %d: %s", name, i, d)
			}
		}
	}
	if dual < 5 {
		t.Errorf("only %d of %d bundled templates render in one evaluation", dual, len(ws.Templates))
	}
}

// FuzzDualRender renders any template with inlining and minifying on, in one evaluation
// where the compiler allows it and in two, and expects the same message. Seeded with every
// local template and the Golden Liquid suite.
func FuzzDualRender(f *testing.F) {
	bodies, data := fuzzSeeds(f)
	for i, b := range bodies {
		f.Add(b, data[i%len(data)])
	}
	// marker blocks, guards and captures next to text that inlining and minifying change
	f.Add(`<html><head><style>p{color:red}</style></head><body>`+
		`{% textonly %}T {{ a }}{% endtextonly %}{% htmlonly %}<p> h  {{ a }} </p>{% endhtmlonly %}`+
		`<a href="{{ u }}"> <p>x</p> </a>{% capture c %}<p> c </p>{% endcapture %}{{ c }}`+
		`{% live src="https://x.example/d.json" %}<p>{{a}}</p>{% fallback %}<p> f </p>{% endlive %}</body></html>`,
		`{"a":"<b>","u":"javascript:x"}`)
	f.Fuzz(func(t *testing.T, body, data string) {
		fuzzSame(t, body, data, func(o *engine.Options) { o.NoDual = true }, func(map[string]any) []map[string]any { return nil })
	})
}
