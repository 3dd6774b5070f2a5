package amp_test

import (
	"strings"
	"testing"

	"github.com/mailmold/mailmold/amp"
)

// page wraps a body (and optional head content) in a minimal email document.
func page(head, body string) string {
	return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>" + head + "</head><body>" + body + "</body></html>"
}

// ruleCase is one input and what the transform must (not) produce.
type ruleCase struct {
	name      string
	head      string
	body      string
	ok        bool
	has, not  []string
	diag      string // a diagnostic rule that must be reported ("" for none required)
	line, col int    // its position, when not 0
}

func runRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	var all strings.Builder // every case's whole output, for the differential golden
	defer func() { checkGolden(t, "testdata/rules/"+t.Name()+".golden", all.String()) }()
	for _, tc := range cases {
		all.WriteString(describeBoth(t, tc.name, page(tc.head, tc.body)))
		t.Run(tc.name, func(t *testing.T) {
			r := amp.Transform(page(tc.head, tc.body), amp.Options{})
			if r.OK != tc.ok {
				t.Fatalf("OK=%v, want %v: %+v", r.OK, tc.ok, r.Diagnostics)
			}
			if !r.OK && r.HTML != "" {
				t.Error("a failed transform must give no document")
			}
			for _, h := range tc.has {
				if !strings.Contains(r.HTML, h) {
					t.Errorf("missing %q in\n%s", h, r.HTML)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(r.HTML, n) {
					t.Errorf("unexpected %q in\n%s", n, r.HTML)
				}
			}
			if tc.diag != "" {
				found := false
				for _, d := range r.Diagnostics {
					if d.Rule == tc.diag && (tc.line == 0 || d.Line == tc.line && d.Col == tc.col) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s diagnostic at %d:%d in %+v", tc.diag, tc.line, tc.col, r.Diagnostics)
				}
			}
		})
	}
}

func TestDocumentShell(t *testing.T) {
	r := amp.Transform("\ufeff"+`<html lang="de" dir="ltr" xmlns:v="urn:x"><head><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta name="viewport" content="width=device-width"><title>x</title></head><body><p>x</p></body></html>`, amp.Options{})
	want := "<!doctype html>\n<html ⚡4email data-css-strict lang=\"de\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n" + amp.RuntimeScript +
		"\n<style amp4email-boilerplate>body{visibility:hidden}</style>\n</head>\n<body><p>x</p></body>\n</html>\n"
	if !r.OK || r.HTML != want {
		t.Errorf("got %+v\n%s\nwant\n%s", r.Diagnostics, r.HTML, want)
	}
}

func TestImages(t *testing.T) {
	runRules(t, []ruleCase{
		{name: "both sizes: intrinsic", body: `<img src="https://x.example/a.png" width="100" height="50" alt="A" border="0">`, ok: true,
			has: []string{`<amp-img src="https://x.example/a.png" alt="A" width="100" height="50" layout="intrinsic"></amp-img>`}, not: []string{"<img", "border"}},
		{name: "sizes from style", body: `<img src="https://x.example/a.png" style="width:120px;height:60px;display:block" alt="">`, ok: true,
			has: []string{`width="120" height="60" layout="intrinsic" style="display:block"`}},
		{name: "style width 100% is responsive", body: `<img src="https://x.example/a.png" width="600" height="300" style="width:100%;height:auto" alt="">`, ok: true,
			has: []string{`width="600" height="300" layout="responsive"`}},
		{name: "width 100% takes the parent width", body: `<table width="560"><tr><td><img src="https://x.example/a.png" width="100%" height="200" alt=""></td></tr></table>`, ok: true,
			has: []string{`width="560" height="200" layout="responsive"`}},
		{name: "width 100% without a parent width", body: `<div><img src="https://x.example/a.png" width="100%" height="200" alt=""></div>`, ok: true,
			has: []string{`width="auto" height="200" layout="fixed-height"`}},
		{name: "no sizes", body: `<img src="https://x.example/a.png" alt="A">`, ok: true,
			has: []string{`width="auto" height="150" layout="fixed-height"`}, diag: "amp-img-size", line: 1, col: 89},
		{name: "height only", body: `<img src="https://x.example/a.png" height="40" alt="A">`, ok: true,
			has: []string{`width="auto" height="40" layout="fixed-height"`}, diag: "amp-img-size"},
		{name: "width only", body: `<img src="https://x.example/a.png" width="88" alt="A">`, ok: true,
			has: []string{`width="88" height="150" layout="intrinsic"`}, diag: "amp-img-size"},
		{name: "gif becomes amp-anim", body: `<img src="https://x.example/a.GIF?v=2" width="40" height="40" alt="">`, ok: true,
			has: []string{`<amp-anim src="https://x.example/a.GIF?v=2" alt="" width="40" height="40" layout="responsive" style="max-width:40px"></amp-anim>`, `custom-element="amp-anim"`}},
		{name: "https pixel stays amp-img", body: `<img src="https://t.example/o.gif" width="1" height="1" alt="">`, ok: true,
			has: []string{`<amp-img src="https://t.example/o.gif" alt="" width="1" height="1" layout="fixed"></amp-img>`}, not: []string{"amp-anim"}},
		{name: "http pixel is left out", body: `<img src="http://t.example/o.gif" width="1" height="1" alt=""><p>y</p>`, ok: true,
			has: []string{"<p>y</p>"}, not: []string{"amp-img"}, diag: "amp-img"},
		{name: "http image fails", body: `<p>x</p><img src="http://x.example/a.png" width="10" height="10" alt="">`, ok: false, diag: "amp-img", line: 1, col: 97},
		{name: "relative image fails", body: `<img src="/a.png" width="10" height="10">`, ok: false, diag: "amp-img"},
		{name: "data image fails", body: `<img src="data:image/png;base64,AAAA" width="10" height="10">`, ok: false, diag: "amp-img"},
		{name: "engine-blocked url is left out", body: `<img src="about:invalid#mailmold-blocked-url" width="10" height="10">`, ok: true, not: []string{"amp-img"}, diag: "amp-img"},
		{name: "srcset dropped", body: `<img src="https://x.example/a.png" srcset="https://x.example/a2.png 2x" width="10" height="10" alt="">`, ok: true, not: []string{"srcset"}},
		{name: "align becomes float", body: `<img src="https://x.example/a.png" width="10" height="10" align="right" alt="">`, ok: true, has: []string{`style="float:right"`}},
	})
}

