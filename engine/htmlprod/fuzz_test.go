package htmlprod_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/htmlprod"
)

// seeds adds the testdata emails, the shared corpus and a few small hostile documents.
func seeds(f *testing.F) {
	for _, in := range inputs(f) {
		f.Add(in)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "emails", "*.html"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		"", "<style>", "<style>p{color:red}</style><p>x", "<mm-textonly>", "<mm-live data-src='x'><mm-fallback>",
		"<!--[if mso]>", "<!--[if mso]><style>p{}</style><![endif]--><style>@media{</style>",
		"<table><mm-htmlonly><style>td{padding:0}</style><tr><td>x</mm-htmlonly>",
		"<title><mm-textonly>x</mm-textonly></title><style>a{b:c !important}</style><a style='b:d'>",
		"<!DOCTYPE html PUBLIC \"x\"\n\"y\"><style>*{margin:0}a::x{}@import 'a';</style>",
		"<img alt=\"\"><meta http-equiv=x><style data-embed>p{}</style>",
	} {
		f.Add(s)
	}
}

// FuzzProcess runs the whole pipeline on any input: it must not panic, must not leak its
// placeholders, and a document without <style> must pass Inline unchanged.
func FuzzProcess(f *testing.F) {
	seeds(f)
	p := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	f.Fuzz(func(t *testing.T, in string) {
		out, err := p.Process(in)
		if err != nil {
			return // an error is an acceptable answer to a broken document; a panic is not
		}
		if leaked(in, out) {
			t.Fatalf("placeholder leaked into %q", out)
		}
		if !strings.Contains(strings.ToLower(in), "<style") {
			if got, err := htmlprod.Inline(in); err != nil || got != in {
				t.Fatalf("Inline changed a document without <style>: %q, %v", got, err)
			}
		}
		if strings.Count(in, "<w:anchorlock/>") > 0 && strings.Count(in, "<!--[if") == 1 && strings.Count(out, "<w:anchorlock/>") != strings.Count(in, "<w:anchorlock/>") {
			t.Fatalf("VML changed: %q", out)
		}
	})
}

// FuzzMinify runs Minify alone, whose placeholders differ from Inline's.
func FuzzMinify(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		out, err := htmlprod.Minify(in)
		if err != nil {
			return
		}
		if leaked(in, out) {
			t.Fatalf("placeholder leaked into %q", out)
		}
		if strings.HasPrefix(in, "<mm-textonly>") {
			if end := strings.Index(in, "</mm-textonly>"); end >= 0 && !strings.HasPrefix(out, in[:end+len("</mm-textonly>")]) {
				t.Fatalf("mm-textonly changed: %q → %q", in, out)
			}
		}
	})
}

// leaked reports whether out holds a plane-15 private-use rune that in does not: the
// placeholders are built from those.
func leaked(in, out string) bool {
	for _, r := range out {
		if r >= 0xF0000 && r <= 0xFFFFD && !strings.ContainsRune(in, r) {
			return true
		}
	}
	return false
}
