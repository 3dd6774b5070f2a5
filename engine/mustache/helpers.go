package mustache

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
)

// helperBlock parses the Handlebars block helpers if, unless, each, with, segment and live
// with their else chains; t is the opening {{#helper …}} tag.
func (p *parser) helperBlock(t *token, helper string) (tree.Node, error) {
	pos := p.pos(t.off)
	args, argOff := t.text[len(helper):], t.textOff+len(helper)
	switch helper {
	case "if", "unless":
		return p.ifBlock(t, helper, args, argOff)
	case "each", "with":
		args, params, err := p.blockParams(args, argOff, helper)
		if err != nil {
			return nil, err
		}
		x, err := p.expr(args, argOff)
		if err != nil {
			return nil, err
		}
		body, end, err := p.until(t, helper)
		if err != nil {
			return nil, err
		}
		var els *tree.Branch
		if end.kind == kElse {
			if end.text != "" {
				return nil, p.errAt(end.off, "unexpected '{{else "+end.text+"}}' in "+helper, "write {{else}}")
			}
			ebody, eend, err := p.until(t, helper)
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
			w := &tree.With{Pos: pos, Expr: x, Body: body, Else: els}
			if len(params) > 0 {
				w.Var = params[0]
			}
			return w, nil
		}
		f := &tree.For{Pos: pos, Tag: "each", Iter: x, Body: body, Else: els}
		if len(params) > 0 {
			f.Var = params[0]
		}
		if len(params) > 1 {
			f.IndexVar = params[1]
		}
		return f, nil
	case "segment":
		return p.segmentBlock(t, args, argOff)
	}
	return p.liveBlock(t, args, argOff)
}

// ifBlock parses {{#if c}}…{{else if c}}…{{else}}…{{/if}} and the same for unless.
func (p *parser) ifBlock(t *token, helper, args string, argOff int) (tree.Node, error) {
	pos := p.pos(t.off)
	n := &tree.If{Pos: pos, Tag: helper}
	cond, err := p.expr(args, argOff)
	if err != nil {
		return nil, err
	}
	cur, curTag, curPos := truthy(cond, helper == "unless"), helper, pos
	for {
		body, end, err := p.until(t, helper)
		if err != nil {
			return nil, err
		}
		n.Branches = append(n.Branches, &tree.Branch{Pos: curPos, Tag: curTag, Cond: cur, Body: body})
		if end.kind == kClose {
			return n, p.checkClose(t, end, helper)
		}
		if cur == nil {
			return nil, p.errAt(end.off, "nothing may follow the {{else}} of an "+helper+" block", "the else branch comes last")
		}
		curPos = p.pos(end.off)
		rest := end.text
		switch {
		case rest == "":
			cur, curTag = nil, "else"
		case strings.HasPrefix(rest, "if ") || strings.HasPrefix(rest, "unless "):
			kw := strings.Fields(rest)[0]
			c, err := p.expr(rest[len(kw):], end.textOff+len(kw))
			if err != nil {
				return nil, err
			}
			cur, curTag = truthy(c, kw == "unless"), "else "+kw
		default:
			return nil, p.errAt(end.off, "unexpected '{{else "+rest+"}}' in an "+helper+" block", "write {{else}} or {{else if condition}}")
		}
	}
}

// segmentBlock parses {{#segment "a"}}…{{else segment "b"}}…{{else}}…{{/segment}}.
func (p *parser) segmentBlock(t *token, args string, argOff int) (tree.Node, error) {
	n := &tree.Segment{Pos: p.pos(t.off)}
	names, namePos, err := p.segmentNames(args, argOff, t.off)
	if err != nil {
		return nil, err
	}
	curPos := n.Pos
	for {
		body, end, err := p.until(t, "segment")
		if err != nil {
			return nil, err
		}
		if names == nil {
			n.Else = &tree.Branch{Pos: curPos, Tag: "else", Body: body}
		} else {
			n.Branches = append(n.Branches, &tree.SegmentBranch{Pos: curPos, Names: names, NamePos: namePos, Body: body})
		}
		if end.kind == kClose {
			return n, p.checkClose(t, end, "segment")
		}
		if n.Else != nil {
			return nil, p.errAt(end.off, "nothing may follow the {{else}} of a segment block", "the else branch comes last")
		}
		curPos = p.pos(end.off)
		switch rest := end.text; {
		case rest == "":
			names, namePos = nil, nil
		case strings.HasPrefix(rest, "segment "):
			if names, namePos, err = p.segmentNames(rest[len("segment"):], end.textOff+len("segment"), end.off); err != nil {
				return nil, err
			}
		default:
			return nil, p.errAt(end.off, "unexpected '{{else "+rest+"}}' in a segment block", `write {{else segment "name"}} or {{else}}`)
		}
	}
}

