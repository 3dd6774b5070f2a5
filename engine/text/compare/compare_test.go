// Package compare_test measures mailmold's HTML-to-text converter against html-to-text;
// it is a package of its own so that the converter's tests do not depend on the engine.
package compare_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/mailmold/mailmold/engine/text"
	"github.com/mailmold/mailmold/engine/workspace"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// h2tConfigs are the html-to-text configurations of testdata/compare.mjs.
var h2tConfigs = []string{"default", "datatables"}

// TestCompareHTMLToText scores mailmold and the npm package html-to-text (v9, the converter
// users know) on the same objective checks, over three sets of emails: the corpus
// (fixtures/emails), every bundled template rendered for every sample profile (html-to-text
// reads the production HTML a sender would ship; mailmold's text is the engine's text
// variant) and testdata/cases. It runs when MAILMOLD_HTML_TO_TEXT names a folder where
// html-to-text is installed and node is on the PATH, and prints the tables of
// docs/text-vs-html-to-text.md:
//
//	mkdir -p /tmp/h2t && cd /tmp/h2t && npm init -y && npm install html-to-text@9
//	MAILMOLD_HTML_TO_TEXT=/tmp/h2t go test -run TestCompareHTMLToText -v ./engine/text/compare
func TestCompareHTMLToText(t *testing.T) {
	dir := os.Getenv("MAILMOLD_HTML_TO_TEXT")
	if dir == "" {
		t.Skip("set MAILMOLD_HTML_TO_TEXT to a folder where `npm install html-to-text@9` ran")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "html-to-text", "package.json")); err != nil {
		t.Skipf("html-to-text is not installed in %s", dir)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "compare.mjs"))
	tmp := os.Getenv("MAILMOLD_COMPARE_KEEP") // keeps the inputs and outputs there to read
	if tmp == "" {
		tmp = t.TempDir()
	}
	sets := []struct {
		name, dir string
		samples   []sample
	}{
		{"corpus (fixtures/emails, 22 emails)", "", corpusSamples(t)},
		{"bundled workspace (templates × profiles)", "", workspaceSamples(t)},
		{"engine/text/testdata/cases", "", caseSamples(t)},
	}
	for i := range sets {
		set := &sets[i]
		set.dir = filepath.Join(tmp, fmt.Sprint(i))
		in := filepath.Join(set.dir, "in")
		os.MkdirAll(in, 0o755)
		os.MkdirAll(filepath.Join(set.dir, "mailmold"), 0o755)
		for _, s := range set.samples {
			if err := os.WriteFile(filepath.Join(in, s.name+".html"), []byte(s.html), 0o644); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(set.dir, "mailmold", s.name+".txt"), []byte(s.ours), 0o644)
		}
		for _, cfg := range h2tConfigs {
			cmd := exec.Command(node, script, in, filepath.Join(set.dir, cfg), cfg)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("html-to-text: %v\n%s", err, out)
			}
		}
	}
	fmt.Println("Defects found by each check, summed over the set (lower is better).")
	for _, set := range sets {
		var ours score
		theirs := make([]score, len(h2tConfigs))
		for _, s := range set.samples {
			ours.add(s, s.ours)
			for i, cfg := range h2tConfigs {
				b, err := os.ReadFile(filepath.Join(set.dir, cfg, s.name+".txt"))
				if err != nil {
					t.Fatal(err)
				}
				theirs[i].add(s, string(b))
			}
		}
		fmt.Printf("\n### %s: %d emails\n\n", set.name, len(set.samples))
		fmt.Println("| check | mailmold | html-to-text | html-to-text, tables as data tables |")
		fmt.Println("|---|---:|---:|---:|")
		for k, name := range checkNames {
			fmt.Printf("| %s | %d | %d | %d |\n", name, ours.n[k], theirs[0].n[k], theirs[1].n[k])
		}
		fmt.Printf("| lines / bytes of text | %d / %d | %d / %d | %d / %d |\n", ours.lines, ours.bytes,
			theirs[0].lines, theirs[0].bytes, theirs[1].lines, theirs[1].bytes)
		if testing.Verbose() {
			for k, name := range checkNames {
				if len(ours.where[k]) > 0 {
					fmt.Printf("mailmold, %s: %s\n", name, strings.Join(ours.where[k], ", "))
				}
			}
		}
	}
}

