package engine

import (
	"sort"
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
	"golang.org/x/net/html"
)

// Locating rendered elements in the template.
//
// The AMP pass reports elements of the rendered master document, and the master is not the
// template: outputs are filled in, blocks are taken or repeated, and the static text may be
// minified. What does not change is the template's own markup. So the template is read once
// into a list of its start tags, taken from its literal text only (the Text nodes of the
// tree, and the amp-mustache source of live blocks): template code is masked, so a tag
// inside a comment block never counts, and an attribute value built from data becomes a
// pattern whose masked runs match anything. A rendered element is matched to the start tags
// of the same name by its attributes (same keys, values that fit the patterns); when several
// fit equally well, the rendered elements that fit the same group are counted in document
// order and the n-th takes the n-th tag (a loop's repetitions stay on the last).

// masked stands in the template skeleton for every byte that is template code.
const masked = '\x01'

// srcTag is one start tag of the template's literal text.
type srcTag struct {
	off, end int // the '<' and just after the '>' in the template source
	attrs    []srcAttr
	dynamic  bool // template code where attribute names go: attributes may come and go
}

// srcAttr is an attribute of a srcTag; its value is literal pieces around masked runs.
type srcAttr struct {
	key                string
	pieces             []string
	openStart, openEnd bool // the value starts or ends with template code
	hasCode            bool
}

// sourceTags is the template's start tags by element name, in source order.
type sourceTags struct {
	src   string
	lines *diag.Lines
	tags  map[string][]srcTag
}

// sourceTags returns the template's start tags, read on first use.
func (t *Template) sourceTags() *sourceTags {
	t.srcTagsOnce.Do(func() { t.srcTags = readSourceTags(t.Source, t.Tree) })
	return t.srcTags
}

func readSourceTags(src string, tr *tree.Template) *sourceTags {
	st := &sourceTags{src: src, lines: diag.NewLines(src), tags: map[string][]srcTag{}}
	skel := []byte(strings.Repeat(string(rune(masked)), len(src)))
	keep := func(off int, text string) {
		// the text is the source from off, or (white space trimmed around tags) a
		// subsequence of it close by
		if off < 0 || off > len(src) {
			return
		}
		if strings.HasPrefix(src[off:], text) {
			copy(skel[off:], text)
			return
		}
		j := off
		for i := 0; i < len(text); i++ {
			skipped := 0
			for j < len(src) && src[j] != text[i] {
				j++
				if skipped++; skipped > 256 {
					return
				}
			}
			if j == len(src) {
				return
			}
			skel[j] = text[i]
			j++
		}
	}
	if tr != nil {
		tree.Walk(tr.Body, func(n tree.Node) bool {
			switch x := n.(type) {
			case *tree.Text:
				keep(st.lines.Offset(x.Line, x.Col), x.Text)
			case *tree.Live:
				at := st.lines.Offset(x.Line, x.Col)
				if at < 0 {
					break
				}
				if x.Template != "" {
					if i := strings.Index(src[at:], x.Template); i >= 0 {
						keep(at+i, x.Template)
					}
				}
				// the master wraps a live block in <mm-live>: it is found at the tag
				st.tags["mm-live"] = append(st.tags["mm-live"], srcTag{off: at, end: at, dynamic: true})
			}
			return true
		})
	}
	eachStartTag(string(skel), len(skel), func(z *html.Tokenizer, start, end int) {
		name, more := z.TagName()
		if strings.IndexByte(string(name), masked) >= 0 {
			return
		}
		tag := srcTag{off: start, end: end}
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			key := strings.ReplaceAll(string(k), string(rune(masked)), "")
			if key == "" {
				tag.dynamic = true
				continue
			}
			if len(key) != len(k) {
				tag.dynamic = true
			}
			tag.attrs = append(tag.attrs, valuePattern(key, normSpace(string(v))))
		}
		st.tags[string(name)] = append(st.tags[string(name)], tag)
	})
	for _, list := range st.tags {
		sort.SliceStable(list, func(i, j int) bool { return list[i].off < list[j].off })
	}
	return st
}

// valuePattern splits a skeleton attribute value at its masked runs.
func valuePattern(key, v string) srcAttr {
	a := srcAttr{key: key}
	if strings.IndexByte(v, masked) < 0 {
		a.pieces = []string{v}
		return a
	}
	a.hasCode = true
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == masked })
	a.pieces = parts
	a.openStart = v[0] == masked
	a.openEnd = v[len(v)-1] == masked
	return a
}

// matches reports whether a rendered value fits the pattern.
func (a *srcAttr) matches(v string) bool {
	if !a.hasCode {
		return a.pieces[0] == v
	}
	for i, p := range a.pieces {
		switch {
		case i == 0 && !a.openStart:
			if !strings.HasPrefix(v, p) {
				return false
			}
			v = v[len(p):]
		case i == len(a.pieces)-1 && !a.openEnd:
			return strings.HasSuffix(v, p)
		default:
			j := strings.Index(v, p)
			if j < 0 {
				return false
			}
			v = v[j+len(p):]
		}
	}
	return true
}

