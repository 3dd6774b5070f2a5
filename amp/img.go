package amp

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// DefaultImageHeight is the height, in CSS pixels, given to an image whose height is not
// known (the transform reports it as amp-img-size).
const DefaultImageHeight = 150

// blockedURL is what the engine writes in place of a URL from profile data it refused (see
// engine/pongo.BlockedURL); such an image is already gone from the HTML part, so the AMP
// part leaves it out too instead of being omitted.
const blockedURL = "about:invalid#mailmold-blocked-url"

// length is a parsed width or height: px, a percentage, or unknown.
type length struct {
	px, pct int
}

// parseLength reads "600", "600px" or "100%"; anything else is unknown.
func parseLength(s string) length {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return length{} // most images lack one of the sizes: spare strconv its error
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		if n, err := strconv.ParseFloat(strings.TrimSpace(p), 64); err == nil && n > 0 && n <= 1000 {
			return length{pct: int(n + 0.5)}
		}
		return length{}
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "px"))
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 100_000 {
		return length{}
	}
	return length{px: int(n + 0.5)}
}

// img turns <img> into amp-img (amp-anim for animated GIFs) with dimensions and a layout the
// validator accepts. It reports whether the element stays.
func (t *transformer) img(parent, n *html.Node) bool {
	tag := tagOf(n)
	var src, alt, style, width, height string
	hasAlt := false
	for _, a := range n.Attr {
		switch a.Key {
		case "src":
			src = strings.TrimSpace(a.Val)
		case "alt":
			alt, hasAlt = a.Val, true
		case "style":
			style = a.Val
		case "width":
			width = a.Val
		case "height":
			height = a.Val
		}
	}
	if t.rec.hasSite(n) {
		t.recordImg(n)
	}
	st := sanitizeInline(style)
	w, h := parseLength(width), parseLength(height)
	if w.px == 0 && w.pct == 0 {
		w = parseLength(st.width)
	}
	if h.px == 0 {
		h = parseLength(st.height)
	}
	if sw := parseLength(st.width); sw.pct > 0 {
		w.pct = sw.pct // a style width of 100% wins over the attribute
	}
	pixel := w.px <= 1 && h.px <= 1 && w.pct == 0 && h.pct == 0 && (width != "" || st.width != "") && (height != "" || st.height != "")
	templated := t.inTemplate && isMustacheVar(src)
	if !templated && !httpsURL(src) {
		shown := truncate(src, 80)
		if pixel || strings.HasPrefix(src, blockedURL) {
			t.warn("amp-img", tag, fmt.Sprintf("image %q is a tracking pixel or a blocked URL, not https as AMP requires: it was left out of the AMP part", shown))
		} else if reservedURL(src) {
			t.fail("amp-img", tag, fmt.Sprintf("image src %q carries __amp_source_origin, a parameter AMP reserves", shown))
		} else {
			t.fail("amp-img", tag, fmt.Sprintf("image src %q is not an absolute https URL, which AMP for Email requires", shown))
		}
		parent.RemoveChild(n)
		return false
	}
	name := "amp-img"
	if !pixel && isGIF(src) {
		name = "amp-anim"
		t.components |= compAnim
	}
	attrs := append(t.attrBuf[:0], html.Attribute{Key: "src", Val: src})
	if hasAlt {
		attrs = append(attrs, html.Attribute{Key: "alt", Val: alt})
	}
	setDims := func(w, h int, layout string) {
		if w > 0 {
			attrs = append(attrs, html.Attribute{Key: "width", Val: strconv.Itoa(w)})
		} else {
			attrs = append(attrs, html.Attribute{Key: "width", Val: "auto"})
		}
		attrs = append(attrs, html.Attribute{Key: "height", Val: strconv.Itoa(h)}, html.Attribute{Key: "layout", Val: layout})
	}
	switch {
	case pixel:
		setDims(max(w.px, 1), max(h.px, 1), "fixed")
	case w.pct > 0 && w.px > 0 && h.px > 0:
		setDims(w.px, h.px, "responsive")
	case w.pct > 0 && h.px > 0:
		if t.rec != nil {
			for p := parent; p != nil && p.Type == html.ElementNode; p = p.Parent {
				_, w := t.rec.site(p, "width")
				_, st := t.rec.site(p, "style")
				if w || st {
					t.rec.bad = true // the layout takes an ancestor's width
				}
			}
		}
		if pw := parentWidth(parent); pw > 0 {
			setDims(pw*w.pct/100, h.px, "responsive")
		} else {
			setDims(0, h.px, "fixed-height")
		}
	case w.px > 0 && h.px > 0:
		setDims(w.px, h.px, "intrinsic")
	case w.px > 0:
		t.warn("amp-img-size", tag, fmt.Sprintf("image has no height: AMP needs one, so it is shown %d px high at most %d px wide; add a height attribute", DefaultImageHeight, w.px))
		setDims(w.px, DefaultImageHeight, "intrinsic")
	case h.px > 0:
		t.warn("amp-img-size", tag, "image has no pixel width: it is laid out at its height across the width of its container; add a width attribute")
		setDims(0, h.px, "fixed-height")
	default:
		t.warn("amp-img-size", tag, fmt.Sprintf("image has no width and height: AMP needs them, so it is shown %d px high across its container; add width and height attributes", DefaultImageHeight))
		setDims(0, DefaultImageHeight, "fixed-height")
	}
	kept := st.noSize // the dimensions are attributes now; the rest of the style stays
	if name == "amp-anim" && attrs[len(attrs)-1].Val == "intrinsic" {
		// amp-anim has no intrinsic layout: responsive capped at the image's width is the same
		attrs[len(attrs)-1].Val = "responsive"
		kept = joinStyle([]string{"max-width:" + attrs[len(attrs)-3].Val + "px"}, kept)
	}
	if kept != "" {
		attrs = append(attrs, html.Attribute{Key: "style", Val: kept})
	}
	for _, a := range n.Attr { // the other attributes follow, for attrs to check
		switch a.Key {
		case "src", "alt", "style", "width", "height":
		default:
			attrs = append(attrs, a)
		}
	}
	t.attrBuf = attrs
	n.Data, n.DataAtom, n.Attr = name, 0, t.ownAttrs(attrs)
	return true
}

