package text

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// TestPlainRun compares plainRun with a byte loop on random text around the bytes that end a
// run (space, control characters, UTF-8 and DEL), at every offset of an 8-byte word.
func TestPlainRun(t *testing.T) {
	slow := func(s string) int {
		i := 0
		for i < len(s) && s[i] > ' ' && s[i] < utf8.RuneSelf {
			i++
		}
		return i
	}
	alphabet := []byte{'a', 'Z', '!', '~', 0x7f, 0x21, 0x20, 0x1f, 0x00, 0x80, 0xc3, 0xff, '\n', '\t'}
	r := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = 'x'
			if r.IntN(6) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		if got, want := plainRun(string(b)), slow(string(b)); got != want {
			t.Fatalf("%q: %d, want %d", b, got, want)
		}
	}
}
