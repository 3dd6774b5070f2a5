package htmlprod_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/mailmold/mailmold/engine/htmlprod"
)

func doc(head, body string) string {
	return "<!DOCTYPE html>\n<html><head>" + head + "</head><body>" + body + "</body></html>"
}

func TestInline(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the output
		not      []string // strings the output must not hold
	}{
		{"class rule inlined",
			doc(`<style>.btn { color: #fff; padding: 10px }</style>`, `<a class="btn" href="x">Go</a>`),
			[]string{`<a class="btn" href="x" style="color:#fff;padding:10px">Go</a>`}, []string{"<style"}},
		{"specificity and order",
			doc(`<style>p { color: red } .x { color: green } #y { color: blue } p { margin: 0 }</style>`, `<p class="x" id="y">a</p><p class="x">b</p>`),
			[]string{`<p class="x" id="y" style="margin:0;color:blue">a</p>`, `<p class="x" style="margin:0;color:green">b</p>`}, nil},
		{"style attribute beats a normal rule",
			doc(`<style>p { color: red }</style>`, `<p style="color: black">a</p>`),
			[]string{`style="color:black"`}, nil},
		{"!important rule beats the style attribute",
			doc(`<style>p { color: red !important; margin: 0 }</style>`, `<p style="color: black; font-size: 12px">a</p>`),
			[]string{`style="margin:0;color:red;font-size:12px"`}, []string{"black"}},
		{"!important in the style attribute wins",
			doc(`<style>p { color: red !important; margin: 0 }</style>`, `<p style="color: black !important">a</p><p style="background-color:blue;color:blue !important">b</p>`),
			[]string{`<p style="margin:0;color:black !important">a</p>`, `<p style="margin:0;background-color:blue;color:blue !important">b</p>`}, nil},
		{"pseudo-classes and media queries stay, !important",
			doc(`<style>a:hover { color: red } @media (max-width: 600px) { .c { width: 100% } }</style>`, `<a href="#">x</a>`),
			[]string{"a:hover {\ncolor: red !important\n}", "@media (max-width: 600px){\n.c {\nwidth: 100% !important\n}\n}"}, []string{`style=`}},
		{"at-rules kept verbatim",
			doc(`<style>@import url(f.css); @font-face { font-family: 'F'; src: url(f.woff) } p { margin: 0 }</style>`, `<p>a</p>`),
			[]string{"<style>\n@import url(f.css);\n@font-face { font-family: 'F'; src: url(f.woff) }\n</style>", `<p style="margin:0">`}, nil},
		{"unmatchable selectors kept",
			doc(`<style>input::placeholder, p { color: gray }</style>`, `<p>a</p>`),
			[]string{"input::placeholder{ color: gray }", `<p style="color:gray">`}, nil},
		{"data-embed and media styles untouched",
			doc(`<style data-embed>u + #body a { color: inherit }</style><style media="screen">p { color: red }</style><style>p { margin: 0 }</style>`, `<p>a</p>`),
			[]string{`<style data-embed="">u + #body a { color: inherit }</style>`, `<style media="screen">p { color: red }</style>`, `<p style="margin:0">`}, []string{"color:red"}},
		{"styles in conditional comments untouched",
			doc(`<!--[if mso]><style>p { color: red }</style><![endif]--><style>p { margin: 0 }</style>`, `<p>a</p><!--[if mso]><table><tr><td>x</td></tr></table><![endif]-->`),
			[]string{`<!--[if mso]><style>p { color: red }</style><![endif]-->`, `<p style="margin:0">`, `<!--[if mso]><table><tr><td>x</td></tr></table><![endif]-->`}, nil},
		{"XHTML doctype kept",
			"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html><head><style>p{margin:0}</style></head><body><p>a</p></body></html>",
			[]string{`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html>`}, nil},
		{"markers stay in tables",
			doc(`<style>td { padding: 0 }</style>`, `<table><tr><td>a</td></tr><mm-htmlonly><tr><td>h</td></tr></mm-htmlonly><mm-textonly>t  t</mm-textonly></table>`),
			[]string{`<table><tr><td style="padding:0">a</td></tr><mm-htmlonly><tr><td style="padding:0">h</td></tr></mm-htmlonly><mm-textonly>t  t</mm-textonly></table>`}, []string{"tbody"}},
		{"live template not inlined, fallback inlined",
			doc(`<style>p { margin: 0 }</style>`, `<mm-live data-src="https://x/y.json"><template type="amp-mustache"><p>{{a}}</p></template><mm-fallback><p>f</p></mm-fallback></mm-live>`),
			[]string{`<mm-live data-src="https://x/y.json"><template type="amp-mustache"><p>{{a}}</p></template><mm-fallback><p style="margin:0">f</p></mm-fallback></mm-live>`}, nil},
		{"explicit tbody kept",
			doc(`<style>td { padding: 0 }</style>`, `<table><tbody><tr><td>a</td></tr></tbody></table>`),
			[]string{`<table><tbody><tr><td style="padding:0">a</td></tr></tbody></table>`}, nil},
		{"invisible characters as entities",
			doc(`<style>span { display: none }</style>`, `<span>Hi&zwnj;&nbsp;&#847;</span>`),
			[]string{`<span style="display:none">Hi&zwnj;&nbsp;&#847;</span>`}, nil},
		{"a marker in an attribute value does not break inlining",
			doc(`<style>img { border: 0 }</style>`, `<img alt="<mm-textonly>x</mm-textonly>"><mm-htmlonly>h</mm-htmlonly>`),
			[]string{`style="border:0"`, `<mm-htmlonly>h</mm-htmlonly>`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := htmlprod.Inline(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(out, s) {
					t.Errorf("missing %q in\n%s", s, out)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(out, s) {
					t.Errorf("unexpected %q in\n%s", s, out)
				}
			}
		})
	}
}

