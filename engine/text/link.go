package text

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// link writes a link as its label and URL; only the pieces are passed to inline, which
// collapses whitespace the same whether they come at once or one after the other.
func (c *conv) link(n *html.Node) {
	href, _ := attr(n, "href")
	href = strings.TrimSpace(href)
	label := c.labelOf(n)
	if href == "" || strings.HasPrefix(href, "#") || hasLowerPrefix(href, "javascript:") || hasLowerPrefix(href, "about:") {
		c.inline(label)
		return
	}
	if hasLowerPrefix(href, "mailto:") {
		addr, _, _ := strings.Cut(href[len("mailto:"):], "?")
		if label == "" || label == addr {
			c.inline(addr)
		} else {
			c.inline(label)
			c.inline(" (")
			c.inline(addr)
			c.inline(")")
		}
		return
	}
	if hasLowerPrefix(href, "tel:") {
		num := href[len("tel:"):]
		switch {
		case label == "":
			c.inline(num)
		case digitsOf(label) == digitsOf(num):
			c.inline(label)
		default:
			c.inline(label)
			c.inline(" (")
			c.inline(num)
			c.inline(")")
		}
		return
	}
	if isButton(n) && label != "" {
		c.flush()
		c.breakLines(2)
		c.inline(strings.ToUpper(label))
		c.inline(": ")
		c.inline(href)
		c.flush()
		c.breakLines(2)
		return
	}
	if label == "" || sameURL(label, href) {
		c.inline(" ")
		c.inline(href)
		c.inline(" ")
		return
	}
	if c.opt.Links == References {
		i, ok := c.refIndex[href]
		if !ok {
			if c.refIndex == nil {
				c.refIndex = map[string]int{}
			}
			c.refs = append(c.refs, href)
			i = len(c.refs)
			c.refIndex[href] = i
		}
		c.inline(label)
		c.inline(" [")
		c.para = strconv.AppendInt(c.para, int64(i), 10)
		c.inline("]")
		return
	}
	c.inline(label)
	c.inline(" (")
	c.inline(href)
	c.inline(")")
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// sameURL reports whether two URLs are equal but for case, surrounding space, the scheme
// (http or https), a "www." and a trailing slash.
func sameURL(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimSpace(s)
		s, _ = cutLowerPrefix(s, "https://")
		s, _ = cutLowerPrefix(s, "http://")
		s = strings.TrimSuffix(s, "/")
		s, _ = cutLowerPrefix(s, "www.")
		return s
	}
	return lowerEqual(norm(a), norm(b))
}

// The case-insensitive comparisons below give what strings.ToLower followed by a plain
// comparison gives, without making the lower-case copy: they lower each rune with
// unicode.ToLower, and take an invalid byte as utf8.RuneError, as strings.ToLower does.

// cutLowerPrefix returns s without the runes that lower-case to the ASCII prefix, and
// whether there were such runes.
func cutLowerPrefix(s, prefix string) (string, bool) {
	i := 0
	for prefix != "" {
		if i == len(s) {
			return s, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.ToLower(r) != rune(prefix[0]) {
			return s, false
		}
		i += size
		prefix = prefix[1:]
	}
	return s[i:], true
}

// hasLowerPrefix reports whether strings.HasPrefix(strings.ToLower(s), prefix) for an
// ASCII prefix.
func hasLowerPrefix(s, prefix string) bool {
	_, ok := cutLowerPrefix(s, prefix)
	return ok
}

// lowerEqual reports whether strings.ToLower(a) == strings.ToLower(b).
func lowerEqual(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb && unicode.ToLower(ra) != unicode.ToLower(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}

// isButton reports a link styled as a button.
func isButton(n *html.Node) bool {
	cls, _ := attr(n, "class")
	cls = strings.ToLower(cls)
	if strings.Contains(cls, "button") || strings.Contains(cls, "btn") || strings.Contains(cls, "cta") {
		return true
	}
	st, _ := attr(n, "style")
	if _, ok := styleDecl(st, "padding"); ok {
		_, bg := styleDecl(st, "background-color")
		_, bg2 := styleDecl(st, "background")
		_, border := styleDecl(st, "border")
		return bg || bg2 || border
	}
	if p := n.Parent; p != nil && p.DataAtom == atom.Td {
		if _, ok := attr(p, "bgcolor"); ok && onlyChild(p, n) {
			return true
		}
	}
	return false
}

func onlyChild(p, n *html.Node) bool {
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if c != n && (c.Type == html.ElementNode || c.Type == html.TextNode && strings.TrimSpace(c.Data) != "") {
			return false
		}
	}
	return true
}
