package htmltree

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/net/html"
	a "golang.org/x/net/html/atom"
)

// insertionMode handles the current token and reports whether it was consumed; false means
// the token is handled again in the (changed) mode, as in x/net's parser.
type insertionMode func(*parser) bool

// parser holds the tree-construction state. Its fields and steps follow x/net's parser
// (golang.org/x/net/html/parse.go) for the modes and tokens it supports; everything else
// stops it with errUnsupported.
type parser struct {
	sc    *scanner
	tok   token
	doc   *html.Node
	nodes nodeArena
	attrs *attrArena

	oe  []*html.Node // the stack of open elements
	afe []*html.Node // the list of active formatting elements; nil is a scope marker

	head, form *html.Node
	im, orig   insertionMode   // the mode; the one the text mode returns to
	templates  []insertionMode // the stack of template insertion modes
	quirks     bool
	foster     bool // foster parenting would apply to an insertion now

	// holes: the input holds Layouts placeholders. holeCompared: the tree depends on
	// whether an attribute value holding one equals another value (the Noah's Ark clause
	// of addFormattingElement), which a placeholder cannot stand for.
	holes, holeCompared bool
}

// top is the current node.
func (p *parser) top() *html.Node {
	if n := len(p.oe); n > 0 {
		return p.oe[n-1]
	}
	return p.doc
}

func (p *parser) pop() *html.Node {
	n := p.oe[len(p.oe)-1]
	p.oe = p.oe[:len(p.oe)-1]
	return n
}

func index(s []*html.Node, n *html.Node) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == n {
			return i
		}
	}
	return -1
}

func remove(s []*html.Node, n *html.Node) []*html.Node {
	if i := index(s, n); i >= 0 {
		return slices.Delete(s, i, i+1)
	}
	return s
}

type scope int

const (
	defaultScope scope = iota
	listItemScope
	buttonScope
	tableScope
)

// indexInScope is the index in the stack of the highest element named one of tags that is
// in scope s, or -1.
func (p *parser) indexInScope(s scope, tags ...a.Atom) int {
	for i := len(p.oe) - 1; i >= 0; i-- {
		t := p.oe[i].DataAtom
		if slices.Contains(tags, t) {
			return i
		}
		switch t {
		case a.Html, a.Table, a.Template:
			return -1
		case a.Applet, a.Caption, a.Td, a.Th, a.Marquee, a.Object, a.Select:
			if s != tableScope {
				return -1
			}
		case a.Ol, a.Ul:
			if s == listItemScope {
				return -1
			}
		case a.Button:
			if s == buttonScope {
				return -1
			}
		}
	}
	return -1
}

func (p *parser) inScope(s scope, tags ...a.Atom) bool { return p.indexInScope(s, tags...) >= 0 }

// popUntil pops up to and including the highest element named one of tags that is in
// scope s, and reports whether there was one.
func (p *parser) popUntil(s scope, tags ...a.Atom) bool {
	if i := p.indexInScope(s, tags...); i >= 0 {
		p.oe = p.oe[:i]
		return true
	}
	return false
}

func (p *parser) contains(t a.Atom) bool {
	for _, n := range p.oe {
		if n.DataAtom == t {
			return true
		}
	}
	return false
}

// clearStackTo pops elements until one named one of tags (or html) is the current node.
func (p *parser) clearStackTo(tags ...a.Atom) {
	for i := len(p.oe) - 1; i >= 0; i-- {
		if t := p.oe[i].DataAtom; t == a.Html || slices.Contains(tags, t) {
			p.oe = p.oe[:i+1]
			return
		}
	}
}

// generateImpliedEndTags pops dd, dt, li, optgroup, option, p, rb, rp, rt and rtc elements
// other than one named except.
func (p *parser) generateImpliedEndTags(except string) {
	i := len(p.oe) - 1
	for ; i >= 0; i-- {
		n := p.oe[i]
		switch n.DataAtom {
		case a.Dd, a.Dt, a.Li, a.Optgroup, a.Option, a.P, a.Rb, a.Rp, a.Rt, a.Rtc:
			if n.Data != except {
				continue
			}
		}
		break
	}
	p.oe = p.oe[:i+1]
}

// addChild appends n to the current node and, if it is an element, pushes it.
func (p *parser) addChild(n *html.Node) {
	if p.foster {
		switch p.top().DataAtom {
		case a.Table, a.Tbody, a.Tfoot, a.Thead, a.Tr:
			unsupported() // foster parenting
		}
	}
	p.top().AppendChild(n)
	if n.Type == html.ElementNode {
		if len(p.oe) >= 512 {
			unsupported() // html.Parse's nesting limit
		}
		p.oe = append(p.oe, n)
	}
}

// addText appends text to the current node, to its last child if that is text.
func (p *parser) addText(s string) {
	if s == "" {
		return
	}
	if p.foster {
		switch p.top().DataAtom {
		case a.Table, a.Tbody, a.Tfoot, a.Thead, a.Tr:
			unsupported()
		}
	}
	if last := p.top().LastChild; last != nil && last.Type == html.TextNode {
		last.Data += s
		return
	}
	n := p.nodes.alloc()
	n.Type, n.Data = html.TextNode, s
	p.addChild(n)
}

func (p *parser) addComment() {
	n := p.nodes.alloc()
	n.Type, n.Data = html.CommentNode, p.tok.data
	p.addChild(n)
}

// addElement adds the element of the current start tag.
func (p *parser) addElement() {
	n := p.nodes.alloc()
	n.Type, n.DataAtom, n.Data, n.Attr = html.ElementNode, p.tok.atom, p.tok.data, p.tok.attr
	p.addChild(n)
}

