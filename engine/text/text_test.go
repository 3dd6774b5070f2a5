package text_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mailmold/mailmold/engine/text"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRules(t *testing.T) {
	tests := []struct {
		name, html string
		want       string
		opt        text.Options
	}{
		{"h1 uppercased", "<h1>Hello there</h1><p>x</p>", "HELLO THERE\n\nx\n", text.Options{}},
		{"h3 underlined", "<h3>Details</h3>", "Details\n-------\n", text.Options{}},
		{"paragraphs one blank line", "<p>a</p>\n\n\n<p>b</p>", "a\n\nb\n", text.Options{}},
		{"br kept", "<p>a<br>b</p>", "a\nb\n", text.Options{}},
		{"link inline", `<p>See <a href="https://x.example/a">the docs</a>.</p>`, "See the docs (https://x.example/a).\n", text.Options{}},
		{"link references", `<p><a href="https://x.example/a">A</a> and <a href="https://x.example/b">B</a> and <a href="https://x.example/a">A again</a></p>`,
			"A [1] and B [2] and A again [1]\n\n[1] https://x.example/a\n[2] https://x.example/b\n", text.Options{Links: text.References}},
		{"label is url", `<a href="https://x.example/">x.example</a>`, "https://x.example/\n", text.Options{}},
		{"button", `<p>Intro</p><a href="https://x.example/go" style="padding:10px;background-color:#00f">Go now</a>`, "Intro\n\nGO NOW: https://x.example/go\n", text.Options{}},
		{"bullets", "<ul><li>a</li><li>b</li></ul>", "* a\n* b\n", text.Options{}},
		{"numbers with start", `<ol start="4"><li>a</li><li>b</li></ol>`, "4. a\n5. b\n", text.Options{}},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "* a\n  * b\n", text.Options{}},
		{"image alt", `<p><img src="https://x/i.png" alt="A fox" width="10" height="10"> jumps</p>`, "A fox jumps\n", text.Options{}},
		{"empty alt and pixel vanish", `<p>a<img src="x" alt=""><img src="t.gif" width="1" height="1" alt="px">b</p>`, "ab\n", text.Options{}},
		{"preheader dropped", `<span style="display:none;mso-hide:all">preheader</span><p>body</p>`, "body\n", text.Options{}},
		{"style head comments never leak", `<html><head><title>T</title><style>p{}</style></head><body><!-- c --><!--[if mso]>outlook<![endif]--><p>x</p></body></html>`, "x\n", text.Options{}},
		{"entities decoded", "<p>a &amp; b &lt;c&gt; &eacute;</p>", "a & b <c> é\n", text.Options{}},
		{"indentation collapsed", "<p>\n    a\n      b   c\n</p>", "a b c\n", text.Options{}},
		{"zero-width and nbsp", "<p>a&zwnj;&nbsp;b&#8203;c</p>", "a bc\n", text.Options{}},
		{"textonly kept, htmlonly dropped", "<p>x</p><mm-htmlonly><p>h</p></mm-htmlonly><mm-textonly>t1\n  t2</mm-textonly>", "x\n\nt1\n  t2\n", text.Options{}},
		{"live uses fallback", `<mm-live data-src="https://a/b"><template type="amp-mustache">{{x}}</template><mm-fallback><p>static</p></mm-fallback></mm-live>`, "static\n", text.Options{}},
		{"mailto", `<a href="mailto:a@b.example">write us</a>`, "write us (a@b.example)\n", text.Options{}},
		{"placeholder links give label", `<a href="#">top</a> <a href="javascript:x()">run</a>`, "top run\n", text.Options{}},
		{"data table aligned", "<table><tr><th>A</th><th>Bee</th></tr><tr><td>1</td><td>2</td></tr></table>", "A  BEE\n1  2\n", text.Options{}},
		{"layout table flattened", `<table role="presentation"><tr><td><p>left</p></td><td><p>right</p></td></tr></table>`, "left\n\nright\n", text.Options{}},
		{"hr", "<p>a</p><hr><p>b</p>", "a\n\n----------------------------------------\n\nb\n", text.Options{}},
		{"blockquote", "<blockquote><p>q</p></blockquote>", "> q\n", text.Options{}},
		{"pre keeps spacing", "<pre>a  b\n  c</pre>", "a  b\n  c\n", text.Options{}},
		{"heading indented past the width", strings.Repeat("<blockquote>", 21) + "<h3>x</h3>", strings.Repeat("> ", 21) + "x\n" + strings.Repeat("> ", 20) + ">\n", text.Options{Width: 40}},
		{"pre of invalid UTF-8 is cut", "<pre>" + strings.Repeat("\x80", 1000) + "</pre>", strings.Repeat("\x80", text.MaxLineBytes) + "\n\x80\x80\n", text.Options{}},

		// hidden by the document's style sheets
		{"class display none", `<style>.preheader{display:none}</style><div class="preheader">pre</div><p>body</p>`, "body\n", text.Options{}},
		{"class mso-hide all", `<style>.x { mso-hide: all }</style><p class="y x">outlook</p><p>body</p>`, "body\n", text.Options{}},
		{"class visibility hidden", `<style>.v{visibility:hidden}</style><p class="v">v</p><p>body</p>`, "body\n", text.Options{}},
		{"class max-height 0 with overflow hidden", `<style>.c{max-height:0;overflow:hidden}</style><p class="c">c</p><p>body</p>`, "body\n", text.Options{}},
		{"class max-height 0 alone shows", `<style>.c{max-height:0}</style><p class="c">c</p>`, "c\n", text.Options{}},
		{"rule in @media shows", `<style>@media (max-width:600px){.m{display:none}}</style><p class="m">m</p>`, "m\n", text.Options{}},
		{"id and type selectors", `<style>#a, caption, span.s {display:none}</style><p id="a">a</p><p>b<span class="s">s</span></p>`, "b\n", text.Options{}},
		{"descendant selector", `<style>.w .i{display:none}</style><div class="w"><p class="i">i</p></div><p class="i">o</p>`, "o\n", text.Options{}},
		{"hover rule shows", `<style>a:hover, p::before{display:none}</style><p>p</p>`, "p\n", text.Options{}},
		{"own style wins over a rule", `<style>.h{display:none}</style><p class="h" style="display: block">h</p>`, "h\n", text.Options{}},
		{"important rule wins over own style", `<style>.h{display:none!important}</style><p class="h" style="display: block">h</p><p>b</p>`, "b\n", text.Options{}},
		{"style block after the content", `<p class="late">late</p><p>b</p><style>.late{display:none}</style>`, "b\n", text.Options{}},
		{"style block in a table cell", `<table><tr><th>A</th><th>B</th></tr><tr><td class="h">1</td><td>2<style>.h{display:none}</style></td></tr></table>`, "A  B\n2\n", text.Options{}},
		{"print style sheet shows", `<style media="print">.p{display:none}</style><p class="p">p</p>`, "p\n", text.Options{}},

		// inline styles in any letter case
		{"inline DISPLAY:NONE", `<div style="DISPLAY:NONE">x</div><p>b</p>`, "b\n", text.Options{}},
		{"inline Display: None !important", `<div style="color:Red; Display: None !important">x</div><p>b</p>`, "b\n", text.Options{}},
		{"inline MSO-HIDE:ALL", `<div style="MSO-HIDE:ALL">x</div><p>b</p>`, "b\n", text.Options{}},
		{"inline Max-Height and Overflow", `<div style="Max-Height:0PX;OVERFLOW:HIDDEN">x</div><p>b</p>`, "b\n", text.Options{}},
		{"inline display in a value only", `<div style="font-family:Display None">x</div>`, "x\n", text.Options{}},

		// data tables
		{"thumbnails keep the table", `<table><tr><th></th><th>Item</th><th>Qty</th></tr><tr><td><img src="b.jpg" alt="Boots" width="40" height="40"></td><td>Boots</td><td>2</td></tr><tr><td><img src="s.jpg" alt="" width="40" height="40"></td><td>Socks</td><td>1</td></tr></table>`,
			"ITEM   QTY\nBoots  2\nSocks  1\n", text.Options{}},
		{"image alt that says something else stays", `<table><tr><th>Rating</th><th>Item</th></tr><tr><td><img src="s.png" alt="4 stars" width="60" height="12"></td><td>Boots</td></tr></table>`,
			"RATING   ITEM\n4 stars  Boots\n", text.Options{}},
		{"colspan shares its columns", `<table><tr><th>Item</th><th>Qty</th><th>Price</th></tr><tr><td>Tent</td><td>1</td><td>$300</td></tr><tr><td colspan="2" align="right">Total</td><td>$300</td></tr></table>`,
			"ITEM  QTY  PRICE\nTent  1    $300\n    Total  $300\n", text.Options{}},
		{"full-width span does not widen columns", `<table><tr><th>A</th><th>B</th></tr><tr><td colspan="2">a note that is longer than both columns</td></tr><tr><td>1</td><td>2</td></tr></table>`,
			"A  B\na note that is longer than both columns\n1  2\n", text.Options{}},
		{"rowspan keeps columns", `<table><tr><th>D</th><th>T</th></tr><tr><td rowspan="2">Mon</td><td>9</td></tr><tr><td>11</td></tr></table>`,
			"D    T\nMon  9\n     11\n", text.Options{}},
		{"cell lines kept", `<table><tr><th>Ship to</th><th>Via</th></tr><tr><td>Ann Lee<br>1 Main St</td><td>Post</td></tr></table>`,
			"SHIP TO    VIA\nAnn Lee    Post\n1 Main St\n", text.Options{}},
		{"table wraps to the width", `<table><tr><th>K</th><th>V</th></tr><tr><td>k</td><td>aaa bbb ccc ddd eee fff</td></tr></table>`,
			"K  V\nk  aaa bbb ccc ddd\n   eee fff\n", text.Options{Width: 20}},
		{"stacked when it cannot fit", `<table><tr><th>Name</th><th>Link</th></tr><tr><td>Guide</td><td>https://example.com/a-very-long-path-that-cannot-wrap</td></tr><tr><td>FAQ</td><td>https://example.com/faq</td></tr></table>`,
			"Name: Guide\nLink:\nhttps://example.com/a-very-long-path-that-cannot-wrap\n\nName: FAQ\nLink: https://example.com/faq\n", text.Options{Width: 40}},
		{"stacked without header", `<table><tr><td>Guide</td><td>https://example.com/a-very-long-path-that-cannot-wrap</td></tr><tr><td>FAQ</td><td>https://example.com/faq</td></tr></table>`,
			"Guide\nhttps://example.com/a-very-long-path-that-cannot-wrap\n\nFAQ\nhttps://example.com/faq\n", text.Options{Width: 40}},
		{"visible caption first", `<table><caption>Your order</caption><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>`, "Your order\nA  B\n1  2\n", text.Options{}},
		{"references in cells", `<table><tr><th>A</th><th>B</th></tr><tr><td><a href="https://x.example/1">one</a></td><td><a href="https://x.example/2">two</a></td></tr></table><p><a href="https://x.example/1">again</a></p>`,
			"A        B\none [1]  two [2]\n\nagain [1]\n\n[1] https://x.example/1\n[2] https://x.example/2\n", text.Options{Links: text.References}},

		// line lengths
		{"reference to a URL over 998 bytes is cut", `<a href="https://x.example/` + strings.Repeat("a", 1000) + `">x</a>`,
			"x [1]\n\n[1]\nhttps://x.example/" + strings.Repeat("a", text.MaxLineBytes-len("https://x.example/")) + "\n" + strings.Repeat("a", 1000-(text.MaxLineBytes-len("https://x.example/"))) + "\n", text.Options{Links: text.References}},
		{"deep indentation is bounded", strings.Repeat("<blockquote>", 400) + "<hr><h3>T</h3>", strings.Repeat("> ", 60) + "----------------------------------------\n\n" + strings.Repeat("> ", 60) + "T\n" + strings.Repeat("> ", 59) + ">\n", text.Options{}},
		{"long pre line breaks at a space", "<pre>" + strings.Repeat("abcdefghi ", 110) + "</pre>", strings.TrimSpace(strings.Repeat("abcdefghi ", 99)) + "\n" + strings.TrimSpace(strings.Repeat("abcdefghi ", 11)) + "\n", text.Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := text.Convert(tc.html, tc.opt); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	words := strings.Repeat("lorem ipsum dolor ", 30)
	url := "https://example.com/" + strings.Repeat("a", 120)
	out := text.Convert("<p>"+words+url+" tail</p><p>Ünal 李小龙 "+strings.Repeat("ä", 10)+" "+words+"</p>", text.Options{})
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 78 && !strings.Contains(l, url) {
			t.Errorf("line of %d runes: %q", n, l)
		}
	}
	if !strings.Contains(out, url) {
		t.Error("the URL was broken")
	}
	huge := text.Convert("<p>"+strings.Repeat("é", 2000)+"</p>", text.Options{})
	for _, l := range strings.Split(huge, "\n") {
		if len(l) > text.MaxLineBytes {
			t.Errorf("line of %d bytes", len(l))
		}
	}
}

