package pongo

import (
	"bytes"
	"html"
	"strings"

	"github.com/mailmold/mailmold/engine/value"
)

// What an output writes in each HTML context (see context.go for how the context is found):
//
//   - element content and ordinary attribute values: HTML-escaped (in an unquoted attribute
//     value whitespace, =, ` and + too, so data cannot end the value);
//   - URL attributes (href, src, action, formaction, background, poster, cite, longdesc,
//     usemap, xlink:href, srcset, data-*url…, after html/template's list): percent-encoded,
//     normalised (characters that cannot stand in a URL) where the data may be a whole URL
//     or its path, every reserved character after a static ? or # (a query or fragment
//     part); and whenever data takes part in the scheme, the scheme is decided on the whole
//     attribute value as a browser parses it (entities decoded, leading controls and spaces
//     and every tab and newline dropped, any case): only http, https, mailto, tel and
//     relative URLs pass, anything else makes the whole value BlockedURL;
//   - style attributes and <style>: html/template's CSS value filter (colours, lengths,
//     keywords: no quotes, brackets, comments, escapes, url(), expression()…), else
//     BlockedCSS;
//   - event-handler attributes (on*), srcdoc and <script>: never written; the output is
//     BlockedJS (email clients do not run scripts);
//   - where an attribute name goes: only a plain attribute name (no on*, style, href…).
//
// Every value replaced by a Blocked* constant is reported with the output's position (see
// Notes). Raw outputs (Mustache triple braces, Mailchimp *|HTML:…|*, Liquid's raw filter)
// skip HTML escaping in element content only: in an attribute they keep their entities but
// cannot leave the value, and every rule above still applies.

// BlockedURL replaces a URL attribute value whose scheme, with data in it, could run code.
const BlockedURL = "about:invalid#mailmold-blocked-url"

// BlockedCSS replaces a CSS value from data that could run code, load resources or leave the
// declaration.
const BlockedCSS = "mailmold-blocked-css"

// BlockedJS is what an output writes inside an event-handler attribute (onclick…), srcdoc or
// a <script> element: data never goes there.
const BlockedJS = "mailmold_blocked_js"

type stringWriter interface {
	WriteString(string) (int, error)
}

// escapeFor returns s (already cleaned) escaped for c; blocked names the Blocked* constant
// used instead, or is "".
func escapeFor(s string, c outCtx, raw bool) (out string, blocked string) {
	switch c.kind {
	case kText:
		if raw {
			return s, ""
		}
		return EscapeHTML(s), ""
	case kName:
		n := attrName(s)
		if n != "" && c.tag != nil && attrKindOf(c.tag.prefix+n) != aPlain {
			n = "" // on{{ v }}: the whole name must be plain
		}
		if n != "" || s == "" {
			return n, ""
		}
		return "", "name"
	case kTag:
		if c.tag.allows(s) {
			return s, ""
		}
		return "", "name"
	case kJS:
		if s == "" {
			return "", ""
		}
		return BlockedJS, BlockedJS
	case kCSS:
		if !safeCSS(s) {
			return BlockedCSS, BlockedCSS
		}
	case kURL:
		if c.check != nil && (!c.check.safe(s) || raw && strings.IndexByte(s, '&') >= 0 && !c.check.safe(html.UnescapeString(s))) {
			// a raw value keeps its entities: the browser decodes them before the URL parser
			return BlockedURL, BlockedURL
		}
		switch {
		case c.query:
			s = processURL(s, urlQuery)
		case c.srcset:
			s = processURL(s, urlSrcset)
		default:
			s = processURL(s, urlNormalize)
		}
	}
	return escapeAttr(s, c.unquoted, raw), ""
}

// cleanText drops NUL bytes and replaces invalid UTF-8 with U+FFFD.
func cleanText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// EscapeHTML escapes &, <, >, " and ' (safe in element content and in quoted attribute
// values).
func EscapeHTML(s string) string { return escapeAttr(s, false, false) }

// escapeAttr escapes s for element content or a quoted attribute value, or with unquoted for
// an unquoted one (html/template's htmlNospaceEscaper table). keepAmp leaves & alone, for
// raw values whose entities are meant (html/template's "norm" tables).
func escapeAttr(s string, unquoted, keepAmp bool) string {
	i := 0
	for ; i < len(s); i++ {
		if needsEscape(s[i], unquoted, keepAmp) {
			break
		}
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if !needsEscape(c, unquoted, keepAmp) {
			b.WriteByte(c)
			continue
		}
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default: // unquoted only: whitespace, =, `, +
			b.WriteString("&#")
			b.WriteString(itoa(int(c)))
			b.WriteByte(';')
		}
	}
	return b.String()
}

