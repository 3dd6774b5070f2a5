package engine

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/andybalholm/cascadia"
	"github.com/mailmold/mailmold/engine/htmlprod"
	"github.com/mailmold/mailmold/engine/internal/csstext"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Compile-time CSS inlining.
//
// Which style an element gets from the stylesheet depends on the element's tag, classes and
// ancestors, all of which are in the template's static text; profile data only fills text
// and attribute values. So mailmold inlines once per template: it joins the template's text
// (partials expanded in place) into a skeleton document where every tag, output and block
// boundary is a placeholder, matches the stylesheet against that skeleton, writes the
// resulting style attributes into the static text, and compiles the rewritten tree. Each
// recipient then renders already-inlined HTML. A template where this is not exact (a class
// or style attribute built from data, a tag split by a block, selectors with pseudo-classes
// are simply kept in <style>) falls back to inlining each rendered message.

// errNoStaticInline explains why a template falls back to per-message inlining.
type errNoStaticInline struct{ why string }

func (e *errNoStaticInline) Error() string { return "no compile-time inlining: " + e.why }

const (
	phOpen  = '\uE000'
	phClose = '\uE001'
)

// expandPartials returns a deep copy of body in which every include/render of a literal
// partial name carries the partial's body inline.
func expandPartials(body []tree.Node, load func(string) (*tree.Template, error), depth int) ([]tree.Node, error) {
	if depth > 8 {
		return nil, &errNoStaticInline{"partials nest too deep (recursive partial)"}
	}
	out := make([]tree.Node, len(body))
	for i, n := range body {
		c, err := copyNode(n, load, depth)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func copyNode(n tree.Node, load func(string) (*tree.Template, error), depth int) (tree.Node, error) {
	cp := func(b []tree.Node) ([]tree.Node, error) { return expandPartials(b, load, depth) }
	var err error
	switch x := n.(type) {
	case *tree.Text:
		c := *x
		return &c, nil
	case *tree.If:
		c := *x
		c.Branches = make([]*tree.Branch, len(x.Branches))
		for i, b := range x.Branches {
			if c.Branches[i], err = copyBranch(b, cp); err != nil {
				return nil, err
			}
		}
		return &c, nil
	case *tree.Case:
		c := *x
		c.Whens = make([]*tree.When, len(x.Whens))
		for i, w := range x.Whens {
			nw := *w
			if nw.Body, err = cp(w.Body); err != nil {
				return nil, err
			}
			c.Whens[i] = &nw
		}
		return &c, nil
	case *tree.For:
		c := *x
		if c.Body, err = cp(x.Body); err != nil {
			return nil, err
		}
		if c.Else, err = copyBranch(x.Else, cp); err != nil {
			return nil, err
		}
		return &c, nil
	case *tree.Segment:
		c := *x
		c.Branches = make([]*tree.SegmentBranch, len(x.Branches))
		for i, b := range x.Branches {
			nb := *b
			if nb.Body, err = cp(b.Body); err != nil {
				return nil, err
			}
			c.Branches[i] = &nb
		}
		if c.Else, err = copyBranch(x.Else, cp); err != nil {
			return nil, err
		}
		return &c, nil
	case *tree.Capture:
		c := *x
		c.Body, err = cp(x.Body)
		return &c, err
	case *tree.IfChanged:
		c := *x
		c.Body, err = cp(x.Body)
		return &c, err
	case *tree.Markdown:
		// its body is Markdown, not HTML: only a static block can be seen at compile time,
		// as the HTML it converts to
		var src strings.Builder
		for _, b := range x.Body {
			t, ok := b.(*tree.Text)
			if !ok {
				return nil, &errNoStaticInline{"a markdown block with data makes its HTML at render time"}
			}
			src.WriteString(t.Text)
		}
		h, err := pongo.Markdown(src.String())
		if err != nil {
			return nil, &errNoStaticInline{"markdown: " + err.Error()}
		}
		return &tree.Text{Pos: x.Pos, Text: h}, nil
	case *tree.VariantOnly:
		c := *x
		c.Body, err = cp(x.Body)
		return &c, err
	case *tree.Live:
		c := *x
		c.Fallback, err = cp(x.Fallback)
		return &c, err
	case *tree.Block:
		c := *x
		c.Body, err = cp(x.Body)
		return &c, err
	case *tree.Section:
		c := *x
		c.Body, err = cp(x.Body)
		return &c, err
	case *tree.With:
		c := *x
		if c.Body, err = cp(x.Body); err != nil {
			return nil, err
		}
		if c.Else, err = copyBranch(x.Else, cp); err != nil {
			return nil, err
		}
		return &c, nil
	case *tree.Include:
		c := *x
		lit, ok := x.Name.(*tree.Literal)
		if !ok || x.Indent != "" {
			return nil, &errNoStaticInline{"an include with a name computed at render time"}
		}
		name, _ := lit.Value.(string)
		pt, err := load(name)
		if err != nil {
			return nil, err
		}
		if c.Body, err = expandPartials(pt.Body, load, depth+1); err != nil {
			return nil, err
		}
		c.BodyFile, c.BodySource = pt.Name, pt.Source
		return &c, nil
	}
	return n, nil // leaves without bodies are immutable
}

// copyBranch copies a branch with its body (nil stays nil).
func copyBranch(b *tree.Branch, cp func([]tree.Node) ([]tree.Node, error)) (*tree.Branch, error) {
	if b == nil {
		return nil, nil
	}
	nb := *b
	var err error
	nb.Body, err = cp(b.Body)
	return &nb, err
}

// skeleton is the joined text of a tree with placeholders for everything else.
type skeleton struct {
	b      strings.Builder
	texts  []*tree.Text // in order
	textAt map[int]bool // placeholders that open a Text node
	ph     int
}

func (s *skeleton) placeholder() {
	s.b.WriteRune(phOpen)
	s.b.WriteString(strconv.Itoa(s.ph))
	s.b.WriteRune(phClose)
	s.ph++
}

// walk appends body: every Text node keeps its own slot, and every node boundary gets a
// placeholder so the rewritten text can be cut back into the same Text nodes.
func (s *skeleton) walk(body []tree.Node) {
	for _, n := range body {
		if t, ok := n.(*tree.Text); ok {
			s.textAt[s.ph] = true
			s.placeholder()
			s.texts = append(s.texts, t)
			s.b.WriteString(t.Text)
			continue
		}
		s.placeholder()
		for _, c := range bodiesOf(n) {
			s.walk(c)
			s.placeholder()
		}
	}
}

// bodiesOf returns the bodies of n including inline partial bodies.
func bodiesOf(n tree.Node) [][]tree.Node {
	if inc, ok := n.(*tree.Include); ok && inc.Body != nil {
		return [][]tree.Node{inc.Body}
	}
	return tree.Children(n)
}

// rule is one stylesheet rule to inline.
type rule struct {
	sel   cascadia.Sel
	spec  cascadia.Specificity
	order int
	decls [][2]string
}

// inlineStatic rewrites the Text nodes of body (already expanded) with the stylesheet
// inlined. It returns an errNoStaticInline when the template cannot be inlined exactly.
func inlineStatic(body []tree.Node) error {
	sk := &skeleton{textAt: map[int]bool{}}
	sk.walk(body)
	src := sk.b.String()

	// 1. Number the start tags, check where placeholders sit, collect the stylesheets.
	var marked strings.Builder
	z := html.NewTokenizer(strings.NewReader(src))
	type tagInfo struct{ start, end int }
	var tags []tagInfo
	var sheets []string
	inStyle := false
	off := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := string(z.Raw())
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if strings.ContainsRune(string(name), phOpen) {
				return &errNoStaticInline{"a tag name is built at render time"}
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := string(k)
				if strings.ContainsRune(key, phOpen) {
					return &errNoStaticInline{"a tag's attributes are chosen at render time"}
				}
				if (key == "class" || key == "id" || key == "style") && strings.ContainsRune(string(v), phOpen) {
					return &errNoStaticInline{"a " + key + " attribute is built at render time"}
				}
			}
			tags = append(tags, tagInfo{off, off + len(raw)})
			i := len(string(name)) + 1
			marked.WriteString(raw[:i] + ` data-mmi="` + strconv.Itoa(len(tags)-1) + `"` + raw[i:])
			inStyle = atom.Lookup(name) == atom.Style
		case html.TextToken:
			if inStyle {
				sheets = append(sheets, raw)
			}
			marked.WriteString(raw)
		case html.EndTagToken:
			inStyle = false
			marked.WriteString(raw)
		default:
			marked.WriteString(raw)
		}
		off += len(raw)
	}
	if len(sheets) == 0 {
		return nil
	}
	for _, sh := range sheets {
		if strings.ContainsRune(sh, phOpen) {
			return &errNoStaticInline{"the stylesheet is built at render time"}
		}
	}

	// 2. Parse the stylesheet: plain rules are inlined, the rest stays in <style>.
	var rules []rule
	kept := make([]string, len(sheets))
	for i, sh := range sheets {
		rs, rest := splitSheet(sh, len(rules))
		rules = append(rules, rs...)
		kept[i] = rest
	}

	// 3. Match every rule against the skeleton document.
	doc, err := html.Parse(strings.NewReader(marked.String()))
	if err != nil {
		return &errNoStaticInline{err.Error()}
	}
	styles := map[int][]rule{}
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "data-mmi" {
					id, _ := strconv.Atoi(a.Val)
					for _, r := range rules {
						if r.sel.Match(n) {
							styles[id] = append(styles[id], r)
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)

	// 4. Write the style attributes into the original text; replace the stylesheets.
	var out strings.Builder
	prev := 0
	sheetIdx := 0
	z = html.NewTokenizer(strings.NewReader(src))
	off = 0
	tagIdx := 0
	inStyle = false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := string(z.Raw())
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			inStyle = atom.Lookup(name) == atom.Style
			if rs := styles[tagIdx]; len(rs) > 0 {
				out.WriteString(src[prev:off])
				out.WriteString(withStyle(raw, string(name), rs))
				prev = off + len(raw)
			}
			tagIdx++
		case html.TextToken:
			if inStyle && sheetIdx < len(kept) {
				out.WriteString(src[prev:off])
				out.WriteString(kept[sheetIdx])
				prev = off + len(raw)
				sheetIdx++
			}
		case html.EndTagToken:
			inStyle = false
		}
		off += len(raw)
	}
	out.WriteString(src[prev:])
	return splitBack(out.String(), sk)
}

