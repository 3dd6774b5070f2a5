package htmltree_test

import (
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
)

// holeMark separates a layout's pieces in the cases below: "a\x01b" is the layout "a", a
// hole, "b".
const holeMark = "\x01"

// fill writes vals into the holes of layout and returns the document and the holes.
func fill(layout string, vals []string) (string, [][2]int) {
	pieces := strings.Split(layout, holeMark)
	var b strings.Builder
	var holes [][2]int
	for i, p := range pieces {
		b.WriteString(p)
		if i < len(pieces)-1 {
			v := ""
			if len(vals) > 0 {
				v = vals[i%len(vals)]
			}
			start := b.Len()
			b.WriteString(v)
			holes = append(holes, [2]int{start, b.Len()})
		}
	}
	return b.String(), holes
}

// sameTree returns "" when got is the tree Parse gives for doc.
func sameTree(doc string, got *html.Node) string {
	want, err := htmltree.Parse(doc)
	if err != nil {
		return "Parse: " + err.Error()
	}
	var g, w strings.Builder
	html.Render(&g, got)
	html.Render(&w, want)
	if g.String() != w.String() {
		return "renderings differ:\n" + firstDiff(w.String(), g.String())
	}
	return sameNode(want, got, "#document")
}

func TestLayouts(t *testing.T) {
	const page = "<!doctype html><html><head><title>\x01</title></head><body>"
	for _, c := range []struct {
		name, layout string
		vals         [][]string // the documents, in order
		reused       int64      // how many of them get a copy of the layout's tree
	}{
		{"text", "<p>Hi \x01, \x01!</p>", [][]string{{"Ann", "x"}, {"Bob Lee", "y &amp; z"}, {"Cy", "&lt;b&gt;"}}, 3},
		{"attribute", "<a href=\"https://x.example/?u=\x01&amp;c=1\" title='\x01'>l</a>", [][]string{{"1", "a b"}, {"22", "c"}}, 2},
		{"title and body", page + "<h1>\x01</h1>", [][]string{{"T", "H"}, {"Title two", "Head two"}}, 2},
		{"adjacent holes", "<p>\x01\x01</p>", [][]string{{"a", "b"}, {"c", "d"}}, 2},
		{"empty value", "<p>\x01</p>", [][]string{{"a"}, {""}, {"b"}}, 2},
		{"space at an end", "<p>\x01</p>", [][]string{{"a"}, {" b"}, {"c "}, {"&#32;d"}}, 1},
		{"value making a tag after <", "<p>a <\x01</p>", [][]string{{"3"}, {"b>x"}, {"/p"}, {"!--"}, {" 4"}}, 1},
		{"value going on with a reference", "<p>&amp\x01</p>", [][]string{{"-"}, {"x"}, {";"}}, 1},
		{"reference running past the value", "<p>\x01;</p>", [][]string{{"a"}, {"&amp"}, {"&"}, {"&amp;"}}, 2},
		{"unquoted attribute", "<a href=\x01>x</a>", [][]string{{"a"}, {"b"}}, 0},
		{"quote in a value", "<a title=\"\x01\">x</a>", [][]string{{"a"}, {`b"c`}, {"d"}}, 2},
		{"hole in a tag name", "<\x01>x", [][]string{{"b"}, {"i"}}, 0},
		{"hole in an attribute name", "<p \x01=1>x", [][]string{{"a"}, {"b"}}, 0},
		{"hole in a comment", "<!-- \x01 --><p>x", [][]string{{"a"}, {"b"}}, 0},
		{"hole in a style element", "<style>p{color:\x01}</style>", [][]string{{"red"}, {"blue"}}, 0},
		{"hole in a type attribute", "<table><input type=\"\x01\"></table>", [][]string{{"hidden"}, {"text"}}, 0},
		{"hole in a duplicate attribute", "<p class=a class=\"\x01\">x", [][]string{{"b"}, {"c"}}, 0},
		{"Noah's Ark", "<p>" + strings.Repeat("<b class=\"\x01\">x", 4) + "<p>y", [][]string{{"a", "b", "c", "d"}, {"a"}}, 0},
		{"formatting elements reopened", "<p><b class=\"\x01\">x<p>y", [][]string{{"a"}, {"b"}}, 2},
		{"table text", "<table><tr><td>\x01</td></tr></table>", [][]string{{"a"}, {"b c"}}, 2},
		{"text in a table (foster parenting)", "<table>\x01<tr><td>x</table>", [][]string{{"a"}, {"b"}}, 0},
		{"pre", "<pre>\x01</pre>", [][]string{{"a"}, {"\nb"}, {"c"}}, 2},
		{"placeholder character in the layout", "<p>\uE000\x01</p>", [][]string{{"a"}, {"b"}}, 0},
		{"carriage returns", "<p>a\r\x01\r\nb</p>", [][]string{{"x"}, {"\ny"}, {"z\r"}}, 1},
		{"NUL", "<p>\x00\x01</p>", [][]string{{"a"}, {"b"}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			ls := htmltree.NewLayouts(4)
			for _, v := range c.vals {
				doc, holes := fill(c.layout, v)
				got, err := ls.Parse(doc, holes)
				if err != nil {
					t.Fatal(err)
				}
				if d := sameTree(doc, got); d != "" {
					t.Fatalf("%q: %s", doc, d)
				}
			}
			if reused, parsed := ls.Stats(); reused != c.reused || reused+parsed != int64(len(c.vals)) {
				t.Errorf("reused %d, parsed %d; want %d reused", reused, parsed, c.reused)
			}
		})
	}
}

