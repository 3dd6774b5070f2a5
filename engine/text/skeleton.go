package text

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Skeleton is the plain-text variant of every document of one layout, made while
// converting one of them: the lines that hold no value as they were written, and each
// paragraph that holds one as the pieces it was made of, to be laid out again (wrapped)
// with another document's values.
//
// The converter reads a site's value in few places a Skeleton follows: text in the normal
// flow, a link's label (its text and image alt texts) and URL, an image's alt text, an h1
// or h2 heading. Those pieces of a paragraph are written again at fill time by the
// converter's own code with the new values; the paragraph must then end as it did (empty,
// in a space, or not) so that the text recorded after them still follows as it did (and
// the paragraph is empty, which flush and <br> look at, when it was), a link must be
// written the same way (label, URL, button...), and an image src must name a spacer or
// not as before. A site read anywhere else (style, class, id and hidden, which decide what
// is hidden; a list's start; data tables; preformatted text; h3 to h6, underlined to the
// label's length; references in References mode; image sizes; stylesheets whose hiding
// rules select by attribute or text) gives no Skeleton.
type Skeleton struct {
	ops    []textOp
	guards []srcGuard
	opt    Options
}

// textOp is text as it was written, or a paragraph to lay out again.
type textOp struct {
	static []byte
	para   *dynPara
}

// dynPara is a paragraph that holds values, and the converter's state when it was laid
// out.
type dynPara struct {
	pieces          []piece
	prefix, marker  string
	started, lastBR bool
	pendingNL       int
}

// piece is text of a paragraph: bytes as recorded, or a segment written again.
type piece struct {
	lit []byte
	seg *segment
}

type segKind uint8

const (
	segText  segKind = iota // a text node, through inline
	segAlt                  // an image's alt text outside a link
	segLink                 // a link (linkText)
	segUpper                // an h1 or h2 heading's label in capitals
)

// segment is a part of a paragraph written from values.
type segment struct {
	what       segKind
	site       int      // segText, segAlt: the site
	pixel      bool     // segAlt: the image is a spacer (isPixel)
	label      []recipe // segLink, segUpper
	href       int      // segLink: the URL's site, -1 for the static hrefS
	hrefS      string   // segLink: the URL when it holds no site
	button     bool     // segLink
	kind       linkKind // segLink: how the link was written
	start, end int      // where it was in the paragraph while recording
	tail       byte     // how the paragraph ended after it (paraEnd)
}

// recipe is a piece of a label's visible text: a site's value, or text.
type recipe struct {
	site int // -1: text
	text string
}

// srcGuard: whether the src of an image, a site, names a spacer must not change.
type srcGuard struct {
	site   int
	spacer bool
}

// recorder follows a conversion that makes a Skeleton.
type recorder struct {
	sites  htmltree.Sites
	bad    bool
	ops    []textOp
	at     int        // c.out[:at] is in ops
	segs   []*segment // the current paragraph's, in order
	guards []srcGuard
}

// refuse gives no Skeleton when n's subtree holds a site: the caller reads it in a way no
// Skeleton follows.
func (r *recorder) refuse(n *html.Node) {
	if r != nil && r.sites.In(n) {
		r.bad = true
	}
}

func (r *recorder) site(n *html.Node, key string) (int, bool) {
	if r == nil {
		return 0, false
	}
	return r.sites.Of(n, key)
}

// paraEnd is how a paragraph ends: 0 empty, 1 in a space, 2 in anything else. The text
// inline appends next depends on nothing else.
func paraEnd(para []byte) byte {
	switch {
	case len(para) == 0:
		return 0
	case para[len(para)-1] == ' ':
		return 1
	}
	return 2
}

func (r *recorder) begin(c *conv, s *segment) { s.start = len(c.para) }

func (r *recorder) end(c *conv, s *segment) {
	s.end, s.tail = len(c.para), paraEnd(c.para)
	r.segs = append(r.segs, s)
}

// labelRecipe returns the pieces of n's visible text (see appendVisible): its sites, and
// the text between them; sites reports whether there is any site.
func (r *recorder) labelRecipe(c *conv, n *html.Node) (out []recipe, sites bool) {
	var spans []siteSpan
	text := c.appendVisible(nil, n, r, &spans)
	at := 0
	for _, sp := range spans {
		if sp.start > at {
			out = append(out, recipe{site: -1, text: string(text[at:sp.start])})
		}
		out = append(out, recipe{site: sp.site})
		at = sp.end
	}
	if at < len(text) {
		out = append(out, recipe{site: -1, text: string(text[at:])})
	}
	return out, len(spans) > 0
}

// siteSpan is where appendVisible wrote a site's value.
type siteSpan struct{ site, start, end int }

// linkSegment returns the segment of link n when its label or URL holds a site.
func (r *recorder) linkSegment(c *conv, n *html.Node, href string, button bool) *segment {
	hi, hasHref := r.site(n, "href")
	label, sites := r.labelRecipe(c, n)
	if !hasHref && !sites {
		return nil
	}
	if c.opt.Links == References {
		r.bad = true // references are numbered across the document
	}
	s := &segment{what: segLink, href: -1, hrefS: href, button: button, label: label}
	if hasHref {
		s.href = hi
	}
	return s
}

