// Package text derives the plain-text variant of an email from its rendered HTML: headings
// stand out, paragraphs are separated by one blank line, links become "label (url)" or
// numbered references, buttons become "LABEL: url", lists keep bullets and numbers, layout
// tables are flattened in reading order and data tables stay aligned, images become their alt
// text, and hidden content (the preheader, display:none, mso-hide:all) never leaks. Lines wrap
// at 78 columns without breaking a word or a URL, and no line exceeds 998 bytes.
package text

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// LinkStyle chooses how links are written.
type LinkStyle int

const (
	// Inline writes "label (url)".
	Inline LinkStyle = iota
	// References writes "label [1]" and lists "[1] url" at the end.
	References
)

// Options control the conversion.
type Options struct {
	Width int // 0 means 78
	Links LinkStyle
}

// MaxLineBytes is the RFC 5322 line limit no output line exceeds.
const MaxLineBytes = 998

// Convert returns the plain-text rendering of an HTML document or fragment.
func Convert(src string, opt Options) string {
	if opt.Width <= 0 {
		opt.Width = 78
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	return ConvertNode(doc, opt)
}

// ConvertNode returns the plain-text rendering of a parsed document, which it does not
// change.
func ConvertNode(doc *html.Node, opt Options) string {
	if opt.Width <= 0 {
		opt.Width = 78
	}
	c := &conv{opt: opt, refIndex: map[string]int{}}
	c.children(doc)
	c.flush()
	if len(c.refs) > 0 {
		c.breakLines(2)
		for i, u := range c.refs {
			c.writeLine("[" + strconv.Itoa(i+1) + "] " + u)
		}
	}
	return finish(c.out.String())
}

type conv struct {
	opt       Options
	out       strings.Builder
	para      strings.Builder // inline text of the current block, whitespace collapsed
	pendingNL int
	started   bool
	prefix    string // indentation of every line (lists, blockquotes)
	marker    string // replaces the indentation on the first line of the next block (list item)
	refs      []string
	refIndex  map[string]int
	lastBR    bool // the last thing seen was a <br>
}

// finish trims trailing spaces, collapses blank-line runs and trims the ends.
func finish(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" || strings.TrimSpace(l) == ">" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n") + "\n"
}

func (c *conv) breakLines(n int) {
	if n > c.pendingNL {
		c.pendingNL = n
	}
}

// writeLine writes one finished line after the pending line breaks.
func (c *conv) writeLine(l string) {
	if c.started {
		n := max(c.pendingNL, 1)
		for i := 0; i < n; i++ {
			c.out.WriteByte('\n')
		}
	}
	c.started = true
	c.pendingNL = 0
	c.out.WriteString(l)
}

// flush wraps the pending inline text into lines.
func (c *conv) flush() {
	text := strings.TrimSpace(c.para.String())
	c.para.Reset()
	if text == "" {
		return
	}
	c.lastBR = false
	first := c.prefix
	if c.marker != "" {
		first = c.marker
		c.marker = ""
	}
	for i, l := range wrap(text, c.opt.Width-runeLen(c.prefix)) {
		p := c.prefix
		if i == 0 {
			p = first
		}
		for _, part := range hardSplit(p + l) {
			c.writeLine(part)
			c.pendingNL = 1
		}
	}
}

// inline appends text with whitespace collapsed.
func (c *conv) inline(s string) {
	for len(s) > 0 {
		// copy the run of plain ASCII up to the next space or special character at once
		i := 0
		for i < len(s) && s[i] > ' ' && s[i] < 0x80 {
			i++
		}
		if i > 0 {
			c.para.WriteString(s[:i])
			s = s[i:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0', '\u2007', '\u202f':
			if c.para.Len() > 0 && !strings.HasSuffix(c.para.String(), " ") {
				c.para.WriteByte(' ')
			}
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u034f', '\u00ad':
		default:
			c.para.WriteRune(r)
		}
	}
}

func (c *conv) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.node(ch)
	}
}