// segmentNames reads the segment names of a segment tag: quoted or bare words.
func (p *parser) segmentNames(args string, off, tagOff int) ([]string, []tree.Pos, error) {
	ws, eoff, emsg := splitWords(args, off)
	if emsg != "" {
		return nil, nil, p.errAt(eoff, emsg, "")
	}
	var names []string
	var pos []tree.Pos
	for _, w := range ws {
		if w.paren {
			return nil, nil, p.errAt(w.off, "segment names are plain names, not expressions", `write {{#segment "high_value"}}`)
		}
		for _, n := range strings.Split(w.text, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
				pos = append(pos, p.pos(w.off))
			}
		}
	}
	if len(names) == 0 {
		return nil, nil, p.errAt(tagOff, "a segment block needs a segment name", `write {{#segment "high_value"}}`)
	}
	return names, pos, nil
}

// liveBlock parses {{#live src="https://…"}}amp-mustache source{{else}}fallback{{/live}}.
// The lexer has taken the source before {{else}} as one raw token.
func (p *parser) liveBlock(t *token, args string, argOff int) (tree.Node, error) {
	pos := p.pos(t.off)
	a := strings.TrimSpace(args)
	if rest, ok := strings.CutPrefix(a, "src="); ok {
		argOff += strings.Index(args, "src=") + len("src=")
		args = rest
	} else if a == "" {
		return nil, p.errAt(t.off, `a live block needs a source URL: {{#live src="https://…"}}`, "")
	}
	src, err := p.expr(args, argOff)
	if err != nil {
		return nil, err
	}
	if p.i+1 >= len(p.toks) || p.toks[p.i].kind != kRawText || p.toks[p.i+1].kind != kElse {
		return nil, p.errAt(t.off, "a live block needs {{else}} and then the static fallback before {{/live}}", "")
	}
	raw := p.toks[p.i].text
	p.i += 2
	fb, end, err := p.until(t, "live")
	if err != nil {
		return nil, err
	}
	if end.kind == kElse {
		return nil, p.errAt(end.off, "a live block has one {{else}}", fmt.Sprintf("the fallback runs from line %d to {{/live}}", p.line(t.end)))
	}
	if err := p.checkClose(t, end, "live"); err != nil {
		return nil, err
	}
	return &tree.Live{Pos: pos, Src: src, Template: raw, Fallback: fb}, nil
}

// blockParams splits Handlebars block parameters off the arguments of an each or with tag:
// `items as |item i|` gives "items" and [item i]. each takes one or two names (the item, then
// its index or key), with one.
func (p *parser) blockParams(args string, off int, helper string) (string, []string, error) {
	i := strings.LastIndex(args, " as |")
	if i < 0 {
		return args, nil, nil
	}
	rest := strings.TrimRight(args[i+len(" as |"):], " \t\r\n")
	if !strings.HasSuffix(rest, "|") {
		return "", nil, p.errAt(off+i+1, "block parameters are not closed", "write "+helper+" … as |name| with a closing |")
	}
	names := strings.Fields(rest[:len(rest)-1])
	max := 2
	if helper == "with" {
		max = 1
	}
	if len(names) == 0 || len(names) > max {
		return "", nil, p.errAt(off+i+1, fmt.Sprintf("%s takes %s block parameter%s, not %d", helper,
			map[int]string{1: "one", 2: "one or two"}[max], map[int]string{1: "", 2: "s"}[max], len(names)),
			map[int]string{1: "with person as |p|", 2: "each items as |item index|"}[max])
	}
	for _, n := range names {
		if !isIdent(n) {
			return "", nil, p.errAt(off+i+1, "invalid block parameter '"+n+"'", "block parameters are plain names: letters, digits, _ and -")
		}
	}
	return args[:i], names, nil
}

// isIdent reports whether s is a plain name usable as a variable.
func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-')) {
			return false
		}
	}
	return s != "" && s != "this"
}