func TestInlineWithoutStyleIsIdentity(t *testing.T) {
	for _, in := range []string{"", "<p>x</p>", doc("", `<table><tr><td>a</td></tr><mm-htmlonly><tr><td>b</td></tr></mm-htmlonly></table>`),
		doc(`<!--[if mso]><style>p{}</style><![endif]-->`, "x")} {
		if out, err := htmlprod.Inline(in); err != nil || out != in {
			t.Errorf("Inline(%q) = %q, %v; want it unchanged", in, out, err)
		}
	}
}

func TestMinify(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"document tags, end tags, quotes, layout attributes",
			"<!DOCTYPE html>\n<html>\n<head>\n<title>t</title>\n</head>\n<body>\n<table border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"600\" bgcolor=\"#ffffff\" align=\"center\">\n <tr>\n  <td valign=\"top\" colspan=\"1\">\n   <p>a</p>\n  </td>\n </tr>\n</table>\n</body>\n</html>\n",
			`<!DOCTYPE html><html><head><title>t</title></head><body><table border="0" cellpadding="0" cellspacing="0" width="600" bgcolor="#ffffff" align="center"><tr><td valign="top" colspan="1"><p>a</p></td></tr></table></body></html>`},
		{"XHTML doctype byte for byte",
			"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n  \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html><body>x</body></html>",
			`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html><body>x</body></html>`},
		{"downlevel-hidden conditional comment: only whitespace collapsed",
			"<div><!--[if mso]>\n  <v:roundrect href=\"https://x\" style=\"height:40px;\">\n    <w:anchorlock/>\n    <center style=\"color:#ffffff;\">Go</center>\n  </v:roundrect>\n<![endif]--></div>",
			`<div><!--[if mso]> <v:roundrect href="https://x" style="height:40px;"> <w:anchorlock/> <center style="color:#ffffff;">Go</center> </v:roundrect> <![endif]--></div>`},
		{"downlevel-revealed conditional comment kept",
			`<div><!--[if !mso]><!-- --><a href="x">Go</a><!--<![endif]--></div>`,
			`<div><!--[if !mso]><!-- --><a href="x">Go</a><!--<![endif]--></div>`},
		{"ordinary comments go",
			"<p>a<!-- note -->b</p>", "<p>ab</p>"},
		{"whitespace between inline elements kept",
			"<p>\n  <a href=\"x\">one</a>\n  <b>two</b> <i>three</i>\n</p>",
			"<p><a href=\"x\">one</a>\n<b>two</b> <i>three</i></p>"},
		{"empty alt and http-equiv meta kept, style type dropped",
			`<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style type="text/css">p { color: #ff0000 }</style></head><img src="a.png" alt="">`,
			`<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>p{color:red}</style></head><img src="a.png" alt="">`},
		{"CSS: space after url(), CSS 2 numbers and !important",
			`<div style="background: url(a.png) no-repeat #FFFFFF; width: 100% !important; margin: 0.5px 1000px"></div>`,
			`<div style="background:url(a.png) no-repeat #fff;width:100% !important;margin:.5px 1000px"></div>`},
		{"mm-textonly verbatim, other markers kept",
			"<td>\n <mm-htmlonly> <p>h</p> </mm-htmlonly>\n <mm-textonly>Line one\n   indented   line\n</mm-textonly>\n</td>",
			"<td><mm-htmlonly><p>h</p></mm-htmlonly><mm-textonly>Line one\n   indented   line\n</mm-textonly></td>"},
		{"entities kept",
			`<span>a&zwnj;&nbsp;b &amp; c &lt;d&gt;</span>`, `<span>a&zwnj;&nbsp;b & c &lt;d></span>`},
		{"pre kept",
			"<pre>  a\n   b</pre>", "<pre>  a\n   b</pre>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := htmlprod.Minify(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if out != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out, tc.want)
			}
		})
	}
}

