package mime_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/mime"
)

// FuzzWrite writes messages with arbitrary subjects, names and bodies: each must parse back
// with net/mail and go-message, with exactly the expected header fields, lines within 78
// characters, the subject and names as sanitized, and the bodies as given.
func FuzzWrite(f *testing.F) {
	s := sample()
	f.Add(s.Subject, s.From.Name, s.To.Name, s.Text, s.AMP, s.HTML)
	f.Add("Hi\r\nBcc: victim@example.com\r\nX: y", "Eve\nX: y", "\"q\" \\ =?x?=", strings.Repeat("é", 3000), "", "a\rb\r\n")
	f.Add("", "", "", "", "", "")
	f.Add(strings.Repeat("x", 300), strings.Repeat("李", 90), "\x00\x7f\u0085\u2028", "--mm-boundary\n", "=?utf-8?q?a?=", "bad\xff")
	f.Fuzz(func(t *testing.T, subject, fromName, toName, text, amp, html string) {
		m := &mime.Message{
			From: mime.Address{Name: fromName, Email: "a@example.com"}, To: mime.Address{Name: toName, Email: "b@example.com"},
			Subject: subject, Date: date, Text: text, AMP: amp, HTML: html,
		}
		raw, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, raw)
		p := parse(t, raw)
		want := []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		var keys []string
		for k := range p.raw.Header {
			keys = append(keys, k)
		}
		if strings.Join(sorted(keys), " ") != strings.Join(want, " ") {
			t.Fatalf("header fields %v", keys)
		}
		if got, _ := p.h.Subject(); got != mime.SanitizeHeaderValue(subject) {
			t.Fatalf("subject %q read back as %q", subject, got)
		}
		for _, tc := range []struct{ field, name string }{{"From", fromName}, {"To", toName}} {
			a, err := p.h.AddressList(tc.field)
			if err != nil || len(a) != 1 || a[0].Name != mime.SanitizeHeaderValue(tc.name) {
				t.Fatalf("%s name %q read back as %v, %v", tc.field, tc.name, a, err)
			}
		}
		bodies := []string{text, html}
		if amp != "" {
			bodies = []string{text, amp, html}
		}
		if len(p.bodies) != len(bodies) {
			t.Fatalf("%d parts, want %d", len(p.bodies), len(bodies))
		}
		for i, b := range bodies {
			b = strings.ToValidUTF8(b, "\uFFFD")
			b = strings.ReplaceAll(strings.ReplaceAll(b, "\r\n", "\n"), "\r", "\n")
			if p.bodies[i] != crlf(b) {
				t.Fatalf("part %d: %q decodes to %q", i, b, p.bodies[i])
			}
		}
		if again, _ := m.Bytes(); !bytes.Equal(raw, again) {
			t.Fatal("not deterministic")
		}
	})
}
