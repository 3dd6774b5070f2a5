// Package htmlprod turns a rendered email into the HTML a sender ships: CSS from <style>
// inlined into style attributes (media queries and pseudo-classes kept in a <style> block),
// then minified in an email-safe way (conditional comments for Outlook, the doctype,
// document tags, attribute quotes and end tags kept). It also guards Gmail's 102 KB
// clipping point.
//
// The mailmold marker elements (<mm-htmlonly>, <mm-textonly>, <mm-live>, see
// docs/ARCHITECTURE.md) pass through both steps byte for byte: the content of
// <mm-textonly> and the <template> of <mm-live> are neither inlined nor minified, and the
// content of <mm-htmlonly> and <mm-fallback> is processed like the rest of the document.
package htmlprod

import "fmt"

// Options choose the steps a Pipeline runs.
type Options struct{ Inline, Minify bool }

// Pipeline runs the steps chosen by its Options. It holds no per-call state: one Pipeline
// is immutable and safe for concurrent use.
type Pipeline struct {
	opt Options
}

// New returns a Pipeline that runs the steps opt enables.
func New(opt Options) *Pipeline { return &Pipeline{opt: opt} }

// Process runs Inline (when Options.Inline is set) and then Minify (when Options.Minify is
// set) on html. With both off it returns html unchanged.
func (p *Pipeline) Process(html string) (string, error) {
	var err error
	if p.opt.Inline {
		if html, err = Inline(html); err != nil {
			return "", err
		}
	}
	if p.opt.Minify {
		if html, err = Minify(html); err != nil {
			return "", err
		}
	}
	return html, nil
}

// Gmail clips HTML bodies over ClipBytes and hides the rest behind a "View entire message"
// link; CheckSize warns from WarnBytes on.
const (
	WarnBytes = 80 * 1024
	ClipBytes = 102 * 1024
)

// CheckSize judges an HTML body of n bytes against Gmail's clipping point. It returns ""
// and "" under WarnBytes, "warning" from WarnBytes up to ClipBytes, and "error" over
// ClipBytes; the message names the size in KB and the 102 KB limit.
func CheckSize(n int) (severity, message string) {
	kb := float64(n) / 1024
	switch {
	case n > ClipBytes:
		return "error", fmt.Sprintf("the HTML is %.1f KB, over Gmail's %d KB limit: Gmail clips the message and hides the rest behind a link", kb, ClipBytes/1024)
	case n >= WarnBytes:
		return "warning", fmt.Sprintf("the HTML is %.1f KB, close to Gmail's %d KB limit (warning from %d KB)", kb, ClipBytes/1024, WarnBytes/1024)
	}
	return "", ""
}
