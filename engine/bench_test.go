package engine_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/amp"
	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/htmlprod"
	"github.com/mailmold/mailmold/engine/htmltree"
	"github.com/mailmold/mailmold/engine/text"
	"github.com/mailmold/mailmold/engine/workspace"
	"golang.org/x/net/html"
)

var benchNow = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

func benchSetup(b *testing.B, v *engine.Variants, tweak func(*engine.Options)) (*engine.Template, workspace.Profile) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := ws.Compile("newsletter.liquid", func(o *engine.Options) {
		o.Variants = v
		if tweak != nil {
			tweak(o)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	p, _ := ws.Profile("p-high-value")
	return tpl, p
}

// BenchmarkNewsletter measures the newsletter per recipient: the raw pongo2 baseline (the
// same template in Django syntax), mailmold's Liquid render alone, each variant pass, and the
// full message.
func BenchmarkNewsletter(b *testing.B) {
	b.Run("compile", func(b *testing.B) {
		ws, _ := workspace.Open("", benchNow)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := ws.Compile("newsletter.liquid", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pongo2-baseline", func(b *testing.B) {
		src, err := os.ReadFile("../fixtures/bench/newsletter.django.html")
		if err != nil {
			b.Fatal(err)
		}
		tpl, err := pongo2.FromBytes(src)
		if err != nil {
			b.Fatal(err)
		}
		_, p := benchSetup(b, &engine.Variants{}, nil)
		ctx := pongo2.Context{}
		for k, v := range p.Data {
			ctx[k] = v
		}
		ctx["segment"] = "high_value"
		ctx["preheader"] = "New routes, winter layering, and picks chosen for you."
		ctx["unsubscribe_url"] = "https://northwind.example/unsubscribe?u=p-high-value&c=newsletter"
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := tpl.Execute(ctx); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
	run := func(name string, v *engine.Variants, tweak func(*engine.Options)) {
		b.Run(name, func(b *testing.B) {
			tpl, p := benchSetup(b, v, tweak)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tpl.Render(context.Background(), p.Data); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b)
		})
	}
	run("liquid-render", &engine.Variants{}, nil)
	run("html-raw", &engine.Variants{HTML: true}, func(o *engine.Options) { o.NoInline, o.NoMinify = true, true })
	run("html-production", &engine.Variants{HTML: true}, nil)
	run("all-variants", nil, nil)
	fullMessage := func(name string, tweak func(*engine.Options)) {
		b.Run(name, func(b *testing.B) {
			tpl, p := benchSetup(b, nil, tweak)
			b.ReportAllocs()
			b.ResetTimer()
			var eml []byte // one buffer for every message, as batch --format eml has
			for i := 0; i < b.N; i++ {
				m, err := tpl.Render(context.Background(), p.Data)
				if err != nil {
					b.Fatal(err)
				}
				if eml, err = m.AppendEML(eml[:0]); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b)
		})
	}
	// the master document and the HTML variant in one evaluation (dual.go), and in two
	fullMessage("full-message-eml", nil)
	fullMessage("full-message-eml-two-renders", func(o *engine.Options) { o.NoDual = true })
	// every master parsed and transformed, as for a recipient whose layout is new or whose
	// values leave the recorded path (see htmltree.Layouts, amp.Skeleton)
	fullMessage("full-message-eml-no-layouts", noLayouts)
	// The passes alone, on one rendered master document.
	tpl, p := benchSetup(b, &engine.Variants{}, nil)
	m, err := tpl.Render(context.Background(), p.Data)
	if err != nil {
		b.Fatal(err)
	}
	master := m.Master
	b.Run("pass-parse", func(b *testing.B) { // the engine's parse (html.Parse's tree)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			htmltree.Parse(master)
		}
	})
	b.Run("pass-parse-layout", func(b *testing.B) { // the same tree, copied from the layout's
		b.ReportAllocs()
		ls := htmltree.NewLayouts(1)
		holes := engine.MasterHoles(m)
		for i := 0; i < b.N; i++ {
			t, _ := ls.ParseTree(master, holes)
			t.Root() // the copy is made when asked for
			t.Release()
		}
	})
	b.Run("pass-text", func(b *testing.B) {
		b.ReportAllocs()
		doc, _ := html.Parse(strings.NewReader(master))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			text.ConvertNode(doc, text.Options{})
		}
	})
	b.Run("pass-amp", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			amp.Transform(master, amp.Options{})
		}
	})
	// the newsletter master's tree from its layout, and its site values, for the skeletons
	layoutTree, _ := htmltree.NewLayouts(1).ParseTree(master, engine.MasterHoles(m))
	vals := make([]string, layoutTree.Sites())
	for i := range vals {
		_, _, vals[i] = layoutTree.Site(i)
	}
	value := func(i int) string { return vals[i] }
	textSkel := func() *text.Skeleton { // recorded first: the AMP transform rewrites the tree
		_, skel := text.ConvertRecord(layoutTree.Root(), text.Options{}, layoutTree.SiteRefs())
		return skel
	}()
	_, ampSkel := amp.TransformRecord(layoutTree.Root(), master, amp.Options{}, layoutTree.SiteRefs())
	if textSkel == nil || ampSkel == nil {
		b.Fatal("the newsletter's layout has no text or AMP skeleton")
	}
	b.Run("pass-text-skeleton", func(b *testing.B) { // the text pass, from the layout's skeleton
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			textSkel.Fill(value)
		}
	})
	b.Run("pass-amp-skeleton", func(b *testing.B) { // the AMP pass, from the layout's skeleton
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ampSkel.Fill(value, nil)
		}
	})
	b.Run("pass-inline", func(b *testing.B) {
		h := engine.HTMLMarkers(master)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			htmlprod.Inline(h)
		}
	})
	b.Run("pass-minify", func(b *testing.B) {
		h := engine.HTMLMarkers(master)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			htmlprod.Minify(h)
		}
	})
}

// reportRate adds messages per second on the benchmark's cores (run with -cpu 1 for one core)
// beside ns/op, the figure batch throughput is compared with.
func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "msg/s")
	}
}
