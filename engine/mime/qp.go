package mime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"unicode/utf8"
)

// Quoted-printable (RFC 2045 6.7) encoding of text bodies, appended to one buffer.
//
// The output is byte for byte what mime/quotedprintable.Writer (not Binary) writes for the
// same input, which the tests check: lines of at most 76 characters, ending in a soft line
// break "=" when the text goes on; '=' and every byte outside 33-126 but space and tab
// written as =XX; a line break in the text written as a CRLF hard line break, with a
// space or tab just before it (or at the very end) encoded. A soft line break may fall
// between the bytes of a UTF-8 sequence: decoders put the octets back together.

const (
	qpLineMax = 76 // characters per line, the soft-break "=" included
	upperhex  = "0123456789ABCDEF"

	// qpChunk is how much input is encoded after each check of the buffer's capacity;
	// qpGrowth bounds the output of one input byte (=XX, a soft line break, a space
	// before a line break encoded).
	qpChunk  = 256
	qpGrowth = 4
	qpSlack  = qpChunk*qpGrowth + 16
)

// errNotUTF8 is what appendQuotedPrintable returns for text that is not valid UTF-8.
var errNotUTF8 = errors.New("not valid UTF-8")

// qpLiteral marks the bytes written as themselves: printable ASCII but '=', space and tab.
var qpLiteral = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()

// appendQuotedPrintable appends the quoted-printable encoding of s to b. A CR, LF or CRLF
// in s is one hard line break. It returns errNotUTF8, and b extended with some of the
// encoding, when s is not valid UTF-8.
func appendQuotedPrintable(b []byte, s string) ([]byte, error) {
	b, col, err := appendQP(b, s, 0)
	if err != nil {
		return b, err
	}
	b, _ = encodeTrailingSpace(b, col)
	return b, nil
}

// encodeTrailingSpace encodes the space or tab that ends b, at column col, before a line
// break or the end of the body (see qpTrailingSpace), and returns b and the column.
func encodeTrailingSpace(b []byte, col int) ([]byte, int) {
	if n := len(b); col > 0 && (b[n-1] == ' ' || b[n-1] == '\t') {
		b = growNoZero(b, 8)
		n, col = qpTrailingSpace(b[:cap(b)], n, col)
		b = b[:n]
	}
	return b, col
}

// appendQP appends the encoding of s to b, its first character at column col of the line
// b ends in, and returns the column after it. A space or tab that ends s is left as it is:
// what comes next decides whether it must be encoded (before a line break or the end of
// the body).
func appendQP(b []byte, s string, col int) ([]byte, int, error) {
	for i := 0; i < len(s); {
		b = growNoZero(b, qpSlack)
		n := len(b)
		b = b[:cap(b)]
		var ok bool
		// a chunk may end within a UTF-8 sequence or a CRLF: qpEncode reads past it then
		n, col, i, ok = qpEncode(b, n, col, s, i, min(len(s), i+qpChunk))
		b = b[:n]
		if !ok {
			return b, col, errNotUTF8
		}
	}
	return b, col, nil
}

// qpEncode writes the encoding of s[i:end] into b[n:], which must have room for qpGrowth
// bytes per input byte and 16 more, starting at column col. It returns the new n, col and
// i (past end when the last character or CRLF goes on after end), and false when s is not
// valid UTF-8 at i.
func qpEncode(b []byte, n, col int, s string, i, end int) (int, int, int, bool) {
	for i < end {
		c := s[i]
		switch {
		case qpLiteral[c]:
			if col == qpLineMax-1 {
				n = softBreak(b, n)
				col = 0
			}
			// the run of literal bytes that fits on the line, 8 bytes at a time
			j, stop := i, min(end, i+qpLineMax-1-col)
			for j < stop {
				if j+8 > len(s) {
					for j < stop && qpLiteral[s[j]] {
						b[n] = s[j]
						n++
						j++
					}
					break
				}
				x := load64(s, j)
				k := min(literal8(x), stop-j)
				// all 8 bytes are written; n moves past the literal ones only
				binary.LittleEndian.PutUint64(b[n:], x)
				n += k
				j += k
				if j < stop && k < 8 {
					if s[j] != '\t' {
						break
					}
					b[n] = '\t'
					n++
					j++
				}
			}
			col += j - i
			i = j
		case c == '\n' || c == '\r':
			n, col = qpTrailingSpace(b, n, col)
			b[n], b[n+1] = '\r', '\n'
			n += 2
			col = 0
			i++
			if c == '\r' && i < len(s) && s[i] == '\n' {
				i++
			}
		case c < utf8.RuneSelf:
			n, col = qpByte(b, n, col, c)
			i++
		default:
			size := 2
			if c < 0xC2 || c > 0xDF || i+1 >= len(s) || s[i+1]&0xC0 != 0x80 {
				// not a 2-byte sequence, the most frequent kind
				if _, size = utf8.DecodeRuneInString(s[i:]); size == 1 {
					return n, col, i, false
				}
			}
			for k := range size {
				n, col = qpByte(b, n, col, s[i+k])
			}
			i += size
		}
	}
	return n, col, i, true
}

// qpByte writes c as =XX at b[n:], after a soft line break when it does not fit on the
// line.
func qpByte(b []byte, n, col int, c byte) (int, int) {
	if col > qpLineMax-1-3 {
		n = softBreak(b, n)
		col = 0
	}
	b[n], b[n+1], b[n+2] = '=', upperhex[c>>4], upperhex[c&15]
	return n + 3, col + 3
}

func softBreak(b []byte, n int) int {
	b[n], b[n+1], b[n+2] = '=', '\r', '\n'
	return n + 3
}

// qpTrailingSpace encodes the character before b[n], the last of the line, when it is a
// space or a tab, before a line break or the end of the text.
func qpTrailingSpace(b []byte, n, col int) (int, int) {
	if col > 0 {
		if c := b[n-1]; c == ' ' || c == '\t' {
			return qpByte(b, n-1, col-1, c)
		}
	}
	return n, col
}

// load64 returns s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// literal8 returns how many of the bytes of x, from the low one, are printable ASCII but
// '=', or spaces; a tab stops the count. A byte below 0x20, above 0x7E or equal to '='
// sets its high bit in one of the three words (the classic "has less", "has more" and
// "has zero byte" tests): a borrow or carry can only mark a byte above one that is truly
// marked, so the lowest mark is exact.
func literal8(x uint64) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - ones*' ') &^ x
	above := (x + ones*(0x7F-'~')) | x
	eq := x ^ (ones * '=')
	eq = (eq - ones) &^ eq
	return bits.TrailingZeros64((below|above|eq)&highs) >> 3
}

// growNoZero returns b with room for n more bytes. bytes.Buffer.Grow allocates without
// zeroing the memory, which the caller overwrites anyway.
func growNoZero(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	var buf bytes.Buffer
	buf.Grow(max(2*cap(b), len(b)+n))
	return append(buf.AvailableBuffer(), b...)
}