// sample is an email: the HTML html-to-text reads, mailmold's text for it, and what its
// text must and must not show.
type sample struct {
	name, html, ours string
	links, alts      []string // URLs and alt texts of visible links and images
	pixelAlts        []string // alt texts of tracking pixels and spacers
	imageSrcs        []string
	words            []string             // the distinct words of its visible text (see words)
	hidden           func(out string) int // pieces of hidden content in out
}

const (
	cTags = iota
	cEntities
	cHidden
	cBlankRuns
	cLong
	cOver998
	cCSS
	cLinks
	cAlts
	cPixels
	cSrcs
	cWords
	nChecks
)

var checkNames = [nChecks]string{
	cTags:      "HTML tags left",
	cEntities:  "entities left",
	cHidden:    "hidden content shown (preheader, display:none…)",
	cBlankRuns: "runs of blank lines",
	cLong:      "lines over 78 columns (not a URL)",
	cOver998:   "lines over 998 bytes",
	cCSS:       "CSS or conditional comments leaked",
	cLinks:     "visible links whose URL is missing or broken",
	cAlts:      "image alt texts missing",
	cPixels:    "tracking pixel or spacer alt shown",
	cSrcs:      "image file URLs shown",
	cWords:     "words of the visible text missing or run together",
}

type score struct {
	n            [nChecks]int
	where        [nChecks][]string
	lines, bytes int
}

