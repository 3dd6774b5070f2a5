package mustache_test

import (
	"os"
	"testing"

	"github.com/mailmold/mailmold/engine/mustache"
)

func benchParse(b *testing.B, path string, parse func(name, src string) error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Skip(err)
	}
	src := string(raw)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parse(path, src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMustache(b *testing.B) {
	benchParse(b, "../../templates/winback.mustache", func(n, s string) error { _, err := mustache.Parse(n, s); return err })
}

func BenchmarkParseHandlebars(b *testing.B) {
	benchParse(b, "../../templates/winback.hbs", func(n, s string) error { _, err := mustache.ParseHandlebars(n, s); return err })
}

func BenchmarkParseInheritance(b *testing.B) {
	parents := map[string]string{"layout": "<html>\n  <h1>{{$title}}News{{/title}}</h1>\n  {{$body}}\n  <p>default</p>\n  {{/body}}\n</html>\n"}
	opt := mustache.Options{Partial: func(name string) (string, string, error) { return name, parents[name], nil }}
	src := "{{<layout}}\n{{$title}}Hello {{name}}{{/title}}\n{{$body}}\n<p>{{#items}}{{.}} {{/items}}</p>\n{{/body}}\n{{/layout}}\n"
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mustache.ParseWith("t.mustache", src, opt); err != nil {
			b.Fatal(err)
		}
	}
}
