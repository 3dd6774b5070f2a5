package mustache

import (
	"strconv"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
)

// value parses the content of a variable tag: a Mustache name, or in Handlebars a name,
// literal or helper call.
func (p *parser) value(t *token) (tree.Expr, error) {
	if p.hbs {
		return p.expr(t.text, t.textOff)
	}
	return p.path(t.text, t.textOff)
}

// path parses a name: ".", "a.b.c", and in Handlebars "this", "this.x", "../x", "@index",
// "@root" and "@root.x".
func (p *parser) path(name string, off int) (tree.Expr, error) {
	pos := p.pos(off)
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, p.errAt(off, "empty name", "")
	}
	if name == "." {
		return &tree.Var{Pos: pos, Implicit: true}, nil
	}
	v := &tree.Var{Pos: pos}
	if p.hbs {
		for strings.HasPrefix(name, "../") {
			v.Depth++
			name = name[3:]
		}
		switch {
		case name == "this" || name == ".":
			v.Implicit = true
			return v, nil
		case strings.HasPrefix(name, "this."):
			v.Implicit = true
			name = name[len("this."):]
			for _, part := range strings.Split(name, ".") {
				v.Steps = append(v.Steps, tree.Step{Name: part})
			}
			return v, nil
		case name == "@root":
			v.Depth, v.Implicit = tree.RootDepth, true
			return v, nil
		case strings.HasPrefix(name, "@root."):
			parts := strings.Split(name[len("@root."):], ".")
			for _, part := range parts {
				if part == "" || strings.ContainsAny(part, " \t\n") {
					return nil, p.errAt(off, "invalid name '"+name+"'", "")
				}
			}
			v.Depth, v.Root = tree.RootDepth, parts[0]
			for _, part := range parts[1:] {
				v.Steps = append(v.Steps, tree.Step{Name: part})
			}
			return v, nil
		case strings.HasPrefix(name, "@"):
			v.Root = "@"
			v.Steps = []tree.Step{{Name: name[1:]}}
			return v, nil
		}
	}
	parts := strings.Split(name, ".")
	for _, part := range parts {
		if part == "" || strings.ContainsAny(part, " \t\n") {
			return nil, p.errAt(off, "invalid name '"+name+"'", "")
		}
	}
	v.Root = parts[0]
	for _, part := range parts[1:] {
		v.Steps = append(v.Steps, tree.Step{Name: part})
	}
	return v, nil
}

// helpers are the Handlebars helpers usable in expressions.
var helpers = map[string]int{"eq": 2, "ne": 2, "gt": 2, "lt": 2, "gte": 2, "lte": 2, "and": -1, "or": -1, "not": 1, "default": 2}

var compareOps = map[string]string{"eq": "==", "ne": "!=", "gt": ">", "lt": "<", "gte": ">=", "lte": "<="}

type word struct {
	text  string
	off   int
	sub   []word // a parenthesised subexpression
	paren bool   // sub is set (it may be empty)
	str   bool   // a quoted string
}

// words splits a Handlebars expression into words, strings and (subexpressions).
func splitWords(s string, base int) ([]word, int, string) {
	var out []word
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, base + i, "unclosed string"
			}
			out = append(out, word{text: s[i+1 : i+1+j], off: base + i, str: true})
			i += j + 2
		case c == '(':
			depth, j := 0, i
		scan:
			for ; j < len(s); j++ {
				switch s[j] {
				case '(':
					depth++
				case ')':
					if depth--; depth == 0 {
						break scan
					}
				case '"', '\'':
					k := strings.IndexByte(s[j+1:], s[j])
					if k < 0 {
						return nil, base + j, "unclosed string"
					}
					j += k + 1
				}
			}
			if j >= len(s) {
				return nil, base + i, "unclosed '('"
			}
			sub, eoff, emsg := splitWords(s[i+1:j], base+i+1)
			if emsg != "" {
				return nil, eoff, emsg
			}
			out = append(out, word{off: base + i, sub: sub, paren: true})
			i = j + 1
		case c == ')':
			return nil, base + i, "unexpected ')'"
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()\"'", rune(s[j])) {
				j++
			}
			out = append(out, word{text: s[i:j], off: base + i})
			i = j
		}
	}
	return out, 0, ""
}

// expr parses a Handlebars expression.
func (p *parser) expr(s string, off int) (tree.Expr, error) {
	ws, eoff, emsg := splitWords(s, off)
	if emsg != "" {
		return nil, p.errAt(eoff, emsg, "")
	}
	if len(ws) == 0 {
		return nil, p.errAt(off, "an expression is missing", "")
	}
	return p.call(ws)
}

func (p *parser) call(ws []word) (tree.Expr, error) {
	h := ws[0]
	if n, ok := helpers[h.text]; ok && !h.str && !h.paren {
		args := ws[1:]
		if n >= 0 && len(args) != n {
			return nil, p.errAt(h.off, h.text+" takes "+strconv.Itoa(n)+" argument(s), got "+strconv.Itoa(len(args)), "")
		}
		vals := make([]tree.Expr, len(args))
		for i, a := range args {
			v, err := p.atom(a)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		pos := p.pos(h.off)
		switch h.text {
		case "not":
			return &tree.Not{Pos: pos, X: truthy(vals[0], false)}, nil
		case "and", "or":
			if len(vals) < 2 {
				return nil, p.errAt(h.off, h.text+" takes at least 2 arguments", "")
			}
			x := truthy(vals[len(vals)-1], false)
			for i := len(vals) - 2; i >= 0; i-- {
				x = &tree.Binary{Pos: pos, Op: h.text, L: truthy(vals[i], false), R: x}
			}
			return x, nil
		case "default":
			return &tree.Filtered{Pos: pos, X: vals[0], Filters: []*tree.Filter{{Pos: pos, Name: "default", Args: vals[1:]}}}, nil
		}
		return &tree.Binary{Pos: pos, Op: compareOps[h.text], L: vals[0], R: vals[1]}, nil
	}
	if len(ws) > 1 {
		return nil, p.errAt(h.off, "unknown helper '"+h.text+"'", "helpers: eq, ne, gt, lt, gte, lte, and, or, not, default")
	}
	return p.atom(h)
}

func (p *parser) atom(w word) (tree.Expr, error) {
	pos := p.pos(w.off)
	switch {
	case w.paren:
		if len(w.sub) == 0 {
			return nil, p.errAt(w.off, "empty subexpression", "")
		}
		return p.call(w.sub)
	case w.str:
		return &tree.Literal{Pos: pos, Value: w.text}, nil
	case w.text == "true" || w.text == "false":
		return &tree.Literal{Pos: pos, Value: w.text == "true"}, nil
	case w.text == "null" || w.text == "undefined":
		return &tree.Literal{Pos: pos, Value: nil}, nil
	}
	if n, err := strconv.Atoi(w.text); err == nil {
		return &tree.Literal{Pos: pos, Value: n}, nil
	}
	if f, err := strconv.ParseFloat(w.text, 64); err == nil {
		return &tree.Literal{Pos: pos, Value: f}, nil
	}
	return p.path(w.text, w.off)
}