// normSpace collapses runs of white space into one space and trims the ends, as a minifier
// may do in attribute values; masked runs stay.
func normSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n\f") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// score rates how well a rendered element's attributes fit a template start tag.
func (s *srcTag) score(attrs map[string]string) int {
	n := 0
	for i := range s.attrs {
		a := &s.attrs[i]
		v, ok := attrs[a.key]
		switch {
		case !ok:
			n -= 2
		case a.matches(v):
			n += 3
		default:
			n++ // the key is there; the value was changed (minified) or comes from elsewhere
		}
	}
	if !s.dynamic {
		for k := range attrs {
			if !s.has(k) {
				n -= 2
			}
		}
	}
	return n
}

func (s *srcTag) has(key string) bool {
	for i := range s.attrs {
		if s.attrs[i].key == key {
			return true
		}
	}
	return false
}

// elementAt is a rendered element to locate: its name and its offset in the master.
type elementAt struct {
	name string
	off  int
}

// locateElements finds, for each element of the master document, the template start tag
// it was rendered from; nil for those not in the template (from a partial, or from data).
func (st *sourceTags) locateElements(master string, want []elementAt) []*srcTag {
	out := make([]*srcTag, len(want))
	byOff := map[int][]int{}
	names := map[string]bool{}
	last := -1
	for i, w := range want {
		if len(st.tags[w.name]) == 0 {
			continue
		}
		byOff[w.off] = append(byOff[w.off], i)
		names[w.name] = true
		last = max(last, w.off)
	}
	if last < 0 {
		return out
	}
	seen := map[string]int{} // rendered elements per group of equally fitting tags
	attrs := map[string]string{}
	var group []byte
	eachStartTag(master, last, func(z *html.Tokenizer, start, _ int) {
		nameB, more := z.TagName()
		if !names[string(nameB)] {
			return
		}
		name := string(nameB)
		clear(attrs)
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			attrs[string(k)] = normSpace(string(v))
		}
		cands := st.tags[name]
		best, idx := 0, []int(nil)
		for i := range cands {
			sc := cands[i].score(attrs)
			if idx == nil || sc > best {
				best, idx = sc, append(idx[:0], i)
			} else if sc == best {
				idx = append(idx, i)
			}
		}
		group = group[:0]
		group = append(group, name...)
		for _, i := range idx {
			group = append(group, ' ', byte(i), byte(i>>8), byte(i>>16))
		}
		n := seen[string(group)]
		seen[string(group)] = n + 1
		for _, i := range byOff[start] {
			out[i] = &cands[idx[min(n, len(idx)-1)]]
		}
	})
	return out
}

// eachStartTag tokenizes s and calls fn with the tokenizer at each start tag that begins at
// or before until, with the tag's start and end offsets.
func eachStartTag(s string, until int, fn func(z *html.Tokenizer, start, end int)) {
	z := html.NewTokenizer(strings.NewReader(s))
	for off := 0; off <= until; {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		start := off
		off += len(z.Raw())
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			fn(z, start, off)
		}
	}
}

// textOffset maps an offset inside the text of a rendered element (a <style> block) to the
// template: the element's template start tag ends at srcEnd, its rendered one at
// masterEnd. Minifying may have changed the white space (and a little more): the
// position is estimated by counting the other characters, then moved to the nearest place
// where the next ones are the same.
func (st *sourceTags) textOffset(master string, masterEnd, delta, srcEnd int) int {
	mText := master[masterEnd:]
	if i := strings.Index(mText, "</"); i >= 0 {
		mText = mText[:i]
	}
	sText := st.src[srcEnd:]
	if i := strings.Index(sText, "</"); i >= 0 {
		sText = sText[:i]
	}
	delta = min(delta, len(mText))
	mc, _ := compact(mText)
	sc, sOffs := compact(sText)
	k := len(compactPrefix(mText[:delta]))
	if len(sOffs) == 0 {
		return srcEnd
	}
	best := min(k, len(sOffs)-1)
	if probe := mc[k:min(len(mc), k+16)]; probe != "" {
		bestDist := -1
		for from := 0; ; {
			j := strings.Index(sc[from:], probe)
			if j < 0 {
				break
			}
			j += from
			if d := abs(j - k); bestDist < 0 || d < bestDist {
				best, bestDist = j, d
			}
			from = j + 1
		}
	}
	return srcEnd + sOffs[best]
}

// compact returns s without white space, and the offset in s of each byte kept.
func compact(s string) (string, []int) {
	var b strings.Builder
	offs := make([]int, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f':
			continue
		}
		b.WriteByte(s[i])
		offs = append(offs, i)
	}
	return b.String(), offs
}

func compactPrefix(s string) string {
	c, _ := compact(s)
	return c
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
