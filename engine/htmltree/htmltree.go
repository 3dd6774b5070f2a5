// Package htmltree parses whole HTML documents into golang.org/x/net/html trees, several
// times faster than html.Parse for the markup mailmold renders, and into exactly the tree
// html.Parse builds.
//
// TryParse cuts the input into tokens where x/net's tokenizer does (scan.go) and builds the
// tree with the subset of HTML5 tree construction that well-formed email markup needs: the
// doctype, the implied and explicit html, head and body elements, void and raw-text
// elements, comments (conditional comments included), tables with their implied tbody and
// end tags, captions and column groups, templates, formatting elements that nest properly
// (or are reopened), and x/net's own ways (white space after </body> goes into the body,
// formatting elements get their attributes sorted). Each step follows x/net's parser.
// Input outside that subset (foster parenting, misnested formatting elements that need
// reparenting, frameset, select, svg and math, bogus comments, odd tag or attribute
// syntax, NUL bytes) makes it return ErrUnsupported; Parse then uses html.Parse. Nodes and
// attributes come from a few blocks, and strings share the input's memory where they can.
//
// The tokens are cut by hand rather than by a lexer library: on the newsletter master the
// tdewolff/parse lexer alone took more CPU than this whole parse does now, and proving that
// it cuts tokens where x/net does took as much code as cutting them.
package htmltree

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/net/html"
)

// ErrUnsupported is returned by TryParse for input outside the subset it builds itself.
var ErrUnsupported = errors.New("htmltree: markup outside the fast subset")

// errUnsupported is the panic value that unwinds a parse that left the subset.
type errUnsupported struct{}

// whyUnsupported, when set (by tests), learns the file and line that left the subset.
var whyUnsupported func(file string, line int)

func unsupported() {
	if whyUnsupported != nil {
		_, file, line, _ := runtime.Caller(1)
		whyUnsupported(filepath.Base(file), line)
	}
	panic(errUnsupported{})
}

// Parse returns the tree html.Parse returns for src: through TryParse, or html.Parse itself
// when src is outside TryParse's subset.
func Parse(src string) (*html.Node, error) {
	if doc, err := TryParse(src); err == nil {
		return doc, nil
	}
	return html.Parse(strings.NewReader(src))
}

// TryParse builds the tree html.Parse would build for src, or returns ErrUnsupported when
// src is outside the subset it handles (see the package documentation). Any other error is
// a fault in this package; Parse falls back on it too.
func TryParse(src string) (doc *html.Node, err error) {
	doc, _, err = tryParse(src, false)
	return doc, err
}

// tryParse is TryParse; with holes set (for Layouts, src holding placeholders) it also
// reports whether the tree depends on how the placeholders' values compare (see
// parser.holeCompared).
func tryParse(src string, holes bool) (doc *html.Node, compared bool, err error) {
	if strings.IndexByte(src, 0) >= 0 {
		return nil, false, ErrUnsupported // x/net drops or replaces NUL depending on the context
	}
	if strings.IndexByte(src, '\r') >= 0 {
		// x/net's tokenizer turns "\r\n" and "\r" into "\n" in every token it keeps; where
		// it keeps none (inside tags) a newline is as good a space as a carriage return.
		src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	}
	defer func() {
		if r := recover(); r != nil {
			doc, compared = nil, false
			if _, ok := r.(errUnsupported); ok {
				err = ErrUnsupported
			} else {
				err = fmt.Errorf("htmltree: internal error: %v", r)
			}
		}
	}()
	// A node for most '<' (end tags make none, texts one) and an attribute for most '='.
	attrs := &attrArena{next: min(strings.Count(src, "=")+4, maxAttrBlock)}
	p := &parser{sc: &scanner{src: src, attrs: attrs}, attrs: attrs, im: initialIM, holes: holes}
	p.nodes.next = min(strings.Count(src, "<")*7/8+4, maxNodeBlock)
	p.doc = p.nodes.alloc()
	p.doc.Type = html.DocumentNode
	p.oe = make([]*html.Node, 0, 32)
	for {
		p.sc.next(&p.tok)
		p.process()
		if p.tok.kind == eofToken {
			return p.doc, p.holeCompared, nil
		}
	}
}
