package htmltree

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tokenKind is the kind of a token handed to the tree builder.
type tokenKind uint8

const (
	eofToken tokenKind = iota
	textToken
	commentToken
	doctypeToken
	startTagToken
	endTagToken
)

// token is one token as html.Tokenizer.Token returns it: names lower-cased, text, comments
// and attribute values unescaped, later duplicate attributes dropped.
type token struct {
	kind tokenKind
	atom atom.Atom
	data string           // tag name, text, comment data, or the whole doctype
	attr []html.Attribute // start tags only; handed to the element
}

// scanner cuts src into tokens exactly where x/net's tokenizer does, for well-formed
// markup: text, "<name attr=value …>" and "</name>", comments, the doctype, and the text of
// raw-text elements. Any other syntax (bogus comments, "</>", stray slashes or quotes in
// tags, a tag cut off by the end of the input, script escapes) is unsupported. Strings
// share src's memory unless decoding or lower-casing changes them.
type scanner struct {
	src   string
	pos   int
	raw   string // the raw-text element whose start tag was just read: its text comes next
	attrs *attrArena
}

// next reads the next token into t.
func (s *scanner) next(t *token) {
	*t = token{}
	if s.raw != "" {
		if s.rawText(t) {
			return
		}
	}
	src, start := s.src, s.pos
	i := start
	for {
		j := strings.IndexByte(src[i:], '<')
		if j < 0 || i+j+1 >= len(src) {
			i = len(src) // a '<' at the end is text
			break
		}
		i += j
		if c := src[i+1]; isLetter(c) || c == '/' || c == '!' || c == '?' {
			break
		}
		i++ // any other '<' is text
	}
	if i > start {
		s.pos = i
		t.kind, t.data = textToken, unescapeText(src[start:i])
		return
	}
	if i == len(src) {
		t.kind = eofToken
		return
	}
	switch c := src[i+1]; {
	case isLetter(c):
		s.startTag(t)
	case c == '/' && i+2 < len(src) && isLetter(src[i+2]):
		s.endTag(t)
	case strings.HasPrefix(src[i:], "<!--"):
		s.comment(t)
	case len(src)-i >= 9 && equalFold(src[i+2:i+9], "doctype"):
		s.doctype(t)
	default: // "</>", "</ x>", "<!x>", "<?x>", "<![CDATA[": bogus comments and the like
		unsupported()
	}
}

// rawText reads the text of a style, script, title, textarea or iframe element: all up to
// "</name" followed by white space, '/' or '>', or up to the end. It reports whether there
// was any.
func (s *scanner) rawText(t *token) bool {
	name, src := s.raw, s.src
	s.raw = ""
	end := len(src)
	for i := s.pos; ; {
		j := strings.Index(src[i:], "</")
		if j < 0 {
			break
		}
		i += j + 2
		if k := i + len(name); k < len(src) && equalFold(src[i:k], name) && (isSpace(src[k]) || src[k] == '/' || src[k] == '>') {
			end = i - 2
			break
		}
	}
	d := src[s.pos:end]
	if d == "" {
		return false
	}
	switch name {
	case "script":
		if strings.Contains(d, "<!--") {
			unsupported() // the script data escape states
		}
	case "title", "textarea":
		d = unescapeText(d) // RCDATA
	}
	s.pos = end
	t.kind, t.data = textToken, d
	return true
}

// startTag reads "<name", its attributes and the closing ">" or "/>".
func (s *scanner) startTag(t *token) {
	src := s.src
	i := s.pos + 1
	t.kind = startTagToken
	t.atom, t.data, i = s.name(i)
	switch t.atom {
	case atom.Style, atom.Script, atom.Title, atom.Textarea, atom.Iframe:
		s.raw = t.data
	case atom.Xmp, atom.Plaintext, atom.Noscript, atom.Noembed, atom.Noframes:
		unsupported()
	}
	s.attrs.begin()
	for {
		i = skipSpace(src, i)
		if i >= len(src) {
			unsupported() // x/net drops a tag the input ends in
		}
		switch src[i] {
		case '>':
			s.pos = i + 1
			t.attr = s.attrs.end()
			return
		case '/':
			if i+1 < len(src) && src[i+1] == '>' {
				s.pos = i + 2
				t.attr = s.attrs.end()
				return
			}
			unsupported() // a stray slash
		}
		i = s.attribute(i)
	}
}

