package mime

import (
	"bytes"
	"strings"
	"sync/atomic"
)

// Layouts: one quoted-printable encoding of the text that many bodies share.
//
// A send pipeline writes one template for many recipients, and their bodies differ only in
// the byte ranges written from each recipient's data (the holes). A Layout holds the escaped
// text of one body outside its holes: each piece between two holes with its '=', control and
// non-ASCII bytes written =XX, its line breaks as CRLF and the white space before them
// encoded, but no soft line breaks, since where those fall depends on the column a piece
// starts at, and that depends on the values before it. A body with the same text around its
// holes is then written by laying the escaped pieces out into lines (a copy, with a soft
// break every 75 characters, moved back so as not to split an =XX) and encoding only the
// holes. The result is byte for byte what appendQuotedPrintable writes for the whole body,
// so the cache changes nothing but the time it takes.
//
// Nothing is taken on trust: every piece of a body is compared with the layout's before its
// escaped text is used, and a body that differs anywhere is encoded whole instead.

// Holes gives where a body came from data, for the layouts of its part.
type Holes struct {
	// Ranges are the byte ranges of the body written from data, in order and apart.
	Ranges [][2]int
	// Cache keeps the Layout of the bodies of one kind (the HTML part of one template
	// layout, say); nil means the body is encoded without one.
	Cache *LayoutCache
}

// LayoutCache keeps one Layout: made from the first body encoded through it, and made again
// from a later body that does not fit it, at most maxRemakes times (a cache whose bodies
// keep differing stops paying for layouts).
type LayoutCache struct {
	layout  atomic.Pointer[Layout]
	remakes atomic.Int32
}

const maxRemakes = 3

// Layout is the escaped text of a body outside its holes (see Holes).
type Layout struct {
	text   string   // the body it was made from
	ranges [][2]int // its holes
	esc    []byte   // the escaped pieces around the holes, one after another
	ends   []int    // ends[k] is where piece k ends in esc
}

// newLayout returns the layout of body with holes at ranges, or nil when ranges are not in
// order within body, a piece holds a CR (a line break that lfBreaks rewrites), or a piece is
// not valid UTF-8.
func newLayout(body string, ranges [][2]int) *Layout {
	if !inOrder(ranges, len(body)) {
		return nil
	}
	l := &Layout{text: body, ranges: ranges, ends: make([]int, 0, len(ranges)+1)}
	l.esc = make([]byte, 0, len(body)+len(body)/8+16)
	var enc []byte
	for k := 0; k <= len(ranges); k++ {
		piece := l.piece(k)
		if strings.IndexByte(piece, '\r') >= 0 {
			return nil
		}
		var err error
		if k == len(ranges) {
			// the last piece ends the body: a space or tab there is encoded
			enc, err = appendQuotedPrintable(enc[:0], piece)
		} else {
			// what follows a piece decides about a space or tab that ends it
			enc, _, err = appendQP(enc[:0], piece, 0)
		}
		if err != nil {
			return nil
		}
		// the escaped text is the encoding without its soft line breaks: '=' starts
		// either one of those or an =XX escape, never "=\r" otherwise
		for rest := enc; len(rest) > 0; {
			i := bytes.Index(rest, []byte("=\r\n"))
			if i < 0 {
				l.esc = append(l.esc, rest...)
				break
			}
			l.esc = append(l.esc, rest[:i]...)
			rest = rest[i+3:]
		}
		l.ends = append(l.ends, len(l.esc))
	}
	return l
}

// inOrder reports whether ranges are in order and apart within a text of n bytes.
func inOrder(ranges [][2]int, n int) bool {
	at := 0
	for _, r := range ranges {
		if r[0] < at || r[1] < r[0] || r[1] > n {
			return false
		}
		at = r[1]
	}
	return true
}

// piece returns the layout's text between hole k-1 and hole k (the first piece before the
// first hole, the last after the last).
func (l *Layout) piece(k int) string {
	from, to := 0, len(l.text)
	if k > 0 {
		from = l.ranges[k-1][1]
	}
	if k < len(l.ranges) {
		to = l.ranges[k][0]
	}
	return l.text[from:to]
}

// appendTo appends the encoding of body, whose holes are at ranges, to b. It returns b as
// it was and false when body does not fit the layout: a different number of holes, a piece
// of text that differs, or a hole that holds a CR. The error is errNotUTF8, for a hole that
// is not valid UTF-8.
func (l *Layout) appendTo(b []byte, body string, ranges [][2]int) ([]byte, bool, error) {
	if len(ranges) != len(l.ranges) || !inOrder(ranges, len(body)) {
		return b, false, nil
	}
	start, at, col := len(b), 0, 0
	for k := 0; ; k++ {
		end := len(body)
		if k < len(ranges) {
			end = ranges[k][0]
		}
		if body[at:end] != l.piece(k) {
			return b[:start], false, nil
		}
		from := 0
		if k > 0 {
			from = l.ends[k-1]
		}
		b, col = layOut(b, l.esc[from:l.ends[k]], col)
		if k == len(ranges) {
			break
		}
		v := body[ranges[k][0]:ranges[k][1]]
		if strings.IndexByte(v, '\r') >= 0 {
			return b[:start], false, nil
		}
		var err error
		if b, col, err = appendQP(b, v, col); err != nil {
			return b[:start], true, err
		}
		at = ranges[k][1]
	}
	b, _ = encodeTrailingSpace(b, col) // a space or tab written from data ends the body
	return b, true, nil
}

// layOut appends esc, escaped text (see Layout), to b from column col, with the soft line
// breaks qpEncode would write, and returns b and the column after it. Each line takes up to
// qpLineMax-1 characters, fewer when an =XX would cross the end. A hard line break after a
// space or tab written from data (the last byte of b) encodes it, as qpEncode does.
func layOut(b []byte, esc []byte, col int) ([]byte, int) {
	for len(esc) > 0 {
		line := esc
		hard := bytes.IndexByte(esc, '\r')
		if hard >= 0 {
			line = esc[:hard]
		}
		for {
			room := qpLineMax - 1 - col
			if len(line) <= room {
				b = append(b, line...)
				col += len(line)
				break
			}
			cut := room
			if cut >= 1 && line[cut-1] == '=' {
				cut--
			} else if cut >= 2 && line[cut-2] == '=' {
				cut -= 2
			}
			b = append(b, line[:cut]...)
			b = append(b, "=\r\n"...)
			line, col = line[cut:], 0
		}
		if hard < 0 {
			break
		}
		b, _ = encodeTrailingSpace(b, col)
		b = append(b, "\r\n"...)
		esc, col = esc[hard+2:], 0
	}
	return b, col
}

// appendBody appends the encoding of body to b, the bytes appendQuotedPrintable writes,
// through h's layout when body fits it. The layout is made (or made again) from body when
// there is none or body does not fit it.
func appendBody(b []byte, body string, h Holes) ([]byte, error) {
	if h.Cache == nil || !inOrder(h.Ranges, len(body)) {
		return appendQuotedPrintable(b, body)
	}
	l := h.Cache.layout.Load()
	if l != nil {
		if out, fits, err := l.appendTo(b, body, h.Ranges); fits {
			return out, err
		}
	}
	if l == nil || h.Cache.remakes.Add(1) <= maxRemakes {
		if l = newLayout(body, h.Ranges); l != nil {
			h.Cache.layout.Store(l)
			// the body the layout was made from fits it (its holes may still hold a CR)
			if out, fits, err := l.appendTo(b, body, h.Ranges); fits {
				return out, err
			}
		}
	}
	return appendQuotedPrintable(b, body)
}