func TestTagsAndAttributes(t *testing.T) {
	runRules(t, []ruleCase{
		{name: "script removed", head: `<script src="https://x.example/t.js"></script>`, body: `<script>x()</script><p>ok</p>`, ok: true,
			has: []string{"<p>ok</p>"}, not: []string{"<script>x", "t.js"}, diag: "amp-tag"},
		{name: "frames and plugins removed", body: `<iframe src="https://x.example/"></iframe><object data="x"></object><embed src="x"><p>ok</p>`, ok: true,
			has: []string{"<p>ok</p>"}, not: []string{"iframe", "object", "embed"}, diag: "amp-tag"},
		{name: "form fails", body: `<form action="https://x.example/"><input name="q"></form>`, ok: false, diag: "amp-invalid", line: 1, col: 89},
		{name: "video fails", body: `<video src="https://x.example/v.mp4"></video>`, ok: false, diag: "amp-invalid"},
		{name: "audio fails", body: `<audio src="https://x.example/a.mp3"></audio>`, ok: false, diag: "amp-invalid"},
		{name: "inputs outside forms removed", body: `<input type="checkbox"><button>b</button><select><option>o</option></select><p>ok</p>`, ok: true,
			has: []string{"<p>ok</p>"}, not: []string{"input", "button", "select"}},
		{name: "event handlers removed", body: `<p onclick="x()" onmouseover="y()">x</p>`, ok: true, has: []string{"<p>x</p>"}, diag: "amp-attr"},
		{name: "center becomes div", body: `<center style="color:red">x</center>`, ok: true, has: []string{`<div style="text-align:center;color:red">x</div>`}},
		{name: "font becomes span", body: `<font face="Arial" color="#333" size="2">x</font>`, ok: true,
			has: []string{`<span style="color:#333;font-family:Arial;font-size:small">x</span>`}},
		{name: "legacy inline tags", body: `<tt>a</tt><big>b</big><strike>c</strike><nobr>d</nobr><acronym title="e">E</acronym>`, ok: true,
			has: []string{`<span style="font-family:monospace">a</span>`, `<span style="font-size:larger">b</span>`, `<s>c</s>`, `<span style="white-space:nowrap">d</span>`, `<abbr title="e">E</abbr>`}},
		{name: "unknown elements unwrapped", body: `<p>a<o:p>b</o:p><custom-el>c</custom-el></p>`, ok: true, has: []string{"<p>abc</p>"}, diag: "amp-tag"},
		{name: "table attributes", body: `<table width="600" height="100" bgcolor="#fff" background="https://x.example/bg.png" summary="s"><tr><td nowrap valign="top">x</td></tr></table>`, ok: true,
			has: []string{`<table width="600" bgcolor="#fff" style="background-image:url(https://x.example/bg.png)">`, `<td valign="top" style="white-space:nowrap">`}, not: []string{"height=", "summary"}},
		{name: "body attributes", body: `<p>x</p>`, ok: true},
		{name: "reserved names", body: `<p class="a i-amphtml-b c" id="i-amphtml-x">x</p>`, ok: true, has: []string{`<p class="a c">x</p>`}, diag: "amp-attr"},
		{name: "reserved ids", body: `<p id="AMP">a</p><p id="x innerHTML">b</p><p id="__amp_x">c</p><p id="ampx" class="amp-x AMP">d</p>`, ok: true,
			has: []string{`<p>a</p><p>b</p><p>c</p><p id="ampx" class="amp-x AMP">d</p>`}, diag: "amp-attr", line: 1, col: 89},
		{name: "reserved url parameter", body: `<a href="https://x.example/?__amp_source_origin=1">a</a>`, ok: true, has: []string{"<a>a</a>"}, diag: "amp-link"},
		{name: "reserved url parameter in an image", body: `<img src="https://x.example/a.png?__AMP_Source_Origin=1" width="10" height="10">`, ok: false, diag: "amp-img"},
		{name: "aria and data kept", body: `<div role="note" aria-label="l" data-id="7" aria-roledescription="x">x</div>`, ok: true,
			has: []string{`<div role="note" aria-label="l" data-id="7">x</div>`}},
		{name: "comments and conditional comments", body: `<!--[if mso]><p>outlook</p><![endif]--><!--[if !mso]><!--><p>others</p><!--<![endif]--><!-- note -->`, ok: true,
			has: []string{"<p>others</p>"}, not: []string{"outlook", "<!--"}},
		{name: "markers", body: `<mm-htmlonly><p>h</p></mm-htmlonly><mm-textonly><p>t</p></mm-textonly>`, ok: true, has: []string{"<p>h</p>"}, not: []string{"mm-", "<p>t</p>"}},
		{name: "spacer keeps what follows", body: `<p>a<spacer type="block">b</p>`, ok: true, has: []string{"<p>ab</p>"}},
	})
}