// addVoid adds the element of the current start tag and pops it.
func (p *parser) addVoid() {
	p.addElement()
	p.oe = p.oe[:len(p.oe)-1]
}

// addFormattingElement adds a formatting element and records it, with the Noah's Ark
// clause (three alike at most). Like x/net, it sorts the element's attributes.
func (p *parser) addFormattingElement() {
	t, attr := p.tok.atom, p.tok.attr
	p.addElement()
	slices.SortFunc(attr, compareAttr)
	alike := 0
	for i := len(p.afe) - 1; i >= 0; i-- {
		n := p.afe[i]
		if n == nil {
			break
		}
		if n.DataAtom != t {
			continue
		}
		if p.holes && (hasPlaceholder(n.Attr) || hasPlaceholder(attr)) {
			p.holeCompared = true
		}
		if !slices.Equal(n.Attr, attr) {
			continue
		}
		if alike++; alike >= 3 {
			p.afe = slices.Delete(p.afe, i, i+1)
		}
	}
	p.afe = append(p.afe, p.top())
}

func compareAttr(x, y html.Attribute) int {
	return cmp.Or(cmp.Compare(x.Namespace, y.Namespace), cmp.Compare(x.Key, y.Key), cmp.Compare(x.Val, y.Val))
}

// clearFormattingToMarker removes the formatting elements up to and including the last
// marker.
func (p *parser) clearFormattingToMarker() {
	for len(p.afe) > 0 {
		n := p.afe[len(p.afe)-1]
		p.afe = p.afe[:len(p.afe)-1]
		if n == nil {
			return
		}
	}
}

// reconstructFormatting reopens the formatting elements that were closed implicitly, as
// clones, like x/net.
func (p *parser) reconstructFormatting() {
	if len(p.afe) == 0 {
		return
	}
	i := len(p.afe) - 1
	if n := p.afe[i]; n == nil || index(p.oe, n) >= 0 {
		return
	}
	for i > 0 {
		if n := p.afe[i-1]; n == nil || index(p.oe, n) >= 0 {
			break
		}
		i--
	}
	for ; i < len(p.afe); i++ {
		src := p.afe[i]
		c := p.nodes.alloc()
		c.Type, c.DataAtom, c.Data = src.Type, src.DataAtom, src.Data
		c.Attr = p.attrs.clone(src.Attr)
		p.addChild(c)
		p.afe[i] = c
	}
}

// implied handles a token that the markup implies, then restores the current one.
func (p *parser) implied(kind tokenKind, t a.Atom) {
	real := p.tok
	p.tok = token{kind: kind, atom: t, data: t.String()}
	p.process()
	p.tok = real
}

// process runs the current token through the insertion modes until one consumes it.
func (p *parser) process() {
	for !p.im(p) {
	}
}

// copyAttributes adds the current token's attributes that dst lacks (a second <html> or
// <body> tag).
func (p *parser) copyAttributes(dst *html.Node) {
	for _, t := range p.tok.attr {
		if !slices.ContainsFunc(dst.Attr, func(x html.Attribute) bool { return x.Key == t.Key }) {
			dst.Attr = append(dst.Attr, t)
		}
	}
}

const whitespace = " \t\r\n\f"

// addLeadingSpace adds the white space that starts the current text token to the current
// node and leaves the rest as the token; it reports whether that was all.
func (p *parser) addLeadingSpace() bool {
	space, rest := splitSpace(p.tok.data)
	if space != "" {
		p.addText(space)
		p.tok.data = rest
	}
	return rest == ""
}

// splitSpace splits text into its leading white space and the rest.
func splitSpace(s string) (string, string) {
	rest := strings.TrimLeft(s, whitespace)
	return s[:len(s)-len(rest)], rest
}

// dropNewline drops a leading newline, as after <pre> and <textarea>; x/net also drops a
// carriage return before it (one written as "&#13;").
func dropNewline(s string) string {
	s = strings.TrimPrefix(s, "\r")
	return strings.TrimPrefix(s, "\n")
}

// isSpecial reports whether an element is in the HTML standard's "special" category.
func isSpecial(n *html.Node) bool {
	switch n.DataAtom {
	case a.Address, a.Applet, a.Area, a.Article, a.Aside, a.Base, a.Basefont, a.Bgsound,
		a.Blockquote, a.Body, a.Br, a.Button, a.Caption, a.Center, a.Col, a.Colgroup, a.Dd,
		a.Details, a.Dir, a.Div, a.Dl, a.Dt, a.Embed, a.Fieldset, a.Figcaption, a.Figure,
		a.Footer, a.Form, a.Frame, a.Frameset, a.H1, a.H2, a.H3, a.H4, a.H5, a.H6, a.Head,
		a.Header, a.Hgroup, a.Hr, a.Html, a.Iframe, a.Img, a.Input, a.Keygen, a.Li, a.Link,
		a.Listing, a.Main, a.Marquee, a.Menu, a.Meta, a.Nav, a.Noembed, a.Noframes,
		a.Noscript, a.Object, a.Ol, a.P, a.Param, a.Plaintext, a.Pre, a.Script, a.Section,
		a.Select, a.Source, a.Style, a.Summary, a.Table, a.Tbody, a.Td, a.Template,
		a.Textarea, a.Tfoot, a.Th, a.Thead, a.Title, a.Tr, a.Track, a.Ul, a.Wbr, a.Xmp:
		return true
	}
	return false
}
