package text

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func (c *conv) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.node(ch)
	}
}

// blockGap is the number of line breaks around a block element, 0 for inline elements.
func blockGap(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol,
		atom.Blockquote, atom.Pre, atom.Hr, atom.Dl:
		return 2
	case atom.Center, atom.Div, atom.Tr, atom.Td, atom.Th, atom.Li, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Main, atom.Dt, atom.Dd, atom.Address, atom.Figure, atom.Figcaption, atom.Nav,
		atom.Tbody, atom.Thead, atom.Tfoot:
		return 1
	}
	return 0
}

func (c *conv) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if i, ok := c.rec.site(n, ""); ok {
			seg := &segment{what: segText, site: i}
			c.rec.begin(c, seg)
			c.inline(n.Data)
			c.rec.end(c, seg)
			return
		}
		c.inline(n.Data)
		return
	case html.DocumentNode:
		c.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	if c.hidden(n) {
		return
	}
	switch n.Data {
	case "head":
		if !c.full {
			c.addStyles(n)
		}
		return
	case "style":
		// a <style> outside <head> applies to the whole document, what came before too
		if !c.full && c.addStyle(n) {
			c.restart = true
		}
		return
	case "script", "title", "template", "noscript", "mm-htmlonly", "meta", "link", "svg", "object", "iframe":
		return
	case "mm-textonly":
		c.rec.refuse(n) // preformatted: a value's line breaks are kept
		c.flush()
		c.raw(textOf(n))
		return
	case "mm-live":
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type == html.ElementNode && ch.Data == "mm-fallback" {
				c.children(ch)
			}
		}
		return
	}
	switch n.DataAtom {
	case atom.Br:
		if len(bytes.TrimSpace(c.para)) == 0 && c.lastBR && c.started {
			c.writeLine([]byte(c.prefix)) // a second <br> in a row: an empty line
		}
		c.flush()
		c.pendingNL = max(c.pendingNL, 1)
		c.lastBR = true
		return
	case atom.Img:
		c.img(n)
		return
	case atom.A:
		c.link(n)
		return
	case atom.Hr:
		c.flush()
		c.breakLines(2)
		c.rule(min(c.opt.Width, 40))
		c.breakLines(2)
		return
	case atom.Pre:
		c.rec.refuse(n)
		c.flush()
		c.breakLines(2)
		c.raw(textOf(n))
		c.breakLines(2)
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c.heading(n)
		return
	case atom.Ul, atom.Ol:
		c.list(n)
		return
	case atom.Blockquote:
		c.flush()
		c.breakLines(2)
		old := c.prefix
		c.indent(old + "> ")
		c.children(n)
		c.flush()
		c.prefix = old
		c.breakLines(2)
		return
	case atom.Table:
		if c.isDataTable(n) {
			c.rec.refuse(n) // the cells' widths lay the table out
			c.flush()
			c.breakLines(2)
			c.dataTable(n)
			c.breakLines(2)
			return
		}
	}
	gap := blockGap(n.DataAtom)
	if gap > 0 {
		c.flush()
		c.breakLines(gap)
	}
	c.children(n)
	if gap > 0 {
		c.flush()
		c.breakLines(gap)
	}
}

// rule writes a line of n dashes (none if n < 0) after the indentation.
func (c *conv) rule(n int) {
	l := append(c.line[:0], c.prefix...)
	for range n {
		l = append(l, '-')
	}
	c.emit(l, len(c.prefix))
	c.line = l
}

// maxIndent bounds the indentation of nested lists and quotes, in bytes: deeper levels
// stay at the last one that fits, so that lines keep room for their text.
const maxIndent = 120

// indent sets the indentation of the lines to come, unless it is over maxIndent.
func (c *conv) indent(p string) {
	if len(p) <= maxIndent {
		c.prefix = p
	}
}

// raw writes preformatted text, keeping its line breaks.
func (c *conv) raw(s string) {
	s = strings.Trim(s, "\n")
	if strings.TrimSpace(s) == "" {
		return
	}
	c.breakLines(1)
	for l := range strings.SplitSeq(s, "\n") {
		line := append(c.line[:0], c.prefix...)
		line = append(line, strings.TrimRight(l, " \t\r")...)
		c.emit(line, len(c.prefix))
		c.line = line
	}
	c.breakLines(1)
}

func (c *conv) heading(n *html.Node) {
	c.flush()
	c.breakLines(2)
	var seg *segment
	if c.rec != nil {
		if label, sites := c.rec.labelRecipe(c, n); sites {
			if n.DataAtom != atom.H1 && n.DataAtom != atom.H2 {
				c.rec.bad = true // underlined to the label's length
			}
			seg = &segment{what: segUpper, label: label}
		}
	}
	t := c.labelOf(n)
	if t == "" {
		return
	}
	switch n.DataAtom {
	case atom.H1, atom.H2:
		if seg != nil {
			c.rec.begin(c, seg)
		}
		c.inline(strings.ToUpper(t))
		if seg != nil {
			c.rec.end(c, seg)
		}
		c.flush()
	default:
		c.inline(t)
		c.flush()
		c.rule(min(runeLen(t), c.opt.Width-runeLen(c.prefix)))
	}
	c.breakLines(2)
}

func (c *conv) list(n *html.Node) {
	c.flush()
	nested := c.prefix != "" && strings.TrimSpace(c.prefix) == ""
	if !nested {
		c.breakLines(2)
	} else {
		c.breakLines(1)
	}
	num := 1
	if v, ok := attr(n, "start"); ok {
		if s, err := strconv.Atoi(v); err == nil {
			num = s
		}
	}
	old := c.prefix
	for li := n.FirstChild; li != nil; li = li.NextSibling {
		if li.Type != html.ElementNode || li.DataAtom != atom.Li || c.hidden(li) {
			if li.Type == html.ElementNode {
				c.node(li)
			}
			continue
		}
		c.flush()
		c.breakLines(1)
		mark := "* "
		if n.DataAtom == atom.Ol {
			mark = strconv.Itoa(num) + ". "
			num++
		}
		c.marker = old + mark
		c.indent(old + strings.Repeat(" ", len(mark)))
		c.children(li)
		c.flush()
		c.marker = ""
		c.prefix = old
	}
	if nested {
		c.breakLines(1)
	} else {
		c.breakLines(2)
	}
}

func (c *conv) img(n *html.Node) {
	alt, _ := attr(n, "alt")
	pixel := isPixel(n)
	if i, ok := c.rec.site(n, "alt"); ok {
		seg := &segment{what: segAlt, site: i, pixel: pixel}
		c.rec.begin(c, seg)
		c.altText(strings.TrimSpace(alt), pixel)
		c.rec.end(c, seg)
		return
	}
	c.altText(strings.TrimSpace(alt), pixel)
}

// altText writes an image's alt text, unless it is empty or the image a spacer.
func (c *conv) altText(alt string, pixel bool) {
	if alt == "" || pixel {
		return
	}
	c.inline(" ")
	c.inline(alt)
	c.inline(" ")
}

// isPixel reports tracking pixels and spacers.
func isPixel(n *html.Node) bool {
	w, _ := attr(n, "width")
	h, _ := attr(n, "height")
	if small(w) || small(h) {
		return true
	}
	if raw, ok := attr(n, "style"); ok && (strings.Contains(raw, "width") || strings.Contains(raw, "height")) {
		if small(styleValue(raw, "width")) || small(styleValue(raw, "height")) {
			return true
		}
	}
	src, _ := attr(n, "src")
	return spacerSrc(src)
}

func small(v string) bool {
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	return v == "0" || v == "1"
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}