// recordImg notes how img treats the sites of image n: src is kept while it stays an https
// URL that names a GIF or not as now (a guard), alt is copied, the sizes and style decide the
// layout, which no Skeleton can stand for.
func (t *transformer) recordImg(n *html.Node) {
	for _, a := range n.Attr {
		site, ok := t.rec.site(n, a.Key)
		if !ok {
			continue
		}
		switch a.Key {
		case "src":
			if t.inTemplate || strings.TrimSpace(a.Val) != a.Val {
				t.rec.bad = true
			}
			t.rec.guards = append(t.rec.guards, guard{site: site, kind: guardSrc, want: isGIF(a.Val)})
		case "width", "height", "style":
			t.rec.bad = true
		}
	}
}

// isGIF reports whether an image URL names a GIF.
func isGIF(src string) bool {
	p := src
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	// four ASCII bytes at the end decide alone, without lower-casing a copy of the URL;
	// otherwise ToLower decides, as some other letters (İ, K) lower to ASCII ones
	if tail := p[max(len(p)-4, 0):]; len(tail) == 4 && asciiOnly(tail) {
		return strings.EqualFold(tail, ".gif")
	}
	return strings.HasSuffix(strings.ToLower(p), ".gif")
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// parentWidth is the pixel width of the nearest ancestor that states one (width attribute
// or style width/max-width), 0 when none does.
func parentWidth(n *html.Node) int {
	for p := n; p != nil && p.Type == html.ElementNode; p = p.Parent {
		for _, a := range p.Attr {
			switch a.Key {
			case "width":
				if l := parseLength(a.Val); l.px > 0 {
					return l.px
				}
			case "style":
				st := sanitizeInline(a.Val)
				if l := parseLength(st.width); l.px > 0 {
					return l.px
				}
				if l := parseLength(st.maxWidth); l.px > 0 {
					return l.px
				}
			}
		}
	}
	return 0
}

// truncate shortens s to at most max bytes, cut at a character boundary, marking the cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
