package amp_test

import (
	"strings"
	"testing"

	"github.com/mailmold/mailmold/amp"
	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
)

// marker stands for a value in the documents below: the text nodes and attribute values
// holding it are the sites, and each document of the layout has its own value there.
const marker = "VALUE"

// sitesOf parses doc and returns its tree and the places that hold marker.
func sitesOf(t testing.TB, doc string) (*html.Node, []htmltree.SiteRef) {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var sites []htmltree.SiteRef
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode && strings.Contains(n.Data, marker) {
			sites = append(sites, htmltree.SiteRef{Node: n})
		}
		for _, a := range n.Attr {
			if strings.Contains(a.Val, marker) {
				sites = append(sites, htmltree.SiteRef{Node: n, Key: a.Key})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return root, sites
}

// document parses layout with v (escaped) where marker is and returns the tree, its sites
// (the places marker was) and their values.
func document(t testing.TB, layout, v string) (*html.Node, []htmltree.SiteRef, []string) {
	root, sites := sitesOf(t, strings.ReplaceAll(layout, marker, marker+html.EscapeString(v)))
	vals := make([]string, len(sites))
	for i, s := range sites {
		if s.Key == "" {
			s.Node.Data = strings.ReplaceAll(s.Node.Data, marker, "")
			vals[i] = s.Node.Data
			continue
		}
		for k, a := range s.Node.Attr {
			if a.Key == s.Key {
				s.Node.Attr[k].Val = strings.ReplaceAll(a.Val, marker, "")
				vals[i] = s.Node.Attr[k].Val
			}
		}
	}
	return root, sites, vals
}

// sameShape reports whether two documents of a layout are the same tree but for the values
// of their sites (each document parses on its own, so a marker in a tag can make two
// different trees).
func sameShape(ra, rb *html.Node, a, b []htmltree.SiteRef) bool {
	if len(a) != len(b) {
		return false
	}
	isSite := func(sites []htmltree.SiteRef, n *html.Node, key string) bool {
		for _, s := range sites {
			if s.Node == n && s.Key == key {
				return true
			}
		}
		return false
	}
	var same func(x, y *html.Node) bool
	same = func(x, y *html.Node) bool {
		if x.Type != y.Type || x.Namespace != y.Namespace || len(x.Attr) != len(y.Attr) {
			return false
		}
		if x.Data != y.Data && !(x.Type == html.TextNode && isSite(a, x, "") && isSite(b, y, "")) {
			return false
		}
		for i := range x.Attr {
			ka, kb := x.Attr[i], y.Attr[i]
			if ka.Key != kb.Key || ka.Namespace != kb.Namespace {
				return false
			}
			if ka.Val != kb.Val && !(isSite(a, x, ka.Key) && isSite(b, y, kb.Key)) {
				return false
			}
		}
		cx, cy := x.FirstChild, y.FirstChild
		for ; cx != nil && cy != nil; cx, cy = cx.NextSibling, cy.NextSibling {
			if !same(cx, cy) {
				return false
			}
		}
		return cx == nil && cy == nil
	}
	return same(ra, rb)
}

// skeletonSame records layout with first for its values and fills the skeleton in with each
// of others, expecting what transforming that document gives; it returns whether there was
// a skeleton and which fills it accepted.
func skeletonSame(t testing.TB, layout, first string, others []string) (bool, []bool) {
	root, sites, _ := document(t, layout, first)
	shape, shapeSites, _ := document(t, layout, first) // kept as it is, for sameShape
	want, skel := amp.TransformRecord(root, "", amp.Options{}, sites)
	again, _, _ := document(t, layout, first)
	if full := amp.TransformNode(again, amp.Options{}); full.HTML != want.HTML || full.OK != want.OK {
		t.Fatalf("recording changed the transform:\n%.300q\n%.300q", full.HTML, want.HTML)
	}
	if skel == nil {
		return false, nil
	}
	var filled []bool
	static := "" // the text of the filled parts outside their holes, the same for each
	for _, v := range others {
		root, sites2, vals := document(t, layout, v)
		if !sameShape(shape, root, shapeSites, sites2) {
			filled = append(filled, false)
			continue
		}
		got, holes, ok := skel.Fill(func(i int) string { return vals[i] }, nil)
		filled = append(filled, ok)
		if !ok {
			continue
		}
		if st := outsideHoles(t, got, holes); static == "" {
			static = st
		} else if st != static {
			t.Fatalf("%q: the text outside the holes changed:\n%.600q\nwas\n%.600q", v, st, static)
		}
		if full := amp.TransformNode(root, amp.Options{}); !full.OK || len(full.Diagnostics) > 0 || full.HTML != got {
			t.Fatalf("%q: the skeleton gives\n%.600q\nthe transform (ok %v, %d diagnostics)\n%.600q", v, got, full.OK, len(full.Diagnostics), full.HTML)
		}
	}
	return true, filled
}

func TestSkeleton(t *testing.T) {
	body := func(s string) string { return "<html><head></head><body>" + s + "</body></html>" }
	for _, c := range []struct {
		name, layout string
		others       []string
		skeleton     bool
		filled       []bool
	}{
		{"text", body("<p>Hi VALUE &amp; more</p>"), []string{"Bob", "<b>x</b> & \"q\""}, true, []bool{true, true}},
		{"alt and title", body(`<p title="VALUE"><img src="https://x.example/a.png" width="5" height="5" alt="VALUE"></p>`), []string{"b\"c"}, true, []bool{true}},
		{"href", body(`<a href="https://x.example/?u=VALUE">l</a>`), []string{"2&x=3", "a b"}, true, []bool{true, false}},
		{"whole href", body(`<a href="VALUE">l</a>`), []string{"mailto:a@example.com", "/x", "javascript:x"}, true, []bool{true, false, false}},
		{"image src", body(`<img src="VALUE" width="5" height="5">`), []string{"https://x.example/b.jpg", "https://x.example/c.gif", "http://x.example/d.png"}, true, []bool{true, false, false}},
		{"class", body(`<p class="VALUE">x</p>`), nil, false, nil},
		{"id", body(`<p id="VALUE">x</p>`), nil, false, nil},
		{"style", body(`<p style="color:VALUE">x</p>`), nil, false, nil},
		{"target", body(`<a href="https://x.example/" target="VALUE">x</a>`), nil, false, nil},
		{"image size", body(`<img src="https://x.example/a.png" width="VALUE" height="5">`), nil, false, nil},
		{"ancestor width", body(`<table width="VALUE"><tr><td><img src="https://x.example/a.png" width="100%" height="5"></td></tr></table>`), nil, false, nil},
		{"dropped attribute", body(`<p onclick="VALUE">x</p>`), nil, false, nil},
		{"presentational", body(`<font color="VALUE">x</font>`), nil, false, nil},
		{"body", `<html><body class="VALUE"><p>x</p></body></html>`, nil, false, nil},
		{"live fallback", body(`<mm-live data-src="https://x.example/d.json"><template type="amp-mustache"><b>{{n}}</b></template><mm-fallback><p>VALUE</p></mm-fallback></mm-live>`),
			[]string{"two", "three"}, true, []bool{true, true}},
		{"live template", body(`<mm-live data-src="https://x.example/d.json"><template type="amp-mustache"><b>VALUE</b></template></mm-live>`), nil, false, nil},
		{"an attribute the transform also sets", body(`<img src="https://x.example/a.png" width="5" height="5" layout="VALUE">`), nil, false, nil},
		{"raw markup", body(`<svg><text>VALUE</text></svg>`), nil, false, nil},
		{"a diagnostic", body(`<p>VALUE</p><xyz>m</xyz>`), nil, false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			first := "first"
			if strings.Contains(c.layout, `href="VALUE"`) || strings.Contains(c.layout, `src="VALUE"`) {
				first = "https://x.example/a.png"
			}
			skel, filled := skeletonSame(t, c.layout, first, c.others)
			if skel != c.skeleton {
				t.Fatalf("skeleton %v, want %v", skel, c.skeleton)
			}
			for i := range c.filled {
				if filled[i] != c.filled[i] {
					t.Errorf("%q: filled %v, want %v", c.others[i], filled[i], c.filled[i])
				}
			}
		})
	}
}

// FuzzSkeleton asserts that a skeleton, when it fills a document in, gives what the
// transform gives that document: layout holds VALUE where the values go; a is recorded and
// b filled in.
func FuzzSkeleton(f *testing.F) {
	f.Add(`<html><body><p>VALUE</p><a href="https://x.example/VALUE">VALUE</a><img src="https://x.example/VALUE.png" width="5" height="5" alt="VALUE"></body></html>`, "a", "b c")
	f.Add(`<html><body><a href="VALUE">x</a></body></html>`, "https://x.example/", "https://y.example/?a=1&b=2")
	f.Add(`<html><body><img src="VALUE" width="1" height="1"></body></html>`, "https://x.example/a.png", "https://x.example/b.GIF")
	f.Add(`<html><body><mm-live data-src="https://x.example/d.json"><template type="amp-mustache">{{x}}</template><mm-fallback><a href="https://x.example/VALUE">VALUE</a></mm-fallback></mm-live></body></html>`, "a", "<b>")
	f.Fuzz(func(t *testing.T, layout, a, b string) {
		if len(layout) > 20_000 || strings.Contains(a+b, marker) {
			return
		}
		skeletonSame(t, layout, a, []string{b})
	})
}

// outsideHoles returns s without the byte ranges of holes, each replaced by a NUL, after
// checking that they are in order within s.
func outsideHoles(t testing.TB, s string, holes [][2]int) string {
	t.Helper()
	var b strings.Builder
	at := 0
	for _, h := range holes {
		if h[0] < at || h[1] < h[0] || h[1] > len(s) {
			t.Fatalf("holes %v out of order in %d bytes", holes, len(s))
		}
		b.WriteString(s[at:h[0]])
		b.WriteByte(0)
		at = h[1]
	}
	b.WriteString(s[at:])
	return b.String()
}
