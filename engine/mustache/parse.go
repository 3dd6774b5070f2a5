package mustache

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// Options configure ParseWith.
type Options struct {
	// Partial returns the file name and source of the partial called name. Template
	// inheritance ({{<parent}}…{{/parent}}) expands the parent at parse time through it;
	// without it a parent tag is an error. Return an empty source for a parent that should
	// render as nothing (the Mustache spec's missing partial).
	Partial func(name string) (file, src string, err error)
}

// Parse parses a Mustache template. Template inheritance needs ParseWith and a partial
// loader; everything else in the Mustache spec parses here.
func Parse(name, src string) (*tree.Template, error) { return ParseWith(name, src, Options{}) }

// ParseWith parses a Mustache template, expanding {{<parent}} tags with opt.Partial.
func ParseWith(name, src string, opt Options) (*tree.Template, error) {
	p := newParser(name, src, false)
	p.opt = opt
	return p.template()
}

// ParseHandlebars parses a Handlebars template.
func ParseHandlebars(name, src string) (*tree.Template, error) {
	return newParser(name, src, true).template()
}

type parser struct {
	name  string
	src   string
	lines *diag.Lines
	toks  []token
	i     int
	hbs   bool
	opt   Options
	// inheritance: the block overrides in force, the nesting depth of parent expansions,
	// the expansions left in this parse, and for an expanded parent the position of the
	// {{<parent}} tag in the user's file, which its nodes take
	overrides map[string]*override
	depth     int
	budget    *int
	skip      int // inside content that is never rendered: parents are not expanded
	fixed     *tree.Pos
}

func newParser(name, src string, hbs bool) *parser {
	budget := maxExpansions
	return &parser{name: name, src: src, lines: diag.NewLines(src), hbs: hbs, budget: &budget}
}

// template lexes and parses the whole source.
func (p *parser) template() (*tree.Template, error) {
	toks, lerr := lex(p.src, p.hbs)
	if lerr != nil {
		return nil, p.errAt(lerr.off, lerr.msg, "")
	}
	p.toks = toks
	body, end, err := p.body()
	if err != nil {
		return nil, err
	}
	if end != nil {
		if end.kind == kElse {
			return nil, p.errAt(end.off, "'{{else}}' outside a block", "else belongs inside if, unless, each, with, segment and live blocks")
		}
		return nil, p.errAt(end.off, fmt.Sprintf("'{{/%s}}' closes nothing", end.text), "there is no open section with that name")
	}
	return &tree.Template{Name: p.name, Source: p.src, Body: body}, nil
}

func (p *parser) pos(off int) tree.Pos {
	if p.fixed != nil {
		return *p.fixed
	}
	l, c := p.lines.At(off)
	return tree.Pos{Offset: off, Line: l, Col: c}
}

// line is the 1-based line of offset off.
func (p *parser) line(off int) int {
	l, _ := p.lines.At(off)
	return l
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
		var n tree.Node
		var err error
		switch t.kind {
		case kText:
			if t.text == "" {
				continue
			}
			if last, ok := lastText(nodes); ok {
				last.Text += t.text // the lines of one run of text make one node
				continue
			}
			n = &tree.Text{Pos: p.pos(t.off), Text: t.text}
		case kComment, kDelims:
			continue
		case kClose, kElse:
			return nodes, t, nil
		case kRawText:
			return nil, nil, p.errAt(t.off, "internal error: raw text outside a live block", "")
		case kVar, kRaw:
			var x tree.Expr
			if x, err = p.value(t); err == nil {
				n = &tree.Output{Pos: p.pos(t.off), Expr: x, Raw: t.kind == kRaw}
			}
		case kPartial:
			n, err = p.partial(t)
		case kSection, kInverted:
			n, err = p.section(t)
		case kParent:
			n, err = p.parent(t)
		case kBlock:
			n, err = p.block(t)
		}
		if err != nil {
			return nil, nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil, nil
}

func lastText(nodes []tree.Node) (*tree.Text, bool) {
	if len(nodes) == 0 {
		return nil, false
	}
	t, ok := nodes[len(nodes)-1].(*tree.Text)
	return t, ok
}

// partial parses {{> name}}, and {{>*name}} whose name is looked up at render time.
func (p *parser) partial(t *token) (tree.Node, error) {
	name := t.text
	if name == "" {
		return nil, p.errAt(t.off, "a partial tag needs a name: {{> name}}", "")
	}
	inc := &tree.Include{Pos: p.pos(t.off), Indent: t.indent}
	if strings.HasPrefix(name, "*") {
		off := t.textOff + 1
		rest := name[1:]
		trimmed := strings.TrimSpace(rest)
		x, err := p.path(trimmed, off+strings.Index(rest, trimmed))
		if err != nil {
			return nil, err
		}
		inc.Name, inc.Dynamic = x, true
		return inc, nil
	}
	if p.hbs {
		f := strings.Fields(name)
		if len(f) > 1 {
			return nil, p.errAt(t.textOff+len(f[0]), "partial arguments and hash parameters are not supported", "write {{> "+f[0]+"}} and set the values before it")
		}
		name = strings.Trim(f[0], `"'`)
	}
	inc.Name = &tree.Literal{Pos: p.pos(t.textOff), Value: name}
	return inc, nil
}

// until parses a body up to its close tag or else, failing at the open tag when the input
// ends first.
func (p *parser) until(open *token, name string) ([]tree.Node, *token, error) {
	body, end, err := p.body()
	if err != nil {
		return nil, nil, err
	}
	if end == nil {
		return nil, nil, p.errAt(open.off, fmt.Sprintf("section '%s' is never closed", name), fmt.Sprintf("add {{/%s}}", name))
	}
	return body, end, nil
}

// checkClose checks that end is the close tag of the section open called name.
func (p *parser) checkClose(open, end *token, name string) error {
	if end.kind != kClose {
		return p.errAt(end.off, "'{{else}}' is only valid inside if, unless, each, with, segment and live blocks", "")
	}
	if end.text != name {
		return p.errAt(end.off, fmt.Sprintf("'{{/%s}}' closes section '%s' opened on line %d", end.text, name, p.line(open.off)),
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
			return p.helperBlock(t, words[0])
		}
	}
	name := t.text
	x, err := p.value(t)
	if err != nil {
		return nil, err
	}
	if p.hbs {
		name = words[0]
	}
	body, end, err := p.until(t, name)
	if err != nil {
		return nil, err
	}
	if err := p.checkClose(t, end, name); err != nil {
		return nil, err
	}
	pos := p.pos(t.off)
	if p.hbs && t.kind == kInverted {
		return &tree.If{Pos: pos, Tag: "inverted", Branches: []*tree.Branch{{Pos: pos, Tag: "inverted", Cond: truthy(x, true), Body: body}}}, nil
	}
	return &tree.Section{Pos: pos, Expr: x, Inverted: t.kind == kInverted, Body: body, RawBody: p.src[t.end:end.off]}, nil
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
