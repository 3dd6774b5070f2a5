// Package amp turns a rendered email document into an AMP for Email (AMP4EMAIL) document and
// runs the official validator. Transform never ships invalid AMP: what cannot be converted
// makes Result.OK false with a diagnostic saying why and where.
package amp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Diagnostic is one finding of the transform.
type Diagnostic struct {
	Severity string // "error" or "warning"
	Rule     string // amp-invalid, amp-img-size, amp-css, amp-link
	Message  string
	Line     int    // in the input document, 0 if unknown
	Snippet  string // the offending start tag, for locating it in a template
}

// Options control the transform.
type Options struct {
	MaxBytes int // document limit; 0 means 200,000
}

// Result is an AMP document, or the reasons there is none.
type Result struct {
	HTML        string
	OK          bool
	Diagnostics []Diagnostic
}

// Limits from the AMP for Email specification.
const (
	MaxDocumentBytes = 200_000
	MaxCSSBytes      = 75_000
	MaxStyleAttr     = 1_000
)

// RuntimeScript is the AMP runtime every AMP document loads.
const RuntimeScript = `<script async src="https://cdn.ampproject.org/v0.js"></script>`

var extensionScripts = map[string]string{
	"amp-anim":     `<script async custom-element="amp-anim" src="https://cdn.ampproject.org/v0/amp-anim-0.1.js"></script>`,
	"amp-list":     `<script async custom-element="amp-list" src="https://cdn.ampproject.org/v0/amp-list-0.1.js"></script>`,
	"amp-mustache": `<script async custom-template="amp-mustache" src="https://cdn.ampproject.org/v0/amp-mustache-0.2.js"></script>`,
}

// dropped elements: removed with their content, with a warning.
var droppedTags = map[string]bool{"script": true, "noscript": true, "base": true, "link": true, "iframe": true,
	"object": true, "embed": true, "frame": true, "frameset": true, "applet": true, "param": true, "title": true,
	"canvas": true, "svg": true, "math": true, "style": true}

// fatalTags cannot become AMP for Email at all.
var fatalTags = map[string]string{
	"form": "forms need amp-form and action-xhr, which a static email cannot provide", "input": "form inputs are not allowed",
	"textarea": "form inputs are not allowed", "select": "form inputs are not allowed", "button": "buttons outside amp-form are not allowed",
	"video": "AMP for Email has no video component", "audio": "AMP for Email has no audio component",
}

type transformer struct {
	inLive     bool // inside the fallback of a live block
	res        *Result
	sheets     []string
	components map[string]bool
	inlineCSS  int
}

// Transform converts a rendered document (mailmold marker elements included) to AMP4EMAIL.
func Transform(src string, opt Options) Result {
	doc, err := html.Parse(strings.NewReader(strings.TrimPrefix(src, "\ufeff")))
	if err != nil {
		res := Result{}
		res.fail(0, "", "the document cannot be parsed as HTML: "+err.Error())
		return res
	}
	return TransformNode(doc, opt)
}

