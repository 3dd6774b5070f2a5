package htmlprod

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"github.com/vanng822/go-premailer/premailer"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// premailerOptions: no CSS-to-attribute copying (the template's own width/height
// attributes stay the only ones), and no !important in style attributes (an inline
// !important would beat the !important rules of the media queries kept in <style>).
var premailerOptions = premailer.Options{CssToAttributes: false, KeepBangImportant: false}

// Inline moves the CSS of the document's <style> elements into style attributes with
// go-premailer, and repairs what premailer alone would break:
//
//   - rules premailer does not inline (pseudo-classes such as :hover, pseudo-elements,
//     @media blocks) stay in a <style> block at the end of <head>, marked !important;
//   - other at-rules (@import, @font-face, @supports, @keyframes…) and selectors
//     premailer cannot match stay verbatim in a <style> where the first inlined one was;
//   - <style> elements with a data-embed or data-premailer="ignore" attribute, a media
//     attribute other than "all", or inside a <template>, and <style> in conditional
//     comments, are left exactly as they are;
//   - an !important rule wins over the element's own style attribute, as in CSS;
//   - the doctype is kept byte for byte (whitespace runs in it collapse to one space);
//   - mailmold markers are kept byte for byte and where they were (the HTML parser would
//     move them out of tables); the content of <mm-textonly> and the <template> of
//     <mm-live> are not inlined into;
//   - no <tbody> is added to tables when the document had none.
//
// Otherwise the document comes back as golang.org/x/net/html renders it: attribute values
// double-quoted, entities decoded to UTF-8 except the ones markup needs, void elements
// written as <br/>. Selectors that match nothing are dropped, as in any inliner: rules for
// attributes a mail client adds (a[x-apple-data-detectors], #MessageViewBody) belong in a
// <style data-embed>. A document without an inlinable <style> is returned unchanged.
func Inline(doc string) (string, error) {
	if !hasStyleTag(doc) {
		return doc, nil
	}
	out, ok, err := inline(doc, true)
	if err == nil && !ok {
		// a marker sat where the parser rewrites text (an attribute value, a <title>):
		// inline without hiding the markers
		out, ok, err = inline(doc, false)
	}
	if err != nil {
		return "", fmt.Errorf("inline CSS: %w", err)
	}
	if !ok {
		return "", errors.New("inline CSS: the preserved parts of the document could not be put back")
	}
	return out, nil
}

// hasStyleTag reports whether doc may contain a <style> element.
func hasStyleTag(doc string) bool {
	for i := 0; ; {
		j := strings.IndexByte(doc[i:], '<')
		if j < 0 {
			return false
		}
		if hasTagPrefix(doc[i+j:], "style") {
			return true
		}
		i += j + 1
	}
}

var leadingDoctype = regexp.MustCompile(`^[\t\n\f\r \x{FEFF}]*<!(?i:doctype)[^>]*>`)

// splitDoctype cuts the doctype that starts doc off, its whitespace runs collapsed.
func splitDoctype(doc string) (doctype, rest string) {
	loc := leadingDoctype.FindStringIndex(doc)
	if loc == nil {
		return "", doc
	}
	return strings.Join(strings.Fields(strings.TrimLeft(doc[:loc[1]], "\uFEFF")), " "), doc[loc[1]:]
}

// inline does the work of Inline; ok is false when a hidden span could not be put back.
func inline(doc string, hideMarkers bool) (out string, ok bool, err error) {
	m := newMasker(doc, false)
	if m == nil {
		return doc, true, nil // every private-use rune of plane 15 occurs in doc
	}
	src := doc
	if hideMarkers {
		src = maskSpans(doc, m, forInline)
	}
	root, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", false, err
	}
	var inlinable, others []*html.Node
	var walk func(n *html.Node, inTemplate bool)
	walk = func(n *html.Node, inTemplate bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.Style {
				if !inTemplate && isInlinable(c) {
					inlinable = append(inlinable, c)
				} else {
					others = append(others, c)
				}
				continue
			}
			walk(c, inTemplate || c.DataAtom == atom.Template)
		}
	}
	walk(root, false)
	if len(inlinable) == 0 {
		return doc, true, nil
	}
	var text strings.Builder
	for _, n := range inlinable {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			text.WriteString(c.Data)
		}
		text.WriteByte('\n')
	}
	sh := splitSheet(text.String())
	for _, n := range others {
		if err := replaceWithMask(n, m, ""); err != nil {
			return "", false, err
		}
	}
	if sh.keep.Len() > 0 {
		if err := replaceWithMask(inlinable[0], m, "<style>\n"+sh.keep.String()+"</style>"); err != nil {
			return "", false, err
		}
		inlinable = inlinable[1:]
	}
	for _, n := range inlinable {
		n.Parent.RemoveChild(n)
	}
	if sh.inline.Len() > 0 {
		head := findElement(root, atom.Head)
		if head == nil {
			return "", false, errors.New("the document has no <head>")
		}
		style := &html.Node{Type: html.ElementNode, Data: "style", DataAtom: atom.Style}
		style.AppendChild(&html.Node{Type: html.TextNode, Data: sh.inline.String()})
		head.AppendChild(style)
	}
	for _, r := range sh.important {
		for _, n := range cascadia.QueryAll(root, r.sel) {
			dropOverridden(n, r.props)
		}
	}
	kept := importantAttrs(root)
	out, err = premailer.NewPremailer(goquery.NewDocumentFromNode(root), &premailerOptions).Transform()
	if err != nil {
		return "", false, err
	}
	if restoreImportant(kept) {
		var b strings.Builder
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			if err := html.Render(&b, c); err != nil {
				return "", false, err
			}
		}
		out = b.String()
	}
	if doctype, _ := splitDoctype(doc); doctype != "" && strings.HasPrefix(out, "<!DOCTYPE") {
		out = doctype + out[strings.IndexByte(out, '>')+1:]
	}
	out = invisibles.Replace(out)
	if indexFold(doc, "<tbody") < 0 {
		out = strings.ReplaceAll(strings.ReplaceAll(out, "<tbody>", ""), "</tbody>", "")
	}
	out, ok = m.restore(out)
	return out, ok, nil
}

