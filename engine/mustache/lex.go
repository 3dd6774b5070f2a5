// Package mustache is mailmold's Mustache and Handlebars front-end: it parses templates
// into the shared engine/tree (positions kept), so they run on the same engine as Liquid.
// Mustache follows the Mustache spec (sections, inverted sections, partials with standalone
// indentation, set delimiters, standalone-line rules, dynamic partial names and template
// inheritance); Handlebars adds if/else if/else, unless, each with @index/@first/@last/@key,
// block parameters (each … as |item index|, with … as |x|), @root,
// with, this, ../ parent access, comparison helpers, default, whitespace control and
// mailmold's segment and live blocks.
package mustache

import (
	"strings"
)

// kind is the kind of a token.
type kind int

const (
	kText     kind = iota
	kRawText       // the amp-mustache source of a Handlebars live block, never parsed
	kVar           // {{name}}
	kRaw           // {{{name}}} or {{& name}}
	kSection       // {{#name}}
	kInverted      // {{^name}}
	kClose         // {{/name}}
	kComment       // {{! … }}
	kPartial       // {{> name}}
	kDelims        // {{=<% %>=}}
	kElse          // {{else}} (Handlebars)
	kParent        // {{<parent}} (inheritance)
	kBlock         // {{$block}} (inheritance)
)

// token is a piece of the template.
type token struct {
	kind         kind
	text         string // text, or the tag's content without its sigil
	off, end     int    // byte span in the source, delimiters included
	textOff      int    // where text starts in the source
	trimL, trimR bool   // Handlebars {{~ ~}}
	// standalone is set for a tag alone on its line (the line was removed); indent is the
	// whitespace that preceded it there. lead is the whitespace before a tag that is not
	// standalone but has only whitespace before it on its line.
	standalone   bool
	indent       string
	lead         string
	closesParent bool // a close tag that ends a {{<parent}}
}

// standalone reports whether a tag of kind k can stand alone on a line, which then
// disappears from the output.
func (k kind) standalone() bool {
	switch k {
	case kSection, kInverted, kClose, kComment, kPartial, kDelims, kElse, kParent, kBlock:
		return true
	}
	return false
}

type lexErr struct {
	off int
	msg string
}

// lexer splits a template into tokens. It is a small state machine: lexText scans literal
// text up to the next opening delimiter, lexTag scans one tag (following set-delimiter
// tags), lexLiveRaw takes the source of a Handlebars live block as it is.
type lexer struct {
	src         string
	pos         int
	open, close string
	hbs         bool
	toks        []token
	err         *lexErr
}

type stateFn func(*lexer) stateFn

// lex splits src into text and tag tokens, then applies the standalone-line rules and, in
// Handlebars, the {{~ ~}} whitespace control. handlebars enables {{else}}, {{~ ~}},
// {{!-- --}}, \{{ escapes and raw live blocks.
func lex(src string, handlebars bool) ([]token, *lexErr) {
	l := &lexer{src: src, open: "{{", close: "}}", hbs: handlebars}
	for state := lexText; state != nil; {
		state = state(l)
	}
	if l.err != nil {
		return nil, l.err
	}
	toks := standaloneLines(l.toks)
	if handlebars {
		applyTilde(toks)
	}
	return toks, nil
}

func (l *lexer) fail(off int, msg string) stateFn {
	l.err = &lexErr{off, msg}
	return nil
}

// lexText emits the text before the next opening delimiter, split after each newline so
// that lines can be judged one by one. In Handlebars, \{{ is a literal {{.
func lexText(l *lexer) stateFn {
	i := strings.Index(l.src[l.pos:], l.open)
	if i < 0 {
		l.text(len(l.src))
		return nil
	}
	at := l.pos + i
	if l.hbs && at > l.pos && l.src[at-1] == '\\' {
		l.text(at - 1)
		// the escaped mustache and the text after it, up to the next delimiter, are text
		next := strings.Index(l.src[at+len(l.open):], l.open)
		end := len(l.src)
		if next >= 0 {
			end = at + len(l.open) + next
		}
		l.pos = at
		l.text(end)
		return lexText
	}
	l.text(at)
	return lexTag
}

