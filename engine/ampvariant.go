package engine

import (
	"github.com/mailmold/mailmold/engine/mime"
	"strings"
	"sync/atomic"

	"github.com/mailmold/mailmold/amp"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/htmltree"
	"github.com/mailmold/mailmold/engine/text"
)

// ampPart fills m.AMP from tree, the parsed master document, which it rewrites, or from
// sk, the skeletons of its layout (see ampResult). The transform's diagnostics are placed
// at the template tags of their elements. When the render found this message cannot have
// an AMP part (m.omitted) or the transform cannot make valid AMP, the AMP part is omitted
// and diagnostics say why and where; HTML and text are not affected.
func (p *postProcessor) ampPart(m *Message, tree *htmltree.Tree, sk *skeletons) {
	blocked := false
	for _, o := range m.omitted {
		if o.Variant == "amp" {
			blocked = true
			m.Diagnostics = append(m.Diagnostics, diag.Diagnostic{File: o.File, Line: o.Pos.Line, Col: o.Pos.Col,
				Severity: diag.SeverityError, Rule: o.Rule, Message: "AMP: " + o.Message, Profile: m.ProfileID})
		}
	}
	if !blocked {
		res, holes := p.ampResult(tree, sk, m.Master)
		pos := p.t.ampPositions(m.Master, res.Diagnostics)
		for i, d := range res.Diagnostics {
			m.Diagnostics = append(m.Diagnostics, diag.Diagnostic{File: p.t.Name, Line: pos[i][0], Col: pos[i][1], Severity: d.Severity,
				Rule: d.Rule, Message: "AMP: " + d.Message, Profile: m.ProfileID})
		}
		if res.OK {
			m.AMP = &res.HTML
			if holes != nil {
				m.ampHoles = mime.Holes{Ranges: holes, Cache: &sk.ampQP}
			}
			return
		}
	}
	m.Diagnostics = append(m.Diagnostics, diag.Diagnostic{File: p.t.Name, Line: 1, Col: 1, Severity: diag.SeverityWarning,
		Rule: "amp-omitted", Message: "the AMP part is omitted from this message; HTML and text are complete", Profile: m.ProfileID})
}

// skeletons are the AMP and text skeletons of one layout; each is nil while the layout has
// none. A document whose own values stop a recording (an image that is not https, say)
// would leave its layout without a skeleton for good, so a layout is recorded up to
// maxSkeletonTries times before its documents are only converted.
//
// The layout also keeps the quoted-printable encodings of its HTML and AMP parts outside
// their holes, for the MIME message (see mime.Holes).
type skeletons struct {
	amp                 atomic.Pointer[amp.Skeleton]
	text                atomic.Pointer[text.Skeleton]
	ampTries, textTries atomic.Int32
	htmlQP, ampQP       mime.LayoutCache
}

const maxSkeletonTries = 3

// skeletonsOf returns the skeletons of tree's layout, nil for a parsed tree.
func (p *postProcessor) skeletonsOf(tree *htmltree.Tree) *skeletons {
	l := tree.Layout()
	if l == nil {
		return nil
	}
	if v, ok := p.skeletons.Load(l); ok {
		return v.(*skeletons)
	}
	v, _ := p.skeletons.LoadOrStore(l, new(skeletons))
	return v.(*skeletons)
}

// ampResult returns the AMP part of tree: from its layout's skeleton (see amp.Skeleton)
// when there is one and tree's values meet its guards, else transformed, the transform also
// making the layout's skeleton while it has none. sk is nil for a parsed tree. A part made
// from the skeleton comes with its holes (not nil, see mime.Holes); a transformed one
// without.
func (p *postProcessor) ampResult(tree *htmltree.Tree, sk *skeletons, master string) (amp.Result, [][2]int) {
	if sk == nil {
		return amp.TransformNodeSource(tree.Root(), master, amp.Options{}), nil
	}
	if skel := sk.amp.Load(); skel != nil {
		if html, holes, ok := skel.Fill(tree.SiteValue, [][2]int{}); ok {
			p.ampFilled.Add(1)
			return amp.Result{OK: true, HTML: html}, holes
		}
		return amp.TransformNodeSource(tree.Root(), master, amp.Options{}), nil
	}
	if sk.ampTries.Add(1) > maxSkeletonTries {
		return amp.TransformNodeSource(tree.Root(), master, amp.Options{}), nil
	}
	res, skel := amp.TransformRecord(tree.Root(), master, amp.Options{}, tree.SiteRefs())
	if skel != nil {
		sk.amp.CompareAndSwap(nil, skel)
	}
	return res, nil
}

