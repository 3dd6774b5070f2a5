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
	button := isButton(n)
	var seg *segment
	if c.rec != nil {
		if p := n.Parent; p != nil && p.DataAtom == atom.Td {
			for sib := p.FirstChild; sib != nil; sib = sib.NextSibling {
				if _, ok := c.rec.site(sib, ""); ok {
					c.rec.bad = true // isButton asks whether the text beside the link is blank
				}
			}
		}
		seg = c.rec.linkSegment(c, n, href, button) // before labelOf: it reads the label's sites
	}
	label := c.labelOf(n)
	kind := linkKindOf(label, href, button)
	if kind == linkButton {
		c.flush()
		c.breakLines(2)
	}
	if seg != nil {
		seg.kind = kind
		c.rec.begin(c, seg)
	}
	c.linkText(kind, label, href)
	if seg != nil {
		c.rec.end(c, seg)
	}
	if kind == linkButton {
		c.flush()
		c.breakLines(2)
	}
}

// linkKind is how a link is written, decided from its label, its URL and whether it looks
// like a button.
type linkKind uint8

const (
	linkLabel    linkKind = iota // no URL worth writing: the label alone
	linkMailAddr                 // mailto: the address alone
	linkMailBoth                 // mailto: "label (address)"
	linkTelNum                   // tel: the number alone
	linkTelLabel                 // tel: the label, which holds the number
	linkTelBoth                  // tel: "label (number)"
	linkButton                   // "LABEL: url" on lines of its own
	linkURL                      // the URL alone (no label, or the label is the URL)
	linkInline                   // "label (url)", or "label [n]" with the URL listed at the end
)

func linkKindOf(label, href string, button bool) linkKind {
	switch {
	case href == "" || strings.HasPrefix(href, "#") || hasLowerPrefix(href, "javascript:") || hasLowerPrefix(href, "about:"):
		return linkLabel
	case hasLowerPrefix(href, "mailto:"):
		if addr := mailAddr(href); label == "" || label == addr {
			return linkMailAddr
		}
		return linkMailBoth
	case hasLowerPrefix(href, "tel:"):
		num := href[len("tel:"):]
		switch {
		case label == "":
			return linkTelNum
		case digitsOf(label) == digitsOf(num):
			return linkTelLabel
		}
		return linkTelBoth
	case button && label != "":
		return linkButton
	case label == "" || sameURL(label, href):
		return linkURL
	}
	return linkInline
}

// mailAddr is the address of a mailto: URL, without its query.
func mailAddr(href string) string {
	addr, _, _ := strings.Cut(href[len("mailto:"):], "?")
	return addr
}

// linkText writes the text of a link of kind k (see link); references are numbered when
// the converter writes them.
func (c *conv) linkText(k linkKind, label, href string) {
	switch k {
	case linkLabel, linkTelLabel:
		c.inline(label)
	case linkMailAddr:
		c.inline(mailAddr(href))
	case linkMailBoth:
		c.inline(label)
		c.inline(" (")
		c.inline(mailAddr(href))
		c.inline(")")
	case linkTelNum:
		c.inline(href[len("tel:"):])
	case linkTelBoth:
		c.inline(label)
		c.inline(" (")
		c.inline(href[len("tel:"):])
		c.inline(")")
	case linkButton:
		c.inline(strings.ToUpper(label))
		c.inline(": ")
		c.inline(href)
	case linkURL:
		c.inline(" ")
		c.inline(href)
		c.inline(" ")
	default:
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
