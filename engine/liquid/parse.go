// Package liquid is mailmold's Liquid dialect front-end: it parses Liquid templates (Shopify
// Liquid plus mailmold's segment, live, markdown, textonly and htmlonly blocks) into the shared
// engine/tree representation, keeping byte offsets, lines and columns of every node.
package liquid

import (
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// Parse parses the Liquid template src. name is the file name used in positions and errors.
// Errors are *diag.Error values positioned in src.
func Parse(name, src string) (*tree.Template, error) {
	p := &parser{name: name, src: src, lines: diag.NewLines(src)}
	toks, lerr := lex(src)
	if lerr != nil {
		return nil, p.errAt(lerr.off, lerr.msg, "")
	}
	applyTrim(toks)
	p.toks = toks
	body, end, err := p.body(nil)
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, p.errAt(end.off, "unexpected '"+end.name+"' tag", "there is no open block it could close")
	}
	return &tree.Template{Name: name, Source: src, Body: body}, nil
}

// parser builds the tree from the token list.
type parser struct {
	name  string
	src   string
	lines *diag.Lines
	toks  []token
	i     int
	// inLiquid is set while parsing the lines of a {% liquid %} tag.
	inLiquid bool
}

func (p *parser) pos(off int) tree.Pos {
	l, c := p.lines.At(off)
	return tree.Pos{Offset: off, Line: l, Col: c}
}

// argsAt returns the offset of the first non-space character of a tag's arguments.
func argsAt(t *token) int {
	return t.argsOff + len(t.args) - len(trimSpaceLeft(t.args))
}

func (p *parser) errAt(off int, msg, hint string) error {
	l, c := p.lines.At(off)
	return &diag.Error{File: p.name, Line: l, Col: c, Msg: msg, Hint: hint, Source: p.src}
}

// applyTrim applies the `{%-`/`-%}` whitespace control to neighbouring text tokens.
func applyTrim(toks []token) {
	for i := range toks {
		t := &toks[i]
		if t.typ == ttText {
			continue
		}
		if t.trimL && i > 0 && toks[i-1].typ == ttText {
			toks[i-1].text = trimSpaceRight(toks[i-1].text)
		}
		if t.trimR && i+1 < len(toks) && toks[i+1].typ == ttText {
			n := &toks[i+1]
			trimmed := trimSpaceLeft(n.text)
			n.off += len(n.text) - len(trimmed)
			n.text = trimmed
		}
	}
}

// body parses nodes until a tag whose name is in ends (returned) or the end of input (nil).
func (p *parser) body(ends []string) ([]tree.Node, *token, error) {
	var nodes []tree.Node
	for p.i < len(p.toks) {
		t := &p.toks[p.i]
		p.i++
		switch t.typ {
		case ttText:
			if t.text != "" {
				nodes = append(nodes, &tree.Text{Pos: p.pos(t.off), Text: t.text})
			}
		case ttOutput:
			n, err := p.output(t)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		case ttTag:
			for _, e := range ends {
				if t.name == e {
					return nodes, t, nil
				}
			}
			n, err := p.tag(t)
			if err != nil {
				return nil, nil, err
			}
			if n != nil {
				nodes = append(nodes, n)
			}
		}
	}
	return nodes, nil, nil
}

// expr returns an expression parser over a tag's arguments.
func (p *parser) exprOf(s string, off int) *exprParser {
	return &exprParser{p: p, toks: scanExpr(s, off)}
}

func (p *parser) output(t *token) (tree.Node, error) {
	e := p.exprOf(t.inner, t.innerOff)
	if e.atEOF() {
		return &tree.Text{Pos: p.pos(t.off)}, nil
	}
	x, err := e.filtered()
	if err != nil {
		return nil, err
	}
	if err := e.done(); err != nil {
		return nil, err
	}
	return &tree.Output{Pos: p.pos(t.off), Expr: x}, nil
}

// block parses a block body up to one of ends, failing with an "unclosed" error at open.
func (p *parser) block(open *token, ends ...string) ([]tree.Node, *token, error) {
	nodes, end, err := p.body(ends)
	if err != nil {
		return nil, nil, err
	}
	if end == nil {
		closer := ends[len(ends)-1]
		return nil, nil, p.errAt(open.off, "'"+open.name+"' tag was never closed", "add {% "+closer+" %}")
	}
	return nodes, end, nil
}

// knownTags lists every tag name, for suggestions on unknown tags.
var knownTags = []string{"assign", "break", "capture", "case", "comment", "continue", "cycle", "decrement", "doc",
	"echo", "for", "htmlonly", "if", "ifchanged", "include", "increment", "liquid", "live", "markdown", "raw",
	"render", "segment", "tablerow", "textonly", "unless"}

