package mime_test

import (
	"io"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/mime"
)

// BenchmarkWrite writes a message with a ~30 KB HTML, ~20 KB AMP and ~5 KB text part,
// each body encoded whole ("whole") and the HTML and AMP bodies through their layouts, one
// name per row with a hole ("layout", see mime.Holes).
func BenchmarkWrite(b *testing.B) {
	m := sample()
	fill := func(b *testing.B) {
		b.SetBytes(int64(len(m.HTML) + len(m.AMP) + len(m.Text)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.WriteTo(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
	const name = "Ünal"
	html := `<tr><td style="padding:0 30px;font-family:Helvetica,Arial,sans-serif">Hello ` + name + `, here is a paragraph of text with a <a href="https://northwind.example/x?utm_source=newsletter&amp;u=42">link</a>.</td></tr>` + "\n"
	m.HTML = strings.Repeat(html, 160)
	m.AMP = strings.Repeat(`<amp-img src="https://cdn.northwind.example/p.jpg" width="260" height="160" layout="responsive"></amp-img><p>`+name+`</p>`+"\n", 170)
	m.Text = strings.Repeat("Hello Ünal, a line of plain text for the text part.\n", 100)
	b.Run("whole", fill)
	holes := func(body string) mime.Holes {
		h := mime.Holes{Cache: new(mime.LayoutCache)}
		for at := 0; ; {
			i := strings.Index(body[at:], name)
			if i < 0 {
				return h
			}
			h.Ranges = append(h.Ranges, [2]int{at + i, at + i + len(name)})
			at += i + len(name)
		}
	}
	m.HTMLHoles, m.AMPHoles = holes(m.HTML), holes(m.AMP)
	b.Run("layout", fill)
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