func TestLinks(t *testing.T) {
	runRules(t, []ruleCase{
		{name: "absolute kept", body: `<a href="https://x.example/" target="_blank" rel="noopener">a</a><a href="mailto:a@x.example">b</a><a href="tel:+1555">c</a><a href="http://x.example/">d</a>`, ok: true,
			has: []string{`<a href="https://x.example/" rel="noopener" target="_blank">a</a>`, `href="mailto:a@x.example"`, `href="tel:+1555"`, `href="http://x.example/"`}},
		{name: "javascript dropped", body: `<a href="javascript:alert(1)">a</a>`, ok: true, has: []string{"<a>a</a>"}, diag: "amp-link", line: 1, col: 89},
		{name: "relative dropped", body: `<a href="/rel">a</a>`, ok: true, has: []string{"<a>a</a>"}, diag: "amp-link"},
		{name: "fragment dropped", body: `<a href="#top">a</a>`, ok: true, has: []string{"<a>a</a>"}, diag: "amp-link"},
		{name: "placeholder dropped", body: `<a href="{{url}}">a</a>`, ok: true, has: []string{"<a>a</a>"}, diag: "amp-link"},
		{name: "data dropped", body: `<a href="data:text/html,x">a</a>`, ok: true, has: []string{"<a>a</a>"}, diag: "amp-link"},
		{name: "target other than _blank dropped", body: `<a href="https://x.example/" target="_top">a</a>`, ok: true, has: []string{`<a href="https://x.example/">a</a>`}},
		{name: "spaces trimmed", body: `<a href="  https://x.example/  ">a</a>`, ok: true, has: []string{`<a href="https://x.example/">a</a>`}},
	})
}

