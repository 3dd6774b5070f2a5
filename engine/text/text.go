// Package text derives the plain-text variant of an email from its rendered HTML: headings
// stand out, paragraphs are separated by one blank line, links become "label (url)" or
// numbered references, buttons become "LABEL: url", lists keep bullets and numbers, layout
// tables are flattened in reading order and data tables stay aligned, images become their alt
// text, and hidden content (the preheader, display:none, mso-hide:all) never leaks. Lines wrap
// at 78 columns without breaking a word or a URL, and no line exceeds 998 bytes.
package text

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode"
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
	c := convPool.Get().(*conv)
	defer convPool.Put(c)
	c.reset(opt)
	c.children(doc)
	c.flush()
	if len(c.refs) > 0 {
		c.breakLines(2)
		for i, u := range c.refs {
			l := append(c.line[:0], '[')
			l = strconv.AppendInt(l, int64(i+1), 10)
			l = append(append(l, "] "...), u...)
			c.writeLine(l)
			c.line = l
		}
	}
	return finish(c.out)
}

// convPool keeps converters, so that their buffers serve many documents.
var convPool = sync.Pool{New: func() any { return new(conv) }}

type conv struct {
	opt       Options
	out       []byte // the finished lines
	para      []byte // inline text of the current block, whitespace collapsed
	pendingNL int
	started   bool
	prefix    string // indentation of every line (lists, blockquotes)
	marker    string // replaces the indentation on the first line of the next block (list item)
	refs      []string
	refIndex  map[string]int // made on the first reference
	lastBR    bool           // the last thing seen was a <br>

	// scratch buffers, reused
	line  []byte // a line being assembled
	text  []byte // visible text of an element, whitespace not yet collapsed (label)
	label []byte // the same collapsed
}

// reset prepares c for a new document, keeping its buffers.
func (c *conv) reset(opt Options) {
	*c = conv{opt: opt, out: c.out[:0], para: c.para[:0], line: c.line[:0], text: c.text[:0], label: c.label[:0]}
}

// finish trims trailing spaces, collapses blank-line runs and trims the ends. It works in
// place in b (lines only get shorter) and returns the result as a new string.
func finish(b []byte) string {
	w, blank := 0, 0 // w: length of the result so far at the start of b
	for r := 0; r <= len(b); {
		end := bytes.IndexByte(b[r:], '\n')
		if end < 0 {
			end = len(b)
		} else {
			end += r
		}
		l := bytes.TrimRight(b[r:end], " \t")
		if len(l) == 0 || string(bytes.TrimSpace(l)) == ">" {
			blank++
		} else {
			blank = 0
		}
		if blank <= 1 {
			if r > 0 {
				b[w] = '\n'
				w++
			}
			w += copy(b[w:], l)
		}
		r = end + 1
	}
	// the ends: no line breaks, then exactly one
	start, end := 0, w
	for start < end && b[start] == '\n' {
		start++
	}
	for end > start && b[end-1] == '\n' {
		end--
	}
	return string(append(b[:end], '\n')[start:])
}

func (c *conv) breakLines(n int) {
	if n > c.pendingNL {
		c.pendingNL = n
	}
}

// startLine writes the pending line breaks before a new line.
func (c *conv) startLine() {
	if c.started {
		for range max(c.pendingNL, 1) {
			c.out = append(c.out, '\n')
		}
	}
	c.started = true
	c.pendingNL = 0
}

// writeLine writes one finished line after the pending line breaks.
func (c *conv) writeLine(l []byte) {
	c.startLine()
	c.out = append(c.out, l...)
}

// emit writes a line cut into pieces of at most MaxLineBytes, each on a line of its own.
func (c *conv) emit(l []byte) {
	for {
		cut := hardCut(l)
		c.writeLine(l[:cut])
		c.pendingNL = 1
		if l = l[cut:]; len(l) == 0 {
			return
		}
	}
}

// hardCut is where a line over MaxLineBytes is cut, at a UTF-8 boundary (or, in invalid
// UTF-8 without one, at MaxLineBytes); len(l) for a line that fits.
func hardCut(l []byte) int {
	if len(l) <= MaxLineBytes {
		return len(l)
	}
	for cut := MaxLineBytes; cut > 0; cut-- {
		if utf8.RuneStart(l[cut]) {
			return cut
		}
	}
	return MaxLineBytes
}

// flush wraps the pending inline text into lines of at most Width runes at spaces; a longer
// word (a URL) stays whole on its own line.
func (c *conv) flush() {
	text := bytes.TrimSpace(c.para)
	c.para = c.para[:0] // text still reads the old bytes; nothing writes para until we return
	if len(text) == 0 {
		return
	}
	c.lastBR = false
	first := c.prefix
	if c.marker != "" {
		first = c.marker
		c.marker = ""
	}
	width := max(c.opt.Width-runeLen(c.prefix), 20)
	l := append(c.line[:0], first...)
	n := 0 // runes of text on l
	for len(text) > 0 {
		var w []byte
		w, text, _ = bytes.Cut(text, []byte{' '})
		if len(w) == 0 {
			continue
		}
		wl := utf8.RuneCount(w)
		if n > 0 && n+1+wl > width {
			c.emit(l)
			l = append(l[:0], c.prefix...)
			n = 0
		}
		if n > 0 {
			l = append(l, ' ')
			n++
		}
		l = append(l, w...)
		n += wl
	}
	if n > 0 {
		c.emit(l)
	}
	c.line = l
}

