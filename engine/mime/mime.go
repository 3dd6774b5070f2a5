// Package mime writes the RFC 5322 message of a rendered email: multipart/alternative
// with text/plain, then text/x-amp-html (when there is an AMP part), then text/html, every
// part UTF-8 and quoted-printable. The message is formatted straight into one buffer, the
// bodies with a quoted-printable encoder of its own that writes what
// mime/quotedprintable.Writer would; for a body whose holes (the ranges written from data)
// are given, the escaped text outside them is kept once per layout and only the holes are
// encoded, with the same bytes as a result (see Holes). The tests read every message back
// with net/mail, mime/multipart and github.com/emersion/go-message.
//
// Header values never carry CR, LF or other control characters, whatever the data: every
// value goes through SanitizeHeaderValue, non-ASCII text becomes RFC 2047 encoded-words,
// and addresses that are not a plain addr-spec are refused with an error. Header lines are
// folded to at most 78 characters; only a token that cannot be split (a long address or
// List-Unsubscribe URL) makes a longer line, and never one over 998.
//
// The same Message always gives the same bytes: the multipart boundary is "mm=_" and a
// hash of the header fields (CRC-32C and CRC-32). No content can end a part early: "=_"
// never occurs in a quoted-printable body, so neither does the boundary.
package mime

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
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
	// HTMLHoles and AMPHoles say where the HTML and AMP bodies came from data, so that the
	// text around that is escaped once per layout instead of once per message (see Holes).
	// The zero value encodes the body without a layout; the bytes are the same either way.
	HTMLHoles, AMPHoles Holes
}

// Errors wrapped by the errors Bytes and WriteTo return.
var (
	ErrAddress = errors.New("invalid address")
	ErrHeader  = errors.New("invalid header")
)

// WriteTo writes the message to w, with one Write, and returns the number of bytes
// written. Nothing is written when the message is invalid.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	h, err := m.header()
	if err != nil {
		return 0, err
	}
	bp := bufPool.Get().(*[]byte)
	b := m.appendMessage((*bp)[:0], h)
	n, err := w.Write(b)
	if cap(b) <= maxPooled {
		*bp = b
		bufPool.Put(bp)
	}
	return int64(n), err
}

// Bytes returns the whole message.
func (m *Message) Bytes() ([]byte, error) { return m.AppendTo(nil) }

// AppendTo appends the whole message to b and returns the extended buffer; b is returned
// as it was when the message is invalid. A caller that formats many messages can reuse one
// buffer.
func (m *Message) AppendTo(b []byte) ([]byte, error) {
	h, err := m.header()
	if err != nil {
		return b, err
	}
	return m.appendMessage(b, h), nil
}

// bufPool holds the buffers WriteTo formats messages in; one over maxPooled is dropped.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooled = 1 << 20

type part struct {
	typ, body string
	holes     Holes
}

// parts returns the alternative parts in order, bodies with LF line breaks
// (quoted-printable writes them as CRLF). A body that is not valid UTF-8 is left as it is:
// appendMessage finds that while encoding, and then calls validUTF8.
func (m *Message) parts() []part {
	ps := make([]part, 0, 3)
	ps = append(ps, part{typ: "text/plain", body: lfBreaks(m.Text)})
	if m.AMP != "" {
		ps = append(ps, bodyPart("text/x-amp-html", m.AMP, m.AMPHoles))
	}
	return append(ps, bodyPart("text/html", m.HTML, m.HTMLHoles))
}

// bodyPart returns the part of type typ with body and its holes; a body whose line breaks
// lfBreaks rewrites loses its holes (they no longer say where its data is).
func bodyPart(typ, body string, h Holes) part {
	if strings.IndexByte(body, '\r') >= 0 {
		return part{typ: typ, body: lfBreaks(body)}
	}
	return part{typ: typ, body: body, holes: h}
}

