package mustache

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
)

// Template inheritance ({{<parent}}{{$block}}…{{/block}}{{/parent}}) is expanded while
// parsing: the parent's source is loaded through Options.Partial and parsed with the
// overrides in force, and the result is spliced in as a tree.Block. The nodes that come
// from another file take the position of the outermost {{<parent}} tag in the user's file,
// so every position in the tree points into the template it belongs to.

const (
	maxInheritDepth = 32   // parents nested deeper than this are an error (a parent that inherits itself)
	maxExpansions   = 2000 // parent expansions in one parse
)

// override is the content a {{<parent}} tag passes for one block, with the indentation of
// its first line (removed where it is expanded).
type override struct {
	body   []tree.Node
	indent string
}

// block parses {{$name}}default{{/name}}: the override in force for name, reindented to
// this place, or else the default content.
func (p *parser) block(t *token) (tree.Node, error) {
	if p.hbs {
		return nil, p.errAt(t.off, "'{{$' is Mustache inheritance, not Handlebars", "")
	}
	name := t.text
	if name == "" {
		return nil, p.errAt(t.off, "a block tag needs a name: {{$name}}", "")
	}
	o, ok := p.overrides[name]
	if ok {
		p.skip++ // the default content is not rendered: expand no parent in it
	}
	body, end, err := p.until(t, name)
	if ok {
		p.skip--
	}
	if err != nil {
		return nil, err
	}
	if err := p.checkClose(t, end, name); err != nil {
		return nil, err
	}
	pos := p.pos(t.off)
	if !ok {
		return &tree.Block{Pos: pos, Body: body}, nil
	}
	if t.standalone {
		// the tag's line is gone: every line takes the indentation of the default content
		// (or of the tag when there is no default)
		site := t.indent
		if first, ok := firstText(body); ok {
			site = leadingSpace(first)
		}
		return &tree.Block{Pos: pos, Body: reindent(o.body, o.indent, site, true)}, nil
	}
	return &tree.Block{Pos: pos, Body: reindent(o.body, o.indent, t.lead, false)}, nil
}

// parent parses {{<name}}…{{/name}}: the block tags inside are overrides (everything else
// inside is ignored); the parent template is loaded, parsed with them and spliced in.
func (p *parser) parent(t *token) (tree.Node, error) {
	if p.hbs {
		return nil, p.errAt(t.off, "'{{<' is Mustache inheritance, not Handlebars", "use {{> partial}}")
	}
	name := t.text
	if name == "" || strings.HasPrefix(name, "*") {
		return nil, p.errAt(t.off, "a parent tag needs a plain name: {{<name}}", "")
	}
	defs := map[string]*override{}
	for {
		if p.i >= len(p.toks) {
			return nil, p.errAt(t.off, fmt.Sprintf("parent '%s' is never closed", name), fmt.Sprintf("add {{/%s}}", name))
		}
		c := &p.toks[p.i]
		p.i++
		var err error
		switch c.kind {
		case kClose:
			if err := p.checkClose(t, c, name); err != nil {
				return nil, err
			}
			return p.expand(t, name, defs)
		case kElse:
			return nil, p.checkClose(t, c, name)
		case kBlock:
			var n tree.Node
			if n, err = p.block(c); err == nil {
				// the override is the block's own content, resolved against the overrides
				// already in force (those win anyway)
				if _, dup := defs[c.text]; !dup {
					body := n.(*tree.Block).Body
					ind := ""
					if first, ok := firstText(body); ok {
						ind = leadingSpace(first)
					}
					defs[c.text] = &override{body: body, indent: ind}
				}
			}
		case kSection, kInverted, kParent:
			// parsed for its nesting, then ignored
			p.skip++
			if c.kind == kParent {
				_, err = p.parent(c)
			} else {
				_, err = p.section(c)
			}
			p.skip--
		case kVar, kRaw:
			_, err = p.value(c)
		}
		if err != nil {
			return nil, err
		}
	}
}

