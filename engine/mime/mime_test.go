package mime_test

import (
	"bytes"
	"errors"
	"io"
	"net/mail"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/mailmold/mailmold/engine/mime"
)

func sample() *mime.Message {
	return &mime.Message{
		From:            mime.Address{Name: "Northwind Outfitters", Email: "hello@northwind.example"},
		To:              mime.Address{Name: "Ünal Yılmaz", Email: "unal@example.com"},
		Subject:         "Ünal, 李 — your cart is waiting 🏕️",
		Date:            time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC),
		MessageID:       mime.NewMessageID("northwind.example", "seed"),
		ListUnsubscribe: "https://northwind.example/unsubscribe?u=1",
		Text:            "Hello Ünal\n",
		AMP:             "<!doctype html><html ⚡4email><body>amp</body></html>",
		HTML:            "<p>Hello Ünal</p>" + strings.Repeat("x", 5000),
	}
}

// parse reads a message back with go-message and returns its parts' types and bodies.
func parse(t *testing.T, raw []byte) (*gomail.Reader, []string, []string) {
	t.Helper()
	if _, err := mail.ReadMessage(bytes.NewReader(raw)); err != nil {
		t.Fatalf("net/mail cannot read it: %v", err)
	}
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var types, bodies []string
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct := p.Header.Get("Content-Type")
		b, _ := io.ReadAll(p.Body)
		types = append(types, ct)
		// quoted-printable text travels with CRLF line breaks
		bodies = append(bodies, strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	return r, types, bodies
}

func TestRoundTrip(t *testing.T) {
	m := sample()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	r, types, bodies := parse(t, raw)
	want := []string{"text/plain; charset=utf-8", "text/x-amp-html; charset=utf-8", "text/html; charset=utf-8"}
	if strings.Join(types, "|") != strings.Join(want, "|") {
		t.Errorf("parts %v, want %v", types, want)
	}
	if bodies[0] != m.Text || bodies[1] != m.AMP || bodies[2] != m.HTML {
		t.Errorf("decoded bodies differ from the input: %q %q %.80q", bodies[0], bodies[1], bodies[2])
	}
	subj, _ := r.Header.Subject()
	if subj != m.Subject {
		t.Errorf("subject %q", subj)
	}
	to, _ := r.Header.AddressList("To")
	if len(to) != 1 || to[0].Name != "Ünal Yılmaz" || to[0].Address != "unal@example.com" {
		t.Errorf("to %v", to)
	}
	if r.Header.Get("List-Unsubscribe") != "<https://northwind.example/unsubscribe?u=1>" || r.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Error("List-Unsubscribe headers missing")
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 78 {
			t.Errorf("line of %d bytes: %.60q", len(l), l)
		}
	}
	again, _ := m.Bytes()
	if !bytes.Equal(raw, again) {
		t.Error("output is not deterministic")
	}
}

func TestNoAMPPart(t *testing.T) {
	m := sample()
	m.AMP = ""
	raw, _ := m.Bytes()
	_, types, _ := parse(t, raw)
	if len(types) != 2 || !strings.HasPrefix(types[0], "text/plain") || !strings.HasPrefix(types[1], "text/html") {
		t.Errorf("parts %v", types)
	}
}

// TestHostileHeaders proves CR/LF in data never creates or splits a header.
func TestHostileHeaders(t *testing.T) {
	m := sample()
	m.Subject = "Hi\r\nBcc: victim@example.com\r\nX-Evil: y"
	m.To.Name = "Eve\r\nCc: spy@example.com"
	m.From.Name = "Shop\nReply-To: attacker@example.com"
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Bcc", "X-Evil", "Cc", "Reply-To"} {
		if v := msg.Header.Get(h); v != "" {
			t.Errorf("data created header %s: %q", h, v)
		}
	}
	r, _, _ := parse(t, raw)
	subj, _ := r.Header.Subject()
	if strings.ContainsAny(subj, "\r\n") || !strings.Contains(subj, "Bcc: victim") {
		t.Errorf("subject %q", subj)
	}
	m.To.Email = "a@example.com\r\nBcc: x@example.com"
	if _, err := m.Bytes(); !errors.Is(err, mime.ErrAddress) {
		t.Errorf("hostile address: %v", err)
	}
}

func TestSanitizeHeaderValue(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb":         "a b",
		"  x\t\ty  ":     "x y",
		"nul\x00here":    "nulhere",
		"bad\xffutf8":    "bad\uFFFDutf8",
		"line\u2028sep":  "line sep",
		"bidi\u202eokay": "bidi\u202eokay",
	} {
		if got := mime.SanitizeHeaderValue(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

func FuzzWrite(f *testing.F) {
	f.Add("Subject", "Name", "<p>x</p>", "text")
	f.Add("Hi\r\nBcc: a@b.c", "Eve\nX: y", strings.Repeat("é", 3000), "")
	f.Fuzz(func(t *testing.T, subject, name, html, text string) {
		m := &mime.Message{From: mime.Address{Name: name, Email: "a@example.com"}, To: mime.Address{Name: name, Email: "b@example.com"},
			Subject: subject, Date: time.Unix(0, 0), HTML: html, Text: text}
		raw, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("unparsable: %v", err)
		}
		for k := range msg.Header {
			switch k {
			case "From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type":
			default:
				t.Fatalf("unexpected header %q", k)
			}
		}
	})
}

func BenchmarkWrite(b *testing.B) {
	m := sample()
	m.HTML = strings.Repeat("<p>Hello Ünal, here is a paragraph of text.</p>\n", 600)
	m.AMP = strings.Repeat("<p>amp</p>\n", 2000)
	m.Text = strings.Repeat("Hello, a line of text.\n", 220)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := m.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
