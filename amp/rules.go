package amp

import "strings"

// tagAction is what the transform does with an element.
type tagAction uint8

const (
	keepTag    tagAction = iota // allowed as it is
	renameTag                   // becomes tagRule.to, with tagRule.style prepended to its style
	unwrapTag                   // replaced by its content (no meaning of its own to lose)
	dropTag                     // removed with its content, with a warning
	dropSilent                  // removed with its content (no meaning in an AMP email)
	fatalTag                    // cannot be made AMP: the AMP part is omitted
)

// tagRule is the treatment of one HTML element name.
type tagRule struct {
	action tagAction
	to     string // renameTag: the new name
	style  string // renameTag: declarations the old element implied
	why    string // dropTag, fatalTag: the reason given in the diagnostic
}

// tagRules covers every element name the transform knows; elements not listed (custom
// elements, Office <o:p>, VML outside conditional comments) are unwrapped with a warning.
// Allowed and disallowed names were measured against the official validator.
var tagRules = func() map[string]tagRule {
	m := map[string]tagRule{}
	for _, t := range strings.Fields(`a abbr address article aside b bdo blockquote br caption cite code col
colgroup data dd del details dfn div dl dt em fieldset figcaption figure footer h1 h2 h3 h4 h5 h6
header hr i ins kbd label legend li main mark meter nav ol p pre progress q rp rt ruby s samp
section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr`) {
		m[t] = tagRule{action: keepTag}
	}
	for t, r := range map[string]tagRule{
		"center":  {to: "div", style: "text-align:center"},
		"font":    {to: "span"},
		"tt":      {to: "span", style: "font-family:monospace"},
		"big":     {to: "span", style: "font-size:larger"},
		"blink":   {to: "span"},
		"bdi":     {to: "span"},
		"rtc":     {to: "span"},
		"nobr":    {to: "span", style: "white-space:nowrap"},
		"strike":  {to: "s"},
		"acronym": {to: "abbr"},
		"dir":     {to: "ul"},
		"menu":    {to: "ul"},
		"hgroup":  {to: "div"},
		"marquee": {to: "div"},
		"dialog":  {to: "div"},
		"search":  {to: "div"},
		"xmp":     {to: "pre"},
		"listing": {to: "pre"},
	} {
		r.action = renameTag
		m[t] = r
	}
	for _, t := range strings.Fields(`picture slot spacer`) {
		m[t] = tagRule{action: unwrapTag}
	}
	for t, why := range map[string]string{
		"script": "scripts do not run in AMP emails", "noscript": "AMP emails have no <noscript>",
		"base": "AMP emails have no <base>", "link": "AMP emails load no external resources",
		"iframe": "AMP emails have no frames", "frame": "AMP emails have no frames", "frameset": "AMP emails have no frames",
		"object": "AMP emails have no plugins", "embed": "AMP emails have no plugins", "applet": "AMP emails have no plugins",
		"param": "AMP emails have no plugins", "canvas": "AMP emails have no canvas", "svg": "AMP emails have no inline SVG",
		"math": "AMP emails have no MathML", "map": "AMP emails have no image maps", "area": "AMP emails have no image maps",
		"input": "form controls outside an amp-form do nothing", "select": "form controls outside an amp-form do nothing",
		"textarea": "form controls outside an amp-form do nothing", "button": "form controls outside an amp-form do nothing",
		"option": "form controls outside an amp-form do nothing", "optgroup": "form controls outside an amp-form do nothing",
		"datalist": "form controls outside an amp-form do nothing", "output": "form controls outside an amp-form do nothing",
		"keygen": "form controls outside an amp-form do nothing", "source": "AMP emails have no <source>",
		"track": "AMP emails have no <track>", "style": "styles inside live templates are not allowed",
		"template": "only mailmold live blocks may hold templates", "portal": "AMP emails have no portals",
	} {
		m[t] = tagRule{action: dropTag, why: why}
	}
	for _, t := range strings.Fields(`title meta head html body`) {
		m[t] = tagRule{action: dropSilent}
	}
	for t, why := range map[string]string{
		"form":  "forms need amp-form with action-xhr, which a rendered email cannot provide",
		"video": "AMP for Email has no video component",
		"audio": "AMP for Email has no audio component",
	} {
		m[t] = tagRule{action: fatalTag, why: why}
	}
	return m
}()

