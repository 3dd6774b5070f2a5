package mime_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	stdmime "mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// stdParts reads raw with the standard library only (net/mail, mime/multipart and
// mime/quotedprintable's Reader) and returns the decoded bodies.
func stdParts(t testing.TB, raw []byte) []string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	typ, params, err := stdmime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || typ != "multipart/alternative" {
		t.Fatalf("Content-Type %q, %v", typ, err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var bodies []string
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("Content-Transfer-Encoding %q", cte)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
}

// TestRoundTripRandom writes messages with random bodies (white space at line ends, '=',
// control characters, UTF-8 of every length, long lines, lines that look like boundaries,
// CR and invalid UTF-8) and reads the exact bodies back with the standard library.
func TestRoundTripRandom(t *testing.T) {
	alphabet := []string{"a", "<p>", "=", "=3D", " ", "\t", "\n", "\r\n", "\r", "\x00", "\x7f", "é", "李", "🏕", "\xff",
		"  \n", "\n--mm-", "--", strings.Repeat("y", 80)}
	r := rand.New(rand.NewPCG(3, 4))
	body := func() string {
		var b strings.Builder
		for range r.IntN(300) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 300 {
		m := sample()
		m.Text, m.AMP, m.HTML = body(), body(), body()
		raw, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, raw)
		want := []string{m.Text, m.HTML}
		if m.AMP != "" {
			want = []string{m.Text, m.AMP, m.HTML}
		}
		got := stdParts(t, raw)
		if len(got) != len(want) {
			t.Fatalf("%d parts, want %d", len(got), len(want))
		}
		for i, w := range want {
			w = strings.ToValidUTF8(w, "\uFFFD")
			w = strings.ReplaceAll(strings.ReplaceAll(w, "\r\n", "\n"), "\r", "\n")
			if got[i] != crlf(w) {
				t.Fatalf("part %d: %q reads back as %q", i, w, got[i])
			}
		}
		var b bytes.Buffer
		if n, err := m.WriteTo(&b); err != nil || n != int64(len(raw)) || !bytes.Equal(b.Bytes(), raw) {
			t.Fatalf("WriteTo wrote %d bytes (%v), not what Bytes returns", n, err)
		}
	}
}

// TestBoundaryInBody: a body that quotes a whole message, boundary lines and all, reads
// back whole.
func TestBoundaryInBody(t *testing.T) {
	m := sample()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m.Text += "\n" + strings.ReplaceAll(string(raw), "\r\n", "\n")
	raw, err = m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if got := stdParts(t, raw); len(got) != 3 || got[0] != strings.ReplaceAll(m.Text, "\n", "\r\n") {
		t.Errorf("%d parts, text %.100q", len(got), got[0])
	}
}
