package engine

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine/mime"
)

// MessageDomain is the domain used in Message-IDs when the From address has none.
const MessageDomain = "mailmold.invalid"

// EML builds the RFC 5322 message for m: multipart/alternative with text/plain, then
// text/x-amp-html when there is an AMP part, then text/html. The date is now (pinned by the
// template's clock at render time) and the Message-ID is derived from the template, profile
// and date.
func (m *Message) EML() ([]byte, error) { return m.AppendEML(nil) }

// AppendEML appends m's EML message to b (see EML) and returns the extended buffer, or b as
// it was and the error.
func (m *Message) AppendEML(b []byte) ([]byte, error) {
	return m.MIME(m.Date).AppendTo(b)
}

// MIME returns the mime.Message for m dated date.
func (m *Message) MIME(date time.Time) *mime.Message {
	from := m.from.of(m.From)
	mm := &mime.Message{
		From:            from,
		To:              mime.Address{Name: m.ToName, Email: m.To},
		Subject:         m.Subject,
		Date:            date,
		ListUnsubscribe: m.Unsubscribe,
		HTML:            m.HTML,
		HTMLHoles:       m.htmlHoles,
		AMPHoles:        m.ampHoles,
	}
	if m.ReplyTo != "" {
		a := m.replyTo.of(m.ReplyTo)
		mm.ReplyTo = &a
	}
	domain := MessageDomain
	if i := strings.LastIndexByte(from.Email, '@'); i >= 0 && i < len(from.Email)-1 {
		domain = from.Email[i+1:]
	}
	mm.MessageID = mime.NewMessageID(domain, fmt.Sprintf("%s\x00%s\x00%d", m.Template, m.ProfileID, date.UnixNano()))
	if m.Text != nil {
		mm.Text = *m.Text
	}
	if m.AMP != nil {
		mm.AMP = *m.AMP
	}
	return mm
}

// address is an address as written and as parsed (see parseAddress), so that the
// template's From and Reply-To are parsed once rather than for every message.
type address struct {
	raw    string
	parsed mime.Address
}

func parsedAddress(s string) address { return address{s, parseAddress(s)} }

// of returns s parsed: a's own parse when s is what a was made from.
func (a address) of(s string) mime.Address {
	if s == a.raw {
		return a.parsed
	}
	return parseAddress(s)
}

// parseAddress reads "Name <addr@host>" or a bare address; what does not parse is kept as
// the address so the MIME writer reports it.
func parseAddress(s string) mime.Address {
	if a, err := mail.ParseAddress(s); err == nil {
		return mime.Address{Name: a.Name, Email: a.Address}
	}
	return mime.Address{Email: strings.TrimSpace(s)}
}