func TestLiveBlocks(t *testing.T) {
	live := func(src, tmpl, fb string) string {
		return `<mm-live data-src="` + src + `"><template type="amp-mustache">` + tmpl + `</template><mm-fallback>` + fb + `</mm-fallback></mm-live>`
	}
	runRules(t, []ruleCase{
		{name: "amp-list", body: live("https://api.example/d.json", `<p>{{name}}</p>`, `<p>static</p>`), ok: true,
			has: []string{`<amp-list src="https://api.example/d.json" layout="container" binding="no"><template type="amp-mustache"><p>{{name}}</p></template><div placeholder=""><p>static</p></div><div fallback=""><p>static</p></div></amp-list>`,
				`custom-element="amp-list"`, `custom-template="amp-mustache"`}},
		{name: "template sanitised", body: live("https://api.example/d.json", `<a href="{{url}}" onclick="x()">a</a><a href="https://x.example/{{id}}">b</a><img src="{{img}}" width="10" height="10"><script>x</script>`, `s`), ok: true,
			has: []string{`<a href="{{url}}">a</a>`, `<a>b</a>`, `<amp-img src="{{img}}" width="10" height="10" layout="intrinsic"></amp-img>`}, not: []string{"onclick", "<script>"}, diag: "amp-link"},
		{name: "template style with mustache", body: live("https://api.example/d.json", `<p style="color:{{c}}">a</p><p style="color:{{{c}}}">b</p>`, `s`), ok: true,
			has: []string{`<p style="color:{{c}}">a</p>`, `<p>b</p>`}},
		{name: "http src fails", body: live("http://api.example/d.json", `x`, `s`), ok: false, diag: "amp-live", line: 1, col: 89},
		{name: "placeholder src fails", body: live("https://api.example/{{id}}.json", `x`, `s`), ok: false, diag: "amp-live"},
		{name: "no template fails", body: `<mm-live data-src="https://api.example/d.json"><mm-fallback>s</mm-fallback></mm-live>`, ok: false, diag: "amp-live"},
		{name: "template outside a live block removed", body: `<template type="amp-mustache">{{x}}</template><p>ok</p>`, ok: true, not: []string{"<template"}},
	})
}

func TestLimits(t *testing.T) {
	big := page("", strings.Repeat(`<p style="color:red;padding:1px 2px 3px 4px;margin:0">x</p>`, 2000))
	if r := amp.Transform(big, amp.Options{}); r.OK || !strings.Contains(r.Diagnostics[len(r.Diagnostics)-1].Message, "75000") {
		t.Errorf("over 75,000 bytes of CSS must fail: %+v", r.Diagnostics)
	}
	if r := amp.Transform(page("", strings.Repeat("<p>x</p>", 100)), amp.Options{MaxBytes: 500}); r.OK {
		t.Error("over MaxBytes must fail")
	}
	if r := amp.Transform(page("", strings.Repeat("<p>x</p>", 30_000)), amp.Options{}); r.OK {
		t.Error("over 200,000 bytes must fail by default")
	}
	sizeWarned := func(r amp.Result) bool {
		for _, d := range r.Diagnostics {
			if d.Rule == "amp-size" && d.Severity == "warning" {
				return true
			}
		}
		return false
	}
	if r := amp.Transform(page("", strings.Repeat("<p>x</p>", 15_000)), amp.Options{}); !r.OK || len(r.HTML) <= 100_000 || !sizeWarned(r) {
		t.Errorf("over 100 KB (%d bytes) must warn and still give the document: %+v", len(r.HTML), r.Diagnostics)
	}
	if r := amp.Transform(page("", strings.Repeat("<p>x</p>", 1_000)), amp.Options{}); !r.OK || sizeWarned(r) {
		t.Errorf("a small document must not warn about its size: %+v", r.Diagnostics)
	}
	long := `<p style="` + strings.Repeat("color:red;", 150) + `">x</p>`
	if r := amp.Transform(page("", long), amp.Options{}); !r.OK || strings.Contains(r.HTML, "color:red;color:red;") {
		t.Error("a style attribute over 1,000 bytes must be removed")
	}
}

// nestedLive is a live block nested depth deep in its own fallback: fuzzing found that each
// level doubled the document (placeholder and fallback both hold it).
func nestedLive(depth int) string {
	s := "<p>x</p>"
	for i := 0; i < depth; i++ {
		s = `<mm-live data-src="https://a.example/d.json"><template type="amp-mustache">{{a}}</template><mm-fallback>` + s + `</mm-fallback></mm-live>`
	}
	return page("", s)
}

func TestNestedLiveStaysLinear(t *testing.T) {
	r := amp.Transform(nestedLive(30), amp.Options{})
	if !r.OK || strings.Count(r.HTML, "<amp-list") != 1 || len(r.HTML) > 5000 {
		t.Errorf("OK=%v, %d amp-lists, %d bytes", r.OK, strings.Count(r.HTML, "<amp-list"), len(r.HTML))
	}
}

func TestPositionsAndSnippets(t *testing.T) {
	src := "<html><body>\n<p>\n  <a target=\"_blank\"\n     href=\"/x\">a</a></p></body></html>"
	r := amp.Transform(src, amp.Options{})
	if len(r.Diagnostics) != 1 {
		t.Fatalf("%+v", r.Diagnostics)
	}
	d := r.Diagnostics[0]
	if d.Line != 3 || d.Col != 3 || d.Snippet != `<a target="_blank" href="/x">` {
		t.Errorf("got %d:%d %q", d.Line, d.Col, d.Snippet)
	}
}
