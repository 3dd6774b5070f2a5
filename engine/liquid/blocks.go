package liquid

import (
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
)

// ifTag parses if/unless with elsif and else branches. As in Ruby Liquid, branches after the
// first else are parsed but never rendered.
func (p *parser) ifTag(t *token) (tree.Node, error) {
	n := &tree.If{Pos: p.pos(t.off), Tag: t.name}
	cur, curTag := t, t
	elseSeen := false
	for {
		var cond tree.Expr
		if curTag.name != "else" {
			e := p.exprOf(curTag.args, curTag.argsOff)
			c, err := e.condition()
			if err != nil {
				return nil, err
			}
			if err := e.done(); err != nil {
				return nil, err
			}
			cond = c
			if t.name == "unless" && curTag == t {
				cond = &tree.Not{Pos: c.Position(), X: c}
			}
		}
		body, end, err := p.block(t, "elsif", "else", "end"+t.name)
		if err != nil {
			return nil, err
		}
		if !elseSeen {
			n.Branches = append(n.Branches, &tree.Branch{Pos: p.pos(cur.off), Tag: curTag.name, Cond: cond, Body: body})
		}
		if curTag.name == "else" {
			elseSeen = true
		}
		if end.name == "end"+t.name {
			break
		}
		cur, curTag = end, end
	}
	stripIfBlank(n)
	return n, nil
}

func (p *parser) caseTag(t *token) (tree.Node, error) {
	e := p.exprOf(t.args, t.argsOff)
	subj, err := e.primary()
	if err != nil {
		return nil, err
	}
	if err := e.done(); err != nil {
		return nil, err
	}
	n := &tree.Case{Pos: p.pos(t.off), Subject: subj}
	// Text between {% case %} and the first {% when %} is ignored.
	_, end, err := p.block(t, "when", "else", "endcase")
	if err != nil {
		return nil, err
	}
	for end.name != "endcase" {
		w := &tree.When{Pos: p.pos(end.off)}
		if end.name == "when" {
			e := p.exprOf(end.args, end.argsOff)
			for {
				v, err := e.primary()
				if err != nil {
					return nil, err
				}
				w.Values = append(w.Values, v)
				if e.accept(tComma) || e.isKeyword("or") && e.next().kind == tIdent {
					continue
				}
				break
			}
			if err := e.done(); err != nil {
				return nil, err
			}
		} else {
			w.Values = nil // else: Values nil marks the default branch
		}
		body, next, err := p.block(t, "when", "else", "endcase")
		if err != nil {
			return nil, err
		}
		w.Body = body
		n.Whens = append(n.Whens, w)
		end = next
	}
	blank := true
	for _, w := range n.Whens {
		blank = blank && isBlank(w.Body)
	}
	if blank {
		for _, w := range n.Whens {
			w.Body = dropText(w.Body)
		}
	}
	return n, nil
}

func (p *parser) forTag(t *token) (tree.Node, error) {
	e := p.exprOf(t.args, t.argsOff)
	v, err := e.expect(tIdent, "a loop variable after '"+t.name+"'")
	if err != nil {
		return nil, err
	}
	if !e.isKeyword("in") {
		return nil, e.unexpected(e.peek(), "expected 'in'")
	}
	e.next()
	iter, err := e.primary()
	if err != nil {
		return nil, err
	}
	n := &tree.For{Pos: p.pos(t.off), Tag: t.name, Var: v.text, Iter: iter}
	for !e.atEOF() {
		if e.accept(tComma) && e.atEOF() {
			break
		}
		if e.isKeyword("reversed") {
			e.next()
			n.Reversed = true
			continue
		}
		k, err := e.expect(tIdent, "'limit', 'offset', 'cols' or 'reversed'")
		if err != nil {
			return nil, err
		}
		if _, err := e.expect(tColon, "':' after '"+k.text+"'"); err != nil {
			return nil, err
		}
		if k.text == "offset" && e.isKeyword("continue") {
			e.next()
			n.OffsetContinue = true
			continue
		}
		x, err := e.primary()
		if err != nil {
			return nil, err
		}
		switch k.text {
		case "limit":
			n.Limit = x
		case "offset":
			n.Offset = x
		case "cols":
			if t.name != "tablerow" {
				return nil, p.errAt(k.off, "'cols' is only valid in tablerow", "")
			}
			n.Cols = x
		default:
			return nil, p.errAt(k.off, "unknown loop parameter '"+k.text+"'", "use limit, offset, reversed or cols")
		}
	}
	ends := []string{"else", "end" + t.name}
	if t.name == "tablerow" {
		ends = ends[1:]
	}
	body, end, err := p.block(t, ends...)
	if err != nil {
		return nil, err
	}
	n.Body = body
	if end.name == "else" {
		eb, _, err := p.block(t, "end"+t.name)
		if err != nil {
			return nil, err
		}
		n.Else = &tree.Branch{Pos: p.pos(end.off), Tag: "else", Body: eb}
	}
	if isBlank(n.Body) && (n.Else == nil || isBlank(n.Else.Body)) {
		n.Body = dropText(n.Body)
		if n.Else != nil {
			n.Else.Body = dropText(n.Else.Body)
		}
	}
	return n, nil
}

