// Package text derives the plain-text variant of an email from its rendered HTML: headings
// stand out, paragraphs are separated by one blank line, links become "label (url)" or
// numbered references, buttons become "LABEL: url", lists keep bullets and numbers, images
// become their alt text.
//
// Layout tables are flattened in reading order; data tables (header cells, or rows of
// several cells without block content; images count as content) stay aligned, their cells
// wrapped at word boundaries to fit the width, spanned cells sharing the width of their
// columns, or are written stacked, one "Header: value" line per cell, when they cannot fit.
//
// Hidden content never leaks: the hidden attribute, and display:none, visibility:hidden,
// mso-hide:all or max-height:0 with overflow:hidden in any letter case, set in the style
// attribute or by a rule of the document's <style> blocks outside @media (matched with
// cascadia; an element's own style can show it again unless the rule is !important).
//
// Lines wrap at 78 columns without breaking a word or a URL. No line exceeds MaxLineBytes
// (998, RFC 5322), reference lines, rules and heading underlines included: a longer line
// (preformatted text, a word after deep indentation) is broken at spaces, and a single word
// longer than MaxLineBytes is the only thing ever cut, at a UTF-8 boundary.
package text

import (
	"bytes"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
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

// String returns the name of the style: "inline" or "references".
func (s LinkStyle) String() string {
	if s == References {
		return "references"
	}
	return "inline"
}

// ParseLinkStyle returns the style named name ("inline" or "references", as String
// writes them, in any letter case) and whether there is one.
func ParseLinkStyle(name string) (LinkStyle, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "inline":
		return Inline, true
	case "references":
		return References, true
	}
	return Inline, false
}

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
	return convert(c, doc, opt, nil)
}