// splitBack cuts the rewritten skeleton at its placeholders into the Text nodes.
func splitBack(s string, sk *skeleton) error {
	parts := strings.Split(s, string(phOpen))
	if len(parts) != sk.ph+1 {
		return &errNoStaticInline{"placeholders were lost"}
	}
	ti := 0
	for k, p := range parts[1:] {
		end := strings.IndexRune(p, phClose)
		if end < 0 || p[:end] != strconv.Itoa(k) {
			return &errNoStaticInline{"placeholders moved"}
		}
		if ti < len(sk.texts) && sk.isText(k) {
			sk.texts[ti].Text = p[end+len(string(phClose)):]
			ti++
		} else if p[end+len(string(phClose)):] != "" {
			return &errNoStaticInline{"text appeared between nodes"}
		}
	}
	return nil
}

// isText reports whether placeholder k opens a Text node. The skeleton writes, for each
// Text node, its placeholder then its text; other placeholders are followed directly by
// another placeholder or a Text placeholder.
func (s *skeleton) isText(k int) bool { return s.textAt[k] }

// withStyle returns the start tag raw with the matched rules merged into its style
// attribute: rules by specificity then source order, the tag's own declarations last.
func withStyle(raw, name string, rs []rule) string {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].spec != rs[j].spec {
			return rs[i].spec.Less(rs[j].spec)
		}
		return rs[i].order < rs[j].order
	})
	var order []string
	vals := map[string]string{}
	set := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = v
	}
	for _, r := range rs {
		for _, d := range r.decls {
			set(d[0], d[1])
		}
	}
	// the tag's own style attribute wins
	z := html.NewTokenizer(strings.NewReader(raw))
	z.Next()
	var keep []string
	_, hasAttr := z.TagName()
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		if string(k) == "style" {
			for _, d := range strings.Split(string(v), ";") {
				if p, val, ok := strings.Cut(d, ":"); ok && strings.TrimSpace(p) != "" {
					set(strings.ToLower(strings.TrimSpace(p)), strings.TrimSpace(val))
				}
			}
			continue
		}
		keep = append(keep, attrText(string(k), string(v)))
	}
	decls := make([]string, len(order))
	for i, k := range order {
		decls[i] = k + ":" + vals[k]
	}
	selfClose := strings.HasSuffix(strings.TrimSpace(raw), "/>")
	var b strings.Builder
	b.WriteString("<" + name)
	for _, a := range keep {
		b.WriteString(" " + a)
	}
	b.WriteString(` style="` + html.EscapeString(strings.Join(decls, ";")) + `"`)
	if selfClose {
		b.WriteString(" /")
	}
	b.WriteString(">")
	return b.String()
}