func TestProcessSteps(t *testing.T) {
	in := doc(`<style>p { margin: 0 }</style>`, "\n<p>a</p>\n")
	for _, tc := range []struct {
		opt  htmlprod.Options
		want string
	}{
		{htmlprod.Options{}, in},
		{htmlprod.Options{Inline: true}, "<!DOCTYPE html><html><head></head><body>\n<p style=\"margin:0\">a</p>\n</body></html>"},
		{htmlprod.Options{Minify: true}, "<!DOCTYPE html><html><head><style>p{margin:0}</style></head><body><p>a</p></body></html>"},
		{htmlprod.Options{Inline: true, Minify: true}, "<!DOCTYPE html><html><head></head><body><p style=\"margin:0\">a</p></body></html>"},
	} {
		out, err := htmlprod.New(tc.opt).Process(in)
		if err != nil || out != tc.want {
			t.Errorf("%+v: got %q, %v\nwant %q", tc.opt, out, err, tc.want)
		}
	}
}

func TestCheckSize(t *testing.T) {
	for _, tc := range []struct {
		n        int
		sev, msg string
	}{
		{0, "", ""},
		{htmlprod.WarnBytes - 1, "", ""},
		{htmlprod.WarnBytes, "warning", "80.0 KB"},
		{90 * 1024, "warning", "90.0 KB"},
		{htmlprod.ClipBytes, "warning", "102.0 KB"},
		{htmlprod.ClipBytes + 1, "error", "102.0 KB"},
		{150 * 1024, "error", "150.0 KB"},
	} {
		sev, msg := htmlprod.CheckSize(tc.n)
		if sev != tc.sev || !strings.Contains(msg, tc.msg) || (sev != "" && !strings.Contains(msg, "102 KB")) {
			t.Errorf("CheckSize(%d) = %q, %q; want %q with %q and the 102 KB limit", tc.n, sev, msg, tc.sev, tc.msg)
		}
	}
}

// TestConcurrent runs one Pipeline from many goroutines (run with -race): documents with
// several <style> blocks once made premailer parse them on goroutines of its own.
func TestConcurrent(t *testing.T) {
	ins := inputs(t)
	p := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	want := map[string]string{}
	for name, in := range ins {
		out, err := p.Process(in)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = out
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name, in := range ins {
				if out, err := p.Process(in); err != nil || out != want[name] {
					t.Errorf("%s: concurrent output differs (%v)", name, err)
				}
			}
		}()
	}
	wg.Wait()
}
