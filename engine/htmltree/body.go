package htmltree

import (
	"golang.org/x/net/html"
	a "golang.org/x/net/html/atom"
)

// inBodyIM is x/net's "in body" insertion mode, less frameset, select, foreign content,
// templates, nested <a> and the adoption agency's reparenting.
func inBodyIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		d := p.tok.data
		if n := p.top(); (n.DataAtom == a.Pre || n.DataAtom == a.Listing) && n.FirstChild == nil {
			d = dropNewline(d)
		}
		if d == "" {
			return true
		}
		p.reconstructFormatting()
		p.addText(d)
	case startTagToken:
		return inBodyStartTag(p)
	case endTagToken:
		return inBodyEndTag(p)
	case commentToken:
		p.addComment()
	case eofToken:
		if len(p.templates) > 0 {
			p.im = inTemplateIM
			return false
		}
	}
	return true
}

func inBodyStartTag(p *parser) bool {
	switch t := p.tok.atom; t {
	case a.Html:
		if !p.contains(a.Template) {
			p.copyAttributes(p.oe[0])
		}
	case a.Base, a.Basefont, a.Bgsound, a.Link, a.Meta, a.Noframes, a.Script, a.Style, a.Template, a.Title:
		return inHeadIM(p)
	case a.Body:
		if len(p.oe) >= 2 && p.oe[1].DataAtom == a.Body && !p.contains(a.Template) {
			p.copyAttributes(p.oe[1])
		}
	case a.Address, a.Article, a.Aside, a.Blockquote, a.Center, a.Details, a.Dialog, a.Dir, a.Div,
		a.Dl, a.Fieldset, a.Figcaption, a.Figure, a.Footer, a.Header, a.Hgroup, a.Main, a.Menu,
		a.Nav, a.Ol, a.P, a.Search, a.Section, a.Summary, a.Ul:
		p.popUntil(buttonScope, a.P)
		p.addElement()
	case a.H1, a.H2, a.H3, a.H4, a.H5, a.H6:
		p.popUntil(buttonScope, a.P)
		switch p.top().DataAtom {
		case a.H1, a.H2, a.H3, a.H4, a.H5, a.H6:
			p.pop()
		}
		p.addElement()
	case a.Pre, a.Listing:
		p.popUntil(buttonScope, a.P)
		p.addElement()
	case a.Form:
		if p.contains(a.Template) {
			unsupported()
		}
		if p.form != nil {
			return true
		}
		p.popUntil(buttonScope, a.P)
		p.addElement()
		p.form = p.top()
	case a.Li:
		p.closeListItem(a.Li)
		p.popUntil(buttonScope, a.P)
		p.addElement()
	case a.Dd, a.Dt:
		p.closeListItem(a.Dd, a.Dt)
		p.popUntil(buttonScope, a.P)
		p.addElement()
	case a.Button:
		if p.inScope(defaultScope, a.Button) {
			p.generateImpliedEndTags("")
			p.popUntil(defaultScope, a.Button)
		}
		p.reconstructFormatting()
		p.addElement()
	case a.A:
		for i := len(p.afe) - 1; i >= 0 && p.afe[i] != nil; i-- {
			if p.afe[i].DataAtom == a.A {
				unsupported() // an <a> inside an open <a>
			}
		}
		p.reconstructFormatting()
		p.addFormattingElement()
	case a.B, a.Big, a.Code, a.Em, a.Font, a.I, a.S, a.Small, a.Strike, a.Strong, a.Tt, a.U:
		p.reconstructFormatting()
		p.addFormattingElement()
	case a.Applet, a.Marquee, a.Object:
		p.reconstructFormatting()
		p.addElement()
		p.afe = append(p.afe, nil)
	case a.Table:
		if !p.quirks {
			p.popUntil(buttonScope, a.P)
		}
		p.addElement()
		p.im = inTableIM
	case a.Area, a.Br, a.Embed, a.Img, a.Keygen, a.Wbr, a.Input:
		p.reconstructFormatting()
		p.addVoid()
	case a.Param, a.Source, a.Track:
		p.addVoid()
	case a.Hr:
		if p.inScope(buttonScope, a.P) {
			p.generateImpliedEndTags("p")
			p.popUntil(defaultScope, a.P)
		}
		p.addVoid()
	case a.Image:
		p.tok.atom, p.tok.data = a.Img, a.Img.String()
		return false
	case a.Textarea, a.Iframe:
		p.addElement()
		p.orig, p.im = p.im, textIM
	case a.Rb, a.Rtc:
		if p.inScope(defaultScope, a.Ruby) {
			p.generateImpliedEndTags("")
		}
		p.addElement()
	case a.Rp, a.Rt:
		if p.inScope(defaultScope, a.Ruby) {
			p.generateImpliedEndTags("rtc")
		}
		p.addElement()
	case a.Caption, a.Col, a.Colgroup, a.Frame, a.Head, a.Tbody, a.Td, a.Tfoot, a.Th, a.Thead, a.Tr:
		// ignored
	case a.Frameset, a.Nobr, a.Select, a.Option, a.Optgroup, a.Math, a.Svg, a.Xmp, a.Plaintext,
		a.Noembed, a.Noscript:
		unsupported()
	default:
		p.reconstructFormatting()
		p.addElement()
	}
	return true
}