// TransformNode converts a parsed document, which it rewrites in place (callers that also
// need the document for something else use it first).
func TransformNode(doc *html.Node, opt Options) Result {
	res := Result{OK: true}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = MaxDocumentBytes
	}
	t := &transformer{res: &res, components: map[string]bool{}}
	var head, body *html.Node
	var htmlEl *html.Node
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Html {
			htmlEl = c
		}
	}
	if htmlEl == nil {
		res.fail(0, "", "no <html> element")
		return res
	}
	for c := htmlEl.FirstChild; c != nil; c = c.NextSibling {
		switch c.DataAtom {
		case atom.Head:
			head = c
		case atom.Body:
			body = c
		}
	}
	if head != nil {
		t.collectStyles(head)
	}
	if body == nil {
		res.fail(0, "", "no <body> element")
		return res
	}
	t.collectStyles(body)
	t.walk(body)
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html ⚡4email data-css-strict")
	for _, a := range htmlEl.Attr {
		if a.Key == "lang" || a.Key == "dir" {
			fmt.Fprintf(&b, ` %s="%s"`, a.Key, html.EscapeString(a.Val))
		}
	}
	b.WriteString(">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString(RuntimeScript + "\n")
	names := make([]string, 0, len(t.components))
	for n := range t.components {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(extensionScripts[n] + "\n")
	}
	b.WriteString("<style amp4email-boilerplate>body{visibility:hidden}</style>\n")
	sheet := sanitizeSheet(strings.Join(t.sheets, "\n"))
	for _, d := range uniq(sheet.dropped) {
		res.warn("amp-css", 0, "", "dropped from the stylesheet for AMP: "+d)
	}
	if sheet.css != "" {
		b.WriteString("<style amp-custom>" + sheet.css + "</style>\n")
	}
	if total := len(sheet.css) + t.inlineCSS; total > MaxCSSBytes {
		res.fail(0, "", fmt.Sprintf("CSS is %d bytes (stylesheet and style attributes together); AMP for Email allows %d", total, MaxCSSBytes))
	}
	b.WriteString("</head>\n<body")
	for _, a := range body.Attr {
		if ok, _ := t.attrAllowed(body, a); ok {
			fmt.Fprintf(&b, ` %s="%s"`, a.Key, html.EscapeString(a.Val))
		}
	}
	b.WriteString(">")
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			res.fail(0, "", "rendering failed: "+err.Error())
		}
	}
	b.WriteString("</body>\n</html>\n")
	res.HTML = b.String()
	if len(res.HTML) > opt.MaxBytes {
		res.fail(0, "", fmt.Sprintf("the AMP document is %d bytes; AMP for Email allows %d", len(res.HTML), opt.MaxBytes))
	}
	if !res.OK {
		res.HTML = ""
	}
	return res
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func (r *Result) fail(line int, snippet, msg string) {
	r.OK = false
	r.Diagnostics = append(r.Diagnostics, Diagnostic{Severity: "error", Rule: "amp-invalid", Message: msg, Line: line, Snippet: snippet})
}

func (r *Result) warn(rule string, line int, snippet, msg string) {
	r.Diagnostics = append(r.Diagnostics, Diagnostic{Severity: "warning", Rule: rule, Message: msg, Line: line, Snippet: snippet})
}

// collectStyles moves every <style> element's text into the stylesheet and removes it.
func (t *transformer) collectStyles(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && c.DataAtom == atom.Style {
			for tx := c.FirstChild; tx != nil; tx = tx.NextSibling {
				t.sheets = append(t.sheets, tx.Data)
			}
			n.RemoveChild(c)
		} else if c.Type == html.ElementNode {
			t.collectStyles(c)
		}
		c = next
	}
}

// startTag renders an element's start tag for diagnostics.
func startTag(n *html.Node) string {
	var b strings.Builder
	b.WriteString("<" + n.Data)
	for _, a := range n.Attr {
		fmt.Fprintf(&b, ` %s="%s"`, a.Key, a.Val)
	}
	b.WriteString(">")
	s := b.String()
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// walk rewrites the children of n in place.
func (t *transformer) walk(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.CommentNode:
			n.RemoveChild(c) // conditional comments hold Outlook-only markup
		case html.ElementNode:
			next = t.element(n, c, next)
		}
		c = next
	}
}

// element rewrites one element; it returns the node to continue with.
func (t *transformer) element(parent, n, next *html.Node) *html.Node {
	tag := n.Data
	switch {
	case tag == "mm-textonly":
		parent.RemoveChild(n)
		return next
	case tag == "mm-htmlonly":
		first := n.FirstChild
		unwrap(parent, n)
		if first != nil {
			return first
		}
		return next
	case tag == "mm-live" && t.inLive:
		// a live block inside a live block's fallback: only its static content (expanding it
		// would double the document at every level)
		var fb *html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Data == "mm-fallback" {
				fb = c
			}
		}
		if fb != nil {
			n.RemoveChild(fb)
			parent.InsertBefore(fb, n)
			parent.RemoveChild(n)
			first := fb.FirstChild
			unwrap(parent, fb)
			if first != nil {
				return first
			}
			return next
		}
		parent.RemoveChild(n)
		return next
	case tag == "mm-live":
		t.live(parent, n)
		return next
	case fatalTags[tag] != "":
		t.res.fail(0, startTag(n), fmt.Sprintf("<%s> cannot be part of an AMP email: %s", tag, fatalTags[tag]))
		parent.RemoveChild(n)
		return next
	case droppedTags[tag]:
		t.res.warn("amp-invalid", 0, startTag(n), fmt.Sprintf("<%s> is not allowed in AMP for Email and was removed", tag))
		parent.RemoveChild(n)
		return next
	case tag == "meta":
		parent.RemoveChild(n)
		return next
	case tag == "img":
		t.img(n)
	case tag == "center":
		n.Data, n.DataAtom = "div", atom.Div
		n.Attr = append(n.Attr, html.Attribute{Key: "style", Val: "text-align:center"})
	case tag == "font":
		n.Data, n.DataAtom = "span", atom.Span
	}
	t.attrs(n)
	t.walk(n)
	return next
}