// globalAttrs are allowed on every element (plus data-*), the ARIA ones measured against
// the validator (aria-roledescription, aria-colcount and a few newer ones are rejected).
var globalAttrs = wordSet(`class id style dir lang title role tabindex hidden translate accesskey
draggable itemprop itemscope itemtype itemid itemref aria-activedescendant aria-atomic
aria-autocomplete aria-busy aria-checked aria-controls aria-current aria-describedby
aria-disabled aria-dropeffect aria-expanded aria-flowto aria-grabbed aria-haspopup aria-hidden
aria-invalid aria-label aria-labelledby aria-level aria-live aria-modal aria-multiline
aria-multiselectable aria-orientation aria-owns aria-posinset aria-pressed aria-readonly
aria-relevant aria-required aria-selected aria-setsize aria-sort aria-valuemax aria-valuemin
aria-valuenow aria-valuetext`)

// tagAttrs are the element-specific attributes AMP for Email allows.
var tagAttrs = map[string]map[string]bool{
	"a":          wordSet(`href target rel hreflang type`),
	"table":      wordSet(`align width border cellpadding cellspacing bgcolor`),
	"tr":         wordSet(`align valign bgcolor height`),
	"td":         wordSet(`align valign bgcolor width height colspan rowspan headers`),
	"th":         wordSet(`align valign bgcolor width height colspan rowspan headers abbr scope`),
	"thead":      wordSet(`align valign`),
	"tbody":      wordSet(`align valign`),
	"tfoot":      wordSet(`align valign`),
	"col":        wordSet(`span width align valign`),
	"colgroup":   wordSet(`span width align valign`),
	"caption":    wordSet(`align`),
	"div":        wordSet(`align`),
	"p":          wordSet(`align`),
	"h1":         wordSet(`align`),
	"h2":         wordSet(`align`),
	"h3":         wordSet(`align`),
	"h4":         wordSet(`align`),
	"h5":         wordSet(`align`),
	"h6":         wordSet(`align`),
	"ol":         wordSet(`start type reversed`),
	"li":         wordSet(`value`),
	"blockquote": wordSet(`cite`),
	"q":          wordSet(`cite`),
	"del":        wordSet(`cite datetime`),
	"ins":        wordSet(`cite datetime`),
	"time":       wordSet(`datetime`),
	"data":       wordSet(`value`),
	"details":    wordSet(`open`),
	"label":      wordSet(`for`),
	"meter":      wordSet(`value min max low high optimum`),
	"progress":   wordSet(`value max`),
	"amp-img":    wordSet(`src alt width height layout`),
	"amp-anim":   wordSet(`src alt width height layout`),
}

// silentAttrs are presentational attributes whose removal is not worth a warning (the HTML
// part keeps them; in AMP they are noise).
var silentAttrs = wordSet(`border hspace vspace srcset sizes loading decoding usemap longdesc name
xmlns leftmargin topmargin marginwidth marginheight link vlink alink`)

// attrScope is a set of elements an attribute is allowed on: one bit per element of
// tagAttrs, all of them for anyElement.
type attrScope uint64

const anyElement attrScope = 1 << 63

// elementScopes gives each element of tagAttrs its bit; attrScopes gives each attribute of
// globalAttrs and tagAttrs the elements it is allowed on, so that checking an attribute
// takes one map look-up.
var elementScopes, attrScopes = func() (map[string]attrScope, map[string]attrScope) {
	elems, attrs := map[string]attrScope{}, map[string]attrScope{}
	for k := range globalAttrs {
		attrs[k] = anyElement
	}
	for tag, keys := range tagAttrs {
		bit := attrScope(1) << len(elems)
		elems[tag] = bit
		for k := range keys {
			attrs[k] |= bit
		}
	}
	if len(elems) >= 63 {
		panic("amp: more elements with attributes of their own than attrScope has bits")
	}
	return elems, attrs
}()