// TestLayoutsCopies: each document gets a tree of its own, whether in new memory or in a
// released tree's; what was done to one tree shows in no other.
func TestLayoutsCopies(t *testing.T) {
	ls := htmltree.NewLayouts(4)
	layout := "<p class=\"\x01\">\x01<b>x</b></p><i>y</i>"
	for i, release := range []bool{false, true, true, false} {
		doc, holes := fill(layout, []string{strings.Repeat("v", i+1)})
		tr, err := ls.ParseTree(doc, holes)
		if err != nil {
			t.Fatal(err)
		}
		if d := sameTree(doc, tr.Root()); d != "" {
			t.Fatalf("%d: %s", i, d)
		}
		// what the AMP pass does to a tree: values, attributes, children and links change
		p := tr.Root().LastChild.LastChild.FirstChild // html > body > p
		p.Attr[0].Val = "changed"
		p.FirstChild.Data = "changed"
		p.Attr = append(p.Attr, html.Attribute{Key: "id", Val: "x"})
		p.RemoveChild(p.LastChild)
		p.Parent.RemoveChild(p.NextSibling)
		p.Namespace, p.Type = "svg", html.CommentNode
		if release {
			tr.Release()
			if tr.Layout() != nil {
				t.Error("Release leaves the tree")
			}
		}
	}
	if reused, parsed := ls.Stats(); reused != 4 || parsed != 0 {
		t.Errorf("reused %d, parsed %d", reused, parsed)
	}
}

// TestLayoutsLimit: past the limit, new layouts are parsed every time.
func TestLayoutsLimit(t *testing.T) {
	ls := htmltree.NewLayouts(1)
	for i, layout := range []string{"<p>\x01</p>", "<div>\x01</div>", "<p>\x01</p>", "<div>\x01</div>"} {
		doc, holes := fill(layout, []string{"v"})
		got, _ := ls.Parse(doc, holes)
		if d := sameTree(doc, got); d != "" {
			t.Fatalf("%d: %s", i, d)
		}
	}
	if reused, parsed := ls.Stats(); reused != 2 || parsed != 2 {
		t.Errorf("reused %d, parsed %d; want 2 and 2", reused, parsed)
	}
}

// FuzzLayouts asserts that Layouts.Parse gives Parse's tree whatever the layout, its holes
// and their values: layout is cut into pieces at \x01, and the two documents fill the holes
// from a and b (cut at \x01 too). Seeded with the cases and the corpus with holes cut where
// text and attribute values are.
func FuzzLayouts(f *testing.F) {
	f.Add("<p>Hi \x01!</p><a href=\"\x01\">x</a>", "Ann\x01u", "Bob Lee\x01v w")
	for _, c := range cases {
		f.Add(c.src, "a", "b")
		if i := strings.Index(c.src, ">"); i >= 0 {
			f.Add(c.src[:i+1]+"\x01"+c.src[i+1:], "x\x01&amp;", "y z")
		}
		if i := strings.Index(c.src, `="`); i >= 0 {
			f.Add(c.src[:i+2]+"\x01"+c.src[i+2:], "x", "y z")
		}
	}
	for _, d := range corpus(f) {
		if !d.bundled || strings.Contains(d.name, "/p-high-value") {
			f.Add(holesIn(d.src), "Ann\x01https://x.example/a?b=1&amp;c=2\x013", "Bob Lee\x01u\x01&lt;4&gt;")
		}
	}
	f.Fuzz(func(t *testing.T, layout, a, b string) {
		if len(layout) > 1<<16 {
			return
		}
		ls := htmltree.NewLayouts(4)
		for _, v := range []string{a, b, a} {
			doc, holes := fill(layout, strings.Split(v, holeMark))
			got, err := ls.Parse(doc, holes)
			if err != nil {
				t.Fatal(err)
			}
			if d := sameTree(doc, got); d != "" {
				t.Fatalf("%q: %s", doc, d)
			}
		}
	})
}

// holesIn marks a hole in every third text and quoted attribute value of src, so that the
// corpus seeds look like rendered templates.
func holesIn(src string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(src); i++ {
		b.WriteByte(src[i])
		if src[i] == '>' || src[i] == '"' && i > 0 && src[i-1] == '=' {
			if n++; n%3 == 0 && i+1 < len(src) && src[i+1] != '<' {
				b.WriteString(holeMark)
			}
		}
	}
	return b.String()
}
