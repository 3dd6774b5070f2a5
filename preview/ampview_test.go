package preview

import (
	"context"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/workspace"
)

func TestStaticAMP(t *testing.T) {
	const head = `<!doctype html><html ⚡4email data-css-strict><head><meta charset="utf-8">` +
		`<script async src="https://cdn.ampproject.org/v0.js"></script>` +
		`<script async custom-element="amp-list" src="https://cdn.ampproject.org/v0/amp-list-0.1.js"></script>` +
		`<style amp4email-boilerplate>body{visibility:hidden}</style><style amp-custom>.x{color:red}</style></head><body>`
	for _, c := range []struct {
		name, body  string
		want, never []string
	}{
		{"boilerplate and scripts go, the text and the email's CSS stay", `<p class="x">Hello</p>`,
			[]string{`<p class="x">Hello</p>`, `<style amp-custom="">.x{color:red}</style>`, `⚡4email`},
			[]string{"<script", "amp4email-boilerplate", "visibility:hidden"}},
		{"amp-img responsive", `<amp-img src="https://i.example/a.png" alt="A" width="600" height="280" layout="responsive" class="hero" style="border:0"><div fallback>no</div></amp-img>`,
			[]string{`<img src="https://i.example/a.png" alt="A" width="600" height="280" class="hero" style="display:block;width:100%;height:auto;border:0" data-amp="amp-img"/>`},
			[]string{"amp-img>", "layout=", "fallback", ">no<"}},
		{"amp-img intrinsic without style", `<amp-img src="https://i.example/b.png" alt="" width="32" height="32" layout="intrinsic"></amp-img>`,
			[]string{`<img src="https://i.example/b.png" alt="" width="32" height="32" style="max-width:100%;height:auto;" data-amp="amp-img"/>`}, nil},
		{"amp-anim fixed", `<amp-anim src="https://i.example/c.gif" alt="spin" width="20" height="20"></amp-anim>`,
			[]string{`<img src="https://i.example/c.gif" alt="spin" width="20" height="20" data-amp="amp-anim"/>`}, nil},
		{"amp-list shows its fallback once", `<amp-list src="https://api.example/d.json" layout="container" binding="no">` +
			`<template type="amp-mustache"><p>{{name}} LIVE</p></template><div placeholder=""><p>STATIC</p></div><div fallback=""><p>STATIC</p></div>` +
			`<div overflow="">more</div></amp-list>`,
			[]string{`<div src="https://api.example/d.json" layout="container" binding="no" data-amp="amp-list"><div fallback=""><p>STATIC</p></div></div>`},
			[]string{"LIVE", "{{name}}", "<template", "placeholder", "overflow", "amp-list>"}},
		{"amp-list with a placeholder only", `<amp-list src="https://api.example/e.json"><template type="amp-mustache">x</template><div placeholder>WAIT</div></amp-list>`,
			[]string{`<div placeholder="">WAIT</div>`}, []string{"<template"}},
		{"other AMP elements keep their content", `<amp-accordion><section><h4>Q</h4><p>A</p></section></amp-accordion><amp-state id="s"><script type="application/json">{}</script></amp-state>`,
			[]string{`<div><section><h4>Q</h4><p>A</p></section></div>`}, []string{"amp-state", "amp-accordion", "<script"}},
		{"nested amp-img inside a link inside amp-list", `<amp-list src="https://api.example/f.json"><div fallback><a href="https://x.example/"><amp-img src="https://i.example/g.png" alt="G" width="1" height="1"></amp-img></a></div></amp-list>`,
			[]string{`<a href="https://x.example/"><img src="https://i.example/g.png" alt="G" width="1" height="1" data-amp="amp-img"/></a>`}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := staticAMP(head + c.body + "</body></html>")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %s\n in %s", w, got)
				}
			}
			for _, n := range append(c.never, "<script", "amp4email-boilerplate") {
				if strings.Contains(got, n) {
					t.Errorf("still has %q: %s", n, got)
				}
			}
		})
	}
}

// TestStaticAMPBundled renders the AMP part of every bundled template for every sample
// profile: its static view has no script, no boilerplate and no AMP element left, shows
// every image, and shows a live block's static content once.
func TestStaticAMPBundled(t *testing.T) {
	ws, err := workspace.Open("", testNow)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, name := range ws.Templates {
		tpl, err := ws.Compile(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ws.Profiles {
			m, err := tpl.Render(context.Background(), p.Data)
			if err != nil || m.AMP == nil {
				continue
			}
			got, err := staticAMP(*m.AMP)
			if err != nil {
				t.Fatal(err)
			}
			shown++
			for _, n := range []string{"<script", "amp4email-boilerplate", "<amp-", "<template"} {
				if strings.Contains(got, n) {
					t.Errorf("%s for %s: the static view still has %q", name, p.ID, n)
				}
			}
			if imgs := strings.Count(*m.AMP, "<amp-img") + strings.Count(*m.AMP, "<amp-anim"); strings.Count(got, "<img ") != imgs {
				t.Errorf("%s for %s: %d images, the AMP part has %d", name, p.ID, strings.Count(got, "<img "), imgs)
			}
			if name == "newsletter.liquid" && strings.Count(got, "Our best deals this week, picked from your favourites:") != 1 {
				t.Errorf("newsletter for %s: the live deals' static content is not shown once", p.ID)
			}
		}
	}
	if shown == 0 {
		t.Fatal("no bundled template has an AMP part")
	}
}
