package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/workspace"
)

// stdRecord is what encoding/json writes for rec, the bytes a batch line must have.
func stdRecord(t testing.TB, rec record) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzRecordJSON proves that encodeRecord (go-json) writes a batch line byte for byte as
// encoding/json does, for any text in any field: control characters, quotes and
// backslashes, U+2028 and U+2029, invalid UTF-8, HTML. Seeded with the bundled messages.
func FuzzRecordJSON(f *testing.F) {
	ws, err := workspace.Open("", nil)
	if err != nil {
		f.Fatal(err)
	}
	tpl, err := ws.Compile("newsletter.liquid", nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range ws.Profiles[:3] {
		m, err := tpl.Render(context.Background(), p.Data)
		if err != nil {
			f.Fatal(err)
		}
		// a slice of each part: whole messages make the fuzzer's minimizing crawl
		f.Add(p.ID, m.Subject, cut(m.HTML, 1500), cut(*m.AMP, 1500), cut(*m.Text, 800), m.Segment, 3)
	}
	f.Add("a\"b\\c", "\x00\x01\x1f\x7f", "\u2028\u2029<>&", "\xff\xfe", "\xed\xa0\x80 surrogate", "\u00e9\U0001F600", -1)
	f.Add("\t\n\r\b\f", "\\u0000", "</script>", "", "\xc3", "seg\"ment", 0)
	f.Fuzz(func(t *testing.T, id, subject, html, amp, text, segment string, line int) {
		rec := record{ID: id, Line: line, RenderJSON: engine.RenderJSON{
			Template: "t.liquid", ProfileID: id, Segment: segment, Segments: map[string]bool{segment: true, subject: false},
			Subject: subject, Preheader: text, HTML: &html, AMP: &amp, Text: &text,
			Diagnostics: []engine.DiagnosticJSON{{File: id, Line: line, Col: 1, Severity: "warning", Rule: "r", Message: html}},
		}}
		if line%2 == 0 {
			rec.AMP, rec.Diagnostics = nil, []engine.DiagnosticJSON{}
		}
		got, err := encodeRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		if want := stdRecord(t, rec); !bytes.Equal(got, want) {
			t.Fatalf("go-json wrote\n%q\nencoding/json\n%q", got, want)
		}
	})
}

// cut returns the first n bytes of s, or s.
func cut(s string, n int) string { return s[:min(n, len(s))] }