func attrText(k, v string) string {
	if v == "" && k != "alt" && k != "href" && k != "src" {
		return k
	}
	return k + `="` + strings.ReplaceAll(strings.ReplaceAll(v, "&", "&amp;"), `"`, "&#34;") + `"`
}

// splitSheet parses a stylesheet: top-level rules whose selectors have no pseudo-class or
// pseudo-element become rules to inline; media queries and everything else stay in the
// returned text.
func splitSheet(src string, base int) ([]rule, string) {
	var rules []rule
	var rest strings.Builder
	p := css.NewParser(parse.NewInputString(src), false)
	depth := 0
	var cur []int // indexes in rules of the rule being read; nil: it stays in the text
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			if p.Err() != nil {
				break
			}
			continue
		}
		switch gt {
		case css.BeginAtRuleGrammar:
			depth++
			rest.WriteString(string(data) + csstext.Join(p.Values()) + "{")
		case css.EndAtRuleGrammar:
			depth--
			rest.WriteString("}")
		case css.AtRuleGrammar:
			rest.WriteString(string(data) + csstext.Join(p.Values()) + ";")
		case css.BeginRulesetGrammar:
			sel := strings.TrimSpace(csstext.Join(p.Values()))
			cur = nil
			if group, err := cascadia.ParseGroup(sel); err == nil && depth == 0 && !strings.Contains(sel, ":") {
				for _, g := range group {
					cur = append(cur, len(rules))
					rules = append(rules, rule{sel: g, spec: g.Specificity(), order: base + len(rules)})
				}
			} else {
				rest.WriteString(sel + "{")
			}
		case css.DeclarationGrammar:
			d := [2]string{strings.ToLower(string(data)), strings.TrimSpace(strings.Replace(csstext.Join(p.Values()), "!important", "", 1))}
			if cur == nil {
				// kept rules must win over the inlined styles, as premailer does
				v := strings.TrimSpace(csstext.Join(p.Values()))
				if !strings.Contains(v, "!important") {
					v += " !important"
				}
				rest.WriteString(d[0] + ":" + v + ";")
			}
			for _, i := range cur {
				rules[i].decls = append(rules[i].decls, d)
			}
		case css.EndRulesetGrammar:
			if cur == nil {
				rest.WriteString("}")
			}
			cur = nil
		}
	}
	r := rest.String()
	if strings.TrimSpace(r) != "" {
		r = "\n" + r + "\n"
	}
	return rules, r
}

// minifyStatic minifies the text of an expanded tree at compile time (the same skeleton
// trick: the minifier streams tokens, so text between placeholders stays between them).
func minifyStatic(body []tree.Node) error {
	sk := &skeleton{textAt: map[int]bool{}}
	sk.walk(body)
	out, err := htmlprod.Minify(sk.b.String())
	if err != nil {
		return &errNoStaticInline{err.Error()}
	}
	return splitBack(out, sk)
}

// staticInline prepares the inlined tree of t, or says why it cannot.
func staticInline(t *tree.Template, load func(string) (*tree.Template, error)) (*tree.Template, error) {
	body, err := expandPartials(t.Body, load, 0)
	if err != nil {
		var ni *errNoStaticInline
		if errors.As(err, &ni) {
			return nil, err
		}
		return nil, &errNoStaticInline{fmt.Sprint(err)}
	}
	if err := inlineStatic(body); err != nil {
		return nil, err
	}
	c := *t
	c.Body = body
	return &c, nil
}
