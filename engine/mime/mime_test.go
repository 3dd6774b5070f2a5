package mime_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/mailmold/mailmold/engine/mime"
)

var update = flag.Bool("update", false, "rewrite golden files")

var date = time.Date(2026, 11, 24, 12, 30, 0, 0, time.FixedZone("CET", 3600))

func sample() *mime.Message {
	return &mime.Message{
		From:            mime.Address{Name: "Northwind Outfitters", Email: "hello@northwind.example"},
		To:              mime.Address{Name: "Ünal Yılmaz", Email: "unal@example.com"},
		ReplyTo:         &mime.Address{Name: "Northwind Support", Email: "support@northwind.example"},
		Subject:         "Ünal, 李 — your cart is waiting 🏕️",
		Date:            date,
		MessageID:       mime.NewMessageID("northwind.example", "cart/42/2026-11-24"),
		ListUnsubscribe: "https://northwind.example/unsubscribe?u=42&l=cart",
		Preheader:       "Free returns until December",
		Headers:         [][2]string{{"X-Campaign", "cart-reminder"}, {"Precedence", "bulk"}},
		Text:            "Hello Ünal,\n\nTwo items are still in your cart.\nhttps://northwind.example/cart\n",
		AMP:             "<!doctype html><html ⚡4email><head><meta charset=\"utf-8\"></head><body><p>Hello Ünal</p></body></html>",
		HTML:            "<!DOCTYPE html><html><body><p>Hello Ünal, =3D and a trailing space </p>\n<p>" + strings.Repeat("x", 5000) + "</p></body></html>",
	}
}

// parsed is a message read back with go-message.
type parsed struct {
	h      gomail.Header
	types  []string
	bodies []string
	raw    *mail.Message // net/mail's view
}

// parse reads raw back with net/mail and go-message and fails the test when either cannot.
func parse(t testing.TB, raw []byte) parsed {
	t.Helper()
	nm, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("go-message cannot read the message: %v", err)
	}
	p := parsed{h: r.Header, raw: nm}
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("go-message: %v", err)
		}
		b, err := io.ReadAll(part.Body)
		if err != nil {
			t.Fatalf("go-message: %v", err)
		}
		p.types = append(p.types, part.Header.Get("Content-Type"))
		p.bodies = append(p.bodies, string(b))
	}
	return p
}

