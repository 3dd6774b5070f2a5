package liquid

import (
	"strconv"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// tokKind classifies an expression token.
type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tInt
	tFloat
	tDot
	tDotDot
	tLBracket
	tRBracket
	tLParen
	tRParen
	tPipe
	tColon
	tComma
	tOp // == != <> < > <= >=
	tAssign
	tOther
)

// etok is one expression token; off is its byte offset in the template source.
type etok struct {
	kind tokKind
	text string
	off  int
}

// scanExpr splits the expression text s (found at byte offset base of the source) into tokens.
// An unknown character becomes a tOther token so the parser can report it with a position.
func scanExpr(s string, base int) []etok {
	var toks []etok
	i := 0
	for i < len(s) {
		c := s[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				toks = append(toks, etok{tOther, s[i:], base + i})
				return append(toks, etok{tEOF, "", base + len(s)})
			}
			toks = append(toks, etok{tString, s[i+1 : i+1+j], base + i})
			i += j + 2
			continue
		case isDigit(c) || (c == '-' && i+1 < len(s) && isDigit(s[i+1])):
			i++
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			kind := tInt
			if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
				i++
				for i < len(s) && isDigit(s[i]) {
					i++
				}
				kind = tFloat
			}
			// "1abc" style identifiers (digits then letters) are identifiers in Liquid.
			if i < len(s) && isIdentChar(s[i]) && kind == tInt && c != '-' {
				for i < len(s) && isIdentChar(s[i]) {
					i++
				}
				if i < len(s) && s[i] == '?' {
					i++
				}
				toks = append(toks, etok{tIdent, s[start:i], base + start})
				continue
			}
			toks = append(toks, etok{kind, s[start:i], base + start})
			continue
		case isIdentStart(c) || c == '-' && i+1 < len(s) && isIdentStart(s[i+1]):
			i++
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			if i < len(s) && s[i] == '?' {
				i++
			}
			toks = append(toks, etok{tIdent, s[start:i], base + start})
			continue
		case c == '.':
			if i+1 < len(s) && s[i+1] == '.' {
				toks = append(toks, etok{tDotDot, "..", base + i})
				i += 2
				continue
			}
			toks = append(toks, etok{tDot, ".", base + i})
		case c == '[':
			toks = append(toks, etok{tLBracket, "[", base + i})
		case c == ']':
			toks = append(toks, etok{tRBracket, "]", base + i})
		case c == '(':
			toks = append(toks, etok{tLParen, "(", base + i})
		case c == ')':
			toks = append(toks, etok{tRParen, ")", base + i})
		case c == '|':
			toks = append(toks, etok{tPipe, "|", base + i})
		case c == ':':
			toks = append(toks, etok{tColon, ":", base + i})
		case c == ',':
			toks = append(toks, etok{tComma, ",", base + i})
		case c == '=' || c == '!' || c == '<' || c == '>':
			if i+1 < len(s) && (s[i+1] == '=' || (c == '<' && s[i+1] == '>')) {
				toks = append(toks, etok{tOp, s[i : i+2], base + i})
				i += 2
				continue
			}
			switch c {
			case '=':
				toks = append(toks, etok{tAssign, "=", base + i})
			case '<', '>':
				toks = append(toks, etok{tOp, string(c), base + i})
			default:
				toks = append(toks, etok{tOther, string(c), base + i})
			}
		default:
			toks = append(toks, etok{tOther, string(c), base + i})
		}
		i++
	}
	return append(toks, etok{tEOF, "", base + len(s)})
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '-' }

// exprParser parses the tokens of one tag or output.
type exprParser struct {
	p    *parser
	toks []etok
	i    int
}

func (e *exprParser) peek() etok { return e.toks[e.i] }
func (e *exprParser) next() etok {
	t := e.toks[e.i]
	if t.kind != tEOF {
		e.i++
	}
	return t
}
func (e *exprParser) atEOF() bool { return e.peek().kind == tEOF }
func (e *exprParser) accept(k tokKind) bool {
	if e.peek().kind == k {
		e.next()
		return true
	}
	return false
}
func (e *exprParser) isKeyword(word string) bool {
	t := e.peek()
	return t.kind == tIdent && t.text == word
}

func (e *exprParser) expect(k tokKind, what string) (etok, error) {
	t := e.peek()
	if t.kind != k {
		return t, e.unexpected(t, "expected "+what)
	}
	return e.next(), nil
}

func (e *exprParser) unexpected(t etok, msg string) error {
	found := t.text
	if t.kind == tEOF {
		found = "end of tag"
	} else if t.kind == tString {
		found = strconv.Quote(t.text)
	} else {
		found = "'" + found + "'"
	}
	return e.p.errAt(t.off, msg+", found "+found, "")
}

// done reports an error when tokens remain.
func (e *exprParser) done() error {
	if !e.atEOF() {
		return e.unexpected(e.peek(), "unexpected token")
	}
	return nil
}

// condition parses `a op b (and|or) ...`, right-associative like Ruby Liquid.
func (e *exprParser) condition() (tree.Expr, error) {
	l, err := e.comparison()
	if err != nil {
		return nil, err
	}
	if e.isKeyword("and") || e.isKeyword("or") {
		op := e.next()
		r, err := e.condition()
		if err != nil {
			return nil, err
		}
		return &tree.Binary{Pos: e.p.pos(op.off), Op: op.text, L: l, R: r}, nil
	}
	return l, nil
}

