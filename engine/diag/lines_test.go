package diag_test

import (
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
)

// Offset is the inverse of At: columns count characters, so a line with non-ASCII text
// before the place maps back to the same byte.
func TestLinesOffset(t *testing.T) {
	src := "ab\nÜnal — <img>\n李\n"
	l := diag.NewLines(src)
	for off := range len(src) + 1 {
		if off < len(src) && src[off]&0xC0 == 0x80 {
			continue // inside a character: no column names it
		}
		line, col := l.At(off)
		if got := l.Offset(line, col); got != off {
			t.Errorf("Offset(At(%d) = %d:%d) = %d", off, line, col, got)
		}
	}
	for _, c := range []struct{ line, col, want int }{
		{2, 8, 13}, // "<img>" after "Ünal — " (7 characters, 10 bytes)
		{1, 9, 2},  // past the end of line 1: its end
		{0, 1, -1}, // no line 0
		{5, 1, -1}, // past the last line
		{1, 0, -1}, // no column 0
	} {
		if got := l.Offset(c.line, c.col); got != c.want {
			t.Errorf("Offset(%d, %d) = %d, want %d", c.line, c.col, got, c.want)
		}
	}
}
