// Package amp turns a rendered email document into an AMP for Email (AMP4EMAIL) document and
// runs the official validator. Transform never ships invalid AMP: what cannot be converted
// makes Result.OK false with a diagnostic saying why and where.
package amp

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Diagnostic is one finding of the transform.
type Diagnostic struct {
	Severity string // "error" (the AMP part is omitted) or "warning" (something was changed)
	Rule     string // amp-invalid, amp-img, amp-img-size, amp-css, amp-link, amp-attr, amp-tag, amp-live, amp-size
	Message  string
	Line     int    // 1-based line of the offending element in the input; 0 if unknown
	Col      int    // 1-based column (in characters) of that element; 0 if unknown
	Offset   int    // byte offset of that element (with Line > 0) in the input
	Snippet  string // the offending element's start tag, for locating it in a template
}

// Options control the transform.
type Options struct {
	MaxBytes int // largest AMP document accepted; 0 means MaxDocumentBytes
}

// Result is an AMP document, or the reasons there is none.
type Result struct {
	HTML        string // the AMP document; empty when OK is false
	OK          bool   // false: the message must go without an AMP part
	Diagnostics []Diagnostic
}

// Limits from the AMP for Email specification.
const (
	MaxDocumentBytes = 200_000 // whole document
	AimDocumentBytes = 100_000 // a larger document gets a warning: "aim under 100 KB"
	MaxCSSBytes      = 75_000  // <style amp-custom> and all style attributes together
	MaxStyleAttr     = 1_000   // one style attribute
)

// RuntimeScript is the AMP runtime every AMP document loads.
const RuntimeScript = `<script async src="https://cdn.ampproject.org/v0.js"></script>`

// components the transform can emit, in the order their scripts are written.
const (
	compAnim = 1 << iota
	compList
	compMustache
)

var extensionScripts = [...]struct {
	bit    int
	script string
}{
	{compAnim, `<script async custom-element="amp-anim" src="https://cdn.ampproject.org/v0/amp-anim-0.1.js"></script>`},
	{compList, `<script async custom-element="amp-list" src="https://cdn.ampproject.org/v0/amp-list-0.1.js"></script>`},
	{compMustache, `<script async custom-template="amp-mustache" src="https://cdn.ampproject.org/v0/amp-mustache-0.2.js"></script>`},
}

// styleBlock is the text of one <style> element and the element it came from.
type styleBlock struct {
	tag  origTag
	text string
}

type transformer struct {
	res        *Result
	src        string // the input, for positions; "" when unknown
	components int
	styles     []styleBlock
	inlineCSS  int  // bytes of all style attributes written
	inLive     bool // inside the fallback of a live block
	inTemplate bool // inside a live block's amp-mustache template
	diags      []pending
	agg        map[string]int     // aggregated warning → index in diags
	ords       map[*html.Node]int // ordinal of a diagnosed element among equal start tags
	keyCount   map[string]int     // start tag → elements diagnosed so far
	attrBuf    []html.Attribute   // scratch for attrs
	attrBlock  []html.Attribute   // where ownAttrs carves attribute slices from
	msgBuf     []byte             // scratch for aggregate
	rec        *recorder          // when making a Skeleton
}

// Transform converts a rendered document (mailmold marker elements included) to AMP4EMAIL.
// Diagnostics carry the line and column of the offending element in html.
func Transform(html string, opt Options) Result {
	src := strings.TrimPrefix(html, "\ufeff")
	doc, err := parseHTML(src)
	if err != nil {
		res := Result{}
		res.Diagnostics = []Diagnostic{{Severity: "error", Rule: "amp-invalid", Message: "the document cannot be parsed as HTML: " + err.Error()}}
		return res
	}
	return transform(doc, src, opt)
}

func parseHTML(src string) (*html.Node, error) {
	return htmltree.Parse(src) // html.Parse's tree, faster for rendered email markup
}

// TransformNode converts a parsed document, which it rewrites in place (callers that also
// need the document for something else use it first). Diagnostics have no line and column;
// their Snippet locates them.
func TransformNode(doc *html.Node, opt Options) Result {
	return transform(doc, "", opt)
}

