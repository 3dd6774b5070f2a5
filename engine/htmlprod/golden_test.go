package htmlprod_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/htmlprod"
)

var update = flag.Bool("update", false, "rewrite golden files")

// inputs returns the realistic emails under testdata, by name.
func inputs(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".html")] = string(b)
	}
	return out
}

// expect lists, per testdata email, strings its production HTML (inline + minify) must hold.
var expect = map[string][]string{
	"welcome": {
		`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html`,
		`<h1 style="font-size:28px;line-height:34px;color:#1b2a3a;margin:0 0 12px">Welcome aboard, Ada!</h1>`,
		`.btn a:hover{background-color:#084f96 !important}`,
		`@media only screen and (max-width:620px){.wrapper{width:100% !important}`,
		`<style data-embed>a[x-apple-data-detectors]{`,                                                                           // data-embed kept
		`<!--[if mso]><style type="text/css">body, table, td { font-family: Arial, sans-serif !important; }</style><![endif]-->`, // untouched
		`<w:anchorlock/>`, // VML kept as written
		`<p class="muted" style="color:#8795a1;font-size:13px">`, // !important rule beats the style attribute
		`&zwnj;&nbsp;&zwnj;&nbsp;`,
		`<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>`,
		`</a> <span>|</span> <a`, // inline whitespace kept
	},
	"receipt": {
		`<style>@import "https://fonts.googleapis.com/css2?family=Inter:wght@400;700&display=swap";@font-face{`,
		`input::placeholder{color:#999}`,
		`@media(prefers-color-scheme:dark){body,.container{background:#111 !important;color:#eee !important}}`,
		`<td class="price" style="padding:8px 0;border-bottom:1px solid #e5e5e5;`,
		`<template type="amp-mustache"><table class="items"><tr><td>Status</td>`, // AMP template not inlined
		`&#8199;&#847;&#8199;&#847;`,
	},
	"fragment-markers": {
		`<table width="600" cellpadding="0" cellspacing="0" border="0"><mm-textonly>TABLE INTRO (text only)` + "\n  ==========\n</mm-textonly><tr>",
		`<mm-htmlonly><tr><td><p style="margin:0 0 10px;color:#333">HTML-only row</p></td></tr></mm-htmlonly>`,
		`<mm-fallback><p style="margin:0 0 10px;color:#333">Fallback <b>feed</b> <i>items</i></p></mm-fallback></mm-live></td></tr></table>`,
	},
	"newsletter": {
		`<h1 class="hero-title" style="font-family:Georgia,times new roman,serif;font-size:30px;`,
		`.article a.more:hover{text-decoration:underline !important}`,
		`<v:fill type="frame" src="https://cdn.northwind.example/hero-bg.jpg" color="#17324d" />`,
		`background:url(https://cdn.northwind.example/hero-bg.jpg) 50%/cover no-repeat #17324d`,
		`<td class="stack col-left article" width="300" valign="top" style="mso-table-lspace:0;mso-table-rspace:0;border-collapse:collapse;padding:0 10px 20px 30px">`,
	},
}

func TestGolden(t *testing.T) {
	inline := htmlprod.New(htmlprod.Options{Inline: true})
	prod := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	for name, in := range inputs(t) {
		t.Run(name, func(t *testing.T) {
			inlined := 0
			for _, step := range []struct {
				suffix string
				p      *htmlprod.Pipeline
			}{{".inline.html", inline}, {".prod.html", prod}} {
				out, err := step.p.Process(in)
				if err != nil {
					t.Fatal(err)
				}
				checkInvariants(t, in, out)
				golden := filepath.Join("testdata", "golden", name+step.suffix)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if out != string(want) {
					t.Errorf("%s differs from its golden file (go test -update rewrites it)\n got: %.400s", golden, out)
				}
				if step.suffix == ".inline.html" {
					inlined = len(out)
				} else {
					for _, s := range expect[name] {
						if !strings.Contains(out, s) {
							t.Errorf("production HTML lacks %q", s)
						}
					}
					if len(out) >= inlined {
						t.Errorf("production HTML is %d bytes, the inlined HTML %d: not minified", len(out), inlined)
					}
				}
			}
		})
	}
}

// TestCorpus runs the invariants over the project's shared email corpus.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "emails", "*.html"))
	if len(files) == 0 {
		t.Skip("no shared corpus")
	}
	p := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := p.Process(string(b))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, string(b), out)
		})
	}
}

var (
	markerRe    = regexp.MustCompile(`</?mm-[a-z-]+[^>]*>`)
	textonlyRe  = regexp.MustCompile(`(?s)<mm-textonly>.*?</mm-textonly>`)
	emailAttrRe = regexp.MustCompile(`\s(border|cellpadding|cellspacing|width|height|bgcolor|align|valign)="[^"]*"`)
)

// checkInvariants asserts what production HTML keeps of its input, whatever the email.
func checkInvariants(t *testing.T, in, out string) {
	t.Helper()
	if d := strings.TrimSpace(in); strings.HasPrefix(strings.ToLower(d), "<!doctype") {
		doctype := strings.Join(strings.Fields(d[:strings.IndexByte(d, '>')+1]), " ")
		if !strings.HasPrefix(out, doctype) {
			t.Errorf("doctype %q lost: %.80q", doctype, out)
		}
	}
	for _, s := range []string{"<!--[if ", "<![endif]-->", "<!--<![endif]-->", "@media", "<w:anchorlock/>"} {
		if a, b := strings.Count(in, s), strings.Count(out, s); a != b {
			t.Errorf("%d × %q in the input, %d in the output", a, s, b)
		}
	}
	if a, b := markerRe.FindAllString(in, -1), markerRe.FindAllString(out, -1); strings.Join(a, "") != strings.Join(b, "") {
		t.Errorf("markers changed:\n in: %q\nout: %q", a, b)
	}
	if a, b := textonlyRe.FindAllString(in, -1), textonlyRe.FindAllString(out, -1); strings.Join(a, "") != strings.Join(b, "") {
		t.Errorf("mm-textonly content changed:\n in: %q\nout: %q", a, b)
	}
	if a, b := emailAttrRe.FindAllString(in, -1), emailAttrRe.FindAllString(out, -1); len(a) != len(b) {
		t.Errorf("%d email layout attributes in the input, %d in the output", len(a), len(b))
	}
}
