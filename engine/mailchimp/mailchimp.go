// Package mailchimp parses Mailchimp merge tags (for teams migrating to mailmold) into the
// shared engine/tree: *|FNAME|*, *|HTML:FIELD|* (unescaped), *|IF:FIELD|*,
// *|IF:FIELD = 'value'|* (and != > < >= <=), *|ELSEIF:…|*, *|ELSE:|*, *|END:IF|*,
// *|IFNOT:…|* and *|UNSUB|*. Any other merge tag with a colon is an error with its position.
package mailchimp

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// fieldNames maps Mailchimp's standard merge fields to profile fields; any other tag is the
// lower-cased field name (*|TIER|* reads tier).
var fieldNames = map[string]string{"FNAME": "first_name", "LNAME": "last_name", "EMAIL": "email", "UNSUB": "unsubscribe_url",
	"PHONE": "phone", "ADDRESS": "address", "BIRTHDAY": "birthday", "COMPANY": "company"}

// FieldName returns the profile field a merge tag name reads: FNAME is first_name, LNAME
// last_name, EMAIL email, UNSUB unsubscribe_url; any other name is lower-cased.
func FieldName(tag string) string {
	if f, ok := fieldNames[strings.ToUpper(tag)]; ok {
		return f
	}
	return strings.ToLower(tag)
}

// tag is one merge tag: text is what stands between *| and |*, at textOff.
type tag struct {
	text     string
	off, end int
	textOff  int
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
	inner := p.src[start+2 : start+2+j]
	text := strings.TrimSpace(inner)
	return &tag{text: text, off: start, end: start + 2 + j + 2, textOff: start + 2 + strings.Index(inner, text)}, nil
}

// keyword splits a tag into its upper-cased keyword before the first colon and the rest
// with its offset; ok is false for a tag without a colon.
func keyword(t *tag) (kw, rest string, restOff int, ok bool) {
	i := strings.IndexByte(t.text, ':')
	if i < 0 {
		if strings.EqualFold(t.text, "ELSE") {
			return "ELSE", "", t.textOff + len(t.text), true // *|ELSE|* without its colon
		}
		return "", "", 0, false
	}
	return strings.ToUpper(t.text[:i]), t.text[i+1:], t.textOff + i + 1, true
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
		kw, rest, restOff, hasColon := keyword(t)
		switch {
		case !hasColon:
			if !validField(t.text) {
				return nil, nil, p.errAt(t.off, fmt.Sprintf("unknown merge tag *|%s|*", t.text), "merge tags are field names like *|FNAME|* or conditions like *|IF:FNAME|*")
			}
			nodes = append(nodes, &tree.Output{Pos: p.at(t.off), Expr: field(t.text, p.at(t.textOff))})
		case kw == "IF" || kw == "IFNOT":
			n, err := p.ifBlock(t, depth)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		case kw == "ELSEIF" || kw == "ELSE" || kw == "END":
			if kw == "END" && !strings.EqualFold(strings.TrimSpace(rest), "IF") {
				return nil, nil, p.errAt(restOff, fmt.Sprintf("unknown merge tag *|%s|*", t.text), "conditions end with *|END:IF|*")
			}
			if kw == "ELSE" && strings.TrimSpace(rest) != "" {
				return nil, nil, p.errAt(restOff, "*|ELSE:|* takes no condition", "write *|ELSEIF:"+strings.TrimSpace(rest)+"|* for another condition")
			}
			return nodes, t, nil
		case kw == "HTML":
			name := strings.TrimSpace(rest)
			if !validField(name) {
				return nil, nil, p.errAt(restOff, fmt.Sprintf("invalid field %q in *|%s|*", name, t.text), "write *|HTML:FIELD|*")
			}
			nodes = append(nodes, &tree.Output{Pos: p.at(t.off), Expr: field(name, p.at(restOff)), Raw: true})
		default:
			return nil, nil, p.errAt(t.off, fmt.Sprintf("unsupported merge tag *|%s|*", t.text),
				"mailmold reads field tags (*|FNAME|*, *|HTML:FIELD|*) and conditions (*|IF:…|*, *|IFNOT:…|*, *|ELSEIF:…|*, *|ELSE:|*, *|END:IF|*)")
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
	return &tree.Var{Pos: pos, Root: FieldName(name)}
}

// ifBlock parses *|IF:…|* or *|IFNOT:…|* through its ELSEIF and ELSE branches to *|END:IF|*.
func (p *parser) ifBlock(t *tag, depth int) (tree.Node, error) {
	if depth > 50 {
		return nil, p.errAt(t.off, "conditions nest too deep", "")
	}
	n := &tree.If{Pos: p.at(t.off), Tag: "if"}
	cur := t
	for {
		kw, rest, restOff, _ := keyword(cur)
		var c tree.Expr
		if kw != "ELSE" {
			var err error
			if c, err = p.cond(rest, restOff, cur); err != nil {
				return nil, err
			}
			if kw == "IFNOT" {
				c = &tree.Not{Pos: p.at(cur.off), X: c}
			}
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
		if ekw, _, _, _ := keyword(end); ekw == "END" {
			return n, nil
		}
		if c == nil {
			return nil, p.errAt(end.off, "*|"+end.text+"|* after *|ELSE:|*", "the else branch comes last")
		}
		cur = end
	}
}