// unwrap replaces n by its children.
func unwrap(parent, n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
		c = next
	}
	parent.RemoveChild(n)
}

// attrs filters the attributes of n.
func (t *transformer) attrs(n *html.Node) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		ok, val := t.attrAllowed(n, a)
		if !ok {
			continue
		}
		a.Val = val
		out = append(out, a)
	}
	n.Attr = out
}

var droppedAttrs = map[string]bool{"xmlns": true, "background": true, "srcset": true, "sizes": true}

func (t *transformer) attrAllowed(n *html.Node, a html.Attribute) (bool, string) {
	k := strings.ToLower(a.Key)
	switch {
	case strings.HasPrefix(k, "on"), strings.HasPrefix(k, "xmlns"), strings.Contains(k, ":"), droppedAttrs[k]:
		return false, ""
	case (k == "class" || k == "id") && (strings.Contains(a.Val, "i-amphtml") || strings.Contains(a.Val, "-amp-")):
		return false, ""
	case k == "style":
		s := sanitizeInline(a.Val)
		if s.css == "" {
			return false, ""
		}
		if len(s.css) > MaxStyleAttr {
			t.res.warn("amp-css", 0, startTag(n), fmt.Sprintf("a style attribute of %d bytes is over AMP's %d and was removed", len(s.css), MaxStyleAttr))
			return false, ""
		}
		t.inlineCSS += len(s.css)
		return true, s.css
	case k == "href" && n.Data == "a":
		u := strings.TrimSpace(a.Val)
		if !absoluteLink(u) {
			t.res.warn("amp-link", 0, startTag(n), fmt.Sprintf("link %q was dropped: AMP emails allow only absolute http, https, mailto and tel links", u))
			return false, ""
		}
		return true, u
	case k == "target":
		return a.Val == "_blank", a.Val
	}
	return true, a.Val
}

func absoluteLink(u string) bool {
	l := strings.ToLower(u)
	if strings.Contains(u, "{{") || strings.Contains(u, "{%") {
		return false
	}
	for _, p := range []string{"https://", "http://", "mailto:", "tel:"} {
		if strings.HasPrefix(l, p) && len(l) > len(p) {
			return true
		}
	}
	return false
}

