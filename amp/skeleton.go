package amp

import (
	"slices"
	"strings"
	"sync"

	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
)

// Skeleton is the AMP part of every document of one layout, made while transforming one of
// them: that document's AMP with each site's value cut out, and the conditions under which
// another document's values take the transform down the same path.
//
// The transform reads a site's value in few places. A text node's value is only escaped
// into the output. An attribute's value is copied, except where the transform decides
// something from it: an href must stay an absolute link, an image src an https URL whose
// GIF-ness (amp-anim or amp-img) does not change; those are the guards Fill checks again. A
// site anywhere else the transform looks at values (style, class and id, presentational
// and dropped attributes, target, image sizes and the widths of their ancestors, live
// blocks and templates, html and body, markup left to html.Render) gives no Skeleton, nor
// does a document with any diagnostic.
type Skeleton struct {
	out    string // the recorded document's AMP part
	spans  []span // where site values are in out, in order
	guards []guard
	aim    int // the size over which the transform warns
}

type span struct{ start, end, site int }

type guardKind uint8

const (
	guardHref guardKind = iota // an absolute link, kept as it is
	guardSrc                   // an https image URL, kept as it is; GIF or not as want
)

type guard struct {
	site int
	kind guardKind
	want bool
}

// recorder follows a transform that makes a Skeleton.
type recorder struct {
	sites  htmltree.Sites
	bad    bool // a site was read where no guard applies
	spans  []span
	guards []guard
}

// site returns the site of n's attribute key ("" for n's text) and whether it is one.
func (r *recorder) site(n *html.Node, key string) (int, bool) {
	if r == nil {
		return 0, false
	}
	return r.sites.Of(n, key)
}

// hasSite reports whether n has a site of its own.
func (r *recorder) hasSite(n *html.Node) bool { return r != nil && len(r.sites[n]) > 0 }

// subtreeHasSite reports whether n or anything under it has a site.
func (r *recorder) subtreeHasSite(n *html.Node) bool { return r != nil && r.sites.In(n) }

// cloned gives the nodes of c, a deep copy of n, the sites of their originals.
func (r *recorder) cloned(n, c *html.Node) {
	if m := r.sites[n]; m != nil {
		r.sites[c] = m
	}
	for a, b := n.FirstChild, c.FirstChild; a != nil && b != nil; a, b = a.NextSibling, b.NextSibling {
		r.cloned(a, b)
	}
}

// refuse marks the recording as giving no Skeleton when n has a site.
func (r *recorder) refuse(n *html.Node) {
	if r.hasSite(n) {
		r.bad = true
	}
}

// TransformRecord is TransformNodeSource, also returning the Skeleton of doc's layout, or
// nil when there is none; sites are the places of doc that hold values, read before the
// transform rewrites doc.
func TransformRecord(doc *html.Node, src string, opt Options, sites []htmltree.SiteRef) (Result, *Skeleton) {
	r := &recorder{sites: htmltree.SiteIndex(sites)}
	res := transformWith(doc, strings.TrimPrefix(src, "\ufeff"), opt, r)
	if r.bad || !res.OK || len(res.Diagnostics) > 0 {
		return res, nil
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = MaxDocumentBytes
	}
	return res, &Skeleton{out: res.HTML, spans: r.spans, guards: r.guards, aim: min(AimDocumentBytes, opt.MaxBytes)}
}

// Fill returns the AMP part of the document whose site i holds value(i), the one the
// transform gives it, or false when the document does not meet the guards (or grows over
// the size the transform warns about): then it needs a transform of its own. It appends to
// holes the byte range of the part that each written value took (see mime.Holes), one per
// value, empty ones included, and returns the extended slice.
func (s *Skeleton) Fill(value func(i int) string, holes [][2]int) (string, [][2]int, bool) {
	for _, g := range s.guards {
		v := value(g.site)
		switch g.kind {
		case guardHref:
			if strings.TrimSpace(v) != v || !absoluteLink(v) {
				return "", holes, false
			}
		case guardSrc:
			if strings.TrimSpace(v) != v || !httpsURL(v) || isGIF(v) != g.want {
				return "", holes, false
			}
		}
	}
	// the values escaped first, into one scratch buffer, so that the part is allocated once
	// at its exact size
	ep := escPool.Get().(*[]byte)
	esc := (*ep)[:0]
	defer func() {
		if cap(esc) <= 64<<10 {
			*ep = esc
			escPool.Put(ep)
		}
	}()
	n := len(holes)
	holes = slices.Grow(holes, len(s.spans))
	size := len(s.out)
	for _, sp := range s.spans {
		start := len(esc)
		esc = appendEscaped(esc, value(sp.site))
		holes = append(holes, [2]int{start, len(esc)}) // in esc for now
		size += len(esc) - start - (sp.end - sp.start)
	}
	if size > s.aim {
		return "", holes[:n], false
	}
	var b strings.Builder
	b.Grow(size)
	at := 0
	for i, sp := range s.spans {
		b.WriteString(s.out[at:sp.start])
		h := &holes[n+i]
		v := esc[h[0]:h[1]]
		h[0], h[1] = b.Len(), b.Len()+len(v)
		b.Write(v)
		at = sp.end
	}
	b.WriteString(s.out[at:])
	return b.String(), holes, true
}

// escPool holds Fill's scratch buffers for escaped values.
var escPool = sync.Pool{New: func() any { return new([]byte) }}

// spansAt returns how many spans start before offset at.
func (r *recorder) spansAt(at int) int {
	n := len(r.spans)
	for n > 0 && r.spans[n-1].start >= at {
		n--
	}
	return n
}