// lfBreaks turns the CRLF and CR line breaks of s into LF.
func lfBreaks(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// validUTF8 replaces each run of bytes that are not UTF-8 in the bodies with U+FFFD.
func validUTF8(parts []part) {
	for i := range parts {
		if v := strings.ToValidUTF8(parts[i].body, "\uFFFD"); v != parts[i].body {
			parts[i].body, parts[i].holes = v, Holes{}
		}
	}
}

// appendMessage appends to b the whole message: the header fields (formatted, in order),
// MIME-Version, Content-Type and the parts, and returns the extended buffer.
func (m *Message) appendMessage(b []byte, fields []string) []byte {
	parts := m.parts()
	size := len(partHead)*len(parts) + 256 + qpSlack
	for _, f := range fields {
		size += len(f)
	}
	for _, p := range parts {
		// quoted-printable: a soft line break per 75 characters, and some escapes
		size += len(p.body) + len(p.body)/8 + 16
	}
	b = growNoZero(b, size)
	out, err := appendParts(b, fields, parts)
	if err != nil { // errNotUTF8: the bodies are valid UTF-8 almost always, so check late
		validUTF8(parts)
		out, _ = appendParts(b, fields, parts)
	}
	return out
}

// appendParts appends the header fields, MIME-Version, Content-Type and the parts to b.
// It stops with errNotUTF8 when a body is not valid UTF-8.
//
// The boundary holds "=_", which no quoted-printable body can: there '=' only starts an
// escape (two hex digits) or a soft line break (CRLF). So the boundary never occurs in a
// body, whatever the body holds, and nothing needs to be searched for it.
func appendParts(b []byte, fields []string, parts []part) ([]byte, error) {
	boundary := boundaryOf(b[len(b):cap(b)], fields, parts)
	for _, f := range fields {
		b = append(b, f...)
	}
	b = append(b, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary=\""...)
	b = append(b, boundary[:]...)
	b = append(b, "\"\r\n\r\n"...)
	for i, p := range parts {
		if i > 0 {
			b = append(b, "\r\n"...)
		}
		b = append(b, "--"...)
		b = append(b, boundary[:]...)
		b = append(b, "\r\nContent-Type: "...)
		b = append(b, p.typ...)
		b = append(b, partHead...)
		var err error
		if b, err = appendBody(b, p.body, p.holes); err != nil {
			return b, err
		}
	}
	b = append(b, "\r\n--"...)
	b = append(b, boundary[:]...)
	return append(b, "--\r\n"...), nil
}

// partHead ends a part's header, after its Content-Type media type.
const partHead = "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"

// boundaryOf returns the multipart boundary: "mm=_" and the hex of the CRC-32C and the
// CRC-32 (IEEE) of the header fields (Message-ID and Date among them) and the parts'
// types, so that a message's bytes depend only on its content. The bodies need not be
// hashed: "=_" keeps the boundary out of them whatever they hold (see appendParts). Both
// CRCs run on hardware instructions where the CPU has them. scratch (free space in the
// output buffer) carries the strings into the CRCs without allocating copies.
func boundaryOf(scratch []byte, fields []string, parts []part) (boundary [4 + 16]byte) {
	if len(scratch) < 512 {
		scratch = make([]byte, 512)
	}
	var c, i uint32
	write := func(s string) {
		for len(s) > 0 {
			n := copy(scratch, s)
			c = crc32.Update(c, castagnoli, scratch[:n])
			i = crc32.Update(i, crc32.IEEETable, scratch[:n])
			s = s[n:]
		}
	}
	for _, f := range fields {
		write(f)
	}
	for _, p := range parts {
		write(p.typ)
		write("\x00")
	}
	var sum [8]byte
	binary.BigEndian.PutUint32(sum[:], c)
	binary.BigEndian.PutUint32(sum[4:], i)
	copy(boundary[:], "mm=_")
	hex.Encode(boundary[4:], sum[:])
	return boundary
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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
	if isCleanASCII(s) {
		return s
	}
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

// isCleanASCII reports whether s is already what SanitizeHeaderValue makes of it, and
// printable ASCII: no control characters, no leading, trailing or double spaces.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case c < ' ' || c > '~':
			return false
		}
	}
	return true
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
