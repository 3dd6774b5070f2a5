// Package mime writes the RFC 5322 message of a rendered email: multipart/alternative with
// text/plain, then text/x-amp-html (when there is an AMP part), then text/html, every part
// UTF-8 and quoted-printable, on github.com/emersion/go-message. Header values never carry
// CR, LF or other control characters, whatever the data.
package mime

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// Address is a mailbox: an optional display name and an address.
type Address struct{ Name, Email string }

// Message is one email to write.
type Message struct {
	From, To  Address
	ReplyTo   *Address
	Subject   string
	Date      time.Time
	MessageID string // without angle brackets; NewMessageID makes one
	// ListUnsubscribe, an https URL, adds List-Unsubscribe and List-Unsubscribe-Post
	// (one-click, RFC 8058).
	ListUnsubscribe string
	Preheader       string      // not a header; kept for callers
	Headers         [][2]string // extra headers, in order
	Text, AMP, HTML string      // AMP "" means no AMP part
}

// SanitizeHeaderValue makes s safe as a header value: CR, LF, NUL and other C0/C1 control
// characters go (a tab becomes a space), runs of whitespace collapse to one space, invalid
// UTF-8 becomes U+FFFD, and the ends are trimmed.
func SanitizeHeaderValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\t' || r == ' ' || r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// NewMessageID returns a Message-ID (without brackets) that is the same for the same seed.
func NewMessageID(domain, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:16]) + "@" + SanitizeHeaderValue(domain)
}

// ErrAddress is wrapped by errors about unusable addresses.
var ErrAddress = errors.New("invalid address")

func address(field string, a Address) (*gomail.Address, error) {
	email := strings.TrimSpace(a.Email)
	if email == "" || email != SanitizeHeaderValue(email) || strings.ContainsAny(email, "<>\" ,;") {
		return nil, fmt.Errorf("%s: %w %q", field, ErrAddress, a.Email)
	}
	if _, err := mail.ParseAddress(email); err != nil {
		return nil, fmt.Errorf("%s: %w %q", field, ErrAddress, a.Email)
	}
	return &gomail.Address{Name: SanitizeHeaderValue(a.Name), Address: email}, nil
}

// WriteTo writes the message to w.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	b, err := m.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// Bytes returns the whole message.
func (m *Message) Bytes() ([]byte, error) {
	from, err := address("From", m.From)
	if err != nil {
		return nil, err
	}
	to, err := address("To", m.To)
	if err != nil {
		return nil, err
	}
	var replyTo *gomail.Address
	if m.ReplyTo != nil {
		if replyTo, err = address("Reply-To", *m.ReplyTo); err != nil {
			return nil, err
		}
	}
	unsub := SanitizeHeaderValue(m.ListUnsubscribe)
	if unsub != "" && (!strings.HasPrefix(unsub, "https://") || strings.ContainsAny(unsub, "<> ")) {
		return nil, fmt.Errorf("List-Unsubscribe: %q is not an https URL", unsub)
	}
	for _, kv := range m.Headers {
		if k := SanitizeHeaderValue(kv[0]); k == "" || strings.ContainsAny(k, ": ") {
			return nil, fmt.Errorf("invalid header name %q", kv[0])
		}
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	id := SanitizeHeaderValue(strings.Trim(m.MessageID, "<>"))
	if id == "" {
		id = NewMessageID("mailmold.invalid", m.Subject+m.HTML+date.String())
	}
	// go-message writes fields in the reverse order they are added: add them last to first
	// so the message reads From, To, Subject, Date… top down.
	var h gomail.Header
	h.SetContentType("multipart/alternative", map[string]string{"boundary": boundary(m)})
	h.Set("MIME-Version", "1.0")
	for i := len(m.Headers) - 1; i >= 0; i-- {
		h.Add(SanitizeHeaderValue(m.Headers[i][0]), SanitizeHeaderValue(m.Headers[i][1]))
	}
	if unsub != "" {
		h.Set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		h.Set("List-Unsubscribe", "<"+unsub+">")
	}
	h.SetMessageID(id)
	h.SetDate(date)
	h.SetSubject(SanitizeHeaderValue(m.Subject))
	if replyTo != nil {
		h.SetAddressList("Reply-To", []*gomail.Address{replyTo})
	}
	h.SetAddressList("To", []*gomail.Address{to})
	h.SetAddressList("From", []*gomail.Address{from})

	var buf bytes.Buffer
	buf.Grow(len(m.HTML) + len(m.AMP) + len(m.Text) + 2048)
	mw, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, err
	}
	parts := []struct{ typ, body string }{{"text/plain", m.Text}}
	if m.AMP != "" {
		parts = append(parts, struct{ typ, body string }{"text/x-amp-html", m.AMP})
	}
	parts = append(parts, struct{ typ, body string }{"text/html", m.HTML})
	for _, p := range parts {
		var ph message.Header
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := mw.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(pw, strings.ToValidUTF8(p.body, "\uFFFD")); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// boundary derives the multipart boundary from the content, so the same message always has
// the same bytes.
func boundary(m *Message) string {
	h := sha256.New()
	for _, s := range []string{m.Subject, m.Text, m.AMP, m.HTML, m.To.Email} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	return "mm-" + hex.EncodeToString(h.Sum(nil)[:12])
}