var blockGap = map[atom.Atom]int{
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2, atom.Table: 2,
	atom.Ul: 2, atom.Ol: 2, atom.Blockquote: 2, atom.Pre: 2, atom.Hr: 2, atom.Center: 1,
	atom.Div: 1, atom.Tr: 1, atom.Td: 1, atom.Th: 1, atom.Li: 1, atom.Section: 1, atom.Article: 1,
	atom.Header: 1, atom.Footer: 1, atom.Main: 1, atom.Dl: 2, atom.Dt: 1, atom.Dd: 1, atom.Address: 1,
	atom.Figure: 1, atom.Figcaption: 1, atom.Nav: 1, atom.Tbody: 1, atom.Thead: 1, atom.Tfoot: 1,
}

func (c *conv) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		c.inline(n.Data)
		return
	case html.DocumentNode:
		c.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	if hidden(n) {
		return
	}
	switch n.Data {
	case "head", "style", "script", "title", "template", "noscript", "mm-htmlonly", "meta", "link", "svg", "object", "iframe":
		return
	case "mm-textonly":
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
		if strings.TrimSpace(c.para.String()) == "" && c.lastBR && c.started {
			c.writeLine(c.prefix) // a second <br> in a row: an empty line
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
		c.writeLine(c.prefix + strings.Repeat("-", min(c.opt.Width, 40)))
		c.breakLines(2)
		return
	case atom.Pre:
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
		c.prefix += "> "
		c.children(n)
		c.flush()
		c.prefix = old
		c.breakLines(2)
		return
	case atom.Table:
		if isDataTable(n) {
			c.flush()
			c.breakLines(2)
			c.dataTable(n)
			c.breakLines(2)
			return
		}
	}
	gap, block := blockGap[n.DataAtom]
	if block {
		c.flush()
		c.breakLines(gap)
	}
	c.children(n)
	if block {
		c.flush()
		c.breakLines(gap)
	}
}

// raw writes preformatted text, keeping its line breaks.
func (c *conv) raw(s string) {
	s = strings.Trim(s, "\n")
	if strings.TrimSpace(s) == "" {
		return
	}
	c.breakLines(1)
	for _, l := range strings.Split(s, "\n") {
		for _, part := range hardSplit(c.prefix + strings.TrimRight(l, " \t\r")) {
			c.writeLine(part)
			c.pendingNL = 1
		}
	}
	c.breakLines(1)
}

