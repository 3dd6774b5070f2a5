package mime

import (
	"bytes"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// stdQP is what mime/quotedprintable.Writer writes for s, the reference for the encoder.
func stdQP(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func encodeQP(t testing.TB, s string) string {
	t.Helper()
	b, err := appendQuotedPrintable([]byte("prefix"), s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	if !bytes.HasPrefix(b, []byte("prefix")) {
		t.Fatalf("%q: the bytes before were changed", s)
	}
	return string(b[len("prefix"):])
}

// checkQP checks the encoding of s (valid UTF-8, no CR): the same bytes as the standard
// library's writer, lines within 76 characters, and decoding back to s with CRLF breaks.
func checkQP(t testing.TB, s string) {
	t.Helper()
	got := encodeQP(t, s)
	if want := stdQP(t, s); got != want {
		t.Fatalf("%.80q:\n got %.200q\nwant %.200q", s, got, want)
	}
	// what keeps the boundary out of every body (see appendParts)
	if i := strings.Index(got, "=_"); i >= 0 {
		t.Fatalf("%.80q: the encoding holds =_ at %d", s, i)
	}
	for i, l := range strings.Split(got, "\r\n") {
		if len(l) > qpLineMax || strings.ContainsAny(l, "\r\n") {
			t.Fatalf("%.80q: line %d is %q", s, i+1, l)
		}
		if strings.HasSuffix(l, " ") || strings.HasSuffix(l, "\t") {
			t.Fatalf("%.80q: line %d ends in white space: %q", s, i+1, l)
		}
	}
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(got)))
	if err != nil || string(dec) != strings.ReplaceAll(s, "\n", "\r\n") {
		t.Fatalf("%.80q decodes to %.80q, %v", s, dec, err)
	}
}

func TestQuotedPrintable(t *testing.T) {
	x75, x76 := strings.Repeat("x", 75), strings.Repeat("x", 76)
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "Hello", "Hello"},
		{"75 characters fit a line", x75, x75},
		{"76 characters take a soft break", x76, x75 + "=\r\nx"},
		{"76 characters then a line break", x76 + "\n", x75 + "=\r\nx\r\n"},
		{"equals sign", "a=b", "a=3Db"},
		{"equals sign at the soft-break position", strings.Repeat("x", 73) + "=y", strings.Repeat("x", 73) + "=\r\n=3Dy"},
		{"equals sign that just fits", strings.Repeat("x", 72) + "=y", strings.Repeat("x", 72) + "=3D=\r\ny"},
		{"trailing space before LF", "a \nb", "a=20\r\nb"},
		{"trailing tab before LF", "a\t\nb", "a=09\r\nb"},
		{"trailing space at the end", "a ", "a=20"},
		{"inner spaces stay", "a b\tc", "a b\tc"},
		{"trailing space at the soft-break position", strings.Repeat("x", 74) + " \n", strings.Repeat("x", 74) + "=\r\n=20\r\n"},
		{"LF becomes CRLF", "a\nb\n", "a\r\nb\r\n"},
		{"CRLF stays one break", "a\r\nb", "a\r\nb"},
		{"lone CR is a break", "a\rb", "a\r\nb"},
		{"empty lines", "\n\n", "\r\n\r\n"},
		{"control bytes and DEL", "\x00\x1f\x7f", "=00=1F=7F"},
		{"two-byte UTF-8", "Ü", "=C3=9C"},
		{"four-byte UTF-8", "🏕", "=F0=9F=8F=95"},
		// like mime/quotedprintable, a soft break may split a UTF-8 sequence
		{"UTF-8 split by a soft break", strings.Repeat("x", 71) + "Ü", strings.Repeat("x", 71) + "=C3=\r\n=9C"},
		{"long non-ASCII line", strings.Repeat("é", 13), strings.Repeat("=C3=A9", 12) + "=C3=\r\n=A9"},
		{"tab in a literal run", "aaaaaaa\tbbbbbbbbbbbbbbbb", "aaaaaaa\tbbbbbbbbbbbbbbbb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := encodeQP(t, tc.in); got != tc.want {
				t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if !strings.Contains(tc.in, "\r") {
				checkQP(t, tc.in)
			}
		})
	}
}

func TestQuotedPrintableNotUTF8(t *testing.T) {
	for _, s := range []string{"\xff", "ab\xc3", "ab\xc3(", "\xed\xa0\x80", strings.Repeat("x", 300) + "\xe2\x82"} {
		if _, err := appendQuotedPrintable(nil, s); err != errNotUTF8 {
			t.Errorf("%q: error %v, want errNotUTF8", s, err)
		}
	}
}

// TestQuotedPrintableRandom compares the encoder with mime/quotedprintable on random text
// made of the characters that matter: ASCII, '=', white space, line breaks, control
// characters and UTF-8 sequences of every length, in runs that cross the chunk size.
func TestQuotedPrintableRandom(t *testing.T) {
	alphabet := []string{"a", "Z", "0", "<p>", "=", " ", "\t", "\n", "\x00", "\x7f", "é", "李", "🏕", "  \n", strings.Repeat("x", 70)}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b strings.Builder
		for range r.IntN(200) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		checkQP(t, b.String())
	}
}

// FuzzQuotedPrintable checks the encoder against mime/quotedprintable.Writer and its
// Reader. The seeds are the golden messages.
func FuzzQuotedPrintable(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("a \n\tb\t\n" + strings.Repeat("é", 40) + strings.Repeat("=", 30))
	f.Fuzz(func(t *testing.T, s string) {
		s = lfBreaks(s)
		if !utf8.ValidString(s) {
			if _, err := appendQuotedPrintable(nil, s); err != errNotUTF8 {
				t.Fatalf("%q: error %v, want errNotUTF8", s, err)
			}
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		checkQP(t, s)
	})
}

func TestBoundaryOfHeader(t *testing.T) {
	parts := []part{{typ: "text/plain", body: "x"}}
	a := boundaryOf(nil, []string{"Message-ID: <1@x.example>\r\n"}, parts)
	if c := boundaryOf(nil, []string{"Message-ID: <2@x.example>\r\n"}, parts); c == a {
		t.Error("the header does not change the boundary")
	}
	if c := boundaryOf(nil, []string{"Message-ID: <1@x.example>\r\n"}, parts); c != a {
		t.Error("the same message gets another boundary")
	}
	if !strings.HasPrefix(string(a[:]), "mm=_") {
		t.Errorf("boundary %s has no =_", a)
	}
}

// TestAddrSpecDotAtom: the addresses addrSpec accepts without net/mail (dot-atom local part
// and domain) are ones net/mail reads back as themselves.
func TestAddrSpecDotAtom(t *testing.T) {
	atext := "abcXYZ019!#$%&'*+-/=?^_`{|}~."
	r := rand.New(rand.NewPCG(7, 8))
	word := func() string {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = atext[r.IntN(len(atext))]
		}
		return string(b)
	}
	for range 5000 {
		s := word() + "@" + word()
		if !isMsgID(s) {
			continue
		}
		p, err := mail.ParseAddress(s)
		if err != nil || p.Name != "" || p.Address != s {
			t.Fatalf("%q: net/mail reads %+v, %v", s, p, err)
		}
	}
}
