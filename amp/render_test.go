package amp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// addCorpusSeeds adds the emails of testdata as seeds of a fuzz target.
func addCorpusSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// AddCorpusSeeds is addCorpusSeeds for the tests of package amp_test.
var AddCorpusSeeds = addCorpusSeeds

// sameAsRender checks that renderNode writes n as html.Render does, and every node under it
// when deep is set (rendering each subtree costs the size of n times its depth).
func sameAsRender(t *testing.T, n *html.Node, deep bool) {
	t.Helper()
	var want, got bytes.Buffer
	errWant := html.Render(&want, n)
	errGot := renderNode(&got, n)
	if got.String() != want.String() || (errGot == nil) != (errWant == nil) {
		t.Fatalf("renderNode differs from html.Render on <%s>:\n got %q (%v)\nwant %q (%v)", n.Data, got.String(), errGot, want.String(), errWant)
	}
	for c := n.FirstChild; deep && c != nil; c = c.NextSibling {
		sameAsRender(t, c, deep)
	}
}

// FuzzRender checks renderNode against html.Render on parsed documents, before and after
// the transform.
func FuzzRender(f *testing.F) {
	addCorpusSeeds(f)
	for _, s := range []string{
		"<pre>\n\nx</pre><listing>\ny</listing><textarea>\nz</textarea>",
		`<p>a<plaintext>b<i>c</i></p><p>d`,
		`<svg><a xlink:href="x">t</a><foreignObject><p>x</p><style>a>b</style></foreignObject></svg><math><mi>x<mglyph><style>a<b</style></mglyph></mi></math>`,
		"<noscript><p>&amp;'\"\r</p></noscript><xmp>a<b</xmp><iframe>x<y</iframe><noembed>n</noembed>",
		`<!doctype html><!-- c --><table><tr><td>x</table><template><col></template>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 20_000 {
			return
		}
		doc, err := html.Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		deep := len(s) <= 4096
		sameAsRender(t, doc, deep)
		transform(doc, "", Options{})
		sameAsRender(t, doc, deep)
	})
}

func TestRenderVoidWithChildren(t *testing.T) {
	br := &html.Node{Type: html.ElementNode, Data: "br"}
	br.AppendChild(&html.Node{Type: html.TextNode, Data: "x"})
	p := &html.Node{Type: html.ElementNode, Data: "p"}
	p.AppendChild(br)
	sameAsRender(t, p, true)
}
