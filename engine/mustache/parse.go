package mustache

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// Parse parses a Mustache template.
func Parse(name, src string) (*tree.Template, error) { return parse(name, src, false) }

// ParseHandlebars parses a Handlebars template.
func ParseHandlebars(name, src string) (*tree.Template, error) { return parse(name, src, true) }

type parser struct {
	name  string
	src   string
	lines *diag.Lines
	toks  []token
	i     int
	hbs   bool
}

func parse(name, src string, hbs bool) (*tree.Template, error) {
	p := &parser{name: name, src: src, lines: diag.NewLines(src), hbs: hbs}
	toks, lerr := lex(src, hbs)
	if lerr != nil {
		return nil, p.errAt(lerr.off, lerr.msg, "")
	}
	p.toks = toks
	body, end, err := p.body()
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, p.errAt(end.off, fmt.Sprintf("'{{%s%s}}' closes nothing", closeMark(end), end.text), "there is no open section with that name")
	}
	return &tree.Template{Name: name, Source: src, Body: body}, nil
}

func lastText(nodes []tree.Node) (*tree.Text, bool) {
	if len(nodes) == 0 {
		return nil, false
	}
	t, ok := nodes[len(nodes)-1].(*tree.Text)
	return t, ok
}

func closeMark(t *token) string {
	if t.kind == kElse {
		return ""
	}
	return "/"
}

func (p *parser) pos(off int) tree.Pos {
	l, c := p.lines.At(off)
	return tree.Pos{Offset: off, Line: l, Col: c}
}

func (p *parser) errAt(off int, msg, hint string) error {
	l, c := p.lines.At(off)
	return &diag.Error{File: p.name, Line: l, Col: c, Msg: msg, Hint: hint, Source: p.src}
}

// body parses nodes until a close or else tag (returned) or the end (nil).
func (p *parser) body() ([]tree.Node, *token, error) {
	var nodes []tree.Node
	for p.i < len(p.toks) {
		t := &p.toks[p.i]
		p.i++
		switch t.kind {
		case kText:
			if t.text == "" {
				continue
			}
			if last, ok := lastText(nodes); ok {
				last.Text += t.text // lines of one run of text make one node
				continue
			}
			nodes = append(nodes, &tree.Text{Pos: p.pos(t.off), Text: t.text})
		case kComment, kDelims:
		case kClose, kElse:
			return nodes, t, nil
		case kVar, kRaw:
			x, err := p.value(t)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, &tree.Output{Pos: p.pos(t.off), Expr: x, Raw: t.kind == kRaw})
		case kPartial:
			n, err := p.partial(t)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		case kSection, kInverted:
			n, err := p.section(t)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		case kParent, kBlock:
			return nil, nil, p.errAt(t.off, "template inheritance ({{<parent}} and {{$block}}) is not supported", "use partials")
		}
	}
	return nodes, nil, nil
}

func (p *parser) partial(t *token) (tree.Node, error) {
	name := strings.TrimSpace(t.text)
	if name == "" {
		return nil, p.errAt(t.off, "a partial tag needs a name: {{> name}}", "")
	}
	inc := &tree.Include{Pos: p.pos(t.off), Indent: t.indent}
	if strings.HasPrefix(name, "*") {
		x, err := p.path(strings.TrimSpace(name[1:]), t.off)
		if err != nil {
			return nil, err
		}
		inc.Name, inc.Dynamic = x, true
	} else {
		if p.hbs {
			name = strings.Fields(name)[0]
		}
		inc.Name = &tree.Literal{Pos: p.pos(t.off), Value: strings.Trim(name, `"'`)}
	}
	return inc, nil
}

// block parses a section body up to its close tag, checking the name.
func (p *parser) block(open *token, name string) ([]tree.Node, *token, error) {
	body, end, err := p.body()
	if err != nil {
		return nil, nil, err
	}
	if end == nil {
		return nil, nil, p.errAt(open.off, fmt.Sprintf("section '%s' is never closed", name), fmt.Sprintf("add {{/%s}}", name))
	}
	return body, end, nil
}

func (p *parser) checkClose(open, end *token, name string) error {
	if end.kind != kClose {
		return p.errAt(end.off, "'{{else}}' is only valid inside if, unless, each, with, segment and live blocks", "")
	}
	if strings.TrimSpace(end.text) != name {
		return p.errAt(end.off, fmt.Sprintf("'{{/%s}}' closes section '%s' opened on line %d", end.text, name, p.pos(open.off).Line),
			fmt.Sprintf("close it with {{/%s}}", name))
	}
	return nil
}

// section parses {{#name}}…{{/name}} and {{^name}}…{{/name}}, and in Handlebars the block
// helpers.
func (p *parser) section(t *token) (tree.Node, error) {
	words := strings.Fields(t.text)
	if len(words) == 0 {
		return nil, p.errAt(t.off, "a section needs a name", "")
	}
	if p.hbs && t.kind == kSection {
		switch words[0] {
		case "if", "unless", "each", "with", "segment", "live":
			return p.helperBlock(t, words[0], strings.TrimSpace(t.text[len(words[0]):]))
		}
	}
	name := t.text
	x, err := p.value(&token{kind: kVar, text: name, off: t.textOff, textOff: t.textOff})
	if err != nil {
		return nil, err
	}
	body, end, err := p.block(t, name)
	if err != nil {
		return nil, err
	}
	if err := p.checkClose(t, end, name); err != nil {
		return nil, err
	}
	if p.hbs && t.kind == kInverted {
		return &tree.If{Pos: p.pos(t.off), Tag: "inverted", Branches: []*tree.Branch{{Pos: p.pos(t.off), Tag: "inverted", Cond: truthy(x, true), Body: body}}}, nil
	}
	return &tree.Section{Pos: p.pos(t.off), Expr: x, Inverted: t.kind == kInverted, Body: body, RawBody: p.src[t.end:end.off]}, nil
}

