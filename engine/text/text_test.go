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

// TestCompareHTMLToText scores mailmold and html-to-text on the same checks (see
// testdata/compare/README.md); it runs when MAILMOLD_H2T_DIR names html-to-text's outputs.
func TestCompareHTMLToText(t *testing.T) {
	dir := os.Getenv("MAILMOLD_H2T_DIR")
	if dir == "" {
		t.Skip("set MAILMOLD_H2T_DIR to html-to-text's outputs (testdata/compare/README.md)")
	}
	files, _ := filepath.Glob("../../fixtures/emails/*.html")
	type score struct{ tags, entities, hidden, blank, long, leaks, linksMissing, pixels, altMissing int }
	var ours, theirs score
	add := func(s *score, html, out string) {
		for _, p := range problems(out) {
			switch {
			case strings.HasPrefix(p, "an HTML tag"):
				s.tags++
			case strings.HasPrefix(p, "an entity"):
				s.entities++
			case strings.HasPrefix(p, "more than one blank"):
				s.blank++
			case strings.HasPrefix(p, "CSS"):
				s.leaks++
			default:
				s.long++
			}
		}
		for _, h := range []string{"preheader", "Hidden div", "Invisible div", "Collapsed div", "Hidden attribute", "Only in HTML", "RSVP now (Outlook)"} {
			if strings.Contains(out, h) && !strings.Contains(html, "<p>"+h) {
				s.hidden++
			}
		}
		for _, m := range regexp.MustCompile(`href="(https?://[^"#]+)"`).FindAllStringSubmatch(html, -1) {
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.Contains(out, u) && !strings.Contains(out, strings.TrimSuffix(u, "/")) {
				s.linksMissing++
			}
		}
		if strings.Contains(out, "tracking") {
			s.pixels++
		}
		for _, m := range regexp.MustCompile(`alt="([^"]+)"`).FindAllStringSubmatch(html, -1) {
			if m[1] != "tracking" && !strings.Contains(out, m[1]) {
				s.altMissing++
			}
		}
	}
	for _, f := range files {
		src, _ := os.ReadFile(f)
		add(&ours, string(src), text.Convert(string(src), text.Options{}))
		h2t, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), ".html")+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		add(&theirs, string(src), string(h2t))
	}
	fmt.Printf("%-28s %8s %12s\n", "check (defects, lower is better)", "mailmold", "html-to-text")
	row := func(name string, a, b int) { fmt.Printf("%-28s %8d %12d\n", name, a, b) }
	row("tags left", ours.tags, theirs.tags)
	row("entities left", ours.entities, theirs.entities)
	row("hidden text leaked", ours.hidden, theirs.hidden)
	row("blank-line runs", ours.blank, theirs.blank)
	row("lines too long", ours.long, theirs.long)
	row("CSS/comment leaks", ours.leaks, theirs.leaks)
	row("links missing", ours.linksMissing, theirs.linksMissing)
	row("tracking pixel alt shown", ours.pixels, theirs.pixels)
	row("image alt missing", ours.altMissing, theirs.altMissing)
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
func BenchmarkConvertNode(b *testing.B) {
	src, err := os.ReadFile("../../fixtures/emails/04-newsletter-columns.html")
	if err != nil {
		b.Fatal(err)
	}
	page := strings.Repeat(string(src), 4)
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
	for _, p := range files {
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