func (p *parser) cycle(t *token) (tree.Node, error) {
	e := p.exprOf(t.args, t.argsOff)
	n := &tree.Cycle{Pos: p.pos(t.off)}
	first, err := e.primary()
	if err != nil {
		return nil, err
	}
	if e.accept(tColon) {
		n.Group = first
	} else {
		n.Values = append(n.Values, first)
		if !e.accept(tComma) {
			return n, e.done()
		}
	}
	for {
		v, err := e.primary()
		if err != nil {
			return nil, err
		}
		n.Values = append(n.Values, v)
		if !e.accept(tComma) {
			break
		}
	}
	return n, e.done()
}

func (p *parser) include(t *token) (tree.Node, error) {
	e := p.exprOf(t.args, t.argsOff)
	n := &tree.Include{Pos: p.pos(t.off), Isolated: t.name == "render"}
	name, err := e.primary()
	if err != nil {
		return nil, err
	}
	if _, ok := name.(*tree.Literal); !ok && n.Isolated {
		return nil, p.errAt(argsAt(t), "'render' needs a quoted partial name", "use {% include %} for a name held in a variable")
	}
	n.Name = name
	if e.isKeyword("with") || e.isKeyword("for") {
		n.For = e.next().text == "for"
		w, err := e.primary()
		if err != nil {
			return nil, err
		}
		n.With = w
	}
	if e.isKeyword("as") {
		e.next()
		a, err := e.expect(tIdent, "a name after 'as'")
		if err != nil {
			return nil, err
		}
		n.Alias = a.text
	}
	for !e.atEOF() {
		e.accept(tComma)
		k, err := e.expect(tIdent, "a keyword argument name")
		if err != nil {
			return nil, err
		}
		if _, err := e.expect(tColon, "':' after '"+k.text+"'"); err != nil {
			return nil, err
		}
		v, err := e.primary()
		if err != nil {
			return nil, err
		}
		n.Args = append(n.Args, tree.KeyValue{Key: k.text, Value: v})
	}
	return n, nil
}

// segment parses {% segment a %}…{% when b, c %}…{% else %}…{% endsegment %}.
func (p *parser) segment(t *token) (tree.Node, error) {
	n := &tree.Segment{Pos: p.pos(t.off)}
	cur := t
	for {
		br := &tree.SegmentBranch{Pos: p.pos(cur.off)}
		if cur.name != "else" {
			e := p.exprOf(cur.args, cur.argsOff)
			for {
				tok := e.next()
				if tok.kind != tIdent && tok.kind != tString {
					return nil, e.unexpected(tok, "expected a segment name")
				}
				br.Names = append(br.Names, tok.text)
				br.NamePos = append(br.NamePos, p.pos(tok.off))
				if !(e.accept(tComma) || e.isKeyword("or") && e.next().kind == tIdent) {
					break
				}
			}
			if err := e.done(); err != nil {
				return nil, err
			}
		} else if strings.TrimSpace(cur.args) != "" {
			return nil, p.errAt(argsAt(cur), "'else' takes no arguments", "")
		}
		body, end, err := p.block(t, "when", "else", "endsegment")
		if err != nil {
			return nil, err
		}
		br.Body = body
		if cur.name == "else" {
			if n.Else != nil {
				return nil, p.errAt(cur.off, "a segment block has only one 'else'", "")
			}
			n.Else = &tree.Branch{Pos: br.Pos, Tag: "else", Body: body}
		} else {
			if n.Else != nil {
				return nil, p.errAt(cur.off, "'when' after 'else' is never reached", "move the 'else' branch last")
			}
			n.Branches = append(n.Branches, br)
		}
		if end.name == "endsegment" {
			return n, nil
		}
		cur = end
	}
}

