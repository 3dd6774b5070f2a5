package htmltree

import (
	"strings"

	a "golang.org/x/net/html/atom"
)

// The table insertion modes, after x/net's, less anything that would be foster parented
// (text or elements directly in a table).

func inTableIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		switch p.top().DataAtom {
		case a.Table, a.Tbody, a.Tfoot, a.Thead, a.Tr:
			if strings.Trim(p.tok.data, whitespace) == "" {
				p.addText(p.tok.data)
				return true
			}
		}
	case startTagToken:
		switch p.tok.atom {
		case a.Caption:
			p.clearStackTo(a.Table, a.Template)
			p.afe = append(p.afe, nil)
			p.addElement()
			p.im = inCaptionIM
			return true
		case a.Colgroup:
			p.clearStackTo(a.Table, a.Template)
			p.addElement()
			p.im = inColumnGroupIM
			return true
		case a.Col:
			p.implied(startTagToken, a.Colgroup)
			return false
		case a.Tbody, a.Tfoot, a.Thead:
			p.clearStackTo(a.Table, a.Template)
			p.addElement()
			p.im = inTableBodyIM
			return true
		case a.Td, a.Th, a.Tr:
			p.implied(startTagToken, a.Tbody)
			return false
		case a.Table:
			if p.popUntil(tableScope, a.Table) {
				p.resetInsertionMode()
				return false
			}
			return true
		case a.Style, a.Script, a.Template:
			return inHeadIM(p)
		case a.Input:
			for _, t := range p.tok.attr {
				if t.Key == "type" && strings.EqualFold(t.Val, "hidden") {
					p.addVoid()
					return true
				}
			}
		case a.Form:
			if p.form != nil || p.contains(a.Template) {
				return true
			}
			p.addElement()
			p.form = p.pop()
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Table:
			if p.popUntil(tableScope, a.Table) {
				p.resetInsertionMode()
			}
			return true
		case a.Body, a.Caption, a.Col, a.Colgroup, a.Html, a.Tbody, a.Td, a.Tfoot, a.Th, a.Thead, a.Tr:
			return true
		case a.Template:
			return inHeadIM(p)
		}
	case commentToken:
		p.addComment()
		return true
	case doctypeToken:
		return true
	case eofToken:
		return inBodyIM(p)
	}
	p.foster = true
	defer func() { p.foster = false }()
	return inBodyIM(p)
}

func inCaptionIM(p *parser) bool {
	switch p.tok.kind {
	case startTagToken:
		switch p.tok.atom {
		case a.Caption, a.Col, a.Colgroup, a.Tbody, a.Td, a.Tfoot, a.Thead, a.Tr:
			if !p.popUntil(tableScope, a.Caption) {
				return true
			}
			p.clearFormattingToMarker()
			p.im = inTableIM
			return false
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Caption:
			if p.popUntil(tableScope, a.Caption) {
				p.clearFormattingToMarker()
				p.im = inTableIM
			}
			return true
		case a.Table:
			if !p.popUntil(tableScope, a.Caption) {
				return true
			}
			p.clearFormattingToMarker()
			p.im = inTableIM
			return false
		case a.Body, a.Col, a.Colgroup, a.Html, a.Tbody, a.Td, a.Tfoot, a.Th, a.Thead, a.Tr:
			return true
		}
	}
	return inBodyIM(p)
}

func inColumnGroupIM(p *parser) bool {
	switch p.tok.kind {
	case textToken:
		if p.addLeadingSpace() {
			return true
		}
	case commentToken:
		p.addComment()
		return true
	case doctypeToken:
		return true
	case startTagToken:
		switch p.tok.atom {
		case a.Html:
			return inBodyIM(p)
		case a.Col:
			p.addVoid()
			return true
		case a.Template:
			return inHeadIM(p)
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Colgroup:
			if p.top().DataAtom == a.Colgroup {
				p.pop()
				p.im = inTableIM
			}
			return true
		case a.Col:
			return true
		case a.Template:
			return inHeadIM(p)
		}
	case eofToken:
		return inBodyIM(p)
	}
	if p.top().DataAtom != a.Colgroup {
		return true
	}
	p.pop()
	p.im = inTableIM
	return false
}

