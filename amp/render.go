package amp

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// renderNode writes n and its subtree exactly as html.Render does. A transformed body holds
// only HTML elements and text, which appendPlain appends straight to the buffer's free space
// (html.Render goes through an interface for every write and looks up every tag in a map,
// which made it the larger half of the transform); a subtree holding anything else
// (comments, foreign content, raw-text elements, namespaced attributes) is left to
// html.Render.
func renderNode(b *bytes.Buffer, n *html.Node) error {
	var t transformer
	return t.renderNode(b, n)
}

// renderNode is renderNode, noting where site values go when t makes a Skeleton.
func (t *transformer) renderNode(b *bytes.Buffer, n *html.Node) error {
	base := b.Len()
	if out, ok := t.appendPlain(b.AvailableBuffer(), n, base); ok {
		b.Write(out)
		return nil
	}
	if t.rec != nil {
		t.rec.spans = t.rec.spans[:t.rec.spansAt(base)] // what appendPlain noted is not written
		if t.rec.subtreeHasSite(n) {
			t.rec.bad = true
		}
	}
	return html.Render(b, n)
}

// appendPlain appends a subtree of HTML elements and text to buf as html.Render would write
// it; false when the subtree holds anything else.
// base is the offset in the document of buf[0], for the spans of a Skeleton.
func (t *transformer) appendPlain(buf []byte, n *html.Node, base int) ([]byte, bool) {
	switch n.Type {
	case html.TextNode:
		if i, ok := t.rec.site(n, ""); ok {
			start := base + len(buf)
			buf = appendEscaped(buf, n.Data)
			t.rec.spans = append(t.rec.spans, span{start, base + len(buf), i})
			return buf, true
		}
		return appendEscaped(buf, n.Data), true
	case html.ElementNode:
	default:
		return buf, false
	}
	if n.Namespace != "" {
		return buf, false
	}
	switch n.Data {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "xmp":
		return buf, false // text written literally, depending on the ancestors
	}
	buf = append(buf, '<')
	buf = append(buf, n.Data...)
	for _, a := range n.Attr {
		if a.Namespace != "" {
			return buf, false
		}
		if i, ok := t.rec.site(n, a.Key); ok {
			if keyCount(n.Attr, a.Key) > 1 {
				t.rec.bad = true // which of them holds the site's value?
			}
			buf = append(append(append(buf, ' '), a.Key...), `="`...)
			start := base + len(buf)
			buf = appendEscaped(buf, a.Val)
			t.rec.spans = append(t.rec.spans, span{start, base + len(buf), i})
			buf = append(buf, '"')
			continue
		}
		buf = appendAttr(buf, a)
	}
	switch n.Data {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr":
		if n.FirstChild != nil {
			return buf, false // html.Render reports the error
		}
		return append(buf, "/>"...), true
	}
	buf = append(buf, '>')
	if c := n.FirstChild; c != nil && c.Type == html.TextNode && strings.HasPrefix(c.Data, "\n") {
		switch n.Data {
		case "pre", "listing", "textarea":
			t.rec.refuse(c)
			buf = append(buf, '\n')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		var ok bool
		if buf, ok = t.appendPlain(buf, c, base); !ok {
			return buf, false
		}
	}
	buf = append(buf, "</"...)
	buf = append(buf, n.Data...)
	return append(buf, '>'), true
}

// keyCount returns how many of attrs are named key.
func keyCount(attrs []html.Attribute, key string) int {
	n := 0
	for _, a := range attrs {
		if a.Key == key {
			n++
		}
	}
	return n
}

// appendAttr appends ` key="value"`, the value escaped.
func appendAttr(buf []byte, a html.Attribute) []byte {
	buf = append(buf, ' ')
	buf = append(buf, a.Key...)
	buf = append(buf, `="`...)
	buf = appendEscaped(buf, a.Val)
	return append(buf, '"')
}

// escapes are the replacements html.Render writes for the bytes it escapes in text and
// attribute values.
var escapes = [256]string{'&': "&amp;", '\'': "&#39;", '<': "&lt;", '>': "&gt;", '"': "&#34;", '\r': "&#13;"}

// appendEscaped appends s escaped as html.EscapeString does.
func appendEscaped(buf []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if e := escapes[s[i]]; e != "" {
			buf = append(buf, s[last:i]...)
			buf = append(buf, e...)
			last = i + 1
		}
	}
	return append(buf, s[last:]...)
}