// flushing records the current paragraph, before flush lays it out, when it holds a
// segment.
func (r *recorder) flushing(c *conv) bool {
	if len(r.segs) == 0 {
		return false
	}
	// (a recording converter never lays out table cells: those have converters of their own)
	p := &dynPara{prefix: c.prefix, marker: c.marker, started: c.started, lastBR: c.lastBR, pendingNL: c.pendingNL}
	at := 0
	for _, s := range r.segs {
		if s.start > at {
			p.pieces = append(p.pieces, piece{lit: bytes.Clone(c.para[at:s.start])})
		}
		p.pieces = append(p.pieces, piece{seg: s})
		at = s.end
	}
	if at < len(c.para) {
		p.pieces = append(p.pieces, piece{lit: bytes.Clone(c.para[at:])})
	}
	r.segs = r.segs[:0]
	r.ops = append(r.ops, textOp{static: bytes.Clone(c.out[r.at:])}, textOp{para: p})
	return true
}

// collapse is labelOf's collapsing of visible text.
func (c *conv) collapse(text []byte) string {
	b := c.label[:0]
	space := false
	// drop the zero-width characters and take invalid bytes as U+FFFD before looking for
	// spaces, so that the words are those of the whole text, whatever its text nodes
	for t := text; len(t) > 0; {
		r, size := utf8.DecodeRune(t)
		t = t[size:]
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u034f' || r == '\u00ad':
		case unicode.IsSpace(r):
			space = len(b) > 0
		default:
			if space {
				b = append(b, ' ')
				space = false
			}
			b = utf8.AppendRune(b, r)
		}
	}
	c.label = b
	return string(b)
}

// recipeLabel is the label a recipe gives with value.
func (c *conv) recipeLabel(rs []recipe, value func(int) string) string {
	c.text = c.text[:0]
	for _, p := range rs {
		if p.site < 0 {
			c.text = append(c.text, p.text...)
		} else {
			c.text = append(c.text, value(p.site)...)
		}
	}
	return c.collapse(c.text)
}

// spacerSrc is isPixel's test of an image src.
func spacerSrc(src string) bool { return strings.Contains(strings.ToLower(src), "spacer") }

// ConvertRecord is ConvertNode, also returning the Skeleton of doc's layout, or nil when
// there is none; sites are the places of doc that hold values.
func ConvertRecord(doc *html.Node, opt Options, sites []htmltree.SiteRef) (string, *Skeleton) {
	if opt.Width <= 0 {
		opt.Width = 78
	}
	r := &recorder{sites: htmltree.SiteIndex(sites)}
	for i, s := range sites {
		switch s.Key {
		case "":
		case "style", "hidden", "class", "id", "start", "role", "colspan", "rowspan", "media":
			r.bad = true // read to decide what is hidden, how lists count, what tables are
		case "width", "height":
			if s.Node.DataAtom == atom.Img {
				r.bad = true // isPixel
			}
		case "src":
			if s.Node.DataAtom == atom.Img {
				v, _ := attr(s.Node, "src")
				r.guards = append(r.guards, srcGuard{site: i, spacer: spacerSrc(v)})
			}
		}
	}
	c := convPool.Get().(*conv)
	defer func() {
		c.rec = nil // the pooled converter keeps no document
		convPool.Put(c)
	}()
	out := convert(c, doc, opt, r)
	if r.bad {
		return out, nil
	}
	return out, &Skeleton{ops: r.ops, guards: r.guards, opt: opt}
}

// Fill returns the plain text of the document whose site i holds value(i), the one the
// converter gives it, or false when the document does not meet the Skeleton's conditions:
// then it needs a conversion of its own.
func (s *Skeleton) Fill(value func(i int) string) (string, bool) {
	for _, g := range s.guards {
		if spacerSrc(value(g.site)) != g.spacer {
			return "", false
		}
	}
	c := convPool.Get().(*conv)
	defer convPool.Put(c)
	c.reset(s.opt)
	for _, op := range s.ops {
		if op.para == nil {
			c.out = append(c.out, op.static...)
			continue
		}
		p := op.para
		c.para = c.para[:0]
		for _, pc := range p.pieces {
			if pc.seg == nil {
				c.para = append(c.para, pc.lit...)
				continue
			}
			if !c.replay(pc.seg, value) || paraEnd(c.para) != pc.seg.tail {
				return "", false
			}
		}
		c.prefix, c.marker, c.started, c.lastBR, c.pendingNL = p.prefix, p.marker, p.started, p.lastBR, p.pendingNL
		c.flush()
	}
	return finish(c.out), true
}

// replay writes segment s with value as the converter writes it; false when the converter
// would decide otherwise than it did outside the segment (how a link is written).
func (c *conv) replay(s *segment, value func(int) string) bool {
	switch s.what {
	case segText:
		c.inline(value(s.site))
	case segAlt:
		c.altText(strings.TrimSpace(value(s.site)), s.pixel)
	case segLink:
		label := c.recipeLabel(s.label, value)
		href := s.hrefS
		if s.href >= 0 {
			href = strings.TrimSpace(value(s.href))
		}
		if linkKindOf(label, href, s.button) != s.kind {
			return false
		}
		c.linkText(s.kind, label, href)
	case segUpper:
		c.inline(strings.ToUpper(c.recipeLabel(s.label, value)))
	}
	return true
}