// text emits src[l.pos:end] as text tokens, one per line, and moves to end.
func (l *lexer) text(end int) {
	for l.pos < end {
		n := strings.IndexByte(l.src[l.pos:end], '\n')
		stop := end
		if n >= 0 {
			stop = l.pos + n + 1
		}
		l.toks = append(l.toks, token{kind: kText, text: l.src[l.pos:stop], off: l.pos, end: stop})
		l.pos = stop
	}
}

// lexTag emits the tag at l.pos, which starts with the opening delimiter.
func lexTag(l *lexer) stateFn {
	start := l.pos
	p := start + len(l.open)
	t := token{off: start}
	if l.hbs && strings.HasPrefix(l.src[p:], "~{") {
		t.trimL = true
		p++
	}
	if l.open == "{{" && strings.HasPrefix(l.src[p:], "{") {
		return l.triple(t, p+1)
	}
	if l.hbs && strings.HasPrefix(l.src[p:], "!--") {
		j := strings.Index(l.src[p:], "--"+l.close)
		if j < 0 {
			return l.fail(start, "unclosed comment '{{!--': no matching '--}}'")
		}
		t.kind, t.text, t.end = kComment, l.src[p+3:p+j], p+j+2+len(l.close)
		return l.emit(t)
	}
	j := strings.Index(l.src[p:], l.close)
	if j < 0 {
		return l.fail(start, "unclosed tag '"+l.open+"': no matching '"+l.close+"'")
	}
	inner, innerOff := l.src[p:p+j], p
	t.end = p + j + len(l.close)
	if l.hbs {
		var trimmedL bool
		inner, trimmedL, t.trimR = trimTilde(inner)
		if trimmedL {
			t.trimL = true
			innerOff++
		}
	}
	body := strings.TrimSpace(inner)
	bodyOff := innerOff + strings.Index(inner, body)
	if body == "" {
		return l.fail(start, "empty tag")
	}
	switch body[0] {
	case '#':
		t.kind = kSection
	case '^':
		t.kind = kInverted
	case '/':
		t.kind = kClose
	case '!':
		t.kind = kComment
	case '>':
		t.kind = kPartial
	case '&':
		t.kind = kRaw
	case '<':
		t.kind = kParent
	case '$':
		t.kind = kBlock
	case '=':
		return l.delims(t, body)
	default:
		t.kind = kVar
		if l.hbs && (body == "else" || strings.HasPrefix(body, "else ")) {
			rest := body[4:]
			t.kind, t.text = kElse, strings.TrimSpace(rest)
			t.textOff = bodyOff + 4 + strings.Index(rest, t.text)
			return l.emit(t)
		}
	}
	if t.kind == kInverted && l.hbs && strings.TrimSpace(body[1:]) == "" {
		t.kind = kElse // Handlebars {{^}} is {{else}}
		return l.emit(t)
	}
	if t.kind != kVar {
		body, bodyOff = body[1:], bodyOff+1
	}
	if t.kind != kComment {
		trimmed := strings.TrimSpace(body)
		bodyOff += strings.Index(body, trimmed)
		body = trimmed
	}
	t.text, t.textOff = body, bodyOff
	if l.hbs && t.kind == kSection && (body == "live" || strings.HasPrefix(body, "live ")) {
		l.emit(t)
		return lexLiveRaw
	}
	return l.emit(t)
}

// emit appends t and continues after it.
func (l *lexer) emit(t token) stateFn {
	l.toks = append(l.toks, t)
	l.pos = t.end
	return lexText
}

