package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
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
		tpl, parsed := compileBoth(t, ws, name, noLayouts)
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
		filled, texts := engine.AMPFromSkeletons(tpl), engine.TextFromSkeletons(tpl)
		t.Logf("%s: %d masters from a layout's tree, %d parsed; %d AMP parts and %d texts from a skeleton", name, reused, parsedN, filled, texts)
		if name == "newsletter.liquid" && filled < reused/2 {
			t.Errorf("%s: only %d AMP parts come from a skeleton", name, filled)
		}
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
	// the places the AMP transform reads values: classes, ids, styles, image sizes and
	// sources, links, live blocks (fallback copied, template kept), presentational attributes
	f.Add(`<html><body><p class="{{ c }}" id="{{ c }}" style="color:{{ k }}">{{ a }}</p>`+
		`<table width="{{ w }}"><tr><td><img src="{{ u }}" width="{{ w }}%" height="20" alt="{{ a }}"></td></tr></table>`+
		`<a href="{{ u }}" target="{{ c }}">{{ a }}</a><font color="{{ k }}">{{ a }}</font>`+
		`{% live src="https://x.example/d.json" %}<b>{{name}}</b>{% fallback %}<a href="{{ u }}">{{ a }}</a>{% endlive %}</body></html>`,
		`{"a":"Ann","c":"i-amphtml-x","k":"red","u":"https://x.example/a.gif","w":"50"}`, "1")
	// the places the text converter reads values: headings, links of every kind (buttons,
	// mailto, tel, a label that is the URL), alt texts, lists, line breaks, preformatted
	// text, data tables
	f.Add(`<html><body><h1>{{ a }}</h1><h3>{{ a }}</h3><p>{{ a }}<br><br>{{ b }}</p>`+
		`<a href="{{ u }}" style="padding:8px;background-color:#000">{{ a }}</a><a href="mailto:{{ a }}">{{ b }}</a>`+
		`<a href="tel:{{ b }}">{{ b }}</a><a href="{{ u }}">{{ u }}</a><img src="{{ u }}" alt="{{ a }}">`+
		`<ol start="{{ b }}"><li>{{ a }}</li></ol><pre>{{ a }}</pre>`+
		`<table><tr><th>{{ a }}</th><th>x</th></tr><tr><td>{{ b }}</td><td>y</td></tr></table></body></html>`,
		`{"a":"Ann Lee","b":"555 0100","u":"https://x.example/spacer.png"}`, "\u00a0")
	f.Fuzz(func(t *testing.T, body, data, suffix string) {
		fuzzSame(t, body, data, noLayouts, func(p map[string]any) []map[string]any {
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

// TestAMPSkeletonGuards renders documents of one layout whose values keep the AMP
// transform on the recorded path (filled in from the layout's skeleton) or take it off
// (an href no longer absolute, an image no longer https or now a GIF, a document grown
// past the size AMP warns about: transformed again), and expects each message to be the
// one rendered without layouts.
func TestAMPSkeletonGuards(t *testing.T) {
	body := `<html><head><style>p{color:red}</style></head><body><p>Hi {{ name }}</p>` +
		`<a href="{{ u }}">shop</a><img src="{{ img }}" width="10" height="10" alt="{{ name }}"><p>{{ long }}</p></body></html>`
	tpl, parsed := withAndWithoutLayouts(t, body)
	p := func(name, u, img, long string) map[string]any {
		return map[string]any{"name": name, "u": u, "img": img, "long": long}
	}
	for _, c := range []struct {
		name    string
		profile map[string]any
		filled  bool
	}{
		{"not https: recorded without a skeleton", p("Al", "https://a.example/", "http://cdn.example/z.png", "x"), false},
		{"recorded", p("Ann", "https://a.example/", "https://cdn.example/a.png", "x"), false},
		{"same path", p("Bob Lee", "mailto:b@example.com", "https://cdn.example/b.jpg?s=1", "y"), true},
		{"href not absolute", p("Cy", "/relative", "https://cdn.example/c.png", "z"), false},
		{"href blocked", p("Cy", "javascript:alert(1)", "https://cdn.example/c.png", "z"), false},
		{"image not https", p("Di", "https://a.example/", "http://cdn.example/d.png", "z"), false},
		{"image a GIF", p("Ed", "https://a.example/", "https://cdn.example/e.GIF", "z"), false},
		{"over the size to aim for", p("Fay", "https://a.example/", "https://cdn.example/f.png", strings.Repeat("long ", 20000)+"end"), false},
		{"same path again", p("Gus", "tel:+15550100", "https://cdn.example/g.png", "w"), true},
	} {
		before := engine.AMPFromSkeletons(tpl)
		if d := sameRender(tpl, parsed, c.profile); d != "" {
			t.Errorf("%s: %s", c.name, d)
		}
		if filled := engine.AMPFromSkeletons(tpl) > before; filled != c.filled {
			t.Errorf("%s: AMP from the skeleton %v, want %v", c.name, filled, c.filled)
		}
	}
}

// TestLayoutsConcurrent renders the bundled newsletter for every profile from four
// goroutines at once, sharing one template (its layouts, released trees and AMP skeletons),
// and expects the messages rendered one at a time without layouts. Run it under -race.
func TestLayoutsConcurrent(t *testing.T) {
	ws, profiles := bundledAndHostile(t)
	tpl, parsed := compileBoth(t, ws, "newsletter.liquid", noLayouts)
	want := make([][]byte, len(profiles))
	for i, p := range profiles {
		m, err := parsed.Render(context.Background(), p)
		if err == nil {
			want[i], _ = m.EML()
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(profiles))
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 * len(profiles) {
				i := (k + w*7) % len(profiles)
				m, err := tpl.Render(context.Background(), profiles[i])
				var got []byte
				if err == nil {
					got, _ = m.EML()
				}
				if string(got) != string(want[i]) {
					errs <- fmt.Sprintf("profile %d: the message differs", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestTextSkeletonGuards renders documents of one layout whose values keep the text
// converter on the recorded path (filled in from the layout's text skeleton, paragraphs
// wrapped again) or take it off (a link now written another way, a paragraph that now ends
// in a space or holds nothing, an image src that now names a spacer: converted again), and
// expects each message to be the one rendered without layouts.
func TestTextSkeletonGuards(t *testing.T) {
	body := `<html><body><h1>Hello {{ name }}</h1><p>Dear {{ name }}, your order <b>{{ item }}</b> ships today.` +
		` <a href="{{ u }}">{{ label }}</a> and more.</p><p>{{ note }}</p>` +
		`<p><img src="{{ img }}" alt="{{ item }}" width="40" height="40"> after</p></body></html>`
	tpl, parsed := withAndWithoutLayouts(t, body)
	long := strings.Repeat("word ", 40) + "end"
	p := func(name, item, u, label, note, img string) map[string]any {
		return map[string]any{"name": name, "item": item, "u": u, "label": label, "note": note, "img": img}
	}
	for _, c := range []struct {
		name    string
		profile map[string]any
		filled  bool
	}{
		{"recorded", p("Ann", "a kettle", "https://a.example/", "the shop", "x", "https://cdn.example/a.png"), false},
		{"same path, longer lines", p("Bob Lee-Smith", long, "https://b.example/x?y=1", long, "y", "https://cdn.example/b.png"), true},
		{"link written as its URL", p("Cy", "z", "https://c.example/", "https://c.example/", "y", "https://cdn.example/c.png"), false},
		{"link now mailto", p("Cy", "z", "mailto:c@example.com", "write", "y", "https://cdn.example/c.png"), false},
		{"paragraph ends in a space", p("Di", "z\u00a0", "https://d.example/", "d", "y", "https://cdn.example/d.png"), false},
		{"paragraph holds nothing", p("Ed", "z", "https://e.example/", "e", "\u200b", "https://cdn.example/e.png"), false},
		{"image now a spacer", p("Fay", "z", "https://f.example/", "f", "y", "https://cdn.example/spacer.gif"), false},
		{"same path again", p("Gus", "a mug", "https://g.example/", "the mugs", "w", "https://cdn.example/g.png"), true},
	} {
		before := engine.TextFromSkeletons(tpl)
		if d := sameRender(tpl, parsed, c.profile); d != "" {
			t.Errorf("%s: %s", c.name, d)
		}
		if filled := engine.TextFromSkeletons(tpl) > before; filled != c.filled {
			t.Errorf("%s: text from the skeleton %v, want %v", c.name, filled, c.filled)
		}
	}
}

// noLayouts turns layouts off (Options.NoLayouts).
func noLayouts(o *engine.Options) { o.NoLayouts = true }

// withAndWithoutLayouts compiles body as Liquid with layouts and without.
func withAndWithoutLayouts(t *testing.T, body string) (tpl, parsed *engine.Template) {
	opt := engine.Options{Now: benchNow}
	tpl, err := engine.Compile("g.liquid", body, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.NoLayouts = true
	if parsed, err = engine.Compile("g.liquid", body, opt); err != nil {
		t.Fatal(err)
	}
	return tpl, parsed
}

// TestTextSkeletonButtonBeside: whether a link in a coloured cell is a button depends on
// whether the text beside it is blank, which a value can make it; such a layout has no
// text skeleton, and every message is the one rendered without layouts.
func TestTextSkeletonButtonBeside(t *testing.T) {
	tpl, parsed := withAndWithoutLayouts(t, `<html><body><table><tr><td bgcolor="#000"><a href="https://x.example/">Go</a>{{ x }}</td></tr></table></body></html>`)
	for _, x := range []string{"Bob\u00a0", "\u00a0", "Cy\u00a0"} {
		if d := sameRender(tpl, parsed, map[string]any{"x": x}); d != "" {
			t.Errorf("%q: %s", x, d)
		}
	}
	if n := engine.TextFromSkeletons(tpl); n != 0 {
		t.Errorf("%d texts from a skeleton", n)
	}
}
