package engine

import (
	"reflect"

	"github.com/mailmold/mailmold/engine/tree"
)

// One evaluation, two documents.
//
// The master document (read by the text and AMP passes) and the HTML variant come from two
// copies of one tree that differ only in their text: compile-time inlining and minifying
// rewrote the HTML variant's. So mailmold compiles a third program from the master tree that
// carries both texts where they differ and writes both documents in one evaluation
// (pongo.RenderDual), instead of evaluating every tag, filter and loop twice. The markers
// only the master document carries (textonly, htmlonly, live) go to it alone. A template
// where this is not exact keeps the two renders: dualTexts says where.

// dualTexts pairs the text nodes of the master tree m with those of the HTML variant's tree
// h. It returns, for each master text that differs, the HTML variant's; or false when the
// trees differ in shape, a differing text sits where one evaluation cannot write both (a
// capture, ifchanged or markdown block renders its body into one buffer), a textonly block
// does more than write (its assigns and counters would reach the HTML variant, whose render
// never runs it), or a partial is not expanded in place.
func dualTexts(m, h []tree.Node) (map[*tree.Text]string, bool) {
	alt := map[*tree.Text]string{}
	if !pairBodies(m, h, false, alt) {
		return nil, false
	}
	return alt, true
}

func pairBodies(m, h []tree.Node, buffered bool, alt map[*tree.Text]string) bool {
	return pairAll(m, h, func(x, y tree.Node) bool { return pairNodes(x, y, buffered, alt) })
}

// pairAll reports whether a and b have the same length and pair(a[i], b[i]) holds for each i.
func pairAll[T any](a, b []T, pair func(T, T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !pair(a[i], b[i]) {
			return false
		}
	}
	return true
}

func pairNodes(m, h tree.Node, buffered bool, alt map[*tree.Text]string) bool {
	if reflect.TypeOf(m) != reflect.TypeOf(h) {
		return false
	}
	switch x := m.(type) {
	case *tree.Text:
		if y := h.(*tree.Text); y.Text != x.Text {
			if buffered {
				return false
			}
			alt[x] = y.Text
		}
		return true
	case *tree.Capture, *tree.IfChanged, *tree.Markdown:
		buffered = true
	case *tree.VariantOnly:
		if x.Variant == "text" && !onlyWrites(x.Body) {
			return false
		}
	case *tree.Include:
		if x.Body == nil {
			return false
		}
	}
	return pairAll(tree.Children(m), tree.Children(h), func(x, y []tree.Node) bool { return pairBodies(x, y, buffered, alt) })
}

// onlyWrites reports whether body only writes text and outputs (no assign, capture,
// counter, cycle or partial that could change what comes after it).
func onlyWrites(body []tree.Node) bool {
	ok := true
	tree.Walk(body, func(n tree.Node) bool {
		switch n.(type) {
		case *tree.Text, *tree.Output, *tree.Block, *tree.If, *tree.Case, *tree.Segment:
			return true
		}
		ok = false
		return false
	})
	return ok
}