func inTableBodyIM(p *parser) bool {
	switch p.tok.kind {
	case startTagToken:
		switch p.tok.atom {
		case a.Tr:
			p.clearStackTo(a.Tbody, a.Tfoot, a.Thead, a.Template)
			p.addElement()
			p.im = inRowIM
			return true
		case a.Td, a.Th:
			p.implied(startTagToken, a.Tr)
			return false
		case a.Caption, a.Col, a.Colgroup, a.Tbody, a.Tfoot, a.Thead:
			if p.popUntil(tableScope, a.Tbody, a.Thead, a.Tfoot) {
				p.im = inTableIM
				return false
			}
			return true
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Tbody, a.Tfoot, a.Thead:
			if p.inScope(tableScope, p.tok.atom) {
				p.clearStackTo(a.Tbody, a.Tfoot, a.Thead, a.Template)
				p.pop()
				p.im = inTableIM
			}
			return true
		case a.Table:
			if p.popUntil(tableScope, a.Tbody, a.Thead, a.Tfoot) {
				p.im = inTableIM
				return false
			}
			return true
		case a.Body, a.Caption, a.Col, a.Colgroup, a.Html, a.Td, a.Th, a.Tr:
			return true
		}
	case commentToken:
		p.addComment()
		return true
	}
	return inTableIM(p)
}

func inRowIM(p *parser) bool {
	switch p.tok.kind {
	case startTagToken:
		switch p.tok.atom {
		case a.Td, a.Th:
			p.clearStackTo(a.Tr, a.Template)
			p.addElement()
			p.afe = append(p.afe, nil)
			p.im = inCellIM
			return true
		case a.Caption, a.Col, a.Colgroup, a.Tbody, a.Tfoot, a.Thead, a.Tr:
			if p.inScope(tableScope, a.Tr) {
				p.closeRow()
				return false
			}
			return true
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Tr:
			if p.inScope(tableScope, a.Tr) {
				p.closeRow()
			}
			return true
		case a.Table:
			if p.inScope(tableScope, a.Tr) {
				p.closeRow()
				return false
			}
			return true
		case a.Tbody, a.Tfoot, a.Thead:
			if p.inScope(tableScope, p.tok.atom) && p.inScope(tableScope, a.Tr) {
				p.closeRow()
				return false
			}
			return true
		case a.Body, a.Caption, a.Col, a.Colgroup, a.Html, a.Td, a.Th:
			return true
		}
	}
	return inTableIM(p)
}

// closeRow pops up to and including the current row.
func (p *parser) closeRow() {
	p.clearStackTo(a.Tr, a.Template)
	p.pop()
	p.im = inTableBodyIM
}

func inCellIM(p *parser) bool {
	switch p.tok.kind {
	case startTagToken:
		switch p.tok.atom {
		case a.Caption, a.Col, a.Colgroup, a.Tbody, a.Td, a.Tfoot, a.Th, a.Thead, a.Tr:
			if p.popUntil(tableScope, a.Td, a.Th) {
				p.clearFormattingToMarker()
				p.im = inRowIM
				return false
			}
			return true
		}
	case endTagToken:
		switch p.tok.atom {
		case a.Td, a.Th:
			if !p.popUntil(tableScope, p.tok.atom) {
				return true
			}
			p.clearFormattingToMarker()
			p.im = inRowIM
			return true
		case a.Body, a.Caption, a.Col, a.Colgroup, a.Html:
			return true
		case a.Table, a.Tbody, a.Tfoot, a.Thead, a.Tr:
			if !p.inScope(tableScope, p.tok.atom) {
				return true
			}
			if p.popUntil(tableScope, a.Td, a.Th) {
				p.clearFormattingToMarker()
			}
			p.im = inRowIM
			return false
		}
	}
	return inBodyIM(p)
}

// resetInsertionMode picks the mode from the open elements, as x/net does.
func (p *parser) resetInsertionMode() {
	for i := len(p.oe) - 1; i >= 0; i-- {
		switch p.oe[i].DataAtom {
		case a.Td, a.Th:
			p.im = inCellIM
		case a.Tr:
			p.im = inRowIM
		case a.Tbody, a.Thead, a.Tfoot:
			p.im = inTableBodyIM
		case a.Table:
			p.im = inTableIM
		case a.Head:
			p.im = inHeadIM
		case a.Body:
			p.im = inBodyIM
		case a.Html:
			if p.head == nil {
				p.im = beforeHeadIM
			} else {
				p.im = afterHeadIM
			}
		case a.Template:
			p.im = p.templates[len(p.templates)-1]
		case a.Caption:
			p.im = inCaptionIM
		case a.Colgroup:
			p.im = inColumnGroupIM
		case a.Frameset:
			unsupported()
		default:
			if i == 0 {
				p.im = inBodyIM
				return
			}
			continue
		}
		return
	}
}
