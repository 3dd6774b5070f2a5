package htmlprod_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/mailmold/mailmold/engine/htmlprod"
	"github.com/vanng822/css"
	"golang.org/x/net/html"
)

// newsletter is testdata/newsletter.html: a 33 KB, 600px table newsletter with 34 articles.
func newsletter(b *testing.B) string {
	src, err := os.ReadFile(filepath.Join("testdata", "newsletter.html"))
	if err != nil {
		b.Fatal(err)
	}
	return string(src)
}

func BenchmarkInline(b *testing.B) {
	s := newsletter(b)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := htmlprod.Inline(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMinify(b *testing.B) {
	s, err := htmlprod.Inline(newsletter(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := htmlprod.Minify(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProcess(b *testing.B) {
	s := newsletter(b)
	p := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Process(s); err != nil {
			b.Fatal(err)
		}
	}
}

var styleRe = regexp.MustCompile(`(?s)<style type="text/css">(.*?)</style>`)

// BenchmarkInlineStages splits Inline's time on the newsletter: parsing the document,
// parsing its style sheet with premailer's CSS parser, rendering the document; the rest of
// BenchmarkInline is premailer matching selectors and applying declarations.
func BenchmarkInlineStages(b *testing.B) {
	s := newsletter(b)
	sheet := styleRe.FindStringSubmatch(s)[1]
	b.Run("parse-html", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := goquery.NewDocumentFromReader(strings.NewReader(s)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse-css", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			css.Parse(sheet).GetCSSRuleList()
		}
	})
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w strings.Builder
			if err := html.Render(&w, doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