// live parses {% live src="https://…" %}amp-mustache source{% fallback %}…{% endlive %}.
// src is any value with filters: src=feed_url, src="https://x.example/d.json?u=" | append: id.
func (p *parser) live(t *token) (tree.Node, error) {
	e := p.exprOf(t.args, t.argsOff)
	k, err := e.expect(tIdent, "src=\"https://…\"")
	if err != nil || k.text != "src" {
		return nil, p.errAt(argsAt(t), "'live' needs src=\"https://…\"", "write {% live src=\"https://example.com/data.json\" %}")
	}
	if !e.accept(tAssign) && !e.accept(tColon) {
		return nil, e.unexpected(e.peek(), "expected '=' after src")
	}
	src, err := e.filtered()
	if err != nil {
		return nil, err
	}
	if err := e.done(); err != nil {
		return nil, err
	}
	n := &tree.Live{Pos: p.pos(t.off), Src: src}
	if p.i < len(p.toks) && p.toks[p.i].raw {
		n.Template = p.toks[p.i].text
		p.i++
	}
	if p.i >= len(p.toks) {
		return nil, p.errAt(t.off, "'live' tag was never closed", "add {% fallback %}…{% endlive %}")
	}
	end := &p.toks[p.i]
	p.i++
	if end.name == "fallback" {
		body, _, err := p.block(t, "endlive")
		if err != nil {
			return nil, err
		}
		n.Fallback = body
	} else {
		return nil, p.errAt(t.off, "a live block needs a {% fallback %} with the static content", "add {% fallback %}…static content…{% endlive %}")
	}
	return n, nil
}

// liquidTag parses the lines of {% liquid %}: one tag per line, no delimiters.
func (p *parser) liquidTag(t *token) (tree.Node, error) {
	var toks []token
	off := t.argsOff
	for _, line := range strings.SplitAfter(t.args, "\n") {
		lineOff := off
		off += len(line)
		body := strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(body) == "" {
			continue
		}
		name, args, argsOff := splitTag(body, lineOff)
		lead := len(body) - len(strings.TrimLeft(body, " \t\r"))
		toks = append(toks, token{typ: ttTag, off: lineOff + lead, end: lineOff + len(body), name: name, args: args, argsOff: argsOff, inner: body, innerOff: lineOff})
	}
	// comment blocks inside {% liquid %}: skip their lines.
	var kept []token
	for i := 0; i < len(toks); i++ {
		if toks[i].name == "comment" {
			depth := 1
			j := i + 1
			for ; j < len(toks) && depth > 0; j++ {
				switch toks[j].name {
				case "comment":
					depth++
				case "endcomment":
					depth--
				}
			}
			if depth > 0 {
				return nil, p.errAt(toks[i].off, "'comment' tag was never closed", "add endcomment")
			}
			i = j - 1
			continue
		}
		kept = append(kept, toks[i])
	}
	sub := &parser{name: p.name, src: p.src, lines: p.lines, toks: kept, inLiquid: true}
	body, end, err := sub.body(nil)
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, p.errAt(end.off, "unexpected '"+end.name+"' tag", "")
	}
	return &tree.Block{Pos: p.pos(t.off), Body: body}, nil
}

// isBlank reports Ruby Liquid's blank? for a block body: only whitespace text and tags that
// output nothing (assign, capture, comments, and blocks that are themselves blank).
func isBlank(nodes []tree.Node) bool {
	for _, n := range nodes {
		switch x := n.(type) {
		case *tree.Text:
			if strings.TrimSpace(x.Text) != "" {
				return false
			}
		case *tree.Assign, *tree.Capture:
		case *tree.If:
			for _, b := range x.Branches {
				if !isBlank(b.Body) {
					return false
				}
			}
		case *tree.Case:
			for _, w := range x.Whens {
				if !isBlank(w.Body) {
					return false
				}
			}
		case *tree.For:
			if x.Tag != "for" || !isBlank(x.Body) || x.Else != nil && !isBlank(x.Else.Body) {
				return false
			}
		case *tree.Block:
			if !isBlank(x.Body) {
				return false
			}
		case *tree.IfChanged:
			if !isBlank(x.Body) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// dropText removes the (whitespace-only) text of a blank body.
func dropText(nodes []tree.Node) []tree.Node {
	out := nodes[:0]
	for _, n := range nodes {
		if _, ok := n.(*tree.Text); !ok {
			out = append(out, n)
		}
	}
	return out
}

func stripIfBlank(n *tree.If) {
	for _, b := range n.Branches {
		if !isBlank(b.Body) {
			return
		}
	}
	for _, b := range n.Branches {
		b.Body = dropText(b.Body)
	}
}
