package amp

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// origTag is an element as it was in the input: its node, name and original attributes
// (the transform replaces attribute slices rather than editing them, so these stay intact).
type origTag struct {
	node *html.Node
	name string
	attr []html.Attribute
}

func tagOf(n *html.Node) origTag { return origTag{node: n, name: n.Data, attr: n.Attr} }

// startTag renders the start tag as the tokenizer would report it.
func (o origTag) startTag() string {
	if o.name == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("<" + o.name)
	for _, a := range o.attr {
		b.WriteString(" " + a.Key + `="` + a.Val + `"`)
	}
	b.WriteString(">")
	return b.String()
}

const maxSnippet = 160

// snippet shortens a start tag for a diagnostic.
func snippet(s string) string { return truncate(s, maxSnippet) }

// locKey identifies a start tag independently of attribute order (the parser sorts the
// attributes of formatting elements such as <a> and <font>).
func (o origTag) locKey() string {
	return origTag{name: o.name, attr: sortedAttrs(o.attr)}.startTag()
}

func sortedAttrs(attr []html.Attribute) []html.Attribute {
	attrs := append([]html.Attribute(nil), attr...)
	slices.SortFunc(attrs, func(a, b html.Attribute) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Val, b.Val)
	})
	return attrs
}

// pending is a diagnostic waiting for its position.
type pending struct {
	d      Diagnostic
	key    string  // locKey of the element, "" when the diagnostic has no element or there is no source
	tag    origTag // the element (name and original attributes)
	ord    int     // which of the elements with that start tag
	cssOff int     // >= 0: offset inside the element's text (a <style> block)
	count  int     // aggregated occurrences
}

func (t *transformer) add(sev, rule string, tag origTag, msg string, cssOff int) int {
	p := pending{d: Diagnostic{Severity: sev, Rule: rule, Message: msg}, cssOff: cssOff, count: 1}
	if tag.name != "" {
		p.tag = origTag{name: tag.name, attr: tag.attr}
		p.d.Snippet = snippet(tag.startTag())
		if t.src != "" { // the key locates the element in the source
			p.key = tag.locKey()
			if t.ords == nil {
				t.ords, t.keyCount = map[*html.Node]int{}, map[string]int{}
			}
			ord, ok := t.ords[tag.node]
			if !ok || tag.node == nil {
				ord = t.keyCount[p.key]
				t.keyCount[p.key]++
				if tag.node != nil {
					t.ords[tag.node] = ord
				}
			}
			p.ord = ord
		}
	}
	if t.diags == nil {
		t.diags = make([]pending, 0, 32) // most documents have a few dozen at most
	}
	t.diags = append(t.diags, p)
	return len(t.diags) - 1
}

func (t *transformer) warn(rule string, tag origTag, msg string) {
	t.add("warning", rule, tag, msg, -1)
}

// fail records an error: the AMP part cannot be produced.
func (t *transformer) fail(rule string, tag origTag, msg string) {
	t.res.OK = false
	t.add("error", rule, tag, msg, -1)
}

// aggregate records a warning once per message, the concatenation of parts; later
// occurrences only count (and build no string).
func (t *transformer) aggregate(rule string, tag origTag, parts ...string) {
	t.msgBuf = t.msgBuf[:0]
	for _, p := range parts {
		t.msgBuf = append(t.msgBuf, p...)
	}
	if i, ok := t.agg[string(t.msgBuf)]; ok {
		t.diags[i].count++
		return
	}
	if t.agg == nil {
		t.agg = map[string]int{}
	}
	msg := string(t.msgBuf)
	t.agg[msg] = t.add("warning", rule, tag, msg, -1)
}

// cssDrop reports something removed from a <style> block.
func (t *transformer) cssDrop(s styleBlock, d cssDrop) {
	i := t.add("warning", "amp-css", s.tag, d.msg, d.off)
	t.diags[i].count = d.count
}