// invisibles writes the characters the HTML parser decoded from entities, and that cannot be
// told apart when reading the source, back as entities: the preheader's &zwnj;&nbsp; runs,
// spacer cells' &nbsp;, soft hyphens. The spans hidden from the parser keep their bytes.
var invisibles = strings.NewReplacer(
	"\u00a0", "&nbsp;", "\u200c", "&zwnj;", "\u200d", "&zwj;", "\u200b", "&#8203;",
	"\u00ad", "&shy;", "\u034f", "&#847;", "\u2007", "&#8199;", "\ufeff", "&#65279;")

// isInlinable reports whether premailer should inline the <style> element n.
func isInlinable(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "data-embed":
			return false
		case "data-premailer":
			if a.Val == "ignore" {
				return false
			}
		case "media":
			if v := strings.TrimSpace(a.Val); v != "" && !strings.EqualFold(v, "all") {
				return false
			}
		case "type":
			if v := strings.TrimSpace(a.Val); v != "" && !strings.EqualFold(v, "text/css") {
				return false
			}
		}
	}
	return true
}

// replaceWithMask puts a placeholder comment in n's place; the placeholder stands for span,
// or for n as rendered when span is "".
func replaceWithMask(n *html.Node, m *masker, span string) error {
	if span == "" {
		var b strings.Builder
		if err := html.Render(&b, n); err != nil {
			return err
		}
		span = b.String()
	}
	c := &html.Node{Type: html.CommentNode, Data: strings.TrimSuffix(strings.TrimPrefix(m.hide(span), "<!--"), "-->")}
	n.Parent.InsertBefore(c, n)
	n.Parent.RemoveChild(n)
	return nil
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

// dropOverridden removes from n's style attribute the declarations of props that are not
// !important themselves, so that the stylesheet's !important declarations win as they do
// in CSS. A style attribute that does not parse is left alone.
func dropOverridden(n *html.Node, props []string) {
	for i, a := range n.Attr {
		if a.Key != "style" {
			continue
		}
		p := css.NewParser(parse.NewInputString(a.Val), true)
		var b strings.Builder
		changed := false
		for {
			gt, _, data := p.Next()
			if gt == css.ErrorGrammar {
				if p.Err() != io.EOF {
					return
				}
				break
			}
			if gt != css.DeclarationGrammar && gt != css.CustomPropertyGrammar {
				return
			}
			name := strings.ToLower(string(data))
			vals := p.Values()
			if !isImportant(vals) && contains(props, name) {
				changed = true
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(string(data) + ":")
			for _, v := range vals {
				b.Write(v.Data)
			}
		}
		if changed {
			n.Attr[i].Val = b.String()
		}
		return
	}
}

// importantDecl is an !important declaration of an element's style attribute, which
// premailer drops the !important of when it rewrites the attribute.
type importantDecl struct {
	n           *html.Node
	prop, value string // value without !important
}

// importantAttrs lists the !important declarations of the style attributes under n.
func importantAttrs(n *html.Node) []importantDecl {
	var out []importantDecl
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "style" && indexFold(a.Val, "important") >= 0 {
					out = append(out, declarations(n, a.Val)...)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// declarations returns the !important declarations of the style attribute value style.
func declarations(n *html.Node, style string) []importantDecl {
	var out []importantDecl
	p := css.NewParser(parse.NewInputString(style), true)
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			return out
		}
		vals := p.Values()
		if gt != css.DeclarationGrammar || !isImportant(vals) {
			continue
		}
		var v strings.Builder
		for _, t := range vals {
			v.Write(t.Data)
		}
		value := strings.TrimSpace(v.String())
		value = strings.TrimSpace(value[:strings.LastIndexByte(value, '!')])
		out = append(out, importantDecl{n: n, prop: strings.ToLower(string(data)), value: value})
	}
}

// restoreImportant puts the !important back on the declarations premailer rewrote as
// "prop:value"; it reports whether it changed anything.
func restoreImportant(decls []importantDecl) bool {
	changed := false
	for _, d := range decls {
		for i, a := range d.n.Attr {
			if a.Key != "style" {
				continue
			}
			decl := d.prop + ":" + d.value
			for from := 0; ; {
				j := strings.Index(a.Val[from:], decl)
				if j < 0 {
					break
				}
				j += from
				end := j + len(decl)
				if (j == 0 || a.Val[j-1] == ';') && (end == len(a.Val) || a.Val[end] == ';') {
					d.n.Attr[i].Val = a.Val[:end] + " !important" + a.Val[end:]
					changed = true
					break
				}
				from = end
			}
		}
	}
	return changed
}

func isImportant(vals []css.Token) bool {
	for i := len(vals) - 1; i > 0; i-- {
		if vals[i].TokenType == css.WhitespaceToken {
			continue
		}
		return vals[i].TokenType == css.IdentToken && strings.EqualFold(string(vals[i].Data), "important") &&
			vals[i-1].TokenType == css.DelimToken && string(vals[i-1].Data) == "!"
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