// convert converts doc with c, followed by rec when it is not nil (see ConvertRecord).
func convert(c *conv, doc *html.Node, opt Options, rec *recorder) string {
	c.reset(opt)
	c.rec = rec
	c.children(doc)
	c.flush()
	if c.restart {
		// a <style> outside <head> hides something, maybe in what came before it: convert
		// again with every style block of the document known from the start
		c.reset(opt)
		if rec != nil {
			rec.bad = true
		}
		c.full = true
		c.addStyles(doc)
		c.children(doc)
		c.flush()
	}
	if len(c.refs) > 0 {
		c.breakLines(2)
		for i, u := range c.refs {
			l := append(c.line[:0], '[')
			l = strconv.AppendInt(l, int64(i+1), 10)
			l = append(append(l, "] "...), u...)
			c.emit(l, 0)
			c.line = l
		}
	}
	if rec != nil {
		for _, p := range c.parts {
			if p.valueSel {
				rec.bad = true // a hiding rule may select by an attribute's value or by text
			}
		}
		if !rec.bad {
			rec.ops = append(rec.ops, textOp{static: bytes.Clone(c.out[rec.at:])})
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

	// the hiding rules of the document's <style> blocks: those of <head> are read when the
	// walk reaches it; one elsewhere sets restart, and the document is converted again
	// with all of them read first (full)
	parts         []*stylePart
	nrules        int // in parts
	full, restart bool

	// cell: converting the content of a data table cell, whose lines the table lays out:
	// no wrapping and no cutting
	cell bool

	rec *recorder // when making a Skeleton

	// scratch buffers, reused
	line  []byte // a line being assembled
	text  []byte // visible text of an element, whitespace not yet collapsed (label)
	label []byte // the same collapsed
}

// reset prepares c for a new document, keeping its buffers.
func (c *conv) reset(opt Options) {
	*c = conv{opt: opt, out: c.out[:0], para: c.para[:0], line: c.line[:0], text: c.text[:0], label: c.label[:0], parts: c.parts[:0]}
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
		e := end
		for e > r && (b[e-1] == ' ' || b[e-1] == '\t') {
			e--
		}
		if e == r || string(bytes.TrimSpace(b[r:e])) == ">" {
			blank++
		} else {
			blank = 0
		}
		if blank <= 1 {
			if r > 0 {
				b[w] = '\n'
				w++
			}
			if w != r {
				copy(b[w:], b[r:e])
			}
			w += e - r
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

// emit writes a line whose first indent bytes are indentation. A line over MaxLineBytes
// (a very long word, or preformatted text) is cut at spaces into lines that fit, with the
// indentation while it leaves room; a word too long for the indentation goes on a line
// of its own without it, and only a word longer than MaxLineBytes is itself cut.
func (c *conv) emit(l []byte, indent int) {
	if c.cell || len(l) <= MaxLineBytes {
		c.writeLine(l)
		c.pendingNL = 1
		return
	}
	indent = min(indent, len(l))
	ind, rest := l[:indent], l[indent:]
	if len(ind) > MaxLineBytes/2 {
		ind = ind[:0]
	}
	for len(rest) > 0 {
		room := MaxLineBytes - len(ind)
		if len(rest) <= room {
			c.writeLine2(ind, rest)
			break
		}
		if sp := bytes.LastIndexByte(rest[:room+1], ' '); sp > 0 {
			c.writeLine2(ind, rest[:sp])
			rest = bytes.TrimLeft(rest[sp:], " ")
			continue
		}
		// a word longer than the room: on its own line, cut only if it is over MaxLineBytes
		rest = bytes.TrimLeft(rest, " ")
		end := bytes.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		cut := hardCut(rest[:end])
		c.writeLine2(nil, rest[:cut])
		rest = bytes.TrimLeft(rest[cut:], " ")
	}
	c.pendingNL = 1
}

// writeLine2 writes one finished line made of two pieces.
func (c *conv) writeLine2(a, b []byte) {
	c.startLine()
	c.out = append(append(c.out, a...), b...)
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
	if c.rec != nil && c.rec.flushing(c) {
		defer func() { c.rec.at = len(c.out) }() // its lines are laid out again at fill time
	}
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
	if c.cell {
		width = math.MaxInt // the table wraps the cell's lines
	}
	l := append(c.line[:0], first...)
	indent := len(first)
	n := 0 // runes of text on l
	for len(text) > 0 {
		var w []byte
		w, text, _ = bytes.Cut(text, []byte{' '})
		if len(w) == 0 {
			continue
		}
		wl := utf8.RuneCount(w)
		if n > 0 && (n+1+wl > width || len(l)+1+len(w) > MaxLineBytes && !c.cell) {
			c.emit(l, indent)
			l = append(l[:0], c.prefix...)
			indent = len(l)
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
		c.emit(l, indent)
	}
	c.line = l
}

// inline appends text with whitespace collapsed.
func (c *conv) inline(s string) {
	para := c.para // a local slice: no write barrier for each append while the GC runs
	for len(s) > 0 {
		// copy the run of plain ASCII up to the next space or special character at once
		i := plainRun(s)
		if i > 0 {
			para = append(para, s[:i]...)
			s = s[i:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0', '\u2007', '\u202f':
			if len(para) > 0 && para[len(para)-1] != ' ' {
				para = append(para, ' ')
			}
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u034f', '\u00ad':
		default:
			para = utf8.AppendRune(para, r)
		}
	}
	c.para = para
}

// plainRun returns the length of the run of printable ASCII but space at the start of s
// (bytes 0x21-0x7F), eight bytes at a time: a byte below 0x21 or from 0x80 sets its high
// bit in one of the two words ("has less", and the high bit itself); a borrow can only mark
// a byte above one that is truly marked, so the lowest mark is exact.
func plainRun(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if m := ((x - ones*0x21) | x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(s) && s[i] > ' ' && s[i] < utf8.RuneSelf {
		i++
	}
	return i
}

// labelOf is the visible text of n (images as alt text) with its whitespace collapsed as
// strings.Fields and strings.Join would: the text of a link or a heading.
func (c *conv) labelOf(n *html.Node) string {
	c.text = c.appendVisible(c.text[:0], n, nil, nil)
	return c.collapse(c.text)
}

// appendVisible appends the visible text of n (images as alt text), whitespace not yet
// collapsed, to b. With a recorder, it also notes in spans where it wrote the value of a
// site (a text node, an image's alt).
func (c *conv) appendVisible(b []byte, x *html.Node, r *recorder, spans *[]siteSpan) []byte {
	switch x.Type {
	case html.TextNode:
		return appendSite(b, x.Data, r, x, "", spans)
	case html.ElementNode:
		if c.hidden(x) || x.DataAtom == atom.Style || x.DataAtom == atom.Script {
			return b
		}
		if x.DataAtom == atom.Img {
			if alt, _ := attr(x, "alt"); !isPixel(x) {
				b = append(appendSite(append(b, ' '), alt, r, x, "alt", spans), ' ')
			}
			return b
		}
		if x.DataAtom == atom.Br {
			b = append(b, ' ')
		}
	}
	for ch := x.FirstChild; ch != nil; ch = ch.NextSibling {
		b = c.appendVisible(b, ch, r, spans)
	}
	return b
}

// appendSite appends v, the value of n's attribute key ("" for n's text), to b, noting its
// span when it is a site of r.
func appendSite(b []byte, v string, r *recorder, n *html.Node, key string, spans *[]siteSpan) []byte {
	if i, ok := r.site(n, key); ok {
		*spans = append(*spans, siteSpan{i, len(b), len(b) + len(v)})
	}
	return append(b, v...)
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