func (p *parser) tag(t *token) (tree.Node, error) {
	pos := p.pos(t.off)
	switch t.name {
	case "#":
		if p.inLiquid {
			return nil, nil
		}
		if strings.Contains(strings.TrimRight(t.args, " \t\r\n"), "\n") {
			for _, line := range strings.Split(t.args, "\n")[1:] {
				if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
					return nil, p.errAt(t.off, "every line of a multi-line inline comment must start with '#'", "")
				}
			}
		}
		return nil, nil
	case "if", "unless":
		return p.ifTag(t)
	case "case":
		return p.caseTag(t)
	case "for", "tablerow":
		return p.forTag(t)
	case "break", "continue":
		if strings.TrimSpace(t.args) != "" {
			return nil, p.errAt(argsAt(t), "'"+t.name+"' takes no arguments", "")
		}
		return &tree.LoopJump{Pos: pos, Continue: t.name == "continue"}, nil
	case "assign":
		return p.assign(t)
	case "capture":
		name, err := p.identArg(t)
		if err != nil {
			return nil, err
		}
		body, _, err := p.block(t, "endcapture")
		if err != nil {
			return nil, err
		}
		return &tree.Capture{Pos: pos, Name: name, Body: body}, nil
	case "increment", "decrement":
		name, err := p.identArg(t)
		if err != nil {
			return nil, err
		}
		d := 1
		if t.name == "decrement" {
			d = -1
		}
		return &tree.Counter{Pos: pos, Name: name, Delta: d}, nil
	case "comment", "doc":
		if t.name == "doc" && strings.TrimSpace(t.args) != "" {
			return nil, p.errAt(argsAt(t), "'doc' takes no arguments", "")
		}
		return p.skipRaw(t, "end"+t.name)
	case "raw":
		return p.rawTag(t)
	case "echo":
		e := p.exprOf(t.args, t.argsOff)
		if e.atEOF() {
			return &tree.Text{Pos: pos}, nil
		}
		x, err := e.filtered()
		if err != nil {
			return nil, err
		}
		if err := e.done(); err != nil {
			return nil, err
		}
		return &tree.Output{Pos: pos, Expr: x}, nil
	case "liquid":
		return p.liquidTag(t)
	case "cycle":
		return p.cycle(t)
	case "include", "render":
		return p.include(t)
	case "ifchanged":
		body, _, err := p.block(t, "endifchanged")
		if err != nil {
			return nil, err
		}
		return &tree.IfChanged{Pos: pos, Body: body}, nil
	case "markdown", "textonly", "htmlonly":
		if strings.TrimSpace(t.args) != "" {
			return nil, p.errAt(argsAt(t), "'"+t.name+"' takes no arguments", "")
		}
		body, _, err := p.block(t, "end"+t.name)
		if err != nil {
			return nil, err
		}
		if t.name == "markdown" {
			return &tree.Markdown{Pos: pos, Body: body}, nil
		}
		return &tree.VariantOnly{Pos: pos, Variant: strings.TrimSuffix(t.name, "only"), Body: body}, nil
	case "segment":
		return p.segment(t)
	case "live":
		return p.live(t)
	case "":
		return nil, p.errAt(t.off, "empty tag", "write a tag name after '{%'")
	}
	hint := ""
	if s := diag.Suggest(t.name, knownTags); s != "" {
		hint = "did you mean '" + s + "'?"
	}
	if strings.HasPrefix(t.name, "end") || t.name == "else" || t.name == "elsif" || t.name == "when" {
		return nil, p.errAt(t.off, "unexpected '"+t.name+"' tag", "there is no open block it belongs to")
	}
	return nil, p.errAt(t.off, "unknown tag '"+t.name+"'", hint)
}

// identArg parses the single identifier argument of capture/increment/decrement.
func (p *parser) identArg(t *token) (string, error) {
	e := p.exprOf(t.args, t.argsOff)
	tok := e.next()
	if tok.kind == tString {
		tok.kind = tIdent
	}
	if tok.kind != tIdent {
		return "", e.unexpected(tok, "expected a variable name after '"+t.name+"'")
	}
	if err := e.done(); err != nil {
		return "", err
	}
	return tok.text, nil
}

func (p *parser) assign(t *token) (tree.Node, error) {
	e := p.exprOf(t.args, t.argsOff)
	name, err := e.expect(tIdent, "a variable name after 'assign'")
	if err != nil {
		return nil, err
	}
	if _, err := e.expect(tAssign, "'='"); err != nil {
		return nil, err
	}
	x, err := e.filtered()
	if err != nil {
		return nil, err
	}
	if err := e.done(); err != nil {
		return nil, err
	}
	return &tree.Assign{Pos: p.pos(t.off), Name: name.text, Value: x}, nil
}

// skipRaw consumes the raw body of comment/doc up to its end tag.
func (p *parser) skipRaw(t *token, end string) (tree.Node, error) {
	if p.i < len(p.toks) && p.toks[p.i].raw {
		if t.name == "doc" && strings.Contains(p.toks[p.i].text, "{%") {
			for _, n := range []string{"{% doc", "{%- doc"} {
				if strings.Contains(p.toks[p.i].text, n) {
					return nil, p.errAt(t.off, "'doc' tags cannot be nested", "")
				}
			}
		}
		p.i++
	}
	if p.i >= len(p.toks) || p.toks[p.i].name != end {
		return nil, p.errAt(t.off, "'"+t.name+"' tag was never closed", "add {% "+end+" %}")
	}
	p.i++
	return nil, nil
}

func (p *parser) rawTag(t *token) (tree.Node, error) {
	n := &tree.Text{Pos: p.pos(t.end)}
	if p.i < len(p.toks) && p.toks[p.i].raw {
		n.Pos = p.pos(p.toks[p.i].off)
		n.Text = p.toks[p.i].text
		p.i++
	}
	if p.i >= len(p.toks) || p.toks[p.i].name != "endraw" {
		return nil, p.errAt(t.off, "'raw' tag was never closed", "add {% endraw %}")
	}
	p.i++
	return n, nil
}