// crlf is how a body reads back: quoted-printable text has CRLF line breaks.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func checkLines(t testing.TB, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("the message does not end with CRLF")
	}
	for i, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 78 {
			t.Errorf("line %d is %d characters: %.60q", i+1, len(l), l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %.60q", i+1, l)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	m := sample()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	p := parse(t, raw)
	want := []string{"text/plain; charset=utf-8", "text/x-amp-html; charset=utf-8", "text/html; charset=utf-8"}
	if strings.Join(p.types, "|") != strings.Join(want, "|") {
		t.Errorf("parts %v, want %v", p.types, want)
	}
	for i, body := range []string{m.Text, m.AMP, m.HTML} {
		if p.bodies[i] != crlf(body) {
			t.Errorf("part %d decodes to %.100q, want %.100q", i, p.bodies[i], crlf(body))
		}
	}
	if s, _ := p.h.Subject(); s != m.Subject {
		t.Errorf("go-message subject %q", s)
	}
	dec := new(mimeDecoder)
	if s, err := dec.DecodeHeader(p.raw.Header.Get("Subject")); err != nil || s != m.Subject {
		t.Errorf("net/mail subject %q, %v", s, err)
	}
	for _, tc := range []struct {
		field string
		want  mime.Address
	}{{"From", m.From}, {"To", m.To}, {"Reply-To", *m.ReplyTo}} {
		list, err := p.h.AddressList(tc.field)
		if err != nil || len(list) != 1 || list[0].Name != tc.want.Name || list[0].Address != tc.want.Email {
			t.Errorf("%s: %v, %v", tc.field, list, err)
		}
		a, err := p.raw.Header.AddressList(tc.field)
		if err != nil || len(a) != 1 || a[0].Name != tc.want.Name || a[0].Address != tc.want.Email {
			t.Errorf("net/mail %s: %v, %v", tc.field, a, err)
		}
	}
	if d, err := p.raw.Header.Date(); err != nil || !d.Equal(m.Date) {
		t.Errorf("Date %v, %v", d, err)
	}
	if id, err := p.h.MessageID(); err != nil || id != m.MessageID {
		t.Errorf("Message-ID %q, %v", id, err)
	}
	for k, v := range map[string]string{
		"List-Unsubscribe":      "<https://northwind.example/unsubscribe?u=42&l=cart>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Campaign":            "cart-reminder",
		"Precedence":            "bulk",
		"Mime-Version":          "1.0",
	} {
		if got := p.raw.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if p.raw.Header.Get("Preheader") != "" || bytes.Contains(raw, []byte(m.Preheader)) {
		t.Error("the preheader must not be written")
	}
	again, _ := m.Bytes()
	if !bytes.Equal(raw, again) {
		t.Error("output is not deterministic")
	}
	var w bytes.Buffer
	if n, err := m.WriteTo(&w); err != nil || n != int64(len(raw)) || !bytes.Equal(w.Bytes(), raw) {
		t.Errorf("WriteTo wrote %d bytes (%v), Bytes %d", n, err, len(raw))
	}
}

// TestGolden compares whole messages with testdata/*.eml.
func TestGolden(t *testing.T) {
	noAMP := sample()
	noAMP.AMP, noAMP.ReplyTo, noAMP.Headers, noAMP.ListUnsubscribe = "", nil, nil, ""
	plain := &mime.Message{
		From: mime.Address{Email: "news@shop.example"}, To: mime.Address{Name: `O'Brien, "Pat"`, Email: "pat@example.org"},
		Subject: "Your November receipt", Date: date, MessageID: "receipt-1042@shop.example",
		Text: "Total: £84.50\n", HTML: "<p>Total: &pound;84.50</p>",
	}
	for name, m := range map[string]*mime.Message{"cart": sample(), "no-amp": noAMP, "ascii-names": plain} {
		t.Run(name, func(t *testing.T) {
			raw, err := m.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			parse(t, raw)
			checkLines(t, raw)
			path := filepath.Join("testdata", name+".eml")
			if *update {
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, raw)
			}
		})
	}
}

func TestNoAMPPart(t *testing.T) {
	m := sample()
	m.AMP = ""
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, raw)
	if len(p.types) != 2 || !strings.HasPrefix(p.types[0], "text/plain") || !strings.HasPrefix(p.types[1], "text/html") {
		t.Errorf("parts %v", p.types)
	}
	if bytes.Contains(raw, []byte("x-amp")) {
		t.Error("an AMP part was written")
	}
}

