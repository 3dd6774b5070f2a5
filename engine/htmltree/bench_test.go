package htmltree_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/htmltree"
	"github.com/mailmold/mailmold/engine/workspace"
	"golang.org/x/net/html"
)

// newsletterMaster renders the master document the engine benchmark parses: the bundled
// newsletter for p-high-value.
func newsletterMaster(b *testing.B) string {
	ws, err := workspace.Open("", func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) })
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := ws.Compile("newsletter.liquid", nil)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := ws.Profile("p-high-value")
	m, err := tpl.Render(context.Background(), p.Data)
	if err != nil {
		b.Fatal(err)
	}
	return m.Master
}

// BenchmarkParse compares Parse with html.Parse on the newsletter's master document.
func BenchmarkParse(b *testing.B) {
	src := newsletterMaster(b)
	if _, err := htmltree.TryParse(src); err != nil {
		b.Fatal(err)
	}
	b.Run("htmltree", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for i := 0; i < b.N; i++ {
			htmltree.Parse(src)
		}
	})
	b.Run("x-net-html", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for i := 0; i < b.N; i++ {
			html.Parse(strings.NewReader(src))
		}
	})
}
