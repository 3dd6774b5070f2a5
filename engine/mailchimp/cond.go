package mailchimp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
)

// cond parses the condition of an IF, IFNOT or ELSEIF tag, s at offset off: FIELD, or
// FIELD op value with op one of = != > < >= <= and value a quoted string ('gold' or
// "gold"), a number or a bare word.
func (p *parser) cond(s string, off int, t *tag) (tree.Expr, error) {
	i := skipSpace(s, 0)
	j := i
	for j < len(s) && isFieldByte(s[j]) {
		j++
	}
	if j == i {
		if i == len(s) {
			return nil, p.errAt(t.off, fmt.Sprintf("*|%s|* needs a field", t.text), "write *|IF:FNAME|* or *|IF:FIELD = 'value'|*")
		}
		return nil, p.errAt(off+i, fmt.Sprintf("expected a field name in *|%s|*", t.text), "field names are letters, digits and _")
	}
	name, namePos := s[i:j], p.at(off+i)
	k := skipSpace(s, j)
	if k == len(s) {
		// a field counts when it is present and not empty
		x := &tree.Filtered{Pos: namePos, X: field(name, namePos), Filters: []*tree.Filter{{Pos: namePos, Name: "default", Args: []tree.Expr{&tree.Literal{Pos: namePos, Value: ""}}}}}
		return &tree.Binary{Pos: namePos, Op: "!=", L: x, R: &tree.Literal{Pos: namePos, Value: ""}}, nil
	}
	op := ""
	for _, o := range []string{"!=", ">=", "<=", "==", "=", ">", "<"} {
		if strings.HasPrefix(s[k:], o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, p.errAt(off+k, fmt.Sprintf("unexpected %q in *|%s|*", s[k:], t.text), "compare with = != > < >= or <=, as in *|IF:TIER = 'gold'|*")
	}
	opOff := off + k
	v := skipSpace(s, k+len(op))
	if v == len(s) {
		return nil, p.errAt(opOff, fmt.Sprintf("'%s' needs a value to compare with in *|%s|*", op, t.text), "write *|IF:TIER = 'gold'|*")
	}
	lit, n, err := literal(s[v:])
	if err != "" {
		return nil, p.errAt(off+v, err+" in *|"+t.text+"|*", "")
	}
	if extra := skipSpace(s, v+n); extra < len(s) {
		return nil, p.errAt(off+extra, fmt.Sprintf("unexpected %q after the value in *|%s|*", s[extra:], t.text), "a condition compares one field with one value")
	}
	if op == "=" {
		op = "=="
	}
	return &tree.Binary{Pos: p.at(opOff), Op: op, L: field(name, namePos), R: &tree.Literal{Pos: p.at(off + v), Value: lit}}, nil
}

// literal reads a quoted string, a number or a bare word at the start of s and returns it
// with its length, or an error message.
func literal(s string) (any, int, string) {
	if q := s[0]; q == '\'' || q == '"' {
		end := strings.IndexByte(s[1:], q)
		if end < 0 {
			return nil, 0, "unclosed string"
		}
		return s[1 : 1+end], end + 2, ""
	}
	n := 0
	for n < len(s) && s[n] != ' ' && s[n] != '\t' {
		n++
	}
	w := s[:n]
	if i, err := strconv.Atoi(w); err == nil {
		return i, n, ""
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		return f, n, ""
	}
	return w, n, ""
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func isFieldByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}