// truthy wraps a Handlebars condition with Handlebars truthiness (0, "" and [] are false);
// negate gives its opposite.
func truthy(x tree.Expr, negate bool) tree.Expr {
	name := "truthy"
	if negate {
		name = "falsy"
	}
	return &tree.Filtered{Pos: x.Position(), X: x, Filters: []*tree.Filter{{Pos: x.Position(), Name: name}}}
}

// helperBlock parses the Handlebars block helpers with their else chains.
func (p *parser) helperBlock(t *token, helper, args string) (tree.Node, error) {
	pos := p.pos(t.off)
	argOff := t.textOff + len(helper)
	switch helper {
	case "if", "unless":
		n := &tree.If{Pos: pos, Tag: helper}
		cond, err := p.expr(args, argOff)
		if err != nil {
			return nil, err
		}
		cur, curTag, curPos := truthy(cond, helper == "unless"), helper, pos
		for {
			body, end, err := p.block(t, helper)
			if err != nil {
				return nil, err
			}
			n.Branches = append(n.Branches, &tree.Branch{Pos: curPos, Tag: curTag, Cond: cur, Body: body})
			if end.kind == kClose {
				return n, p.checkClose(t, end, helper)
			}
			curPos = p.pos(end.off)
			rest := strings.TrimSpace(end.text)
			switch {
			case rest == "":
				cur, curTag = nil, "else"
			case strings.HasPrefix(rest, "if "):
				c, err := p.expr(rest[3:], end.off)
				if err != nil {
					return nil, err
				}
				cur, curTag = truthy(c, false), "else if"
			default:
				return nil, p.errAt(end.off, "unexpected '{{else "+rest+"}}' in an if block", "write {{else}} or {{else if condition}}")
			}
		}
	case "each", "with":
		x, err := p.expr(args, argOff)
		if err != nil {
			return nil, err
		}
		body, end, err := p.block(t, helper)
		if err != nil {
			return nil, err
		}
		var els *tree.Branch
		if end.kind == kElse {
			ebody, eend, err := p.block(t, helper)
			if err != nil {
				return nil, err
			}
			els = &tree.Branch{Pos: p.pos(end.off), Tag: "else", Body: ebody}
			end = eend
		}
		if err := p.checkClose(t, end, helper); err != nil {
			return nil, err
		}
		if helper == "with" {
			return &tree.With{Pos: pos, Expr: x, Body: body, Else: els}, nil
		}
		return &tree.For{Pos: pos, Tag: "each", Iter: x, Body: body, Else: els}, nil
	case "segment":
		n := &tree.Segment{Pos: pos}
		names, err := segmentNames(args)
		if err != nil {
			return nil, p.errAt(argOff, err.Error(), `write {{#segment "high_value"}}`)
		}
		curPos := pos
		for {
			body, end, err := p.block(t, helper)
			if err != nil {
				return nil, err
			}
			if names == nil {
				n.Else = &tree.Branch{Pos: curPos, Tag: "else", Body: body}
			} else {
				np := make([]tree.Pos, len(names))
				for i := range np {
					np[i] = curPos
				}
				n.Branches = append(n.Branches, &tree.SegmentBranch{Pos: curPos, Names: names, NamePos: np, Body: body})
			}
			if end.kind == kClose {
				return n, p.checkClose(t, end, helper)
			}
			if n.Else != nil {
				return nil, p.errAt(end.off, "nothing may follow the {{else}} of a segment block", "")
			}
			curPos = p.pos(end.off)
			rest := strings.TrimSpace(end.text)
			switch {
			case rest == "":
				names = nil
			case strings.HasPrefix(rest, "segment "):
				if names, err = segmentNames(rest[len("segment "):]); err != nil {
					return nil, p.errAt(end.off, err.Error(), "")
				}
			default:
				return nil, p.errAt(end.off, "unexpected '{{else "+rest+"}}' in a segment block", `write {{else segment "name"}} or {{else}}`)
			}
		}
	case "live":
		src := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(args), "src="))
		s, err := strconv.Unquote(src)
		if err != nil {
			return nil, p.errAt(argOff, "a live block needs a quoted URL: {{#live \"https://…\"}}", "")
		}
		// the live template is amp-mustache source: take it raw up to {{else}}
		start := t.end
		j := strings.Index(p.src[start:], "{{else}}")
		k := strings.Index(p.src[start:], "{{/live}}")
		if j < 0 || k < 0 || k < j {
			return nil, p.errAt(t.off, "a live block needs {{else}} and then the static fallback before {{/live}}", "")
		}
		// skip the tokens of the raw part
		for p.i < len(p.toks) && p.toks[p.i].off < start+j {
			p.i++
		}
		if p.i < len(p.toks) && p.toks[p.i].kind == kElse {
			p.i++
		}
		fb, end, err := p.block(t, helper)
		if err != nil {
			return nil, err
		}
		if err := p.checkClose(t, end, helper); err != nil {
			return nil, err
		}
		return &tree.Live{Pos: pos, Src: &tree.Literal{Pos: pos, Value: s}, Template: p.src[start : start+j], Fallback: fb}, nil
	}
	return nil, p.errAt(t.off, "unknown block helper "+helper, "")
}

func segmentNames(args string) ([]string, error) {
	var names []string
	for _, f := range strings.Fields(args) {
		n := strings.Trim(f, `"',`)
		if n == "" {
			continue
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("a segment block needs a segment name")
	}
	return names, nil
}