// img turns <img> into amp-img (amp-anim for GIFs) with dimensions and a valid layout.
func (t *transformer) img(n *html.Node) {
	attr := map[string]string{}
	for _, a := range n.Attr {
		attr[strings.ToLower(a.Key)] = a.Val
	}
	src := strings.TrimSpace(attr["src"])
	style := parseStyle(attr["style"])
	w, h := dim(attr["width"]), dim(attr["height"])
	if w == 0 {
		w = dim(style["width"])
	}
	if h == 0 {
		h = dim(style["height"])
	}
	if !strings.HasPrefix(strings.ToLower(src), "https://") {
		// AMP loads images over https only; the image is left out of the AMP part (the HTML
		// part keeps it) rather than losing the whole AMP part.
		t.res.warn("amp-img", 0, startTag(n), fmt.Sprintf("image src %q is not https, which AMP for Email requires: the image is left out of the AMP part", src))
		n.Parent.RemoveChild(n)
		return
	}
	name := "amp-img"
	if strings.HasSuffix(strings.ToLower(strings.SplitN(src, "?", 2)[0]), ".gif") {
		name = "amp-anim"
		t.components["amp-anim"] = true
	}
	keep := []html.Attribute{{Key: "src", Val: src}, {Key: "alt", Val: attr["alt"]}}
	responsive := strings.Contains(style["width"], "100%") || strings.Contains(style["max-width"], "100%") || attr["width"] == "100%"
	switch {
	case w > 0 && h > 0 && responsive:
		keep = append(keep, html.Attribute{Key: "width", Val: strconv.Itoa(w)}, html.Attribute{Key: "height", Val: strconv.Itoa(h)}, html.Attribute{Key: "layout", Val: "responsive"})
	case w > 0 && h > 0:
		keep = append(keep, html.Attribute{Key: "width", Val: strconv.Itoa(w)}, html.Attribute{Key: "height", Val: strconv.Itoa(h)}, html.Attribute{Key: "layout", Val: "fixed"})
	case h > 0:
		t.res.warn("amp-img-size", 0, startTag(n), "image has no width: it is laid out at a fixed height with its own aspect ratio")
		keep = append(keep, html.Attribute{Key: "height", Val: strconv.Itoa(h)}, html.Attribute{Key: "layout", Val: "fixed-height"})
	default:
		t.res.warn("amp-img-size", 0, startTag(n), "image has no width and height: AMP needs them, so it is shown 150 px high; add width and height attributes")
		keep = append(keep, html.Attribute{Key: "height", Val: "150"}, html.Attribute{Key: "layout", Val: "fixed-height"})
	}
	for _, k := range []string{"class", "title", "style", "id"} {
		if v, ok := attr[k]; ok {
			if k == "style" {
				// dimensions are attributes now; the rest of the inline style stays
				delete(style, "width")
				delete(style, "height")
				v = joinStyle(style)
				if v == "" {
					continue
				}
			}
			keep = append(keep, html.Attribute{Key: k, Val: v})
		}
	}
	n.Data, n.DataAtom, n.Attr = name, 0, keep
}

func dim(s string) int {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "px"))
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// parseStyle splits an inline style into lower-cased properties.
func parseStyle(s string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(d, ":")
		if ok {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

func joinStyle(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+":"+m[k])
	}
	return strings.Join(parts, ";")
}

// live turns a mailmold live block into an amp-list whose fallback and placeholder show the
// static content rendered at send time.
func (t *transformer) live(parent, n *html.Node) {
	src := ""
	for _, a := range n.Attr {
		if a.Key == "data-src" {
			src = a.Val
		}
	}
	if !strings.HasPrefix(src, "https://") || strings.Contains(src, "{{") {
		t.res.fail(0, startTag(n), fmt.Sprintf("live block src %q must be an absolute https URL without placeholders", src))
		parent.RemoveChild(n)
		return
	}
	var tmpl, fallback *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Data {
		case "template":
			tmpl = c
		case "mm-fallback":
			fallback = c
		}
	}
	list := &html.Node{Type: html.ElementNode, Data: "amp-list", Attr: []html.Attribute{
		{Key: "src", Val: src}, {Key: "layout", Val: "fixed-height"}, {Key: "height", Val: "120"}, {Key: "binding", Val: "no"}}}
	t.components["amp-list"] = true
	t.components["amp-mustache"] = true
	if tmpl != nil {
		n.RemoveChild(tmpl)
		t.template(tmpl)
		list.AppendChild(tmpl)
	}
	for _, role := range []string{"placeholder", "fallback"} {
		div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div, Attr: []html.Attribute{{Key: role}}}
		if fallback != nil {
			var b strings.Builder
			for c := fallback.FirstChild; c != nil; c = c.NextSibling {
				html.Render(&b, c)
			}
			nodes, _ := html.ParseFragment(strings.NewReader(b.String()), div)
			for _, x := range nodes {
				div.AppendChild(x)
			}
		}
		t.inLive = true
		t.walk(div)
		t.inLive = false
		list.AppendChild(div)
	}
	parent.InsertBefore(list, n)
	parent.RemoveChild(n)
}

// template sanitises the amp-mustache template of a live block under the same rules.
func (t *transformer) template(n *html.Node) {
	n.Attr = []html.Attribute{{Key: "type", Val: "amp-mustache"}}
	// The parser puts template content in the node's children (x/net/html keeps it inline).
	t.walk(n)
}