// TransformNodeSource is TransformNode for a document parsed from src: diagnostics carry
// the line and column of the offending element in src.
func TransformNodeSource(doc *html.Node, src string, opt Options) Result {
	return transform(doc, strings.TrimPrefix(src, "\ufeff"), opt)
}

func transform(doc *html.Node, src string, opt Options) Result {
	return transformWith(doc, src, opt, nil)
}

// transformWith is transform, followed by rec when rec is not nil (see TransformRecord).
func transformWith(doc *html.Node, src string, opt Options, rec *recorder) Result {
	res := Result{OK: true}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = MaxDocumentBytes
	}
	t := &transformer{res: &res, src: src, rec: rec}
	var htmlEl, head, body *html.Node
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Html {
			htmlEl = c
		}
	}
	if htmlEl != nil {
		for c := htmlEl.FirstChild; c != nil; c = c.NextSibling {
			switch c.DataAtom {
			case atom.Head:
				head = c
			case atom.Body:
				body = c
			}
		}
	}
	if body == nil {
		t.fail("amp-invalid", origTag{}, "the document has no <body>")
		t.finish()
		return res
	}
	if head != nil {
		t.head(head)
	}
	t.rec.refuse(htmlEl) // lang and dir are copied, the rest of html and body is judged
	t.rec.refuse(body)
	t.collectStyles(body)
	bodyStyle := t.bodyAttrs(body)
	t.walk(body)

	b := outBufs.Get().(*bytes.Buffer)
	defer putOutBuf(b)
	b.WriteString("<!doctype html>\n<html ⚡4email data-css-strict")
	for _, a := range htmlEl.Attr {
		if (a.Key == "lang" || a.Key == "dir") && a.Namespace == "" {
			writeAttr(b, a)
		}
	}
	b.WriteString(">\n<head>\n<meta charset=\"utf-8\">\n" + RuntimeScript + "\n")
	for _, e := range extensionScripts {
		if t.components&e.bit != 0 {
			b.WriteString(e.script)
			b.WriteByte('\n')
		}
	}
	b.WriteString("<style amp4email-boilerplate>body{visibility:hidden}</style>\n")
	t.writeSheet(b, body)
	b.WriteString("</head>\n<body")
	for _, a := range bodyStyle {
		writeAttr(b, a)
	}
	b.WriteString(">")
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := t.renderNode(b, c); err != nil {
			t.fail("amp-invalid", origTag{}, "rendering failed: "+err.Error())
		}
	}
	b.WriteString("</body>\n</html>\n")
	if b.Len() > opt.MaxBytes {
		t.fail("amp-invalid", origTag{}, fmt.Sprintf("the AMP document is %d bytes; at most %d are allowed", b.Len(), opt.MaxBytes))
	} else if aim := min(AimDocumentBytes, opt.MaxBytes); b.Len() > aim && res.OK {
		t.warn("amp-size", origTag{}, fmt.Sprintf("the AMP document is %d bytes, over the %d to aim for (AMP allows %d): large AMP parts load slowly and leave no room as the data grows", b.Len(), aim, opt.MaxBytes))
	}
	t.finish()
	if res.OK {
		res.HTML = b.String()
	}
	return res
}

// outBufs holds the buffers documents are rendered into: the document is copied out once,
// at its final size, instead of growing a new builder for every message.
var outBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putOutBuf returns b to outBufs unless it grew past what a typical document needs.
func putOutBuf(b *bytes.Buffer) {
	if b.Cap() > 4*MaxDocumentBytes {
		return
	}
	b.Reset()
	outBufs.Put(b)
}

// writeAttr writes ` key="value"`, the value escaped.
func writeAttr(b *bytes.Buffer, a html.Attribute) {
	b.Write(appendAttr(b.AvailableBuffer(), a))
}

// head collects the stylesheets of the head and reports what it drops from it.
func (t *transformer) head(head *html.Node) {
	for c := head.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.Data {
		case "style":
			t.addStyle(c)
		case "script", "link", "base", "noscript":
			t.warn("amp-tag", tagOf(c), fmt.Sprintf("<%s> is not allowed in AMP for Email and was removed: %s", c.Data, tagRules[c.Data].why))
		}
	}
}