// attribute reads one attribute at src[i:], adds it unless the tag has one of that name
// already, and returns where it ends.
func (s *scanner) attribute(i int) int {
	src := s.src
	k := i
	for k < len(src) && isKeyByte(src[k]) {
		k++
	}
	if k == i || k == len(src) || src[k] == '"' || src[k] == '\'' || src[k] == '<' {
		unsupported() // odd names: x/net takes quotes and '<' into them, '=' at the start
	}
	key := lowerKey(src[i:k])
	val, end := "", k
	if j := skipSpace(src, k); j < len(src) && src[j] == '=' {
		j = skipSpace(src, j+1)
		if j >= len(src) {
			unsupported()
		}
		switch q := src[j]; q {
		case '"', '\'':
			e := strings.IndexByte(src[j+1:], q)
			if e < 0 {
				unsupported()
			}
			val, end = src[j+1:j+1+e], j+2+e
		case '>':
			end = j // "a=>": empty
		default:
			e := j
			for e < len(src) && !isSpace(src[e]) && src[e] != '>' {
				e++
			}
			if e == len(src) {
				unsupported()
			}
			val, end = src[j:e], e
		}
	}
	if !s.attrs.has(key) {
		s.attrs.push(html.Attribute{Key: key, Val: unescapeAttr(val)})
	}
	return end
}

// endTag reads "</name>", with white space allowed before the ">".
func (s *scanner) endTag(t *token) {
	t.kind = endTagToken
	var i int
	t.atom, t.data, i = s.name(s.pos + 2)
	if i = skipSpace(s.src, i); i >= len(s.src) || s.src[i] != '>' {
		unsupported() // attributes or a slash in an end tag, or the end of the input
	}
	s.pos = i + 1
}

// name reads a tag name at src[i:] and returns its atom, its lower-cased string and where
// it ends. x/net ends a name at white space, '/' or '>'; names with other bytes than ASCII
// letters, digits and "-:_." are unsupported.
func (s *scanner) name(i int) (atom.Atom, string, int) {
	src := s.src
	j, upper := i, false
	for ; j < len(src); j++ {
		c := src[j]
		if 'A' <= c && c <= 'Z' {
			upper = true
		} else if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == ':' || c == '_' || c == '.') {
			break
		}
	}
	if j == len(src) || !(isSpace(src[j]) || src[j] == '/' || src[j] == '>') {
		unsupported()
	}
	n := src[i:j]
	if upper {
		n = lower(n)
	}
	if a := atom.Lookup([]byte(n)); a != 0 {
		return a, a.String(), j
	}
	return 0, n, j
}

// comment reads "<!--…-->". Comments that x/net ends early ("<!-->", "<!--->") or at
// "--!>", and unterminated ones, are unsupported.
func (s *scanner) comment(t *token) {
	d := s.src[s.pos+4:]
	e := strings.Index(d, "-->")
	if e < 0 || strings.HasPrefix(d, ">") || strings.HasPrefix(d, "->") || strings.Contains(d[:e], "--!>") {
		unsupported()
	}
	s.pos += 4 + e + 3
	t.kind, t.data = commentToken, unescapeText(d[:e]) // x/net decodes comments too
}

// doctype reads "<!DOCTYPE …>" whole; the tree builder reads it.
func (s *scanner) doctype(t *token) {
	e := strings.IndexByte(s.src[s.pos:], '>')
	if e < 0 {
		unsupported()
	}
	t.kind, t.data = doctypeToken, s.src[s.pos:s.pos+e+1]
	s.pos += e + 1
}

// lowerKey returns an attribute name lower-cased, as the atom's string when it is one.
func lowerKey(k string) string {
	k = lower(k)
	if a := atom.Lookup([]byte(k)); a != 0 {
		return a.String()
	}
	return k
}

// lower lower-cases ASCII letters only, as x/net does.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFold reports whether s is lower (lower-case ASCII) in any ASCII letter case.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != lower[i] && c+'a'-'A' != lower[i] {
			return false
		}
	}
	return true
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isKeyByte reports whether c can be in an attribute name: x/net ends a name at white space,
// '/', '>' and '=' (and takes quotes and '<', which are unsupported).
func isKeyByte(c byte) bool {
	return !isSpace(c) && c != '/' && c != '>' && c != '=' && c != '"' && c != '\'' && c != '<'
}