// inline appends text with whitespace collapsed.
func (c *conv) inline(s string) {
	for len(s) > 0 {
		// copy the run of plain ASCII up to the next space or special character at once
		i := 0
		for i < len(s) && s[i] > ' ' && s[i] < utf8.RuneSelf {
			i++
		}
		if i > 0 {
			c.para = append(c.para, s[:i]...)
			s = s[i:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0', '\u2007', '\u202f':
			if len(c.para) > 0 && c.para[len(c.para)-1] != ' ' {
				c.para = append(c.para, ' ')
			}
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u034f', '\u00ad':
		default:
			c.para = utf8.AppendRune(c.para, r)
		}
	}
}

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
	c.startLine()
	c.out = append(c.out, c.prefix...)
	for range n {
		c.out = append(c.out, '-')
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
		c.emit(line)
		c.line = line
	}
	c.breakLines(1)
}

func (c *conv) heading(n *html.Node) {
	c.flush()
	c.breakLines(2)
	t := c.labelOf(n)
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
	return strings.Contains(strings.ToLower(src), "spacer")
}

func small(v string) bool {
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	return v == "0" || v == "1"
}

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

// hidden reports elements that email clients do not show.
func hidden(n *html.Node) bool {
	raw, ok := "", false // the first style attribute
	for _, a := range n.Attr {
		switch {
		case a.Key == "hidden":
			return true
		case a.Key == "style" && !ok:
			raw, ok = a.Val, true
		}
	}
	if !ok || !strings.Contains(raw, "display") && !strings.Contains(raw, "visibility") && !strings.Contains(raw, "mso-hide") && !strings.Contains(raw, "max-height") {
		return false // the common case, without parsing the style
	}
	// one pass over the declarations; as for styleValue, the last one of a property counts
	var display, visibility, msoHide, maxHeight, overflow string
	for style := raw; style != ""; {
		var d string
		d, style, _ = strings.Cut(style, ";")
		k, v, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		switch k = strings.TrimSpace(k); {
		case lowerEqual(k, "display"):
			display = v
		case lowerEqual(k, "visibility"):
			visibility = v
		case lowerEqual(k, "mso-hide"):
			msoHide = v
		case lowerEqual(k, "max-height"):
			maxHeight = v
		case lowerEqual(k, "overflow"):
			overflow = v
		}
	}
	if cssValue(display) == "none" || cssValue(visibility) == "hidden" || cssValue(msoHide) == "all" {
		return true
	}
	if mh := cssValue(maxHeight); (mh == "0" || mh == "0px") && cssValue(overflow) == "hidden" {
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

// styleDecl returns the value of the last declaration of the property prop (lower case) in
// a style attribute, as written, and whether there is one.
func styleDecl(style, prop string) (string, bool) {
	val, found := "", false
	for style != "" {
		var d string
		d, style, _ = strings.Cut(style, ";")
		if k, v, ok := strings.Cut(d, ":"); ok && lowerEqual(strings.TrimSpace(k), prop) {
			val, found = v, true
		}
	}
	return val, found
}

// styleValue returns the value of the property prop (lower case) in a style attribute as
// cssValue gives it; "" if it is not set.
func styleValue(style, prop string) string {
	v, _ := styleDecl(style, prop)
	return cssValue(v)
}

// cssValue is a declared value lower-cased, trimmed, without "!important".
func cssValue(v string) string {
	v = strings.TrimSpace(strings.ToLower(v))
	return strings.TrimSpace(strings.TrimSuffix(v, "!important"))
}

// labelOf is the visible text of n (images as alt text) with its whitespace collapsed as
// strings.Fields and strings.Join would: the text of a link or a heading.
func (c *conv) labelOf(n *html.Node) string {
	c.text = appendVisible(c.text[:0], n)
	// drop the zero-width characters and take invalid bytes as U+FFFD before looking for
	// spaces, so that the words are those of the whole text, whatever its text nodes
	b := c.label[:0]
	space := false
	for t := c.text; len(t) > 0; {
		r, size := utf8.DecodeRune(t)
		t = t[size:]
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u034f' || r == '\u00ad':
		case unicode.IsSpace(r):
			space = len(b) > 0
		default:
			if space {
				b = append(b, ' ')
				space = false
			}
			b = utf8.AppendRune(b, r)
		}
	}
	c.label = b
	return string(b)
}

// appendVisible appends the visible text of n (images as alt text), whitespace not yet
// collapsed, to b.
func appendVisible(b []byte, x *html.Node) []byte {
	switch x.Type {
	case html.TextNode:
		return append(b, x.Data...)
	case html.ElementNode:
		if hidden(x) || x.DataAtom == atom.Style || x.DataAtom == atom.Script {
			return b
		}
		if x.DataAtom == atom.Img {
			if alt, _ := attr(x, "alt"); !isPixel(x) {
				b = append(append(append(b, ' '), alt...), ' ')
			}
			return b
		}
		if x.DataAtom == atom.Br {
			b = append(b, ' ')
		}
	}
	for ch := x.FirstChild; ch != nil; ch = ch.NextSibling {
		b = appendVisible(b, ch)
	}
	return b
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
