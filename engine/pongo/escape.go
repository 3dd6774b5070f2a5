package pongo

import (
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// outCtx is the HTML context an output sits in, found at compile time.
type outCtx uint8

const (
	ctxText     outCtx = iota // element content
	ctxAttr                   // a quoted or unquoted attribute value
	ctxURLStart               // the start of a URL attribute value (href, src…)
	ctxCSS                    // a style attribute or a <style> element
	ctxTagName                // inside a tag where an attribute name goes
)

var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "background": true, "poster": true,
	"cite": true, "formaction": true, "data": true, "xlink:href": true, "srcset": true, "data-src": true, "longdesc": true, "usemap": true}

// htmlScanner follows the HTML tokenizer state across the text of a template, far enough to
// know the context of each output.
type htmlScanner struct {
	st         int
	quote      byte
	attr       string
	name       strings.Builder
	valueStart bool
	rawEnd     string // "</style" or "</script" while inside those elements
	tag        strings.Builder
}

const (
	sData = iota
	sTagOpen
	sTagName
	sInTag
	sAttrName
	sAfterAttr
	sBeforeValue
	sValue
	sUnquoted
	sComment
	sRaw
)

// scanContexts walks the template in source order and returns the context of every output.
func scanContexts(body []tree.Node) map[*tree.Output]outCtx {
	out := map[*tree.Output]outCtx{}
	sc := &htmlScanner{}
	tree.Walk(body, func(n tree.Node) bool {
		switch x := n.(type) {
		case *tree.Text:
			sc.feed(x.Text)
		case *tree.Output:
			out[x] = sc.context()
			sc.valueStart = false
		}
		return true
	})
	return out
}

func (s *htmlScanner) context() outCtx {
	switch s.st {
	case sValue, sUnquoted, sBeforeValue:
		switch {
		case s.attr == "style":
			return ctxCSS
		case urlAttrs[s.attr] && (s.valueStart || s.st == sBeforeValue):
			return ctxURLStart
		}
		return ctxAttr
	case sInTag, sAttrName, sAfterAttr, sTagName:
		return ctxTagName
	case sRaw:
		if s.rawEnd == "</style" {
			return ctxCSS
		}
		return ctxAttr
	}
	return ctxText
}

func (s *htmlScanner) feed(t string) {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch s.st {
		case sData:
			if c == '<' {
				if strings.HasPrefix(t[i:], "<!--") {
					s.st = sComment
					i += 3
				} else if i+1 < len(t) && (isLetter(t[i+1]) || t[i+1] == '/') {
					s.st = sTagName
					s.tag.Reset()
				}
			}
		case sTagName:
			switch {
			case isSpaceByte(c):
				s.st = sInTag
			case c == '>':
				s.endTag()
			default:
				s.tag.WriteByte(lower(c))
			}
		case sInTag, sAfterAttr:
			switch {
			case c == '>':
				s.endTag()
			case c == '=' && s.st == sAfterAttr:
				s.st = sBeforeValue
			case isSpaceByte(c) || c == '/':
			default:
				s.st = sAttrName
				s.name.Reset()
				s.name.WriteByte(lower(c))
			}
		case sAttrName:
			switch {
			case c == '=':
				s.attr = s.name.String()
				s.st = sBeforeValue
			case isSpaceByte(c):
				s.attr = s.name.String()
				s.st = sAfterAttr
			case c == '>':
				s.endTag()
			default:
				s.name.WriteByte(lower(c))
			}
		case sBeforeValue:
			switch {
			case c == '"' || c == '\'':
				s.st, s.quote, s.valueStart = sValue, c, true
			case isSpaceByte(c):
			case c == '>':
				s.endTag()
			default:
				s.st, s.valueStart = sUnquoted, false
			}
		case sValue:
			if c == s.quote {
				s.st = sInTag
			} else {
				s.valueStart = false
			}
		case sUnquoted:
			if isSpaceByte(c) {
				s.st = sInTag
			} else if c == '>' {
				s.endTag()
			}
		case sComment:
			if strings.HasPrefix(t[i:], "-->") {
				s.st = sData
				i += 2
			}
		case sRaw:
			if c == '<' && len(t)-i >= len(s.rawEnd) && strings.EqualFold(t[i:i+len(s.rawEnd)], s.rawEnd) {
				s.st = sTagName
				s.tag.Reset()
			}
		}
	}
}

func (s *htmlScanner) endTag() {
	switch s.tag.String() {
	case "style":
		s.st, s.rawEnd = sRaw, "</style"
	case "script":
		s.st, s.rawEnd = sRaw, "</script"
	default:
		s.st = sData
	}
}

func isLetter(c byte) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

// BlockedURL replaces a URL from data whose scheme could run code.
const BlockedURL = "about:invalid#mailmold-blocked-url"

// BlockedCSS replaces a CSS value from data that could run code or load resources.
const BlockedCSS = "mailmold-blocked-css"

type stringWriter interface {
	WriteString(string) (int, error)
}

// writeEscaped writes v escaped for ctx.
func writeEscaped(w stringWriter, v any, ctx outCtx) error {
	safe, isSafe := v.(value.SafeHTML)
	s := string(safe)
	if !isSafe {
		s = value.ToString(v)
	}
	s = cleanText(s)
	var err error
	switch {
	case ctx == ctxURLStart && !SafeURL(s):
		_, err = w.WriteString(BlockedURL)
	case ctx == ctxCSS && !safeCSS(s):
		_, err = w.WriteString(BlockedCSS)
	case ctx == ctxTagName:
		_, err = w.WriteString(attrNameOnly(s))
	case isSafe:
		_, err = w.WriteString(s)
	default:
		_, err = w.WriteString(EscapeHTML(s))
	}
	return err
}

// cleanText drops NUL bytes and replaces invalid UTF-8 with U+FFFD.
func cleanText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// EscapeHTML escapes &, <, >, " and ' (safe in element content and in quoted and unquoted
// attribute values).
func EscapeHTML(s string) string {
	i := strings.IndexAny(s, `&<>"'`)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; c {
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
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SafeURL reports whether a URL taken from data may start an href or src: relative URLs and
// the http, https, mailto and tel schemes.
func SafeURL(u string) bool {
	t := strings.TrimLeft(u, " \t\r\n\f\v\x00")
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == ':':
			scheme := strings.ToLower(t[:i])
			return scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "tel"
		case c == '/' || c == '?' || c == '#':
			return true
		case c < 0x21 || c == 0x7f:
			// control characters and spaces inside a scheme are how filters get fooled
			return false
		}
	}
	return true
}

// safeCSS reports whether a value from data is harmless inside CSS: no expressions, URLs,
// comments, escapes, or characters that leave the declaration.
func safeCSS(s string) bool {
	l := strings.ToLower(s)
	if strings.Contains(l, "expression") || strings.Contains(l, "url(") || strings.Contains(l, "javascript") ||
		strings.Contains(l, "behavior") || strings.Contains(l, "@import") || strings.Contains(l, "/*") {
		return false
	}
	return !strings.ContainsAny(s, "\\<>\"';{}")
}

// attrNameOnly keeps only characters that can form attribute names, so data written where an
// attribute goes cannot add event handlers or close the tag.
func attrNameOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		}
	}
	if strings.HasPrefix(strings.ToLower(b.String()), "on") {
		return ""
	}
	return b.String()
}
