// Package htmlprod turns a rendered email into the HTML a sender ships: CSS from <style>
// inlined into style attributes (media queries and pseudo-classes kept in a <style> block),
// then minified in an email-safe way (conditional comments for Outlook, document tags,
// attribute quotes and end tags kept). It also guards Gmail's 102 KB clipping point.
package htmlprod

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/vanng822/go-premailer/premailer"
)

// Options choose the steps.
type Options struct{ Inline, Minify bool }

// Pipeline runs the chosen steps. It is immutable and safe for concurrent use.
type Pipeline struct {
	opt Options
}

// New returns a pipeline.
func New(opt Options) *Pipeline { return &Pipeline{opt: opt} }

// Process inlines (if set) then minifies (if set).
func (p *Pipeline) Process(doc string) (string, error) {
	var err error
	if p.opt.Inline {
		if doc, err = Inline(doc); err != nil {
			return "", err
		}
	}
	if p.opt.Minify {
		if doc, err = Minify(doc); err != nil {
			return "", err
		}
	}
	return doc, nil
}

// Gmail clips message bodies over 102 KB; mailmold warns from 80 KB.
const (
	WarnBytes = 80 * 1024
	ClipBytes = 102 * 1024
)

// CheckSize returns "" under WarnBytes, "warning" from WarnBytes and "error" over ClipBytes,
// with a message naming the size.
func CheckSize(n int) (severity, message string) {
	kb := float64(n) / 1024
	switch {
	case n > ClipBytes:
		return "error", fmt.Sprintf("the HTML is %.1f KB: Gmail clips messages over 102 KB and hides the rest behind a link", kb)
	case n >= WarnBytes:
		return "warning", fmt.Sprintf("the HTML is %.1f KB, close to Gmail's 102 KB clipping point", kb)
	}
	return "", ""
}

var doctypeRe = regexp.MustCompile(`(?is)^\s*<!doctype[^>]*>`)

// Inline moves the CSS of <style> elements into style attributes. Rules premailer cannot
// inline (media queries, pseudo-classes) stay in a <style> block; the doctype is kept.
func Inline(doc string) (string, error) {
	doctype := doctypeRe.FindString(doc)
	pm, err := premailer.NewPremailerFromString(doc, &premailer.Options{CssToAttributes: false, KeepBangImportant: true})
	if err != nil {
		return "", fmt.Errorf("inline CSS: %w", err)
	}
	out, err := pm.Transform()
	if err != nil {
		return "", fmt.Errorf("inline CSS: %w", err)
	}
	if doctype != "" && !doctypeRe.MatchString(out) {
		out = strings.TrimSpace(doctype) + "\n" + out
	}
	return out, nil
}

var minifier = func() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{
		KeepSpecialComments: true,
		KeepDefaultAttrVals: true,
		KeepDocumentTags:    true,
		KeepEndTags:         true,
		KeepQuotes:          true,
	})
	m.AddFunc("text/css", css.Minify)
	return m
}()

// Minify minifies HTML for email: conditional comments, document tags, quotes, end tags and
// default attribute values are kept.
func Minify(doc string) (string, error) {
	var b bytes.Buffer
	b.Grow(len(doc))
	if err := minifier.Minify("text/html", &b, strings.NewReader(doc)); err != nil {
		return "", fmt.Errorf("minify: %w", err)
	}
	return b.String(), nil
}
