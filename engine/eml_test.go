package engine_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/mime"
	"github.com/mailmold/mailmold/engine/workspace"
)

// TestBundledEMLRoundTrip renders every bundled template (every dialect) for every bundled
// and fixture profile to a message through the engine and reads each back with go-message:
// multipart/alternative with text/plain, text/x-amp-html when there is an AMP part, then
// text/html, each UTF-8 and quoted-printable and decoding to the rendered variant; header
// lines are folded within 78 characters where they can be; the
// Subject decodes to the rendered subject, From and To are the template's and the profile's,
// List-Unsubscribe is there when the template declares one, and so are Message-ID and Date.
func TestBundledEMLRoundTrip(t *testing.T) {
	ws, profiles := bundled(t)
	dialects := map[string]bool{}
	n, withAMP, withUnsub := 0, 0, 0
	for _, name := range ws.Templates {
		tpl, err := ws.Compile(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		dialects[tpl.Dialect] = true
		for _, p := range profiles {
			m, err := tpl.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatalf("%s/%s: %v", name, p.ID, err)
			}
			eml, err := m.EML()
			if err != nil {
				// an address with CR or LF is refused, never written
				if !errors.Is(err, mime.ErrAddress) || !strings.ContainsAny(m.To, "\r\n") {
					t.Errorf("%s/%s: eml: %v", name, p.ID, err)
				}
				continue
			}
			checkEML(t, name+"/"+p.ID, m, eml)
			n++
			if m.AMP != nil {
				withAMP++
			}
			if m.Unsubscribe != "" {
				withUnsub++
			}
		}
	}
	if len(dialects) < 4 || withAMP == 0 || withUnsub == 0 {
		t.Errorf("the bundled workspace must cover every dialect, AMP parts and List-Unsubscribe: dialects %v, %d with AMP, %d with List-Unsubscribe", dialects, withAMP, withUnsub)
	}
	t.Logf("%d messages read back (%d with an AMP part)", n, withAMP)
}

// bundled opens the bundled workspace and returns it with its sample profiles and the
// fixture profiles.
func bundled(t testing.TB) (*workspace.Workspace, []workspace.Profile) {
	t.Helper()
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	profiles := append([]workspace.Profile{}, ws.Profiles...)
	files, _ := filepath.Glob("../fixtures/profiles/*.json")
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		p, err := workspace.DecodeProfile(raw)
		if err != nil {
			t.Fatal(err)
		}
		profiles = append(profiles, p)
	}
	return ws, profiles
}

// checkEML reads eml back with go-message and compares it with m.
func checkEML(t *testing.T, where string, m *engine.Message, eml []byte) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(where+": "+format, args...)
	}
	// header lines within 78 characters, unless one token (a long URL) cannot be folded
	head, _, _ := bytes.Cut(eml, []byte("\r\n\r\n"))
	for _, l := range strings.Split(string(head), "\r\n") {
		if len(l) > 78 && (len(l) > 998 || strings.Contains(strings.TrimPrefix(l, " "), " ")) {
			fail("header line of %d characters could be folded: %q", len(l), l)
		}
	}
	e, err := message.Read(bytes.NewReader(eml))
	if err != nil {
		fail("go-message cannot read the message: %v", err)
		return
	}
	h := gomail.Header{Header: e.Header}
	if mt, _, err := h.ContentType(); err != nil || mt != "multipart/alternative" {
		fail("Content-Type %q, %v", mt, err)
		return
	}
	if got, err := h.Subject(); err != nil || got != mime.SanitizeHeaderValue(m.Subject) || got == "" {
		fail("Subject decodes to %q (%v), rendered %q", got, err, m.Subject)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || !strings.Contains(m.From, from[0].Address) {
		fail("From %v (%v), template %q", from, err, m.From)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != m.To {
		fail("To %v (%v), profile %q", to, err, m.To)
	}
	if id, err := h.MessageID(); err != nil || id == "" {
		fail("Message-ID %q, %v", id, err)
	}
	if d, err := h.Date(); err != nil || !d.Equal(m.Date.Truncate(1e9)) {
		fail("Date %v (%v), rendered at %v", d, err, m.Date)
	}
	if m.Unsubscribe != "" {
		if got := h.Get("List-Unsubscribe"); got != "<"+m.Unsubscribe+">" {
			fail("List-Unsubscribe %q, declared %q", got, m.Unsubscribe)
		}
		if got := h.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			fail("List-Unsubscribe-Post %q", got)
		}
	} else if h.Has("List-Unsubscribe") {
		fail("List-Unsubscribe without a declared unsubscribe URL")
	}

	type part struct{ typ, body string }
	want := []part{{"text/plain", *m.Text}}
	if m.AMP != nil {
		want = append(want, part{"text/x-amp-html", *m.AMP})
	}
	want = append(want, part{"text/html", m.HTML})
	mr := e.MultipartReader()
	if mr == nil {
		fail("not multipart")
		return
	}
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			if i != len(want) {
				fail("%d parts, want %d", i, len(want))
			}
			return
		}
		if err != nil {
			fail("part %d: %v", i, err)
			return
		}
		if i >= len(want) {
			fail("more than %d parts", len(want))
			return
		}
		mt, params, err := p.Header.ContentType()
		if err != nil || mt != want[i].typ || !strings.EqualFold(params["charset"], "utf-8") {
			fail("part %d is %s %v (%v), want %s; charset=utf-8", i, mt, params, err, want[i].typ)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			fail("part %d: Content-Transfer-Encoding %q", i, cte)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			fail("part %d: %v", i, err)
			continue
		}
		// quoted-printable text reads back with CRLF line breaks
		exp := strings.ReplaceAll(strings.ReplaceAll(want[i].body, "\r\n", "\n"), "\n", "\r\n")
		if string(body) != exp {
			fail("part %d (%s) decodes to %d bytes that differ from the %d rendered", i, mt, len(body), len(exp))
		}
	}
}