// TestCases converts testdata/cases/*.html and compares with the .txt next to each
// (-update rewrites them).
func TestCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/cases/*.html")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, _ := os.ReadFile(f)
			got := text.Convert(string(src), text.Options{})
			golden := strings.TrimSuffix(f, ".html") + ".txt"
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("differs from %s:\n%s", golden, got)
			}
			for _, p := range problems(got) {
				t.Errorf("%s: %s", golden, p)
			}
			for _, l := range strings.Split(got, "\n") {
				if strings.Contains(l, "idden") && !strings.HasPrefix(l, "Shown") || strings.Contains(l, "ollapsed") {
					t.Errorf("hidden text leaks: %q", l)
				}
			}
		})
	}
}

func TestParseLinkStyle(t *testing.T) {
	for _, s := range []text.LinkStyle{text.Inline, text.References} {
		if got, ok := text.ParseLinkStyle(s.String()); !ok || got != s {
			t.Errorf("%v: got %v, %v", s, got, ok)
		}
	}
	if _, ok := text.ParseLinkStyle("footnotes"); ok {
		t.Error("footnotes accepted")
	}
}

var tagRe = regexp.MustCompile(`(?i)</?(p|div|span|a|img|table|tbody|td|tr|th|br|h[1-6]|ul|ol|li|style|script|html|body|head|title|meta|center|font|strong|b|em|i|mm-[a-z]+)\b[^>]*>|<!--`)

// TestCorpus converts the corpus and compares with golden files (-update rewrites them),
// and checks every output for leaks.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/emails/*.html")
	if len(files) < 20 {
		t.Fatalf("corpus has %d emails, want at least 20", len(files))
	}
	for _, f := range files {
		src, _ := os.ReadFile(f)
		for _, mode := range []struct {
			suffix string
			opt    text.Options
		}{{".txt", text.Options{}}, {".refs.txt", text.Options{Links: text.References}}} {
			got := text.Convert(string(src), mode.opt)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(f), ".html")+mode.suffix)
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%s: %v (run go test -update)", golden, err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", f, golden, got)
			}
			for _, p := range problems(got) {
				t.Errorf("%s: %s", golden, p)
			}
		}
	}
}

// TestCorpusReuse converts the corpus again, from parsed documents and from several
// goroutines at once, so that a converter reused from one document to the next (or shared)
// shows; it also checks that ConvertNode leaves the document as it was.
func TestCorpusReuse(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/emails/*.html")
	goldens, _ := filepath.Glob("testdata/golden/*.txt")
	if len(goldens) != 2*len(files) {
		t.Errorf("%d golden files for %d emails, want 2 each", len(goldens), len(files))
	}
	type job struct {
		name, want string
		doc        *html.Node
		opt        text.Options
	}
	var jobs []job
	for _, f := range files {
		src, _ := os.ReadFile(f)
		for suffix, opt := range map[string]text.Options{".txt": {}, ".refs.txt": {Links: text.References}} {
			want, err := os.ReadFile(filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(f), ".html")+suffix))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(strings.NewReader(string(src)))
			if err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, job{filepath.Base(f) + suffix, string(want), doc, opt})
		}
	}
	render := func(n *html.Node) string {
		var b strings.Builder
		html.Render(&b, n)
		return b.String()
	}
	before := make([]string, len(jobs))
	for i, j := range jobs {
		before[i] = render(j.doc)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 3 * len(jobs) {
				j := jobs[(k*7+g)%len(jobs)]
				if got := text.ConvertNode(j.doc, j.opt); got != j.want {
					t.Errorf("%s: ConvertNode differs from the golden file:\n%s", j.name, got)
				}
			}
		})
	}
	wg.Wait()
	for i, j := range jobs {
		if render(j.doc) != before[i] {
			t.Errorf("%s: ConvertNode changed the document", j.name)
		}
	}
}

// problems lists objective defects of a text rendering.
func problems(s string) []string {
	var out []string
	if tagRe.MatchString(s) {
		out = append(out, "an HTML tag survives: "+tagRe.FindString(s))
	}
	if regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`).MatchString(s) {
		out = append(out, "an entity survives")
	}
	if strings.Contains(s, "\n\n\n") {
		out = append(out, "more than one blank line")
	}
	for _, leak := range []string{"mso-", "{ ", "!important", "@media", "[if "} {
		if strings.Contains(s, leak) {
			out = append(out, "CSS or comment leaks: "+leak)
		}
	}
	for _, l := range strings.Split(s, "\n") {
		if len(l) > text.MaxLineBytes {
			out = append(out, fmt.Sprintf("line of %d bytes", len(l)))
		}
		if len([]rune(l)) > 78 && strings.Contains(l, " ") && !strings.Contains(l, "://") {
			out = append(out, fmt.Sprintf("line over 78 columns: %q", l))
		}
	}
	return out
}

func BenchmarkConvert(b *testing.B) {
	src, err := os.ReadFile("../../fixtures/emails/04-newsletter-columns.html")
	if err != nil {
		b.Fatal(err)
	}
	page := strings.Repeat(string(src), 4) // about the size of a full newsletter
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		text.Convert(page, text.Options{})
	}
}

// BenchmarkConvertNode measures the conversion alone, on a document parsed once, as the
// engine's text pass does (BenchmarkConvert also pays for html.Parse).
func BenchmarkConvertNode(b *testing.B) { benchConvertNode(b, "") }

// BenchmarkConvertNodeHidingRules is BenchmarkConvertNode on a document whose <style>
// hides by class, id and descendant selectors: every element is matched against them.
func BenchmarkConvertNodeHidingRules(b *testing.B) {
	benchConvertNode(b, `<style>.preheader{display:none!important;mso-hide:all} #legal-hidden{display:none}
.wrap .inner{max-height:0;overflow:hidden} td.hide-cell, span.x{visibility:hidden}
@media (max-width:600px){.mobile-hide{display:none}}</style>`)
}

// benchConvertNode converts four copies of the newsletter corpus email, with head added to
// its <head>, parsed once.
func benchConvertNode(b *testing.B, head string) {
	src, err := os.ReadFile("../../fixtures/emails/04-newsletter-columns.html")
	if err != nil {
		b.Fatal(err)
	}
	page := strings.Replace(strings.Repeat(string(src), 4), "</head>", head+"</head>", 1)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		text.ConvertNode(doc, text.Options{})
	}
}

func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob("../../fixtures/emails/*.html")
	cases, _ := filepath.Glob("testdata/cases/*.html")
	for _, p := range append(files, cases...) {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Add("<ul><li><ol><li><blockquote><pre>x</pre></blockquote></li></ol></li></ul>")
	f.Fuzz(func(t *testing.T, s string) {
		out := text.Convert(s, text.Options{Width: 40})
		for _, l := range strings.Split(out, "\n") {
			if len(l) > text.MaxLineBytes {
				t.Fatalf("line of %d bytes", len(l))
			}
		}
	})
}
