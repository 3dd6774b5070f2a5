package htmltree

import (
	"strings"

	"golang.org/x/net/html"
)

// unescapeText decodes character references in text as html.Parse does: html.UnescapeString
// is x/net's own decoder for text.
func unescapeText(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return html.UnescapeString(s)
}

// unescapeAttr decodes character references in an attribute value as html.Parse does. The
// value rules differ from text in two ways: a named reference without ";" followed by "="
// stays as written ("?a=1&copy=2"), and a name that is not a reference does not decode a
// shorter one it starts with ("&notit;" stays; in text it is "¬it;"). Each reference is
// decoded on its own, through html.UnescapeString where the two rules agree.
func unescapeAttr(v string) string {
	i := strings.IndexByte(v, '&')
	if i < 0 {
		return v
	}
	b := make([]byte, 0, len(v))
	for i >= 0 {
		b = append(b, v[:i]...)
		n, repl := attrRef(v[i:])
		b = append(b, repl...)
		v = v[i+n:]
		i = strings.IndexByte(v, '&')
	}
	return string(append(b, v...))
}

// attrRef decodes the character reference at the start of s (s[0] == '&') as x/net decodes
// one in an attribute value: it returns how many bytes it takes and what they become.
func attrRef(s string) (int, string) {
	if len(s) > 2 && s[1] == '#' {
		// numeric references decode alike in text and attribute values
		i, hex := 2, false
		if s[i] == 'x' || s[i] == 'X' {
			i, hex = i+1, true
		}
		j := i
		for j < len(s) && (isDigit(s[j]) || hex && isHexLetter(s[j])) {
			j++
		}
		if j == i {
			return 1, "&"
		}
		if j < len(s) && s[j] == ';' {
			j++
		}
		return j, html.UnescapeString(s[:j])
	}
	j := 1
	for j < len(s) && isAlnum(s[j]) {
		j++
	}
	if j == 1 {
		return 1, "&"
	}
	if j == len(s) || s[j] != ';' {
		// Without ";" only the legacy names are references, and not before "=".
		if (j == len(s) || s[j] != '=') && legacyEntities[s[1:j]] {
			return j, html.UnescapeString(s[:j])
		}
		return 1, "&"
	}
	ref := s[:j+1]
	switch ref {
	case "&amp;":
		return len(ref), "&"
	case "&lt;":
		return len(ref), "<"
	case "&gt;":
		return len(ref), ">"
	case "&quot;":
		return len(ref), `"`
	case "&nbsp;":
		return len(ref), "\u00a0"
	}
	r := html.UnescapeString(ref)
	if r == ref {
		return 1, "&" // not a reference
	}
	// In text, a name that is not a reference decodes the longest legacy name it starts
	// with (up to 6 letters, not the whole name); in a value it stays. A full reference
	// never decodes to that (a character and the rest of the name with its ";").
	name := ref[1 : len(ref)-1]
	for k := min(len(name), 6); k >= 2; k-- {
		if legacyEntities[name[:k]] {
			if r == html.UnescapeString(ref[:k+1])+ref[k+1:] {
				return 1, "&"
			}
			break
		}
	}
	return len(ref), r
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isAlnum(c byte) bool     { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// legacyEntities are the named character references that also decode without a ";" (the
// HTML standard's legacy list; x/net's entity table has exactly these keys without ";").
var legacyEntities = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`AElig AMP Aacute Acirc Agrave Aring Atilde Auml COPY Ccedil
		ETH Eacute Ecirc Egrave Euml GT Iacute Icirc Igrave Iuml LT Ntilde Oacute Ocirc Ograve
		Oslash Otilde Ouml QUOT REG THORN Uacute Ucirc Ugrave Uuml Yacute aacute acirc acute
		aelig agrave amp aring atilde auml brvbar ccedil cedil cent copy curren deg divide
		eacute ecirc egrave eth euml frac12 frac14 frac34 gt iacute icirc iexcl igrave iquest
		iuml laquo lt macr micro middot nbsp not ntilde oacute ocirc ograve ordf ordm oslash
		otilde ouml para plusmn pound quot raquo reg sect shy sup1 sup2 sup3 szlig thorn times
		uacute ucirc ugrave uml uuml yacute yen yuml`) {
		legacyEntities[n] = true
	}
}
