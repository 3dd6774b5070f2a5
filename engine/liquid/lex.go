package liquid

import "strings"

// ttype is the type of a template-level token.
type ttype int

const (
	ttText ttype = iota
	ttOutput
	ttTag
)

// token is one piece of a template: literal text, an output `{{ … }}` or a tag `{% … %}`.
// For outputs and tags, inner is the text between the delimiters (without the `-` trim
// markers) and innerOff its byte offset; for tags, name and args split inner.
type token struct {
	typ          ttype
	off, end     int // byte span in the source, delimiters included
	text         string
	inner        string
	innerOff     int
	name         string
	args         string
	argsOff      int
	trimL, trimR bool
	raw          bool // text of a raw, comment or live body: never parsed
}

// lexer splits a template into tokens. It is a small state machine: lexText scans literal
// text up to the next delimiter, lexDelim scans one `{{ … }}` or `{% … %}`.
type lexer struct {
	src  string
	pos  int
	toks []token
	err  *lexError
}

type lexError struct {
	off int
	msg string
}

type stateFn func(*lexer) stateFn

// lex tokenizes src. An unterminated output or tag is reported as an error at its start.
func lex(src string) ([]token, *lexError) {
	l := &lexer{src: src}
	for state := lexText; state != nil; {
		state = state(l)
	}
	return l.toks, l.err
}

// lexText emits the text before the next `{{` or `{%`.
func lexText(l *lexer) stateFn {
	rest := l.src[l.pos:]
	i := nextDelim(rest)
	if i < 0 {
		if len(rest) > 0 {
			l.toks = append(l.toks, token{typ: ttText, off: l.pos, end: len(l.src), text: rest})
		}
		return nil
	}
	if i > 0 {
		l.toks = append(l.toks, token{typ: ttText, off: l.pos, end: l.pos + i, text: rest[:i]})
	}
	l.pos += i
	return lexDelim
}

// nextDelim returns the index of the next `{{` or `{%` in s, or -1.
func nextDelim(s string) int {
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '{')
		if j < 0 || i+j+1 >= len(s) {
			return -1
		}
		i += j
		if s[i+1] == '{' || s[i+1] == '%' {
			return i
		}
		i++
	}
}

// lexDelim emits one output or tag token.
func lexDelim(l *lexer) stateFn {
	start := l.pos
	isTag := l.src[start+1] == '%'
	closer := "}}"
	if isTag {
		closer = "%}"
	}
	body := start + 2
	j := strings.Index(l.src[body:], closer)
	if j < 0 {
		what := "output '{{'"
		if isTag {
			what = "tag '{%'"
		}
		l.err = &lexError{start, "unclosed " + what + ": no matching '" + closer + "'"}
		return nil
	}
	end := body + j + 2
	t := token{off: start, end: end, text: l.src[start:end]}
	inner, innerOff := l.src[body:body+j], body
	if strings.HasPrefix(inner, "-") {
		t.trimL = true
		inner, innerOff = inner[1:], innerOff+1
	}
	if strings.HasSuffix(inner, "-") {
		t.trimR = true
		inner = inner[:len(inner)-1]
	}
	t.inner, t.innerOff = inner, innerOff
	if isTag {
		t.typ = ttTag
		t.name, t.args, t.argsOff = splitTag(inner, innerOff)
	} else {
		t.typ = ttOutput
	}
	l.toks = append(l.toks, t)
	l.pos = end
	switch t.name {
	case "raw":
		return l.rawBody(func(name string) bool { return name == "endraw" }, false)
	case "comment", "doc":
		return l.rawBody(func(name string) bool { return name == "end"+t.name }, true)
	case "live":
		return l.rawBody(func(name string) bool { return name == "fallback" || name == "endlive" }, false)
	}
	return lexText
}

// rawBody emits the text up to the first tag for which isEnd reports true as one raw text
// token (its content is not parsed), then lexes the end tag normally. With nest set, tags of
// the opening name nest (comment inside comment).
func (l *lexer) rawBody(isEnd func(string) bool, nest bool) stateFn {
	open := l.toks[len(l.toks)-1].name
	depth := 0
	for i := l.pos; ; {
		j := strings.Index(l.src[i:], "{%")
		if j < 0 {
			l.err = &lexError{l.toks[len(l.toks)-1].off, "'" + open + "' tag was never closed"}
			return nil
		}
		i += j
		k := strings.Index(l.src[i+2:], "%}")
		if k < 0 {
			l.err = &lexError{l.toks[len(l.toks)-1].off, "'" + open + "' tag was never closed"}
			return nil
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(l.src[i+2:i+2+k], "-"), "-")
		name, _, _ := splitTag(inner, 0)
		switch {
		case nest && name == open:
			depth++
		case isEnd(name) && depth > 0:
			depth--
		case isEnd(name):
			if i > l.pos {
				l.toks = append(l.toks, token{typ: ttText, off: l.pos, end: i, text: l.src[l.pos:i], raw: true})
			}
			l.pos = i
			return lexDelim
		}
		i += 2
	}
}

// splitTag splits a tag's inner text into its name and arguments. `#` is a name on its own
// (the inline comment tag).
func splitTag(inner string, off int) (name, args string, argsOff int) {
	i := 0
	for i < len(inner) && isSpace(inner[i]) {
		i++
	}
	if i < len(inner) && inner[i] == '#' {
		return "#", inner[i+1:], off + i + 1
	}
	j := i
	for j < len(inner) && !isSpace(inner[j]) {
		j++
	}
	return inner[i:j], inner[j:], off + j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// trimSpaceLeft and trimSpaceRight strip the whitespace `-` markers remove.
func trimSpaceLeft(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimSpaceRight(s string) string {
	i := len(s)
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	return s[:i]
}