// attrAllowed reports whether the attribute key may stay on an element whose scope bit
// (elementScopes) is elem.
func attrAllowed(elem attrScope, key string) bool {
	if attrScopes[key]&(elem|anyElement) != 0 {
		return true
	}
	if strings.HasPrefix(key, "data-") && !strings.HasPrefix(key, "data-amp-") {
		for i := 5; i < len(key); i++ {
			c := key[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
		return len(key) > 5
	}
	return false
}

// fontSizes maps <font size> 1–7 to CSS.
var fontSizes = [...]string{"", "x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"}

// presentational turns the presentational attributes of an element into declarations that
// go in front of its style attribute (so the style attribute still wins).
func presentational(tag, key, val string) string {
	val = strings.TrimSpace(val)
	switch {
	case tag == "font" && key == "color", tag == "body" && key == "text":
		return "color:" + val
	case tag == "font" && key == "face":
		return "font-family:" + val
	case tag == "font" && key == "size":
		if len(val) == 1 && val[0] >= '1' && val[0] <= '7' {
			return "font-size:" + fontSizes[val[0]-'0']
		}
	case tag == "body" && key == "bgcolor":
		return "background-color:" + val
	case (tag == "td" || tag == "th") && key == "nowrap":
		return "white-space:nowrap"
	case (tag == "td" || tag == "th" || tag == "table") && key == "background":
		if httpsURL(val) && !strings.ContainsAny(val, `"'()\`) {
			return "background-image:url(" + val + ")"
		}
	case (tag == "img") && key == "align":
		if v := strings.ToLower(val); v == "left" || v == "right" {
			return "float:" + v
		}
	}
	return ""
}

// reservedIDs are the id values the validator rejects, lower-cased: the words of its id
// disallowed_value_regex (validator rules for AMP4EMAIL, matched per space-separated word and
// ignoring case), names of DOM properties an element id would shadow, and AMP. The prefixes
// __amp_ and i-amphtml- are checked in reservedID.
var reservedIDs = func() map[string]bool {
	m := wordSet(strings.ToLower(`__count__ __defineGetter__ __defineSetter__ __lookupGetter__
__lookupSetter__ __noSuchMethod__ __parent__ __proto__ $p $proxy acceptCharset addEventListener
appendChild assignedSlot attachShadow AMP baseURI checkValidity childElementCount childNodes
classList className clientHeight clientLeft clientTop clientWidth compareDocumentPosition
computedName computedRole contentEditable createShadowRoot enqueAction firstChild
firstElementChild getAnimations getAttribute getAttributeNS getAttributeNode getAttributeNodeNS
getBoundingClientRect getClientRects getDestinationInsertionPoints getElementsByClassName
getElementsByTagName getElementsByTagNameNS getRootNode hasAttribute hasAttributeNS
hasAttributes hasChildNodes hasPointerCapture innerHTML innerText inputMode
insertAdjacentElement insertAdjacentHTML insertAdjacentText isContentEditable
isDefaultNamespace isEqualNode isSameNode lastChild lastElementChild lookupNamespaceURI
namespaceURI nextElementSibling nextSibling nodeName nodeType nodeValue offsetHeight offsetLeft
offsetParent offsetTop offsetWidth outerHTML outerText ownerDocument parentElement parentNode
previousElementSibling previousSibling querySelector querySelectorAll releasePointerCapture
removeAttribute removeAttributeNS removeAttributeNode removeChild removeEventListener
replaceChild reportValidity requestPointerLock scrollHeight scrollIntoView
scrollIntoViewIfNeeded scrollLeft scrollWidth setAttribute setAttributeNS setAttributeNode
setAttributeNodeNS setPointerCapture shadowRoot styleMap tabIndex tagName textContent toString
valueOf`))
	for _, vendor := range []string{"webkit", "moz", "ms", "o"} {
		for _, p := range []string{"dropzone", "matchesselector", "requestfullscreen"} {
			m[vendor+p] = true
		}
	}
	return m
}()

// reservedID reports whether the validator rejects the id value and returns the word that
// makes it so.
func reservedID(val string) (string, bool) {
	for _, w := range strings.Fields(val) {
		l := strings.ToLower(w)
		if reservedIDs[l] || strings.HasPrefix(l, "__amp_") || strings.HasPrefix(l, "i-amphtml-") {
			return w, true
		}
	}
	return "", false
}

// reservedURL reports whether u carries __amp_source_origin, the query parameter the AMP
// runtime adds itself: the validator rejects links and sources with it.
func reservedURL(u string) bool {
	const p = "__amp_source_origin"
	for i := 0; i+len(p) <= len(u); i++ {
		j := strings.IndexByte(u[i:len(u)-len(p)+1], '_')
		if j < 0 {
			return false
		}
		i += j
		if strings.EqualFold(u[i:i+len(p)], p) {
			return true
		}
	}
	return false
}