func (s *score) add(e sample, out string) {
	count := func(k, n int) {
		if n > 0 {
			s.n[k] += n
			s.where[k] = append(s.where[k], e.name)
		}
	}
	s.lines += strings.Count(out, "\n")
	s.bytes += len(out)
	if m := tagRe.FindAllString(out, -1); len(m) > 0 {
		count(cTags, len(m))
	}
	count(cEntities, len(regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`).FindAllString(out, -1)))
	count(cHidden, e.hidden(out))
	count(cBlankRuns, strings.Count(out, "\n\n\n"))
	long, over := 0, 0
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 78 && strings.Contains(strings.TrimSpace(l), " ") && !strings.Contains(l, "://") {
			long++
		}
		if len(l) > text.MaxLineBytes {
			over++
		}
	}
	count(cLong, long)
	count(cOver998, over)
	css := 0
	for _, leak := range []string{"mso-", "{ ", "!important", "@media", "[if "} {
		css += strings.Count(out, leak)
	}
	count(cCSS, css)
	missing := 0
	for _, u := range e.links {
		if !strings.Contains(out, u) && !strings.Contains(out, strings.TrimSuffix(u, "/")) {
			missing++
		}
	}
	count(cLinks, missing)
	flat := strings.Join(strings.Fields(out), " ")
	missing = 0
	for _, a := range e.alts {
		if !strings.Contains(flat, a) && !strings.Contains(flat, strings.ToUpper(a)) {
			missing++
		}
	}
	count(cAlts, missing)
	shown := 0
	for _, a := range e.pixelAlts {
		if strings.Contains(flat, a) {
			shown++
		}
	}
	count(cPixels, shown)
	shown = 0
	for _, src := range e.imageSrcs {
		if strings.Contains(out, src) {
			shown++
		}
	}
	count(cSrcs, shown)
	if len(e.words) > 0 {
		have := map[string]bool{}
		for _, w := range words(out) {
			have[w] = true
		}
		missing = 0
		for _, w := range e.words {
			if !have[w] {
				missing++
			}
		}
		count(cWords, missing)
	}
}

// words splits s into upper-case runs of letters and digits (upper case, which mailmold
// gives headings and buttons, keeps Turkish ı and i apart); soft hyphens and zero-width
// characters join what they separate, as they do on screen.
func words(s string) []string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// expect fills what a sample's text must show from the document doc: its visible links,
// images and (if withWords) words (not in head, template, mm-htmlonly or mm-textonly, nor
// under the hidden attribute or an inline style that hides).
func (e *sample) expect(doc string, withWords bool) {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "head", "template", "mm-htmlonly", "mm-textonly", "style", "script":
				return
			}
			style := ""
			for _, a := range n.Attr {
				if a.Key == "hidden" {
					return
				}
				if a.Key == "style" {
					style = strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				}
			}
			if strings.Contains(style, "display:none") || strings.Contains(style, "mso-hide:all") || strings.Contains(style, "visibility:hidden") ||
				regexp.MustCompile(`max-height:0(px)?(;|$)`).MatchString(style) && strings.Contains(style, "overflow:hidden") {
				return
			}
			attr := func(k string) string {
				for _, a := range n.Attr {
					if a.Key == k {
						return strings.TrimSpace(a.Val)
					}
				}
				return ""
			}
			switch n.DataAtom {
			case atom.A:
				if h := attr("href"); strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://") {
					if !slices.Contains(e.links, h) {
						e.links = append(e.links, h)
					}
				}
			case atom.Img:
				alt := strings.Join(strings.Fields(attr("alt")), " ")
				if src := attr("src"); strings.HasPrefix(src, "http") {
					e.imageSrcs = append(e.imageSrcs, src)
				}
				style := strings.ToLower(strings.Join(strings.Fields(attr("style")), ""))
				pixel := slices.Contains([]string{"0", "1", "1px"}, attr("width")) || slices.Contains([]string{"0", "1", "1px"}, attr("height")) ||
					regexp.MustCompile(`(^|;)(width|height):[01](px)?(;|$)`).MatchString(style)
				switch {
				case alt == "":
				case pixel:
					e.pixelAlts = append(e.pixelAlts, alt)
				default:
					e.alts = append(e.alts, alt)
				}
			}
		}
		if n.Type == html.TextNode && withWords {
			for _, w := range words(n.Data) {
				if !slices.Contains(e.words, w) {
					e.words = append(e.words, w)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
}

// containsCount counts the strings of hidden that out contains.
func containsCount(out string, hidden ...string) int {
	n := 0
	for _, h := range hidden {
		if h != "" && strings.Contains(out, h) {
			n++
		}
	}
	return n
}

// fileSamples converts the HTML files matched by glob; hidden(html, out) counts the
// hidden content shown in out; withWords as for sample.expect.
func fileSamples(t *testing.T, glob string, hidden func(html, out string) int, withWords bool) []sample {
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		t.Fatalf("no files match %s", glob)
	}
	var out []sample
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := sample{name: strings.TrimSuffix(filepath.Base(f), ".html"), html: string(src), ours: text.Convert(string(src), text.Options{})}
		s.hidden = func(out string) int { return hidden(s.html, out) }
		s.expect(s.html, withWords)
		out = append(out, s)
	}
	return out
}

func corpusSamples(t *testing.T) []sample {
	return fileSamples(t, "../../../fixtures/emails/*.html", func(html, out string) int {
		n := 0
		for _, h := range []string{"Hidden content test", "Hidden div", "Invisible div", "Collapsed div", "Hidden attribute", "Only in HTML", "RSVP now (Outlook)"} {
			if strings.Contains(out, h) && !strings.Contains(html, "<p>"+h) {
				n++
			}
		}
		return n
	}, true)
}

var hiddenLineRe = regexp.MustCompile(`(?i)hidden|collapsed|invisible`)

// caseSamples are testdata/cases; without the words check, as their hidden content is
// hidden by classes too.
func caseSamples(t *testing.T) []sample {
	return fileSamples(t, "../testdata/cases/*.html", func(_, out string) int {
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if hiddenLineRe.MatchString(l) && !strings.Contains(l, "Shown") {
				n++
			}
		}
		return n
	}, false)
}

var tagRe = regexp.MustCompile(`(?i)</?(p|div|span|a|img|table|tbody|td|tr|th|br|h[1-6]|ul|ol|li|style|script|html|body|head|title|meta|center|font|strong|b|em|i|mm-[a-z]+)\b[^>]*>|<!--`)

func workspaceSamples(t *testing.T) []sample {
	ws, err := workspace.Open("", func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, n := range ws.Templates {
		tpl, err := ws.Compile(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ws.Profiles {
			m, err := tpl.Render(context.Background(), p.Data)
			if err != nil {
				t.Fatal(err)
			}
			s := sample{name: n + "." + p.ID, html: m.HTML, ours: *m.Text}
			pre := m.Preheader
			s.hidden = func(out string) int { return containsCount(strings.Join(strings.Fields(out), " "), pre) }
			s.expect(m.Master, true)
			out = append(out, s)
		}
	}
	return out
}