// triple scans {{{ name }}} (p is just past the third brace).
func (l *lexer) triple(t token, p int) stateFn {
	j := strings.Index(l.src[p:], "}"+l.close)
	jt := -1
	if l.hbs {
		jt = strings.Index(l.src[p:], "}~"+l.close)
	}
	closeLen := 1 + len(l.close)
	if jt >= 0 && (j < 0 || jt < j) {
		j, closeLen, t.trimR = jt, closeLen+1, true
	}
	if j < 0 {
		return l.fail(t.off, "unclosed tag '{{{': no matching '}}}'")
	}
	inner := l.src[p : p+j]
	body := strings.TrimSpace(inner)
	t.kind, t.text, t.textOff, t.end = kRaw, body, p+strings.Index(inner, body), p+j+closeLen
	return l.emit(t)
}

// delims handles a set-delimiter tag {{=<% %>=}}; body is its trimmed content.
func (l *lexer) delims(t token, body string) stateFn {
	if !strings.HasSuffix(body, "=") || len(body) < 3 {
		return l.fail(t.off, "a set-delimiter tag looks like {{=<% %>=}}")
	}
	f := strings.Fields(body[1 : len(body)-1])
	if len(f) != 2 || strings.ContainsRune(f[0], '=') || strings.ContainsRune(f[1], '=') {
		return l.fail(t.off, "a set-delimiter tag needs two delimiters without '=': {{=<% %>=}}")
	}
	t.kind = kDelims
	l.open, l.close = f[0], f[1]
	return l.emit(t)
}

// lexLiveRaw emits the amp-mustache source of a live block, up to its {{else}}, as one raw
// token: its {{ }} belong to amp-mustache and are not parsed.
func lexLiveRaw(l *lexer) stateFn {
	open := l.toks[len(l.toks)-1].off
	for i := l.pos; ; i += 2 {
		j := strings.Index(l.src[i:], "{{")
		if j < 0 {
			return l.fail(open, "a live block needs {{else}} and then the static fallback before {{/live}}")
		}
		i += j
		switch word := tagWord(l.src[i+2:]); word {
		case "else":
			l.toks = append(l.toks, token{kind: kRawText, text: l.src[l.pos:i], off: l.pos, end: i})
			l.pos = i
			return lexTag
		case "/live":
			return l.fail(open, "a live block needs {{else}} and then the static fallback before {{/live}}")
		}
	}
}

// tagWord returns "else" or "/live" when s (the text after a {{) starts with that tag's
// content and its }}, allowing ~ markers and spaces, and "" otherwise. It looks no further
// than the tag, so scanning a live block stays linear.
func tagWord(s string) string {
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	if i < len(s) && s[i] == '~' {
		i++
	}
	skip()
	for _, w := range []string{"else", "/live"} {
		if !strings.HasPrefix(s[i:], w) {
			continue
		}
		i += len(w)
		skip()
		if i < len(s) && s[i] == '~' {
			i++
		}
		if strings.HasPrefix(s[i:], "}}") {
			return w
		}
		return ""
	}
	return ""
}

// trimTilde removes Handlebars' ~ whitespace-control markers from a tag's content.
func trimTilde(s string) (string, bool, bool) {
	l := strings.HasPrefix(s, "~")
	if l {
		s = s[1:]
	}
	r := strings.HasSuffix(s, "~")
	if r {
		s = s[:len(s)-1]
	}
	return s, l, r
}

// applyTilde applies Handlebars whitespace control to the neighbouring text.
func applyTilde(toks []token) {
	for i := range toks {
		t := &toks[i]
		if t.kind == kText || t.kind == kRawText {
			continue
		}
		if t.trimL {
			for j := i - 1; j >= 0 && toks[j].kind == kText; j-- {
				toks[j].text = strings.TrimRight(toks[j].text, " \t\r\n")
				if toks[j].text != "" {
					break
				}
			}
		}
		if t.trimR {
			for j := i + 1; j < len(toks) && toks[j].kind == kText; j++ {
				trimmed := strings.TrimLeft(toks[j].text, " \t\r\n")
				toks[j].off += len(toks[j].text) - len(trimmed)
				toks[j].text = trimmed
				if trimmed != "" {
					break
				}
			}
		}
	}
}