func (c *conv) heading(n *html.Node) {
	c.flush()
	c.breakLines(2)
	t := strings.Join(strings.Fields(inlineText(n)), " ")
	if t == "" {
		return
	}
	switch n.DataAtom {
	case atom.H1, atom.H2:
		c.inline(strings.ToUpper(t))
		c.flush()
	default:
		c.inline(t)
		c.flush()
		c.writeLine(c.prefix + strings.Repeat("-", min(runeLen(t), c.opt.Width-runeLen(c.prefix))))
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
		if li.Type != html.ElementNode || li.DataAtom != atom.Li || hidden(li) {
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
		c.prefix = old + strings.Repeat(" ", len(mark))
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
	alt = strings.TrimSpace(alt)
	if alt == "" || isPixel(n) {
		return
	}
	c.inline(" " + alt + " ")
}

// isPixel reports tracking pixels and spacers.
func isPixel(n *html.Node) bool {
	w, _ := attr(n, "width")
	h, _ := attr(n, "height")
	if small(w) || small(h) {
		return true
	}
	if raw, ok := attr(n, "style"); ok && (strings.Contains(raw, "width") || strings.Contains(raw, "height")) {
		st := styleOf(n)
		if small(st["width"]) || small(st["height"]) {
			return true
		}
	}
	src, _ := attr(n, "src")
	return strings.Contains(strings.ToLower(src), "spacer")
}

func small(v string) bool {
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	return v == "0" || v == "1"
}

func (c *conv) link(n *html.Node) {
	href, _ := attr(n, "href")
	href = strings.TrimSpace(href)
	label := strings.Join(strings.Fields(inlineText(n)), " ")
	lower := strings.ToLower(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(lower, "javascript:") || strings.HasPrefix(lower, "about:") {
		c.inline(label)
		return
	}
	if strings.HasPrefix(lower, "mailto:") {
		addr := strings.SplitN(href[len("mailto:"):], "?", 2)[0]
		if label == "" || label == addr {
			c.inline(addr)
		} else {
			c.inline(label + " (" + addr + ")")
		}
		return
	}
	if strings.HasPrefix(lower, "tel:") {
		num := href[len("tel:"):]
		switch {
		case label == "":
			c.inline(num)
		case digitsOf(label) == digitsOf(num):
			c.inline(label)
		default:
			c.inline(label + " (" + num + ")")
		}
		return
	}
	if isButton(n) && label != "" {
		c.flush()
		c.breakLines(2)
		c.inline(strings.ToUpper(label) + ": " + href)
		c.flush()
		c.breakLines(2)
		return
	}
	if label == "" || sameURL(label, href) {
		c.inline(" " + href + " ")
		return
	}
	if c.opt.Links == References {
		i, ok := c.refIndex[href]
		if !ok {
			c.refs = append(c.refs, href)
			i = len(c.refs)
			c.refIndex[href] = i
		}
		c.inline(label + " [" + strconv.Itoa(i) + "]")
		return
	}
	c.inline(label + " (" + href + ")")
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func sameURL(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"https://", "http://"} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimPrefix(strings.TrimSuffix(s, "/"), "www.")
	}
	return norm(a) == norm(b)
}

// isButton reports a link styled as a button.
func isButton(n *html.Node) bool {
	cls, _ := attr(n, "class")
	cls = strings.ToLower(cls)
	if strings.Contains(cls, "button") || strings.Contains(cls, "btn") || strings.Contains(cls, "cta") {
		return true
	}
	st := styleOf(n)
	if _, ok := st["padding"]; ok {
		_, bg := st["background-color"]
		_, bg2 := st["background"]
		_, border := st["border"]
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

// hidden reports elements that email clients do not show.
func hidden(n *html.Node) bool {
	if _, ok := attr(n, "hidden"); ok {
		return true
	}
	raw, ok := attr(n, "style")
	if !ok || !strings.Contains(raw, "display") && !strings.Contains(raw, "visibility") && !strings.Contains(raw, "mso-hide") && !strings.Contains(raw, "max-height") {
		return false // the common case, without parsing the style
	}
	st := styleOf(n)
	if st["display"] == "none" || st["visibility"] == "hidden" || st["mso-hide"] == "all" {
		return true
	}
	if (st["max-height"] == "0" || st["max-height"] == "0px") && st["overflow"] == "hidden" {
		return true
	}
	return false
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func styleOf(n *html.Node) map[string]string {
	s, ok := attr(n, "style")
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, d := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(d, ":")
		if ok {
			v = strings.TrimSpace(strings.ToLower(v))
			v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
			out[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	return out
}

// inlineText is the visible text of n (images as alt text), whitespace not yet collapsed.
func inlineText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		switch x.Type {
		case html.TextNode:
			b.WriteString(x.Data)
			return
		case html.ElementNode:
			if hidden(x) || x.DataAtom == atom.Style || x.DataAtom == atom.Script {
				return
			}
			if x.DataAtom == atom.Img {
				if alt, _ := attr(x, "alt"); !isPixel(x) {
					b.WriteString(" " + alt + " ")
				}
				return
			}
			if x.DataAtom == atom.Br {
				b.WriteByte(' ')
			}
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u034f', '\u00ad':
			return -1
		case '\u00a0':
			return ' '
		}
		return r
	}, b.String())
}

// textOf is the raw text content of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
		}
		if x.Type == html.ElementNode && x.DataAtom == atom.Br {
			b.WriteByte('\n')
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// wrap breaks text into lines of at most width runes at spaces; a longer word (a URL) stays
// whole on its own line.
func wrap(text string, width int) []string {
	if width < 20 {
		width = 20
	}
	var lines []string
	var cur strings.Builder
	curLen := 0
	for _, w := range strings.Split(text, " ") {
		if w == "" {
			continue
		}
		wl := runeLen(w)
		if curLen > 0 && curLen+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curLen = 0
		}
		if curLen > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(w)
		curLen += wl
	}
	if curLen > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// hardSplit cuts a line over MaxLineBytes at UTF-8 boundaries.
func hardSplit(l string) []string {
	if len(l) <= MaxLineBytes {
		return []string{l}
	}
	var out []string
	for len(l) > MaxLineBytes {
		cut := MaxLineBytes
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		out = append(out, l[:cut])
		l = l[cut:]
	}
	return append(out, l)
}