func (e *exprParser) comparison() (tree.Expr, error) {
	l, err := e.primary()
	if err != nil {
		return nil, err
	}
	t := e.peek()
	if t.kind == tOp || (t.kind == tIdent && t.text == "contains") {
		e.next()
		op := t.text
		if op == "<>" {
			op = "!="
		}
		r, err := e.primary()
		if err != nil {
			return nil, err
		}
		return &tree.Binary{Pos: e.p.pos(t.off), Op: op, L: l, R: r}, nil
	}
	return l, nil
}

// filtered parses `primary | f: a, b | g`.
func (e *exprParser) filtered() (tree.Expr, error) {
	x, err := e.primary()
	if err != nil {
		return nil, err
	}
	return e.filters(x)
}

func (e *exprParser) filters(x tree.Expr) (tree.Expr, error) {
	if e.peek().kind != tPipe {
		return x, nil
	}
	f := &tree.Filtered{Pos: x.Position(), X: x}
	for e.accept(tPipe) {
		name, err := e.expect(tIdent, "a filter name")
		if err != nil {
			return nil, err
		}
		flt := &tree.Filter{Pos: e.p.pos(name.off), Name: name.text}
		if e.accept(tColon) {
			for {
				if e.peek().kind == tIdent && e.toks[e.i+1].kind == tColon {
					k := e.next()
					e.next()
					v, err := e.primary()
					if err != nil {
						return nil, err
					}
					flt.KwArgs = append(flt.KwArgs, tree.KeyValue{Key: k.text, Value: v})
				} else {
					v, err := e.primary()
					if err != nil {
						return nil, err
					}
					flt.Args = append(flt.Args, v)
				}
				if !e.accept(tComma) {
					break
				}
			}
		}
		f.Filters = append(f.Filters, flt)
	}
	return f, nil
}

// primary parses a literal, a range or a variable path.
func (e *exprParser) primary() (tree.Expr, error) {
	t := e.peek()
	pos := e.p.pos(t.off)
	switch t.kind {
	case tString:
		e.next()
		return &tree.Literal{Pos: pos, Value: t.text}, nil
	case tInt:
		e.next()
		n, err := strconv.Atoi(t.text)
		if err != nil {
			f, _ := strconv.ParseFloat(t.text, 64)
			return &tree.Literal{Pos: pos, Value: f}, nil
		}
		return &tree.Literal{Pos: pos, Value: n}, nil
	case tFloat:
		e.next()
		f, _ := strconv.ParseFloat(t.text, 64)
		return &tree.Literal{Pos: pos, Value: f}, nil
	case tLParen:
		e.next()
		from, err := e.primary()
		if err != nil {
			return nil, err
		}
		if _, err := e.expect(tDotDot, "'..' in a range"); err != nil {
			return nil, err
		}
		to, err := e.primary()
		if err != nil {
			return nil, err
		}
		if _, err := e.expect(tRParen, "')' to close the range"); err != nil {
			return nil, err
		}
		return &tree.Range{Pos: pos, From: from, To: to}, nil
	case tIdent:
		switch t.text {
		case "nil", "null":
			e.next()
			return &tree.Literal{Pos: pos, Value: nil}, nil
		case "true", "false":
			e.next()
			return &tree.Literal{Pos: pos, Value: t.text == "true"}, nil
		case "empty":
			e.next()
			return &tree.Literal{Pos: pos, Value: value.Empty}, nil
		case "blank":
			e.next()
			return &tree.Literal{Pos: pos, Value: value.Blank}, nil
		}
		e.next()
		return e.path(&tree.Var{Pos: pos, Root: t.text})
	case tLBracket:
		e.next()
		idx, err := e.filteredOrPrimaryInBracket()
		if err != nil {
			return nil, err
		}
		v := &tree.Var{Pos: pos, RootExpr: idx}
		return e.path(v)
	}
	return nil, e.unexpected(t, "expected a value")
}

func (e *exprParser) filteredOrPrimaryInBracket() (tree.Expr, error) {
	idx, err := e.primary()
	if err != nil {
		return nil, err
	}
	if _, err := e.expect(tRBracket, "']'"); err != nil {
		return nil, err
	}
	return idx, nil
}

// path parses the `.name` and `[index]` steps after a variable root.
func (e *exprParser) path(v *tree.Var) (tree.Expr, error) {
	for {
		switch e.peek().kind {
		case tDot:
			e.next()
			name, err := e.expect(tIdent, "a property name after '.'")
			if err != nil {
				return nil, err
			}
			v.Steps = append(v.Steps, tree.Step{Name: name.text})
		case tLBracket:
			e.next()
			idx, err := e.filteredOrPrimaryInBracket()
			if err != nil {
				return nil, err
			}
			if lit, ok := idx.(*tree.Literal); ok {
				if s, ok := lit.Value.(string); ok {
					v.Steps = append(v.Steps, tree.Step{Name: s})
					continue
				}
			}
			v.Steps = append(v.Steps, tree.Step{Index: idx})
		default:
			return v, nil
		}
	}
}
