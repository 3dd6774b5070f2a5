// Package mime writes the RFC 5322 message of a rendered email on
// github.com/emersion/go-message: multipart/alternative with text/plain, then
// text/x-amp-html (when there is an AMP part), then text/html, every part UTF-8 and
// quoted-printable.
//
// Header values never carry CR, LF or other control characters, whatever the data: every
// value goes through SanitizeHeaderValue, non-ASCII text becomes RFC 2047 encoded-words,
// and addresses that are not a plain addr-spec are refused with an error. Header lines are
// folded to at most 78 characters; only a token that cannot be split (a long address or
// List-Unsubscribe URL) makes a longer line, and never one over 998.
//
// The same Message always gives the same bytes: the multipart boundary is a hash of the
// content.
package mime

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-message"
)

// Address is a mailbox: an optional display name and an addr-spec (local@domain).
type Address struct{ Name, Email string }

// Message is one email to write.
type Message struct {
	From, To Address
	ReplyTo  *Address // nil: no Reply-To
	Subject  string
	Date     time.Time // required: the zero time is an error
	// MessageID is the Message-ID without angle brackets; NewMessageID makes one. When
	// empty, one is derived from the From domain and the content.
	MessageID string
	// ListUnsubscribe, an https URL, adds List-Unsubscribe: <url> and
	// List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
	ListUnsubscribe string
	Preheader       string      // not a header; ignored here, kept for callers
	Headers         [][2]string // extra header fields (name, value), in order
	Text, AMP, HTML string      // AMP "" means no AMP part
}

// Errors wrapped by the errors Bytes and WriteTo return.
var (
	ErrAddress = errors.New("invalid address")
	ErrHeader  = errors.New("invalid header")
)

// WriteTo writes the message to w and returns the number of bytes written. Nothing is
// written when the message is invalid.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	h, err := m.header()
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: w}
	err = m.write(cw, h)
	return cw.n, err
}

// Bytes returns the whole message.
func (m *Message) Bytes() ([]byte, error) {
	h, err := m.header()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(m.HTML) + len(m.AMP) + len(m.Text) + len(m.HTML)/8 + 2048)
	if err := m.write(&buf, h); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type part struct{ typ, body string }

// parts returns the alternative parts in order, bodies as valid UTF-8 with LF line breaks
// (quoted-printable writes them as CRLF).
func (m *Message) parts() []part {
	ps := make([]part, 0, 3)
	ps = append(ps, part{"text/plain", normalizeBody(m.Text)})
	if m.AMP != "" {
		ps = append(ps, part{"text/x-amp-html", normalizeBody(m.AMP)})
	}
	return append(ps, part{"text/html", normalizeBody(m.HTML)})
}

func normalizeBody(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// write writes the header fields h (formatted, in order) and the parts.
func (m *Message) write(w io.Writer, fields []string) error {
	parts := m.parts()
	sum := sha256.New()
	for _, f := range fields {
		io.WriteString(sum, f)
	}
	for _, p := range parts {
		io.WriteString(sum, p.typ)
		sum.Write([]byte{0})
		io.WriteString(sum, p.body)
		sum.Write([]byte{0})
	}
	boundary := "mm-" + hex.EncodeToString(sum.Sum(nil)[:15])
	fields = append(fields, "MIME-Version: 1.0\r\n", "Content-Type: multipart/alternative;\r\n boundary="+boundary+"\r\n")
	// go-message writes the fields added last first
	var h message.Header
	for i := len(fields) - 1; i >= 0; i-- {
		h.AddRaw([]byte(fields[i]))
	}
	mw, err := message.CreateWriter(w, h)
	if err != nil {
		return err
	}
	for _, p := range parts {
		var ph message.Header
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		pw, err := mw.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

// header validates the message and returns its header fields, each formatted and folded
// with its CRLF, in the order they are written (MIME-Version and Content-Type follow).
func (m *Message) header() ([]string, error) {
	if m.Date.IsZero() {
		return nil, fmt.Errorf("Date: %w: not set", ErrHeader)
	}
	from, err := addressField("From", m.From)
	if err != nil {
		return nil, err
	}
	to, err := addressField("To", m.To)
	if err != nil {
		return nil, err
	}
	fields := []string{from, to}
	if m.ReplyTo != nil {
		f, err := addressField("Reply-To", *m.ReplyTo)
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	fields = append(fields, textField("Subject", SanitizeHeaderValue(m.Subject)),
		"Date: "+m.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700")+"\r\n")
	id := SanitizeHeaderValue(m.MessageID)
	if id == "" {
		id = NewMessageID(domainOf(m.From.Email), m.Subject+"\x00"+m.Text+"\x00"+m.AMP+"\x00"+m.HTML+"\x00"+m.Date.UTC().String())
	}
	if !isMsgID(id) {
		return nil, fmt.Errorf("Message-ID: %w: %q is not local@domain", ErrHeader, id)
	}
	fields = append(fields, tokenField("Message-ID", "<"+id+">"))
	if u := SanitizeHeaderValue(m.ListUnsubscribe); u != "" {
		if !strings.HasPrefix(u, "https://") || strings.ContainsAny(u, "<> \"") || !isASCII(u) {
			return nil, fmt.Errorf("List-Unsubscribe: %w: %q is not an https URL", ErrHeader, u)
		}
		fields = append(fields, tokenField("List-Unsubscribe", "<"+u+">"), "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
	}
	for _, kv := range m.Headers {
		name := SanitizeHeaderValue(kv[0])
		if !isFieldName(name) {
			return nil, fmt.Errorf("%w: %q is not a header field name", ErrHeader, kv[0])
		}
		if reserved[strings.ToLower(name)] {
			return nil, fmt.Errorf("%w: %s is written from the Message fields, not from Headers", ErrHeader, name)
		}
		fields = append(fields, textField(name, SanitizeHeaderValue(kv[1])))
	}
	for _, f := range fields {
		if len(f) > 0 && maxLine(f) > hardMax {
			return nil, fmt.Errorf("%w: a line of %s is over %d characters", ErrHeader, f[:strings.IndexByte(f, ':')], hardMax)
		}
	}
	return fields, nil
}

// reserved are the fields Message writes itself; Headers may not add them again.
var reserved = map[string]bool{
	"from": true, "to": true, "reply-to": true, "subject": true, "date": true, "message-id": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true,
	"list-unsubscribe": true, "list-unsubscribe-post": true,
}

// SanitizeHeaderValue makes s safe as a header value: invalid UTF-8 becomes U+FFFD, every
// run of white space (a tab, CR, LF and any other Unicode space) becomes one space, NUL and
// the other C0 and C1 control characters and DEL go, and the ends are trimmed.
func SanitizeHeaderValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
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

// NewMessageID returns a Message-ID without angle brackets: the hex of the first 16 bytes
// of SHA-256(seed), "@", and domain. The same seed and domain give the same ID. A domain
// that is not a dot-atom (after SanitizeHeaderValue) is replaced by "mailmold.invalid".
func NewMessageID(domain, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	domain = SanitizeHeaderValue(domain)
	if !isDotAtom(domain) {
		domain = "mailmold.invalid"
	}
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

func domainOf(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return email[i+1:]
	}
	return ""
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
