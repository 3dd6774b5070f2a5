package engine

// RendersDual reports whether t renders its master document and HTML variant in one
// evaluation (for the tests of dual.go).
func RendersDual(t *Template) bool { return t.dual != nil }