// textPart returns the text variant of tree: from its layout's skeleton (see
// text.Skeleton) when there is one and tree's values meet its conditions, else converted,
// the conversion also making the layout's skeleton while it has none. sk is nil for a
// parsed tree.
func (p *postProcessor) textPart(tree *htmltree.Tree, sk *skeletons) string {
	if sk == nil {
		return text.ConvertNode(tree.Root(), p.t.textOpt)
	}
	if skel := sk.text.Load(); skel != nil {
		if s, ok := skel.Fill(tree.SiteValue); ok {
			p.textFilled.Add(1)
			return s
		}
		return text.ConvertNode(tree.Root(), p.t.textOpt)
	}
	if sk.textTries.Add(1) > maxSkeletonTries {
		return text.ConvertNode(tree.Root(), p.t.textOpt)
	}
	s, skel := text.ConvertRecord(tree.Root(), p.t.textOpt, tree.SiteRefs())
	if skel != nil {
		sk.text.CompareAndSwap(nil, skel)
	}
	return s
}

// ampPositions returns the template line and column of each AMP diagnostic about the
// master document: where the element it names starts in the template (inside a <style>
// block for a stylesheet finding). Diagnostics about the whole document, and elements not in
// the template (from a partial or from data), get line 1, column 1.
func (t *Template) ampPositions(master string, ds []amp.Diagnostic) [][2]int {
	out := make([][2]int, len(ds))
	var st *sourceTags
	var want []elementAt
	type ref struct{ diag, inner, masterEnd int }
	var refs []ref
	for i, d := range ds {
		out[i] = [2]int{1, 1}
		name := tagName(d.Snippet)
		if name == "" {
			continue
		}
		if st == nil {
			st = t.sourceTags()
		}
		if d.Line == 0 || d.Offset < 0 || d.Offset >= len(master) {
			// not found in the master (an element the parser implied): the first such tag
			if tags := st.tags[name]; len(tags) > 0 {
				out[i][0], out[i][1] = st.lines.At(tags[0].off)
			}
			continue
		}
		el, inner, end := d.Offset, -1, 0
		if !startsTag(master, el, name) {
			// a finding inside the element's text: d.Offset is past its start tag
			for el = d.Offset - 1; el >= 0 && !startsTag(master, el, name); el-- {
			}
			if el < 0 {
				continue
			}
			gt := strings.IndexByte(master[el:], '>')
			if gt < 0 {
				continue
			}
			end = el + gt + 1
			inner = d.Offset - end
		}
		want = append(want, elementAt{name: name, off: el})
		refs = append(refs, ref{diag: i, inner: inner, masterEnd: end})
	}
	if len(want) == 0 {
		return out
	}
	for k, tag := range st.locateElements(master, want) {
		r := refs[k]
		if tag == nil {
			if tags := st.tags[want[k].name]; len(tags) > 0 {
				out[r.diag][0], out[r.diag][1] = st.lines.At(tags[0].off)
			}
			continue
		}
		off := tag.off
		if r.inner >= 0 {
			off = st.textOffset(master, r.masterEnd, r.inner, tag.end)
		}
		out[r.diag][0], out[r.diag][1] = st.lines.At(off)
	}
	return out
}

// tagName returns the lower-cased element name of a start tag snippet, "" when there is none.
func tagName(snippet string) string {
	if len(snippet) < 2 || snippet[0] != '<' {
		return ""
	}
	i := 1
	for i < len(snippet) {
		c := snippet[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ':' && i > 1) {
			break
		}
		i++
	}
	return strings.ToLower(snippet[1:i])
}

// startsTag reports whether the start tag of element name begins at s[i].
func startsTag(s string, i int, name string) bool {
	j := i + 1 + len(name)
	if s[i] != '<' || j > len(s) || !strings.EqualFold(s[i+1:j], name) {
		return false
	}
	return j == len(s) || strings.IndexByte(" \t\n\r\f/>", s[j]) >= 0
}
