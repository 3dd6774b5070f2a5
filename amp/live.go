package amp

import (
	"fmt"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// live turns a mailmold live block,
//
//	<mm-live data-src="https://…"><template type="amp-mustache">…</template><mm-fallback>…</mm-fallback></mm-live>
//
// into an amp-list with layout="container" (it takes the height of what it shows) whose
// template is the live content and whose placeholder and fallback hold the static content
// rendered at send time.
func (t *transformer) live(parent, n *html.Node) {
	tag := tagOf(n)
	src := ""
	for _, a := range n.Attr {
		if a.Key == "data-src" {
			src = a.Val
		}
	}
	if !httpsURL(src) || !absoluteLink(src) {
		t.fail("amp-live", tag, fmt.Sprintf("live block src %q must be an absolute https URL without placeholders", truncate(src, 80)))
		parent.RemoveChild(n)
		return
	}
	var tmpl, fallback *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch {
		case c.Data == "template" && tmpl == nil:
			tmpl = c
		case c.Data == "mm-fallback" && fallback == nil:
			fallback = c
		}
	}
	if tmpl == nil {
		t.fail("amp-live", tag, "live block has no <template type=\"amp-mustache\">")
		parent.RemoveChild(n)
		return
	}
	if t.rec != nil && (t.rec.hasSite(n) || t.rec.subtreeHasSite(tmpl)) {
		t.rec.bad = true // the src is judged; a template's values are the client's to fill
	}
	list := &html.Node{Type: html.ElementNode, Data: "amp-list", Attr: []html.Attribute{
		{Key: "src", Val: src}, {Key: "layout", Val: "container"}, {Key: "binding", Val: "no"}}}
	t.components |= compList | compMustache

	n.RemoveChild(tmpl)
	tmpl.Attr = []html.Attribute{{Key: "type", Val: "amp-mustache"}}
	t.inTemplate = true
	t.walk(tmpl) // x/net/html keeps template content as the element's children
	t.inTemplate = false
	list.AppendChild(tmpl)

	placeholder := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div, Attr: []html.Attribute{{Key: "placeholder"}}}
	if fallback != nil {
		for c := fallback.FirstChild; c != nil; {
			next := c.NextSibling
			fallback.RemoveChild(c)
			placeholder.AppendChild(c)
			c = next
		}
	}
	t.inLive = true
	t.walk(placeholder)
	t.inLive = false
	fb := cloneNode(placeholder)
	if t.rec != nil {
		t.rec.cloned(placeholder, fb) // the fallback repeats the placeholder's sites
	}
	fb.Attr = []html.Attribute{{Key: "fallback"}}
	t.inlineCSS += styleBytes(fb)
	list.AppendChild(placeholder)
	list.AppendChild(fb)
	parent.InsertBefore(list, n)
	parent.RemoveChild(n)
}

// staticLive replaces a live block nested in a live block's fallback or template by its
// static content alone (expanding it would double the document at every level).
func (t *transformer) staticLive(parent, n, next *html.Node) *html.Node {
	if t.rec != nil && t.rec.subtreeHasSite(n) {
		t.rec.bad = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "mm-fallback" {
			n.RemoveChild(c)
			parent.InsertBefore(c, n)
			parent.RemoveChild(n)
			return unwrap(parent, c, next)
		}
	}
	parent.RemoveChild(n)
	return next
}

// cloneNode deep-copies n.
func cloneNode(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
	if len(n.Attr) > 0 {
		c.Attr = append([]html.Attribute(nil), n.Attr...)
	}
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		c.AppendChild(cloneNode(k))
	}
	return c
}

// styleBytes counts the style attribute bytes under n (the copy of a fallback counts again).
func styleBytes(n *html.Node) int {
	total := 0
	for _, a := range n.Attr {
		if a.Key == "style" {
			total += len(a.Val)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		total += styleBytes(c)
	}
	return total
}