func needsEscape(c byte, unquoted, keepAmp bool) bool {
	switch c {
	case '&':
		return !keepAmp
	case '<', '>', '"', '\'':
		return true
	case ' ', '\t', '\n', '\v', '\f', '\r', '=', '`', '+':
		return unquoted
	}
	return false
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// URL escaping modes.
const (
	urlNormalize = iota // a whole URL or its path: encode only what cannot stand in a URL
	urlSrcset           // the same, keeping the whitespace and commas that separate candidates
	urlQuery            // a query or fragment part: encode every reserved character too
)

// processURL percent-encodes s: html/template's urlNormalizer and urlEscaper (unexported
// there, so ported). Normalising keeps reserved characters and encodes spaces, quotes, <, >,
// non-ASCII bytes…; query escaping encodes the reserved characters as well, except + (a
// space in a query, as Liquid's url_encode writes it). Valid %XX escapes are kept in every
// mode, so a value encoded by url_encode is not encoded twice.
func processURL(s string, mode int) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '!', '#', '$', '&', '*', ',', '/', ':', ';', '=', '?', '@', '[', ']':
			if mode != urlQuery {
				continue
			}
		case '-', '.', '_', '~', '+':
			continue
		case '%':
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				continue
			}
		case ' ', '\t', '\n', '\f', '\r':
			if mode == urlSrcset {
				continue
			}
		default:
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				continue
			}
		}
		if written == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte("0123456789abcdef"[c>>4])
		b.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// SafeURL reports whether u, a URL attribute value as the browser sees it (after entity
// decoding), is a relative URL or uses the http, https, mailto or tel scheme. It follows the
// WHATWG URL parser: leading C0 controls and spaces are ignored, every tab and newline is
// removed, and the scheme is case-insensitive, so " JaVa\tScRipt:x" is a javascript: URL.
// A control character or space inside what could be a scheme is refused.
func SafeURL(u string) bool {
	var sc schemeScan
	sc.feed(u)
	return sc.verdict()
}

// schemeScan decides a URL's scheme from its text, fed in pieces.
type schemeScan struct {
	buf     [8]byte // the scheme so far, lower case
	n       int     // scheme characters seen
	started bool    // past the leading controls and spaces
	done    bool
	safe    bool
}

func (s *schemeScan) feed(t string) {
	for i := 0; i < len(t) && !s.done; i++ {
		c := t[i]
		if c == '\t' || c == '\n' || c == '\r' {
			continue // removed anywhere by the URL parser
		}
		if !s.started {
			if c <= ' ' {
				continue // leading C0 controls and spaces are stripped
			}
			s.started = true
		}
		switch {
		case c == ':':
			s.done, s.safe = true, s.n <= len(s.buf) && allowedScheme(string(s.buf[:min(s.n, len(s.buf))]))
			if s.n == 0 {
				s.safe = false
			}
		case isLetter(c) || s.n > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
			if s.n < len(s.buf) {
				s.buf[s.n] = lower(c)
			}
			s.n++
		case c < 0x21 || c == 0x7f:
			// control characters and spaces inside a scheme are how filters get fooled
			s.done, s.safe = true, false
		default:
			s.done, s.safe = true, true // not a scheme: a relative URL
		}
	}
}

// verdict is the decision once the whole value has been fed: a value that never reached a
// colon is relative.
func (s *schemeScan) verdict() bool {
	if s.done {
		return s.safe
	}
	return true
}

func allowedScheme(s string) bool {
	return s == "http" || s == "https" || s == "mailto" || s == "tel"
}

// urlValueSafe checks a whole rendered URL attribute value: the text as written into the
// document (entities are decoded the way the browser does before the URL is parsed; the
// undecoded text must pass too). In srcset every candidate URL is checked.
func urlValueSafe(v string, srcset bool) bool {
	if !urlTextSafe(v, srcset) {
		return false
	}
	if strings.IndexByte(v, '&') >= 0 {
		return urlTextSafe(html.UnescapeString(v), srcset)
	}
	return true
}