// TestHostileHeaders proves that CR/LF in data never creates or splits a header field.
func TestHostileHeaders(t *testing.T) {
	m := sample()
	m.Subject = "Hi\r\nBcc: victim@example.com\r\nX: y"
	m.To.Name = "Eve\r\nCc: spy@example.com"
	m.From.Name = "Shop\nReply-To: attacker@example.com\n\n<p>body</p>"
	m.ReplyTo = nil
	m.Headers = [][2]string{{"X-Campaign", "a\r\nBcc: x@example.com"}}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	p := parse(t, raw)
	var keys []string
	for k := range p.raw.Header {
		keys = append(keys, k)
	}
	want := "Content-Type Date From List-Unsubscribe List-Unsubscribe-Post Message-Id Mime-Version Subject To X-Campaign"
	if got := strings.Join(sorted(keys), " "); got != want {
		t.Errorf("header fields\n got %s\nwant %s", got, want)
	}
	if s, _ := p.h.Subject(); s != "Hi Bcc: victim@example.com X: y" {
		t.Errorf("subject %q", s)
	}
	if to, _ := p.h.AddressList("To"); len(to) != 1 || to[0].Name != "Eve Cc: spy@example.com" || to[0].Address != "unal@example.com" {
		t.Errorf("To %v", to)
	}
	if len(p.types) != 3 {
		t.Errorf("parts %v", p.types)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*mime.Message)
		want   error
	}{
		{"CRLF in address", func(m *mime.Message) { m.To.Email = "a@example.com\r\nBcc: x@example.com" }, mime.ErrAddress},
		{"NUL in address", func(m *mime.Message) { m.From.Email = "a\x00@example.com" }, mime.ErrAddress},
		{"address with a name", func(m *mime.Message) { m.To.Email = "Eve <eve@example.com>" }, mime.ErrAddress},
		{"two addresses", func(m *mime.Message) { m.To.Email = "a@example.com, b@example.com" }, mime.ErrAddress},
		{"no domain", func(m *mime.Message) { m.To.Email = "eve@" }, mime.ErrAddress},
		{"no @", func(m *mime.Message) { m.To.Email = "eve" }, mime.ErrAddress},
		{"empty", func(m *mime.Message) { m.From.Email = "" }, mime.ErrAddress},
		{"non-ASCII local part", func(m *mime.Message) { m.To.Email = "ünal@example.com" }, mime.ErrAddress},
		{"Reply-To", func(m *mime.Message) { m.ReplyTo = &mime.Address{Email: "x y@example.com"} }, mime.ErrAddress},
		{"zero date", func(m *mime.Message) { m.Date = time.Time{} }, mime.ErrHeader},
		{"bad Message-ID", func(m *mime.Message) { m.MessageID = "a b@c" }, mime.ErrHeader},
		{"http unsubscribe", func(m *mime.Message) { m.ListUnsubscribe = "http://x.example/u" }, mime.ErrHeader},
		{"unsubscribe with >", func(m *mime.Message) { m.ListUnsubscribe = "https://x.example/u>, <mailto:x@y" }, mime.ErrHeader},
		{"header name with colon", func(m *mime.Message) { m.Headers = [][2]string{{"X-A: b", "c"}} }, mime.ErrHeader},
		{"header name with space", func(m *mime.Message) { m.Headers = [][2]string{{"X A", "c"}} }, mime.ErrHeader},
		{"reserved header", func(m *mime.Message) { m.Headers = [][2]string{{"content-type", "text/plain"}} }, mime.ErrHeader},
		{"unsubscribe too long", func(m *mime.Message) { m.ListUnsubscribe = "https://x.example/" + strings.Repeat("a", 1000) }, mime.ErrHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := sample()
			tc.change(m)
			var w bytes.Buffer
			n, err := m.WriteTo(&w)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if n != 0 || w.Len() != 0 {
				t.Errorf("%d bytes written for an invalid message", n)
			}
		})
	}
}

// TestNonASCII round-trips subjects and names in several scripts and lengths.
func TestNonASCII(t *testing.T) {
	for _, s := range []string{
		"Ünal", "李", "🏕️ camp", "Ünal, 李 — your cart is waiting 🏕️",
		strings.Repeat("Größenänderung ", 11) + "Ende", strings.Repeat("李", 100), strings.Repeat("🏕️", 40),
		"=?utf-8?q?not_encoded?= literally", `"quoted" \ back\slash`, "a\u202eb", strings.Repeat("x", 200),
		"Mixed ASCII words then ünïcödé at the end of a fairly long subject line",
	} {
		m := sample()
		m.Subject, m.To.Name, m.From.Name = s, s, s
		raw, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, raw)
		p := parse(t, raw)
		if got, _ := p.h.Subject(); got != s {
			t.Errorf("subject %q read back as %q", s, got)
		}
		for _, f := range []string{"From", "To"} {
			if a, err := p.h.AddressList(f); err != nil || len(a) != 1 || a[0].Name != s {
				t.Errorf("%s name %q read back as %v, %v", f, s, a, err)
			}
			if a, err := p.raw.Header.AddressList(f); err != nil || len(a) != 1 || a[0].Name != s {
				t.Errorf("net/mail %s name %q read back as %v, %v", f, s, a, err)
			}
		}
	}
}