// finish resolves positions and writes the diagnostics into the result.
func (t *transformer) finish() {
	var loc *locator
	for _, p := range t.diags {
		if p.key != "" && t.src != "" {
			loc = newLocator(t.src, t.diags)
			break
		}
	}
	out := make([]Diagnostic, 0, len(t.diags))
	for _, p := range t.diags {
		d := p.d
		if p.count > 1 {
			d.Message += " (" + strconv.Itoa(p.count) + " times)"
		}
		if loc != nil && p.key != "" {
			var raw string
			d.Line, d.Col, d.Offset, raw = loc.find(p.key, p.ord, p.cssOff)
			if raw != "" {
				d.Snippet = snippet(raw)
			}
		}
		out = append(out, d)
	}
	// in source order; diagnostics about the whole document come last
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	if t.res.Diagnostics == nil && len(out) > 0 {
		t.res.Diagnostics = out
	} else {
		t.res.Diagnostics = append(t.res.Diagnostics, out...)
	}
}

// locator finds elements of the parsed document in its source by their start tags.
type locator struct {
	src   string
	lines []int // byte offset of each line start
	tags  map[string][][2]int
}

// newLocator tokenizes src once, recording where each start tag wanted by diags begins and
// how long it is.
func newLocator(src string, diags []pending) *locator {
	l := &locator{src: src, tags: map[string][][2]int{}}
	// the wanted start tags by element name, attributes sorted as in locKey
	type wantTag struct {
		key  string
		attr []html.Attribute
	}
	want := map[string][]wantTag{}
	need := map[string]int{} // occurrences wanted per start tag; tokenizing stops when all are found
	for _, p := range diags {
		if p.key == "" {
			continue
		}
		if _, ok := need[p.key]; !ok {
			want[p.tag.name] = append(want[p.tag.name], wantTag{key: p.key, attr: sortedAttrs(p.tag.attr)})
		}
		need[p.key] = max(need[p.key], p.ord+1)
	}
	wanted := len(need)
	type rawAttr struct{ k, v []byte }
	var buf []rawAttr // reused: the tokenizer's slices are valid until its next token
	z := html.NewTokenizer(strings.NewReader(src))
	off := 0
	for wanted > 0 {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		start := off
		off += len(z.Raw())
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		nameB, more := z.TagName()
		cands := want[string(nameB)] // no allocation: the conversion is only for the lookup
		if len(cands) == 0 {
			continue
		}
		buf = buf[:0]
		for more {
			var a rawAttr
			a.k, a.v, more = z.TagAttr()
			buf = append(buf, a)
		}
		slices.SortFunc(buf, func(a, b rawAttr) int {
			if c := bytes.Compare(a.k, b.k); c != 0 {
				return c
			}
			return bytes.Compare(a.v, b.v)
		})
	match:
		for _, c := range cands {
			if len(c.attr) != len(buf) {
				continue
			}
			for i, a := range c.attr {
				if a.Key != string(buf[i].k) || a.Val != string(buf[i].v) {
					continue match
				}
			}
			list := l.tags[c.key]
			l.tags[c.key] = append(list, [2]int{start, off - start})
			if len(list)+1 == need[c.key] {
				wanted--
			}
			break
		}
	}
	l.lines = append(l.lines, 0)
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.lines = append(l.lines, i+1)
		}
	}
	return l
}

// find returns the 1-based line and column and the byte offset of the ord-th element with
// start tag key, moved cssOff bytes into its text when cssOff >= 0, and the start tag as
// written in the source; 0, 0, 0, "" when it is not in the source.
func (l *locator) find(key string, ord, cssOff int) (int, int, int, string) {
	list := l.tags[key]
	if len(list) == 0 {
		return 0, 0, 0, ""
	}
	if ord >= len(list) {
		ord = len(list) - 1
	}
	off := list[ord][0]
	raw := strings.Join(strings.Fields(l.src[off:off+list[ord][1]]), " ")
	if cssOff >= 0 {
		off += list[ord][1] + cssOff
	}
	if off > len(l.src) {
		off = len(l.src)
	}
	line := sort.Search(len(l.lines), func(i int) bool { return l.lines[i] > off })
	col := utf8.RuneCountInString(l.src[l.lines[line-1]:off]) + 1
	return line, col, off, raw
}