func urlTextSafe(v string, srcset bool) bool {
	if !srcset {
		return SafeURL(v)
	}
	// srcset: candidates separated by commas, each a URL and optional descriptors
	for i := 0; i < len(v); {
		for i < len(v) && (isSpaceByte(v[i]) || v[i] == ',') {
			i++
		}
		j := i
		for j < len(v) && !isSpaceByte(v[j]) {
			j++
		}
		if j > i && !SafeURL(strings.TrimRight(v[i:j], ",")) {
			return false
		}
		if strings.HasSuffix(v[i:j], ",") {
			i = j
			continue
		}
		for j < len(v) && v[j] != ',' {
			j++
		}
		i = j
	}
	return true
}

// urlCheck decides the scheme of a URL attribute value made of static text around one
// output (the common href="{{ url }}" case), without building the value.
type urlCheck struct {
	prefix, suffix string // static text of the value before and after the output (no entities)
	srcset         bool
}

func (u *urlCheck) safe(s string) bool {
	if u.srcset {
		return urlValueSafe(u.prefix+s+u.suffix, true)
	}
	var sc schemeScan
	sc.feed(u.prefix)
	sc.feed(s)
	sc.feed(u.suffix)
	return sc.verdict()
}

// safeCSS reports whether a value from data is harmless inside CSS: html/template's
// cssValueFilter (colours, lengths, keywords), with CSS escapes refused instead of decoded.
func safeCSS(s string) bool {
	id := make([]byte, 0, 128)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0, '"', '\'', '(', ')', '/', ';', '@', '[', '\\', ']', '`', '{', '}', '<', '>':
			return false
		case '-':
			if i != 0 && s[i-1] == '-' {
				return false // <!-- and -->
			}
		default:
			if c < 0x80 && (isLetter(c) || c >= '0' && c <= '9' || c == '_') {
				id = append(id, lower(c))
			}
		}
	}
	return !bytes.Contains(id, expressionBytes) && !bytes.Contains(id, mozBindingBytes)
}

var expressionBytes, mozBindingBytes = []byte("expression"), []byte("mozbinding")

// attrName keeps a value from data written where an attribute name goes only when it is a
// plain attribute name (html/template's htmlNameFilter): letters and digits, and not an
// event handler, style, URL or other attribute that can carry code.
func attrName(s string) string {
	s = strings.ToLower(s)
	if s == "" || attrKindOf(s) != aPlain {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}
	return s
}

// attrKind is what an attribute's value holds, for escaping.
type attrKind uint8

const (
	aPlain  attrKind = iota
	aURL             // one URL
	aSrcset          // a srcset list of URLs
	aCSS             // style
	aJS              // event handlers, srcdoc
)

// attrKinds lists the attributes that are not plain text, after html/template's attrTypeMap.
var attrKinds = map[string]attrKind{
	"action": aURL, "archive": aURL, "background": aURL, "cite": aURL, "classid": aURL, "codebase": aURL,
	"data": aURL, "formaction": aURL, "href": aURL, "icon": aURL, "longdesc": aURL, "manifest": aURL,
	"poster": aURL, "profile": aURL, "src": aURL, "usemap": aURL, "xmlns": aURL, "dynsrc": aURL, "lowsrc": aURL,
	"srcset": aSrcset, "imagesrcset": aSrcset,
	"style":  aCSS,
	"srcdoc": aJS,
}

// attrKindOf classifies an attribute name (lower case) like html/template's attrType:
// data-* and prefixed (xlink:href) names by their last part, on* as script, and names
// containing src, uri or url as URLs.
func attrKindOf(name string) attrKind {
	if strings.HasPrefix(name, "data-") {
		name = name[5:]
	} else if prefix, short, ok := strings.Cut(name, ":"); ok {
		if prefix == "xmlns" {
			return aURL
		}
		name = short
	}
	if k, ok := attrKinds[name]; ok {
		return k
	}
	if strings.HasPrefix(name, "on") {
		return aJS
	}
	if strings.Contains(name, "src") || strings.Contains(name, "uri") || strings.Contains(name, "url") {
		return aURL
	}
	return aPlain
}

func isLetter(c byte) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

// rawValue reports whether v is a value a template marked as HTML (Liquid's raw filter).
func rawValue(v any) (string, bool) {
	s, ok := v.(value.SafeHTML)
	return string(s), ok
}
