package engine

// RendersDual reports whether t renders its master document and HTML variant in one
// evaluation (for the tests of dual.go).
func RendersDual(t *Template) bool { return t.dual != nil }

// LayoutStats returns how many master documents of t got a copy of their layout's tree and
// how many were parsed (see htmltree.Layouts).
func LayoutStats(t *Template) (reused, parsed int64) {
	if t.post.layouts == nil {
		return 0, 0
	}
	return t.post.layouts.Stats()
}

// MasterHoles returns the holes of m.Master (see pongo.Doc).
func MasterHoles(m *Message) [][2]int { return m.holes }

// AMPFromSkeletons returns how many AMP parts of t were filled in from a layout's skeleton.
func AMPFromSkeletons(t *Template) int64 { return t.post.ampFilled.Load() }

// TextFromSkeletons returns how many text variants of t were filled in from a layout's
// skeleton.
func TextFromSkeletons(t *Template) int64 { return t.post.textFilled.Load() }
