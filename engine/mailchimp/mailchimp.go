// Package mailchimp parses Mailchimp merge tags (for teams migrating to mailmold) into the
// shared engine/tree: *|FNAME|*, *|IF:FIELD|*, *|IF:FIELD = 'value'|*, *|ELSEIF:…|*,
// *|ELSE:|*, *|END:IF|*, *|IFNOT:…|* and *|UNSUB|*.
package mailchimp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// fieldNames maps Mailchimp's standard merge fields to profile fields; any other tag is the
// lower-cased field name.
var fieldNames = map[string]string{"FNAME": "first_name", "LNAME": "last_name", "EMAIL": "email", "UNSUB": "unsubscribe_url",
	"PHONE": "phone", "ADDRESS": "address", "BIRTHDAY": "birthday", "COMPANY": "company"}

type tag struct {
	text     string // between *| and |*
	off, end int
}

// Parse parses a template with Mailchimp merge tags.
func Parse(name, src string) (*tree.Template, error) {
	p := &parser{name: name, src: src, lines: diag.NewLines(src)}
	body, end, err := p.body(0, nil)
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, p.errAt(end.off, "*|"+end.text+"|* without a matching *|IF:…|*", "")
	}
	return &tree.Template{Name: name, Source: src, Body: body}, nil
}

type parser struct {
	name  string
	src   string
	lines *diag.Lines
	pos   int
}

func (p *parser) at(off int) tree.Pos {
	l, c := p.lines.At(off)
	return tree.Pos{Offset: off, Line: l, Col: c}
}

func (p *parser) errAt(off int, msg, hint string) error {
	l, c := p.lines.At(off)
	return &diag.Error{File: p.name, Line: l, Col: c, Msg: msg, Hint: hint, Source: p.src}
}

// next returns the next merge tag at or after p.pos, or nil.
func (p *parser) next() (*tag, error) {
	i := strings.Index(p.src[p.pos:], "*|")
	if i < 0 {
		return nil, nil
	}
	start := p.pos + i
	j := strings.Index(p.src[start+2:], "|*")
	if j < 0 {
		return nil, p.errAt(start, "unclosed merge tag '*|': no matching '|*'", "")
	}
	return &tag{text: strings.TrimSpace(p.src[start+2 : start+2+j]), off: start, end: start + 2 + j + 2}, nil
}

// body parses until ELSEIF/ELSE/END:IF (returned) or the end of input.
func (p *parser) body(depth int, open *tag) ([]tree.Node, *tag, error) {
	var nodes []tree.Node
	for {
		t, err := p.next()
		if err != nil {
			return nil, nil, err
		}
		end := len(p.src)
		if t != nil {
			end = t.off
		}
		if end > p.pos {
			nodes = append(nodes, &tree.Text{Pos: p.at(p.pos), Text: p.src[p.pos:end]})
		}
		if t == nil {
			p.pos = len(p.src)
			if open != nil {
				return nil, nil, p.errAt(open.off, "*|"+open.text+"|* is never closed", "add *|END:IF|*")
			}
			return nodes, nil, nil
		}
		p.pos = t.end
		up := strings.ToUpper(t.text)
		switch {
		case strings.HasPrefix(up, "IF:") || strings.HasPrefix(up, "IFNOT:"):
			n, err := p.ifBlock(t, depth)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		case strings.HasPrefix(up, "ELSEIF:") || up == "ELSE:" || up == "ELSE" || up == "END:IF":
			return nodes, t, nil
		default:
			if !validField(t.text) {
				return nil, nil, p.errAt(t.off, fmt.Sprintf("unknown merge tag *|%s|*", t.text), "merge tags are field names like *|FNAME|* or conditions like *|IF:FNAME|*")
			}
			nodes = append(nodes, &tree.Output{Pos: p.at(t.off), Expr: field(t.text, p.at(t.off))})
		}
	}
}

func validField(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func field(name string, pos tree.Pos) *tree.Var {
	f, ok := fieldNames[strings.ToUpper(name)]
	if !ok {
		f = strings.ToLower(name)
	}
	return &tree.Var{Pos: pos, Root: f}
}

// cond parses "FIELD", "FIELD = 'value'" and the other comparisons.
func (p *parser) cond(s string, t *tag) (tree.Expr, error) {
	pos := p.at(t.off)
	for _, op := range []string{"!=", ">=", "<=", "=", ">", "<"} {
		if i := strings.Index(s, op); i >= 0 {
			name := strings.TrimSpace(s[:i])
			lit := strings.TrimSpace(s[i+len(op):])
			if !validField(name) {
				return nil, p.errAt(t.off, fmt.Sprintf("invalid field %q in *|%s|*", name, t.text), "")
			}
			var v any = strings.Trim(lit, `'"`)
			if n, err := strconv.Atoi(lit); err == nil {
				v = n
			}
			o := op
			if o == "=" {
				o = "=="
			}
			return &tree.Binary{Pos: pos, Op: o, L: field(name, pos), R: &tree.Literal{Pos: pos, Value: v}}, nil
		}
	}
	name := strings.TrimSpace(s)
	if !validField(name) {
		return nil, p.errAt(t.off, fmt.Sprintf("invalid condition *|%s|*", t.text), "write *|IF:FNAME|* or *|IF:FIELD = 'value'|*")
	}
	// a field counts when it is present and not empty
	return &tree.Binary{Pos: pos, Op: "!=", L: &tree.Filtered{Pos: pos, X: field(name, pos), Filters: []*tree.Filter{{Pos: pos, Name: "default", Args: []tree.Expr{&tree.Literal{Value: ""}}}}},
		R: &tree.Literal{Pos: pos, Value: ""}}, nil
}

func (p *parser) ifBlock(t *tag, depth int) (tree.Node, error) {
	if depth > 50 {
		return nil, p.errAt(t.off, "conditions nest too deep", "")
	}
	n := &tree.If{Pos: p.at(t.off), Tag: "if"}
	cur := t
	for {
		up := strings.ToUpper(cur.text)
		var c tree.Expr
		var err error
		switch {
		case strings.HasPrefix(up, "IFNOT:"):
			c, err = p.cond(cur.text[len("IFNOT:"):], cur)
			if err == nil {
				c = &tree.Not{Pos: p.at(cur.off), X: c}
			}
		case strings.HasPrefix(up, "IF:"):
			c, err = p.cond(cur.text[len("IF:"):], cur)
		case strings.HasPrefix(up, "ELSEIF:"):
			c, err = p.cond(cur.text[len("ELSEIF:"):], cur)
		}
		if err != nil {
			return nil, err
		}
		body, end, err := p.body(depth+1, t)
		if err != nil {
			return nil, err
		}
		tagName := "if"
		if c == nil {
			tagName = "else"
		} else if cur != t {
			tagName = "elsif"
		}
		n.Branches = append(n.Branches, &tree.Branch{Pos: p.at(cur.off), Tag: tagName, Cond: c, Body: body})
		if strings.ToUpper(end.text) == "END:IF" {
			return n, nil
		}
		if c == nil {
			return nil, p.errAt(end.off, "*|"+end.text+"|* after *|ELSE:|*", "the else branch comes last")
		}
		cur = end
	}
}
