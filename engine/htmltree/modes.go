package htmltree

import (
	"strings"

	"golang.org/x/net/html"
	a "golang.org/x/net/html/atom"
)

// The insertion modes around the body, after x/net's parser of the same names.

func initialIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		if _, p.tok.data = splitSpace(p.tok.data); p.tok.data == "" {
			return true
		}
	case commentToken:
		p.addComment()
		return true
	case doctypeToken:
		n := p.nodes.alloc()
		n.Type, n.Data = html.DoctypeNode, "html"
		// <!DOCTYPE html> is the usual; the name is compared case-sensitively for quirks
		if d := p.tok.data; len(d) != 15 || !equalFold(d[:10], "<!doctype ") || d[10:] != "html>" {
			n.Data, n.Attr, p.quirks = doctype(d)
		}
		p.doc.AppendChild(n)
		p.im = beforeHTMLIM
		return true
	}
	p.quirks = true
	p.im = beforeHTMLIM
	return false
}

// doctype returns the name and identifiers of any other doctype and whether it sets quirks
// mode, from html.Parse itself: a <table> closes an open <p> only outside quirks mode.
func doctype(raw string) (string, []html.Attribute, bool) {
	doc, err := html.Parse(strings.NewReader(raw + "<p><table>"))
	if err != nil || doc.FirstChild == nil || doc.FirstChild.Type != html.DoctypeNode {
		unsupported()
	}
	body := doc.LastChild.LastChild
	quirks := body.FirstChild.FirstChild != nil // the table is inside the p
	return doc.FirstChild.Data, doc.FirstChild.Attr, quirks
}

func beforeHTMLIM(p *parser) bool {
	switch p.tok.kind {
	case doctypeToken:
		return true
	case textToken:
		if _, p.tok.data = splitSpace(p.tok.data); p.tok.data == "" {
			return true
		}
	case startTagToken:
		if p.tok.atom == a.Html {
			p.addElement()
			p.im = beforeHeadIM
			return true
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Head, a.Body, a.Html, a.Br:
			p.implied(startTagToken, a.Html)
			return false
		}
		return true
	case commentToken:
		p.addComment()
		return true
	}
	p.implied(startTagToken, a.Html)
	return false
}

func beforeHeadIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		if _, p.tok.data = splitSpace(p.tok.data); p.tok.data == "" {
			return true
		}
	case startTagToken:
		switch p.tok.atom {
		case a.Head:
			p.addElement()
			p.head = p.top()
			p.im = inHeadIM
			return true
		case a.Html:
			return inBodyIM(p)
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Head, a.Body, a.Html, a.Br:
			p.implied(startTagToken, a.Head)
			return false
		}
		return true
	case commentToken:
		p.addComment()
		return true
	case doctypeToken:
		return true
	}
	p.implied(startTagToken, a.Head)
	return false
}

func inHeadIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		if p.addLeadingSpace() {
			return true
		}
	case startTagToken:
		switch p.tok.atom {
		case a.Html:
			return inBodyIM(p)
		case a.Base, a.Basefont, a.Bgsound, a.Link, a.Meta:
			p.addVoid()
			return true
		case a.Script, a.Title, a.Style:
			p.addElement()
			p.orig, p.im = p.im, textIM
			return true
		case a.Head:
			return true
		case a.Template:
			p.addElement()
			p.afe = append(p.afe, nil)
			p.im = inTemplateIM
			p.templates = append(p.templates, inTemplateIM)
			return true
		case a.Noscript, a.Noframes:
			unsupported()
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Head:
			p.pop()
			p.im = afterHeadIM
			return true
		case a.Body, a.Html, a.Br:
			p.implied(endTagToken, a.Head)
			return false
		case a.Template:
			if p.contains(a.Template) {
				p.closeTemplate()
			}
		}
		return true
	case commentToken:
		p.addComment()
		return true
	case doctypeToken:
		return true
	}
	p.implied(endTagToken, a.Head)
	return false
}

func afterHeadIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		if p.addLeadingSpace() {
			return true
		}
	case startTagToken:
		switch p.tok.atom {
		case a.Html:
			return inBodyIM(p)
		case a.Body:
			p.addElement()
			p.im = inBodyIM
			return true
		case a.Frameset:
			unsupported()
		case a.Base, a.Basefont, a.Bgsound, a.Link, a.Meta, a.Noframes, a.Script, a.Style, a.Template, a.Title:
			// handled in the head, which is open for it (and only for it)
			p.oe = append(p.oe, p.head)
			consumed := inHeadIM(p)
			p.oe = remove(p.oe, p.head)
			return consumed
		case a.Head:
			return true
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Body, a.Html, a.Br:
		case a.Template:
			return inHeadIM(p)
		default:
			return true
		}
	case commentToken:
		p.addComment()
		return true
	case doctypeToken:
		return true
	}
	p.implied(startTagToken, a.Body)
	return p.tok.kind == eofToken
}

// textIM reads the text of a raw-text element up to its end tag.
func textIM(p *parser) bool {
	switch p.tok.kind {
	case eofToken:
		p.pop()
	case textToken:
		d := p.tok.data
		if n := p.top(); n.DataAtom == a.Textarea && n.FirstChild == nil {
			d = dropNewline(d) // a newline right after <textarea>
		}
		p.addText(d)
		return true
	case endTagToken:
		p.pop()
	}
	p.im, p.orig = p.orig, nil
	return p.tok.kind == endTagToken
}

func afterBodyIM(p *parser) bool {
	switch p.tok.kind {
	case eofToken:
		return true
	case textToken:
		if _, rest := splitSpace(p.tok.data); rest == "" {
			return inBodyIM(p)
		}
	case startTagToken:
		if p.tok.atom == a.Html {
			return inBodyIM(p)
		}
	case endTagToken:
		if p.tok.atom == a.Html {
			p.im = afterAfterBodyIM
			return true
		}
	case commentToken:
		// attached to the html element
		n := p.nodes.alloc()
		n.Type, n.Data = html.CommentNode, p.tok.data
		p.oe[0].AppendChild(n)
		return true
	}
	p.im = inBodyIM
	return false
}

func afterAfterBodyIM(p *parser) bool {
	switch p.tok.kind {
	case eofToken:
		return true
	case textToken:
		if _, rest := splitSpace(p.tok.data); rest == "" {
			return inBodyIM(p)
		}
	case startTagToken:
		if p.tok.atom == a.Html {
			return inBodyIM(p)
		}
	case commentToken:
		n := p.nodes.alloc()
		n.Type, n.Data = html.CommentNode, p.tok.data
		p.doc.AppendChild(n)
		return true
	case doctypeToken:
		return inBodyIM(p)
	}
	p.im = inBodyIM
	return false
}

// inTemplateIM reads the content of a template element. Only content that starts like a
// body's is supported (not table parts).
func inTemplateIM(p *parser) bool {
	switch p.tok.kind {
	case textToken, commentToken, doctypeToken:
		return inBodyIM(p)
	case startTagToken:
		switch p.tok.atom {
		case a.Base, a.Basefont, a.Bgsound, a.Link, a.Meta, a.Noframes, a.Script, a.Style, a.Template, a.Title:
			return inHeadIM(p)
		case a.Caption, a.Colgroup, a.Tbody, a.Tfoot, a.Thead, a.Col, a.Tr, a.Td, a.Th:
			unsupported()
		}
		p.templates[len(p.templates)-1] = inBodyIM
		p.im = inBodyIM
		return false
	case endTagToken:
		if p.tok.atom == a.Template {
			return inHeadIM(p)
		}
		return true
	}
	// the end of the input
	if !p.contains(a.Template) {
		return true
	}
	p.closeTemplate()
	return false
}

// closeTemplate closes the current template element, after x/net.
func (p *parser) closeTemplate() {
	p.generateImpliedEndTags("")
	for i := len(p.oe) - 1; i >= 0; i-- {
		if p.oe[i].DataAtom == a.Template {
			p.oe = p.oe[:i]
			break
		}
	}
	p.clearFormattingToMarker()
	p.templates = p.templates[:len(p.templates)-1]
	p.resetInsertionMode()
}