// expand loads and parses the parent template name with defs (the overrides in force win
// over them) and returns its body as a block, indented when the tag stands alone.
func (p *parser) expand(t *token, name string, defs map[string]*override) (tree.Node, error) {
	pos := p.pos(t.off)
	if p.skip > 0 {
		return &tree.Block{Pos: pos}, nil
	}
	if p.opt.Partial == nil {
		return nil, p.errAt(t.off, fmt.Sprintf("template inheritance needs the partials: cannot load parent '%s'", name), "parse with mustache.ParseWith and a partial loader")
	}
	if p.depth >= maxInheritDepth {
		return nil, p.errAt(t.off, fmt.Sprintf("parents nest more than %d deep expanding '%s'", maxInheritDepth, name), "a parent that inherits itself needs a partial {{> name}} instead")
	}
	if *p.budget--; *p.budget < 0 {
		return nil, p.errAt(t.off, fmt.Sprintf("more than %d parent expansions", maxExpansions), "")
	}
	file, src, err := p.opt.Partial(name)
	if err != nil {
		return nil, p.errAt(t.off, fmt.Sprintf("parent '%s': %v", name, err), "")
	}
	if file == "" {
		file = name
	}
	for k, v := range p.overrides {
		defs[k] = v // outer substitutions take precedence
	}
	sub := newParser(file, src, false)
	sub.opt, sub.overrides, sub.depth, sub.budget = p.opt, defs, p.depth+1, p.budget
	sub.fixed = &pos
	tr, err := sub.template()
	if err != nil {
		return nil, err
	}
	body := tr.Body
	if t.standalone && t.indent != "" {
		body = reindent(body, "", t.indent, true)
	}
	return &tree.Block{Pos: pos, Body: body}, nil
}

// firstText returns the text a body starts with.
func firstText(body []tree.Node) (string, bool) {
	for len(body) > 0 {
		switch x := body[0].(type) {
		case *tree.Text:
			return x.Text, true
		case *tree.Block:
			body = x.Body
			continue
		}
		return "", false
	}
	return "", false
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// reindent copies body, removing strip from the start of every line and putting add there
// instead, except on the first line when first is not set (its indentation is already in
// the output); nothing is added after a final newline. Every node is copied, so an override expanded twice shares no nodes.
func reindent(body []tree.Node, strip, add string, first bool) []tree.Node {
	r := &reindenter{strip: strip, add: add, atStart: true, noAdd: !first}
	return r.nodes(body)
}

type reindenter struct {
	strip, add string
	atStart    bool // at the start of a line
	noAdd      bool // on the first line, which takes no indentation
}

// indent is what starts the current line.
func (r *reindenter) indent() string {
	if r.noAdd {
		r.noAdd = false
		return ""
	}
	return r.add
}

func (r *reindenter) nodes(body []tree.Node) []tree.Node {
	out := make([]tree.Node, 0, len(body))
	for _, n := range body {
		switch x := n.(type) {
		case *tree.Text:
			c := *x
			c.Text = r.text(x.Text)
			out = append(out, &c)
			continue
		case *tree.Block:
			// lines run through blocks and sections: their text starts the line
			c := *x
			c.Body = r.nodes(x.Body)
			out = append(out, &c)
			continue
		case *tree.Section:
			c := *x
			c.Body = r.nodes(x.Body)
			out = append(out, &c)
			continue
		}
		if r.atStart {
			if ind := r.indent(); ind != "" {
				out = append(out, &tree.Text{Pos: n.Position(), Text: ind})
			}
		}
		r.atStart = false
		out = append(out, r.node(n))
	}
	return out
}

// text reindents the lines of one text.
func (r *reindenter) text(s string) string {
	var b strings.Builder
	for s != "" {
		if r.atStart {
			cut := 0
			for cut < len(r.strip) && cut < len(s) && s[cut] == r.strip[cut] {
				cut++
			}
			s = s[cut:]
			if s == "" {
				break
			}
			b.WriteString(r.indent())
			r.atStart = false
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
		r.atStart = true
	}
	return b.String()
}

// node copies a leaf node (Mustache templates hold only these besides text, blocks and
// sections), so no node is shared between two expansions.
func (r *reindenter) node(n tree.Node) tree.Node {
	switch x := n.(type) {
	case *tree.Output:
		c := *x
		return &c
	case *tree.Include:
		c := *x
		return &c
	}
	return n
}