// closeListItem closes an open li (or dd, dt) before a new one, as far as x/net looks.
func (p *parser) closeListItem(tags ...a.Atom) {
	for i := len(p.oe) - 1; i >= 0; i-- {
		n := p.oe[i]
		if n.DataAtom == tags[0] || len(tags) > 1 && n.DataAtom == tags[1] {
			p.oe = p.oe[:i]
			return
		}
		switch n.DataAtom {
		case a.Address, a.Div, a.P:
			continue
		}
		if isSpecial(n) {
			return
		}
	}
}

func inBodyEndTag(p *parser) bool {
	switch t := p.tok.atom; t {
	case a.Body:
		if p.inScope(defaultScope, a.Body) {
			p.im = afterBodyIM
		}
	case a.Html:
		if p.inScope(defaultScope, a.Body) {
			p.implied(endTagToken, a.Body)
			return false
		}
	case a.Address, a.Article, a.Aside, a.Blockquote, a.Button, a.Center, a.Details, a.Dialog,
		a.Dir, a.Div, a.Dl, a.Fieldset, a.Figcaption, a.Figure, a.Footer, a.Header, a.Hgroup,
		a.Listing, a.Main, a.Menu, a.Nav, a.Ol, a.Pre, a.Search, a.Section, a.Select, a.Summary, a.Ul:
		if p.inScope(defaultScope, t) {
			p.generateImpliedEndTags("")
			p.popUntil(defaultScope, t)
		}
	case a.Form:
		if p.contains(a.Template) {
			unsupported()
		}
		node := p.form
		p.form = nil
		i := p.indexInScope(defaultScope, a.Form)
		if node == nil || i == -1 || p.oe[i] != node {
			return true
		}
		p.generateImpliedEndTags("")
		p.oe = remove(p.oe, node)
	case a.P:
		if !p.inScope(buttonScope, a.P) {
			p.implied(startTagToken, a.P)
		}
		p.popUntil(buttonScope, a.P)
	case a.Li:
		p.popUntil(listItemScope, a.Li)
	case a.Dd, a.Dt:
		p.popUntil(defaultScope, t)
	case a.H1, a.H2, a.H3, a.H4, a.H5, a.H6:
		p.popUntil(defaultScope, a.H1, a.H2, a.H3, a.H4, a.H5, a.H6)
	case a.A, a.B, a.Big, a.Code, a.Em, a.Font, a.I, a.Nobr, a.S, a.Small, a.Strike, a.Strong, a.Tt, a.U:
		p.endFormatting(t, p.tok.data)
	case a.Applet, a.Marquee, a.Object:
		if p.popUntil(defaultScope, t) {
			p.clearFormattingToMarker()
		}
	case a.Br:
		p.tok.kind = startTagToken
		return false
	case a.Template:
		return inHeadIM(p)
	default:
		p.endOther(t, p.tok.data)
	}
	return true
}

// endFormatting is the adoption agency algorithm for the end tag of a formatting element,
// in the cases that need no reparenting (no special element above the formatting element).
func (p *parser) endFormatting(t a.Atom, name string) {
	if cur := p.top(); cur.Data == name && index(p.afe, cur) == -1 {
		p.pop()
		return
	}
	var fe *html.Node
	for i := len(p.afe) - 1; i >= 0 && p.afe[i] != nil; i-- {
		if p.afe[i].DataAtom == t {
			fe = p.afe[i]
			break
		}
	}
	if fe == nil {
		p.endOther(t, name)
		return
	}
	i := index(p.oe, fe)
	if i == -1 {
		p.afe = remove(p.afe, fe)
		return
	}
	if !p.inScope(defaultScope, t) {
		return
	}
	for _, e := range p.oe[i:] {
		if isSpecial(e) {
			unsupported() // the furthest block: nodes are reparented
		}
	}
	p.oe = p.oe[:i]
	p.afe = remove(p.afe, fe)
}

// endOther closes the element of an end tag with no rule of its own, unless a special
// element is open above it.
func (p *parser) endOther(t a.Atom, name string) {
	for i := len(p.oe) - 1; i >= 0; i-- {
		n := p.oe[i]
		if n.DataAtom == t && (t != 0 || n.Data == name) {
			p.oe = p.oe[:i]
			return
		}
		if isSpecial(n) {
			return
		}
	}
}