// TestLongLines: a 5,000-character line without spaces is wrapped by quoted-printable.
func TestLongLines(t *testing.T) {
	m := sample()
	m.HTML = "<p>" + strings.Repeat("é", 2500) + strings.Repeat("y", 5000) + "</p>"
	m.Text = strings.Repeat("z", 5000) + " \n\ttrailing white space \t\n"
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	p := parse(t, raw)
	if p.bodies[0] != crlf(m.Text) || p.bodies[2] != m.HTML {
		t.Error("long lines do not decode to the input")
	}
}

func TestBodies(t *testing.T) {
	m := sample()
	m.Text = "CRLF\r\nCR\rLF\n"
	m.HTML = "bad\xffutf8 and a NUL \x00 byte"
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, raw)
	if p.bodies[0] != "CRLF\r\nCR\r\nLF\r\n" || p.bodies[2] != "bad\uFFFDutf8 and a NUL \x00 byte" {
		t.Errorf("bodies %q %q", p.bodies[0], p.bodies[2])
	}
}

func TestSanitizeHeaderValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\r\nb", "a b"},
		{"  x\t\ty  ", "x y"},
		{"nul\x00here", "nulhere"},
		{"del\x7fc1\u0085\u009b", "delc1"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"line\u2028sep\u2029para", "line sep para"},
		{"bidi\u202eokay", "bidi\u202eokay"},
		{"nbsp\u00a0\u3000wide", "nbsp wide"},
		{"\r\n", ""},
	} {
		if got := mime.SanitizeHeaderValue(tc.in); got != tc.want {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
	}
}

func TestNewMessageID(t *testing.T) {
	a, b := mime.NewMessageID("example.com", "seed"), mime.NewMessageID("example.com", "seed")
	if a != b || a != "19b25856e1c150ca834cffc8b59b23ad@example.com" {
		t.Errorf("NewMessageID = %q, %q", a, b)
	}
	if c := mime.NewMessageID("example.com", "other"); c == a {
		t.Error("different seeds give the same ID")
	}
	if d := mime.NewMessageID("bad domain\r\n", "seed"); d != "19b25856e1c150ca834cffc8b59b23ad@mailmold.invalid" {
		t.Errorf("bad domain: %q", d)
	}
}

func sorted(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// TestLongHeaderLinesFold: a List-Unsubscribe URL that makes the field longer than 78
// characters moves to a folded line of its own, whole, even when it is longer than a line.
// It reads back unchanged with go-message and net/mail.
func TestLongHeaderLinesFold(t *testing.T) {
	for _, tc := range []struct {
		url     string
		maxLine int
		ownLine bool
	}{
		{"https://northwind.example/unsubscribe?u=customer-0042-abcdef&c=newsletter", 78, true},
		{"https://northwind.example/unsubscribe?u=" + strings.Repeat("x", 80) + "&c=newsletter", 998, true},
	} {
		m := sample()
		m.ListUnsubscribe = tc.url
		raw, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if len("List-Unsubscribe: <"+tc.url+">") <= 78 {
			t.Fatalf("the case is too short to need folding")
		}
		head := string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
		field := head[strings.Index(head, "List-Unsubscribe:"):]
		field = field[:strings.Index(field, "\r\nList-Unsubscribe-Post")]
		if own := strings.HasPrefix(field, "List-Unsubscribe:\r\n <"); own != tc.ownLine {
			t.Errorf("URL on a line of its own: %v, want %v:\n%s", own, tc.ownLine, field)
		}
		for _, l := range strings.Split(head, "\r\n") {
			if len(l) > tc.maxLine {
				t.Errorf("header line of %d characters: %q", len(l), l)
			}
		}
		if !strings.Contains(field, "<"+tc.url+">") {
			t.Errorf("the URL was broken inside its angle brackets:\n%s", field)
		}
		p := parse(t, raw)
		if got := p.h.Get("List-Unsubscribe"); got != "<"+tc.url+">" {
			t.Errorf("go-message reads List-Unsubscribe %q", got)
		}
		if got := p.raw.Header.Get("List-Unsubscribe"); got != "<"+tc.url+">" {
			t.Errorf("net/mail reads List-Unsubscribe %q", got)
		}
	}
}
