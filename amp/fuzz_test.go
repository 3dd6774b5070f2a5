package amp_test

import (
	"os"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/amp"
	"golang.org/x/net/html"
)

// FuzzTransform checks that any input transforms without a panic, deterministically, into
// either a bounded AMP shell or no document with a reason.
func FuzzTransform(f *testing.F) {
	amp.AddCorpusSeeds(f)
	f.Add(nestedLive(12)) // regression seed: exponential copies of nested live blocks
	f.Add(page("", `<p style="color:{{c}}">`))
	f.Add(`<table><mm-live data-src="https://a.example/x"><template type="amp-mustache"><tr><td>{{a}}</td></tr></template></mm-live></table>`)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 300_000 {
			return
		}
		a := amp.Transform(s, amp.Options{})
		b := amp.Transform(s, amp.Options{})
		if a.HTML != b.HTML || a.OK != b.OK || len(a.Diagnostics) != len(b.Diagnostics) {
			t.Fatal("not deterministic")
		}
		if !a.OK {
			if a.HTML != "" || len(a.Diagnostics) == 0 {
				t.Fatal("a failed transform must give no document and a reason")
			}
			return
		}
		if !strings.HasPrefix(a.HTML, "<!doctype html>\n<html ⚡4email data-css-strict") || len(a.HTML) > amp.MaxDocumentBytes {
			t.Fatalf("bad document shell or size: %.200q", a.HTML)
		}
		if strings.Count(a.HTML, "<style amp-custom>") > 1 || strings.Contains(a.HTML, "<script>") || strings.Contains(a.HTML, "<!--") {
			t.Fatalf("forbidden content survived: %.400q", a.HTML)
		}
		lines := strings.Count(s, "\n") + 1
		for _, d := range a.Diagnostics {
			if d.Line < 0 || d.Line > lines || d.Col < 0 {
				t.Fatalf("position %d:%d outside the input (%d lines)", d.Line, d.Col, lines)
			}
		}
	})
}

// benchInput is the newsletter of the corpus, with the benchmark set up to report on it.
func benchInput(b *testing.B) string {
	src, err := os.ReadFile("testdata/03-newsletter.html")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	return string(src)
}

func BenchmarkTransform(b *testing.B) {
	s := benchInput(b)
	for b.Loop() {
		if r := amp.Transform(s, amp.Options{}); !r.OK {
			b.Fatal(r.Diagnostics)
		}
	}
}

// BenchmarkTransformNode measures TransformNode alone, as the engine calls it on a document
// it has already parsed: the parse of each iteration is outside the timer.
func BenchmarkTransformNode(b *testing.B) {
	s := benchInput(b)
	for b.Loop() {
		b.StopTimer()
		doc, err := html.Parse(strings.NewReader(s))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if r := amp.TransformNode(doc, amp.Options{}); !r.OK {
			b.Fatal(r.Diagnostics)
		}
	}
}
