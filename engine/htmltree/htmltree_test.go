package htmltree_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
)

// differ parses src with TryParse and html.Parse. It returns whether TryParse took it and,
// if so, how the trees differ ("" when they are the same: the same rendering and the same
// nodes, attributes and links).
func differ(src string) (accepted bool, diff string) {
	got, err := htmltree.TryParse(src)
	if errors.Is(err, htmltree.ErrUnsupported) {
		return false, ""
	}
	if err != nil {
		return true, err.Error()
	}
	want, werr := html.Parse(strings.NewReader(src))
	if werr != nil {
		return true, "html.Parse failed, TryParse did not: " + werr.Error()
	}
	var g, w strings.Builder
	if err := html.Render(&g, got); err != nil {
		return true, "rendering: " + err.Error()
	}
	html.Render(&w, want)
	if g.String() != w.String() {
		return true, "renderings differ:\n" + firstDiff(w.String(), g.String())
	}
	if d := sameNode(want, got, "#document"); d != "" {
		return true, d
	}
	return true, ""
}

// sameNode compares two trees node by node: type, atom, data, namespace, attributes in
// order, and the parent, child and sibling links.
func sameNode(w, g *html.Node, path string) string {
	if w.Type != g.Type || w.DataAtom != g.DataAtom || w.Data != g.Data || w.Namespace != g.Namespace {
		return fmt.Sprintf("%s: node %v %q (%v) ns %q, want %v %q (%v) ns %q", path,
			g.Type, g.Data, g.DataAtom, g.Namespace, w.Type, w.Data, w.DataAtom, w.Namespace)
	}
	if len(w.Attr) != len(g.Attr) {
		return fmt.Sprintf("%s: attributes %v, want %v", path, g.Attr, w.Attr)
	}
	for i := range w.Attr {
		if w.Attr[i] != g.Attr[i] {
			return fmt.Sprintf("%s: attributes %v, want %v", path, g.Attr, w.Attr)
		}
	}
	wc, gc := w.FirstChild, g.FirstChild
	var gprev *html.Node
	for i := 0; wc != nil || gc != nil; i++ {
		p := fmt.Sprintf("%s/%d:%s", path, i, label(wc))
		if wc == nil || gc == nil {
			return fmt.Sprintf("%s: child %s, want %s", p, label(gc), label(wc))
		}
		if gc.Parent != g || gc.PrevSibling != gprev {
			return p + ": wrong parent or previous sibling link"
		}
		if d := sameNode(wc, gc, p); d != "" {
			return d
		}
		gprev = gc
		wc, gc = wc.NextSibling, gc.NextSibling
	}
	if g.LastChild != gprev {
		return path + ": wrong last child link"
	}
	return ""
}

func label(n *html.Node) string {
	switch {
	case n == nil:
		return "none"
	case n.Type == html.ElementNode:
		return n.Data
	case n.Type == html.TextNode:
		return fmt.Sprintf("%.20q", n.Data)
	}
	return fmt.Sprint(n.Type)
}

// firstDiff shows where two strings first differ.
func firstDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("  want …%q\n  got  …%q", want[from:min(len(want), i+80)], got[from:min(len(got), i+80)])
}

// TestCorpus compares TryParse with html.Parse over every document of the repository and
// reports how many take the fast path; the bundled masters all must.
func TestCorpus(t *testing.T) {
	docs := corpus(t)
	var accepted, bundled, bundledOK int
	var refused []string
	for _, d := range docs {
		ok, diff := differ(d.src)
		if diff != "" {
			t.Errorf("%s: %s", d.name, diff)
		}
		if ok {
			accepted++
		} else {
			refused = append(refused, d.name+" ("+htmltree.Why(d.src)+")")
		}
		if d.bundled {
			bundled++
			if ok {
				bundledOK++
			} else {
				t.Errorf("%s: a bundled master does not take the fast path", d.name)
			}
		}
	}
	t.Logf("fast path: %d of %d documents (bundled masters: %d of %d)", accepted, len(docs), bundledOK, bundled)
	for _, n := range refused {
		t.Logf("fallback: %s", n)
	}
}

// TestParseFallsBack checks that Parse returns html.Parse's tree and error outside the
// subset.
func TestParseFallsBack(t *testing.T) {
	for _, src := range []string{"<table>x</table>", "<b><p>x</b>y", "<svg><path/></svg>", strings.Repeat("<div>", 600)} {
		got, err := htmltree.Parse(src)
		want, werr := html.Parse(strings.NewReader(src))
		if (err == nil) != (werr == nil) {
			t.Fatalf("%.30q: error %v, want %v", src, err, werr)
		}
		if err == nil {
			if d := sameNode(want, got, "#document"); d != "" {
				t.Errorf("%.30q: %s", src, d)
			}
		}
	}
}

// TestAttrCapacity checks that appending to one element's attributes (as the AMP pass does)
// leaves its neighbours' alone, though they share a block.
func TestAttrCapacity(t *testing.T) {
	doc, err := htmltree.TryParse(`<p a=1 b=2><p c=3>`)
	if err != nil {
		t.Fatal(err)
	}
	p1 := doc.LastChild.LastChild.FirstChild
	p2 := p1.NextSibling
	p1.Attr = append(p1.Attr, html.Attribute{Key: "z", Val: "9"})
	if len(p2.Attr) != 1 || p2.Attr[0].Key != "c" || p2.Attr[0].Val != "3" {
		t.Errorf("second element's attributes: %v", p2.Attr)
	}
}
