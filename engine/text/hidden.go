package text

import (
	"strings"

	"golang.org/x/net/html"
)

// hideBits are the ways CSS hides an element from the reader.
type hideBits uint8

const (
	hideDisplay    hideBits = 1 << iota // display: none
	hideVisibility                      // visibility: hidden
	hideMso                             // mso-hide: all (Outlook)
	hideCollapse                        // max-height: 0 with overflow: hidden
)

// hidden reports elements that email clients do not show: the hidden attribute, an inline
// style that hides, or a rule of the document's <style> blocks that does (see stylePart)
// unless the element's own style shows it again.
func (c *conv) hidden(n *html.Node) bool {
	raw, ok := "", false // the first style attribute
	for _, a := range n.Attr {
		switch {
		case a.Key == "hidden":
			return true
		case a.Key == "style" && !ok:
			raw, ok = a.Val, true
		}
	}
	var shows, imp hideBits
	if ok && mayHide(raw) {
		var hides hideBits
		hides, shows, imp = inlineHide(raw)
		if hides != 0 {
			return true
		}
	}
	if len(c.parts) == 0 {
		return false
	}
	h, ruleImp := c.ruleHides(n)
	// the element's own declaration wins over a rule, unless only the rule is !important
	h &^= shows & (^ruleImp | imp)
	return h != 0
}

// mayHide reports whether a style attribute names a property that can hide, in any
// letter case: the cheap test that spares parsing the rest.
func mayHide(style string) bool {
	if strings.Contains(style, "display") || strings.Contains(style, "visibility") ||
		strings.Contains(style, "mso-hide") || strings.Contains(style, "max-height") {
		return true
	}
	return upperName(style) && (containsFold(style, "display") || containsFold(style, "visibility") ||
		containsFold(style, "mso-hide") || containsFold(style, "max-height"))
}

// upperName reports whether a property name of a style attribute has an upper-case ASCII
// letter (values, such as font names, do not count).
func upperName(style string) bool {
	name := true
	for i := 0; i < len(style); i++ {
		switch b := style[i]; {
		case b == ';':
			name = true
		case b == ':':
			name = false
		case name && 'A' <= b && b <= 'Z':
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII needle in any letter case.
func containsFold(s, needle string) bool {
	for i := 0; i+len(needle) <= len(s); i++ {
		j := 0
		for j < len(needle) && s[i+j]|0x20 == needle[j] {
			j++
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

// inlineHide reads the declarations of a style attribute (the last one of a property
// counts): what they hide, what they show (a property set to a value that does not hide),
// and which of those are !important.
func inlineHide(style string) (hides, shows, imp hideBits) {
	var maxHeight, overflow string
	var mhImp, ovImp, mhSet, ovSet bool
	for style != "" {
		var d string
		d, style, _ = strings.Cut(style, ";")
		k, v, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		var bit hideBits
		var val string // the value that hides
		switch {
		case lowerEqual(k, "display"):
			bit, val = hideDisplay, "none"
		case lowerEqual(k, "visibility"):
			bit, val = hideVisibility, "hidden"
		case lowerEqual(k, "mso-hide"):
			bit, val = hideMso, "all"
		case lowerEqual(k, "max-height"):
			maxHeight, mhImp = cssValueImportant(v)
			mhSet = true
			continue
		case lowerEqual(k, "overflow"):
			overflow, ovImp = cssValueImportant(v)
			ovSet = true
			continue
		default:
			continue // other values are not even lower-cased
		}
		v, important := cssValueImportant(v)
		hides, shows, imp = setBit(hides, shows, imp, bit, v == val, important)
	}
	if mhSet || ovSet {
		collapse := mhSet && ovSet && zeroLength(maxHeight) && overflow == "hidden"
		hides, shows, imp = setBit(hides, shows, imp, hideCollapse, collapse, mhImp && ovImp)
	}
	return hides, shows, imp
}

// setBit records that a declaration hides (or shows) the way bit.
func setBit(hides, shows, imp, bit hideBits, hide, important bool) (hideBits, hideBits, hideBits) {
	if hide {
		hides, shows = hides|bit, shows&^bit
	} else {
		hides, shows = hides&^bit, shows|bit
	}
	if important {
		imp |= bit
	} else {
		imp &^= bit
	}
	return hides, shows, imp
}

// zeroLength reports a CSS length of zero: 0, 0px, 0.0em…
func zeroLength(v string) bool {
	v = strings.TrimRight(v, "abcdefghijklmnopqrstuvwxyz%")
	return v != "" && strings.Trim(v, "0.") == "" && strings.Contains(v, "0")
}

// cssValueImportant is a declared value lower-cased and trimmed, without "!important",
// and whether it was there.
func cssValueImportant(v string) (string, bool) {
	v = strings.TrimSpace(strings.ToLower(v))
	if w, ok := strings.CutSuffix(v, "important"); ok {
		if w, ok = strings.CutSuffix(strings.TrimSpace(w), "!"); ok {
			return strings.TrimSpace(w), true
		}
	}
	return v, false
}

// cssValue is a declared value lower-cased, trimmed, without "!important".
func cssValue(v string) string {
	v, _ = cssValueImportant(v)
	return v
}

// ruleHides is what the matching rules of the document's style sheets hide, and which of
// those rules are !important.
func (c *conv) ruleHides(n *html.Node) (h, imp hideBits) {
	match := func(p *stylePart, idx []int32) {
		for _, i := range idx {
			if r := &p.rules[i]; r.sel.Match(n) {
				h |= r.hides
				imp |= r.imp
			}
		}
	}
	cls, hasClass := attr(n, "class")
	id, hasID := attr(n, "id")
	for _, p := range c.parts {
		if hasClass && len(p.byClass) > 0 {
			for f := range strings.FieldsSeq(cls) {
				match(p, p.byClass[f])
			}
		}
		if hasID && len(p.byID) > 0 {
			match(p, p.byID[id])
		}
		if len(p.byTag) > 0 {
			match(p, p.byTag[n.Data])
		}
		match(p, p.other)
	}
	return h, imp
}

// styleDecl returns the value of the last declaration of the property prop (lower case) in
// a style attribute, as written, and whether there is one.
func styleDecl(style, prop string) (string, bool) {
	val, found := "", false
	for style != "" {
		var d string
		d, style, _ = strings.Cut(style, ";")
		if k, v, ok := strings.Cut(d, ":"); ok && lowerEqual(strings.TrimSpace(k), prop) {
			val, found = v, true
		}
	}
	return val, found
}

// styleValue returns the value of the property prop (lower case) in a style attribute as
// cssValue gives it; "" if it is not set.
func styleValue(style, prop string) string {
	v, _ := styleDecl(style, prop)
	return cssValue(v)
}
