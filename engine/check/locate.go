package check

import (
	"context"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/workspace"
	"golang.org/x/net/html"
)

// markAttr is the attribute a probe build writes into every start tag of the template
// text: it names the tag's place in the source.
const markAttr = "data-mm-at"

// srcPos is a place in a template or partial file.
type srcPos struct {
	file      string
	line, col int
}

// locator maps elements of a rendered document back to the start tags that produced them.
// When a rule reports an element, the template is compiled once more as a probe, its text
// rewritten so every start tag carries its source position in markAttr, and rendered for
// the same profile: the element at the same place in the probe's document names its tag.
// Loops, conditionals and partials keep their places, unlike a search of the source text;
// a render without findings costs nothing more.
type locator struct {
	ctx     context.Context
	ws      *workspace.Workspace
	tpl     *engine.Template
	probe   *engine.Template
	failed  bool
	marks   []srcPos
	sources map[string]string // original text of the files marked, for code frames
}

func newLocator(ctx context.Context, ws *workspace.Workspace, tpl *engine.Template) *locator {
	return &locator{ctx: ctx, ws: ws, tpl: tpl, sources: map[string]string{}}
}

var dialectExt = map[string]string{"liquid": ".liquid", "mustache": ".mustache", "handlebars": ".hbs", "mailchimp": ".mc.html"}

// element returns where the idx-th element (document order) of a render starts, given the
// probe's elements for the same profile, if the probe has that element with that tag.
func (l *locator) element(probe []*html.Node, idx int, tag string) (srcPos, bool) {
	if idx >= len(probe) || probe[idx].Data != tag {
		return srcPos{}, false
	}
	for n := probe[idx]; n != nil; n = n.Parent {
		for _, a := range n.Attr {
			if a.Key == markAttr {
				if i, err := strconv.Atoi(a.Val); err == nil && i < len(l.marks) {
					return l.marks[i], true
				}
			}
		}
	}
	return srcPos{}, false
}

// probeDoc renders the probe for p and lists its elements in document order; nil when the
// probe cannot be built or rendered.
func (l *locator) probeDoc(p workspace.Profile) []*html.Node {
	if l.probe == nil && !l.failed {
		l.build()
	}
	if l.probe == nil {
		return nil
	}
	m, err := l.probe.RenderWith(l.ctx, p.Data, engine.RenderOptions{Trace: func(eval.BranchHit) {}})
	if err != nil {
		return nil
	}
	doc, err := html.Parse(strings.NewReader(engine.HTMLMarkers(m.Master)))
	if err != nil {
		return nil
	}
	return elements(doc)
}

// build compiles the probe: the template and its partials with every start tag marked.
func (l *locator) build() {
	l.failed = true
	opt := l.ws.Options()
	load := opt.Partial
	opt.Partial = func(name string) (string, string, error) {
		file, src, err := load(name)
		if err != nil {
			return file, src, err
		}
		parseAs := file
		if path.Ext(file) == "" {
			parseAs += dialectExt[l.tpl.Dialect] // as the engine does: the template's dialect
		}
		if pt, err := engine.Compile(parseAs, src, l.ws.Options()); err == nil {
			return file, l.mark(file, src, pt.Tree), nil
		}
		return file, src, nil
	}
	probe, err := engine.Compile(l.tpl.Name, l.mark(l.tpl.Name, l.tpl.Source, l.tpl.Tree), opt)
	if err != nil {
		return
	}
	l.probe, l.failed = probe, false
}

// mark returns src with markAttr written into every start tag of t's text nodes.
func (l *locator) mark(file, src string, t *tree.Template) string {
	l.sources[file] = src
	lines := diag.NewLines(src)
	type insert struct {
		at int
		s  string
	}
	var ins []insert
	tree.Walk(t.Body, func(n tree.Node) bool {
		if _, isInclude := n.(*tree.Include); isInclude {
			return false // an expanded partial's text belongs to its own file
		}
		txt, ok := n.(*tree.Text)
		if !ok {
			return true
		}
		off := lines.Offset(txt.Line, txt.Col)
		if off < 0 {
			return true
		}
		for _, tg := range startTags(txt.Text) {
			at := off + tg.off
			if at+1+len(tg.name) > len(src) || src[at:at+1+len(tg.name)] != "<"+tg.name {
				continue // the text node was rewritten by its parser: leave it
			}
			line, col := txt.Line, txt.Col
			if nl := strings.LastIndexByte(txt.Text[:tg.off], '\n'); nl >= 0 {
				line += strings.Count(txt.Text[:tg.off], "\n")
				col = utf8.RuneCountInString(txt.Text[nl+1:tg.off]) + 1
			} else {
				col += utf8.RuneCountInString(txt.Text[:tg.off])
			}
			ins = append(ins, insert{at + 1 + len(tg.name), " " + markAttr + `="` + strconv.Itoa(len(l.marks)) + `"`})
			l.marks = append(l.marks, srcPos{file, line, col})
		}
		return true
	})
	var b strings.Builder
	last := 0
	for _, in := range ins {
		if in.at < last {
			continue
		}
		b.WriteString(src[last:in.at])
		b.WriteString(in.s)
		last = in.at
	}
	b.WriteString(src[last:])
	return b.String()
}

// tagAt is a start tag found in template text.
type tagAt struct {
	off  int
	name string
}

// startTags finds the start tags in a piece of template text, skipping comments and the
// contents of style and script elements.
func startTags(s string) []tagAt {
	var out []tagAt
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			break
		}
		k += i
		if strings.HasPrefix(s[k:], "<!--") {
			end := strings.Index(s[k+4:], "-->")
			if end < 0 {
				break
			}
			i = k + 4 + end + 3
			continue
		}
		j := k + 1
		for j < len(s) && (isASCIILetter(s[j]) || j > k+1 && (s[j] >= '0' && s[j] <= '9' || s[j] == '-' || s[j] == ':')) {
			j++
		}
		if j == k+1 {
			i = k + 1
			continue
		}
		name := s[k+1 : j]
		out = append(out, tagAt{k, name})
		i = j
		if lower := strings.ToLower(name); lower == "style" || lower == "script" {
			end := strings.Index(strings.ToLower(s[j:]), "</"+lower)
			if end < 0 {
				break
			}
			i = j + end
		}
	}
	return out
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// elements lists the element nodes under n in document order.
func elements(n *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// locateText finds the first place needle occurs in the template source; it falls back to
// the body's first line. For things that are not elements (the end of the body).
func locateText(tpl *engine.Template, needle string) (int, int) {
	if i := strings.Index(tpl.Source, needle); needle != "" && i >= 0 {
		return diag.NewLines(tpl.Source).At(i)
	}
	if len(tpl.Tree.Body) > 0 {
		p := tpl.Tree.Body[0].Position()
		return p.Line, p.Col
	}
	return 1, 1
}
