package mime_test

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkWrite writes a message with a ~30 KB HTML, ~20 KB AMP and ~5 KB text part.
func BenchmarkWrite(b *testing.B) {
	m := sample()
	m.HTML = strings.Repeat(`<tr><td style="padding:0 30px;font-family:Helvetica,Arial,sans-serif">Hello Ünal, here is a paragraph of text with a <a href="https://northwind.example/x?utm_source=newsletter&amp;u=42">link</a>.</td></tr>`+"\n", 160)
	m.AMP = strings.Repeat(`<amp-img src="https://cdn.northwind.example/p.jpg" width="260" height="160" layout="responsive"></amp-img><p>Größe</p>`+"\n", 170)
	m.Text = strings.Repeat("Hello Ünal, a line of plain text for the text part.\n", 100)
	b.SetBytes(int64(len(m.HTML) + len(m.AMP) + len(m.Text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBytes(b *testing.B) {
	m := sample()
	m.HTML = strings.Repeat("<p>Hello Ünal, here is a paragraph of text.</p>\n", 600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