func (t *transformer) addStyle(n *html.Node) {
	var b strings.Builder
	for tx := n.FirstChild; tx != nil; tx = tx.NextSibling {
		b.WriteString(tx.Data)
	}
	t.styles = append(t.styles, styleBlock{tag: tagOf(n), text: b.String()})
}

// collectStyles moves the text of every <style> element of the body into the stylesheet and
// removes the element; dropped content (<mm-textonly>) and templates are left alone.
func (t *transformer) collectStyles(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			switch c.Data {
			case "style":
				t.addStyle(c)
				n.RemoveChild(c)
			case "mm-textonly", "template":
			default:
				t.collectStyles(c)
			}
		}
		c = next
	}
}

// bodyAttrs returns the attributes the AMP <body> keeps, bgcolor and text turned into style.
func (t *transformer) bodyAttrs(body *html.Node) []html.Attribute {
	tag := tagOf(body)
	var pres []string
	var out []html.Attribute
	style := ""
	for _, a := range body.Attr {
		switch {
		case a.Key == "style":
			style = a.Val
		case a.Key == "class" || a.Key == "id" || a.Key == "lang" || a.Key == "dir":
			if v, ok := t.nameAttr(tag, a.Key, a.Val); ok {
				out = append(out, html.Attribute{Key: a.Key, Val: v})
			}
		default:
			if p := presentational("body", a.Key, a.Val); p != "" {
				pres = append(pres, p)
			} else if !silentAttrs[a.Key] {
				t.aggregate("amp-attr", tag, "attribute ", a.Key, " on <body> is not allowed in AMP for Email and was removed")
			}
		}
	}
	if len(pres) > 0 || style != "" {
		if v, ok := t.style(tag, joinStyle(pres, style)); ok {
			out = append(out, html.Attribute{Key: "style", Val: v})
		}
	}
	return out
}

// writeSheet writes <style amp-custom> and checks the CSS budget; over budget, rules whose
// classes or ids the document does not use are left out first.
func (t *transformer) writeSheet(b *bytes.Buffer, body *html.Node) {
	sheets := make([]*sheet, len(t.styles))
	for i, s := range t.styles {
		sheets[i] = parseSheet(s.text)
		for _, d := range sheets[i].dropped {
			t.cssDrop(s, d)
		}
	}
	var css strings.Builder
	for _, sh := range sheets {
		css.WriteString(sh.text)
	}
	if css.Len()+t.inlineCSS > MaxCSSBytes {
		used := usedNames(body)
		keep := func(refs []string) bool {
			for _, r := range refs {
				if !used[r] {
					return false
				}
			}
			return true
		}
		full := css.Len()
		css.Reset()
		for _, sh := range sheets {
			sh.write(&css, keep)
		}
		if css.Len() < full {
			t.warn("amp-css", origTag{}, fmt.Sprintf("the CSS was over AMP's %d bytes: rules for classes and ids the email does not use were left out (%d → %d bytes of stylesheet)", MaxCSSBytes, full, css.Len()))
		}
	}
	if total := css.Len() + t.inlineCSS; total > MaxCSSBytes {
		t.fail("amp-css", origTag{}, fmt.Sprintf("the CSS is %d bytes (stylesheet %d, style attributes %d); AMP for Email allows %d", total, css.Len(), t.inlineCSS, MaxCSSBytes))
	}
	if css.Len() > 0 {
		b.WriteString("<style amp-custom>")
		b.WriteString(css.String())
		b.WriteString("</style>\n")
	}
}

// usedNames collects ".class" and "#id" of every element under n.
func usedNames(n *html.Node) map[string]bool {
	used := map[string]bool{}
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			for _, a := range c.Attr {
				switch a.Key {
				case "class":
					for _, f := range strings.Fields(a.Val) {
						used["."+f] = true
					}
				case "id":
					used["#"+a.Val] = true
				}
			}
			visit(c)
		}
	}
	visit(n)
	return used
}
