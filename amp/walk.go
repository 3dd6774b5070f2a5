package amp

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// walk rewrites the children of n in place, in document order.
func (t *transformer) walk(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.CommentNode, html.DoctypeNode:
			// conditional comments hold Outlook-only markup; <!--[if !mso]><!--> content is
			// already outside the comment
			n.RemoveChild(c)
		case html.ElementNode:
			next = t.element(n, c, next)
		}
		c = next
	}
}

// element rewrites one element and returns the node to continue with.
func (t *transformer) element(parent, n, next *html.Node) *html.Node {
	tag := tagOf(n)
	switch n.Data {
	case "mm-textonly":
		parent.RemoveChild(n)
		return next
	case "mm-htmlonly", "mm-fallback":
		return unwrap(parent, n, next)
	case "mm-live":
		if t.inLive || t.inTemplate {
			return t.staticLive(parent, n, next)
		}
		t.live(parent, n)
		return next
	case "img":
		if !t.img(parent, n) {
			return next
		}
		t.attrs(n, tag)
		return next
	}
	rule, known := tagRules[n.Data]
	if !known {
		t.aggregate("amp-tag", tag, "<", n.Data, "> is not an AMP for Email element: its content was kept, the tag removed")
		return unwrap(parent, n, next)
	}
	switch rule.action {
	case unwrapTag:
		return unwrap(parent, n, next)
	case dropSilent:
		parent.RemoveChild(n)
		return next
	case dropTag:
		t.aggregate("amp-tag", tag, "<", n.Data, "> is not allowed in AMP for Email and was removed with its content: ", rule.why)
		parent.RemoveChild(n)
		return next
	case fatalTag:
		t.fail("amp-invalid", tag, fmt.Sprintf("<%s> cannot be part of an AMP email: %s", n.Data, rule.why))
		parent.RemoveChild(n)
		return next
	case renameTag:
		t.rename(n, rule)
	}
	t.attrs(n, tag)
	t.walk(n)
	return next
}

// rename turns a disallowed element into its allowed equivalent; what the old element
// implied goes in front of its style attribute.
func (t *transformer) rename(n *html.Node, rule tagRule) {
	t.rec.refuse(n) // presentational attributes become style
	old := n.Data
	var pres []string
	if rule.style != "" {
		pres = append(pres, rule.style)
	}
	attrs := make([]html.Attribute, 0, len(n.Attr)+1)
	style := ""
	for _, a := range n.Attr {
		if a.Key == "style" {
			style = a.Val
			continue
		}
		if p := presentational(old, a.Key, a.Val); p != "" {
			pres = append(pres, p)
			continue
		}
		attrs = append(attrs, a)
	}
	if len(pres) > 0 || style != "" {
		attrs = append(attrs, html.Attribute{Key: "style", Val: joinStyle(pres, style)})
	}
	n.Data, n.DataAtom, n.Attr = rule.to, atom.Lookup([]byte(rule.to)), attrs
}

// joinStyle puts presentational declarations in front of a style attribute.
func joinStyle(pres []string, style string) string {
	if len(pres) == 0 {
		return style
	}
	s := strings.Join(pres, ";")
	if strings.TrimSpace(style) != "" {
		s += ";" + style
	}
	return s
}

// unwrap replaces n by its children and returns the node to continue with.
func unwrap(parent, n, next *html.Node) *html.Node {
	first := n.FirstChild
	for c := n.FirstChild; c != nil; {
		nc := c.NextSibling
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
		c = nc
	}
	parent.RemoveChild(n)
	if first != nil {
		return first
	}
	return next
}

// attrs keeps the allowed attributes of n. n.Attr is replaced by a new slice when anything
// changes and never edited in place, so tag.attr stays as it was.
func (t *transformer) attrs(n *html.Node, tag origTag) {
	if len(n.Attr) == 0 {
		return
	}
	out := t.attrBuf[:0] // scratch: copied out only when it differs from n.Attr
	elem := elementScopes[n.Data]
	var pres []string
	style, hasStyle := "", false
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		if site, ok := t.rec.site(n, a.Key); ok {
			t.recordAttr(n, a, elem, site)
		}
		if !attrAllowed(elem, a.Key) {
			if p := presentational(tag.name, a.Key, a.Val); p != "" {
				pres = append(pres, p)
			} else if !silentAttrs[a.Key] && !strings.HasPrefix(a.Key, "xmlns") {
				t.aggregate("amp-attr", tag, "attribute ", a.Key, " on <", tag.name, "> is not allowed in AMP for Email and was removed")
			}
			continue
		}
		v, ok := a.Val, true
		switch a.Key {
		case "style":
			style, hasStyle = a.Val, true
			continue
		case "class", "id":
			v, ok = t.nameAttr(tag, a.Key, a.Val)
		case "href":
			v, ok = t.href(tag, a.Val)
		case "target":
			ok = a.Val == "_blank"
		case "src":
			// set by img and live, already checked
		}
		if t.inTemplate && ok && strings.Contains(v, "{{{") {
			t.warn("amp-live", tag, fmt.Sprintf("attribute %s uses unescaped {{{…}}}, which AMP does not allow in attributes; it was removed", a.Key))
			ok = false
		}
		if ok {
			out = append(out, html.Attribute{Key: a.Key, Val: v})
		}
	}
	if len(pres) > 0 || hasStyle {
		if v, ok := t.style(tag, joinStyle(pres, style)); ok {
			out = append(out, html.Attribute{Key: "style", Val: v})
		}
	}
	t.attrBuf = out
	if !sameAttrs(out, n.Attr) {
		n.Attr = t.ownAttrs(out)
	}
}

// recordAttr notes how attrs treats attribute a of n, which is a site: copied as it is
// (most attributes; an image's src was recorded by img), kept while it stays an absolute
// link (href, a guard), or judged from its value, which no Skeleton can stand for.
func (t *transformer) recordAttr(n *html.Node, a html.Attribute, elem attrScope, site int) {
	switch {
	case t.inTemplate, !attrAllowed(elem, a.Key):
		t.rec.bad = true
	case a.Key == "href":
		if strings.TrimSpace(a.Val) != a.Val {
			t.rec.bad = true
		}
		t.rec.guards = append(t.rec.guards, guard{site: site, kind: guardHref})
	case a.Key == "style", a.Key == "class", a.Key == "id", a.Key == "target":
		t.rec.bad = true
	}
}

// ownAttrs copies attrs into a slice of their own, carved from a block shared by the
// elements of this transform: one allocation for many elements instead of one each.
func (t *transformer) ownAttrs(attrs []html.Attribute) []html.Attribute {
	if len(attrs) > cap(t.attrBlock)-len(t.attrBlock) {
		t.attrBlock = make([]html.Attribute, 0, max(256, len(attrs)))
	}
	i := len(t.attrBlock)
	t.attrBlock = append(t.attrBlock, attrs...)
	return t.attrBlock[i:len(t.attrBlock):len(t.attrBlock)] // capped: appending copies
}

// sameAttrs reports whether a and b hold the same keys and values in the same order.
func sameAttrs(a, b []html.Attribute) bool {
	return slices.EqualFunc(a, b, func(x, y html.Attribute) bool {
		return x.Key == y.Key && x.Val == y.Val && x.Namespace == y.Namespace
	})
}

// nameAttr checks a class or id value: class names with AMP's reserved i-amphtml- prefix are
// removed from the class, and an id the validator reserves (see reservedID) is removed. Both
// are reported: a stylesheet rule or fragment link that used the name no longer applies.
func (t *transformer) nameAttr(tag origTag, key, val string) (string, bool) {
	if key == "id" {
		if w, bad := reservedID(val); bad {
			t.warn("amp-attr", tag, fmt.Sprintf("id %q was removed: AMP for Email reserves %q (names of the AMP runtime and of DOM properties)", truncate(val, 60), truncate(w, 40)))
			return "", false
		}
		return val, val != ""
	}
	if !strings.Contains(val, "i-amphtml-") {
		return val, true
	}
	var keep []string
	for _, f := range strings.Fields(val) {
		if !strings.Contains(f, "i-amphtml-") {
			keep = append(keep, f)
		} else {
			t.warn("amp-attr", tag, fmt.Sprintf("class %q was removed: AMP reserves class names starting with i-amphtml-", truncate(f, 60)))
		}
	}
	return strings.Join(keep, " "), len(keep) > 0
}

// style sanitises a style attribute and counts it against the CSS budget.
func (t *transformer) style(tag origTag, val string) (string, bool) {
	if t.inTemplate && strings.Contains(val, "{{") {
		return t.templateStyle(tag, val)
	}
	// Declarations AMP rejects (mso-*, vendor prefixes, !important) are dropped silently:
	// they recur on most elements of most emails, only Outlook-era clients use them, and the
	// HTML part keeps them.
	s := sanitizeInline(val)
	if s.css == "" {
		return "", false
	}
	if len(s.css) > MaxStyleAttr {
		t.warn("amp-css", tag, fmt.Sprintf("a style attribute of %d bytes is over AMP's %d and was removed", len(s.css), MaxStyleAttr))
		return "", false
	}
	t.inlineCSS += len(s.css)
	return s.css, true
}

// templateStyle keeps a style attribute with Mustache tags in a live template when it is
// clean CSS with the tags in place; otherwise it is removed.
func (t *transformer) templateStyle(tag origTag, val string) (string, bool) {
	probe := mustacheRe(val)
	s := sanitizeInline(probe)
	if len(s.dropped) == 0 && s.css != "" && !strings.Contains(val, "{{{") && len(val) <= MaxStyleAttr {
		t.inlineCSS += len(val)
		return val, true
	}
	t.warn("amp-live", tag, "a style attribute with Mustache tags in a live template is not clean AMP CSS and was removed")
	return "", false
}

// mustacheRe replaces every {{…}} with a neutral identifier, for checking the CSS around it.
func mustacheRe(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i] + "x")
		s = strings.TrimPrefix(s[i+j+2:], "}")
	}
}

// templatedOrUnsafe reports whether u holds a template tag ({{, {%, *|) or a space, quote or
// angle bracket, in one pass.
func templatedOrUnsafe(u string) bool {
	for i := 0; i < len(u); i++ {
		if !urlSpecial[u[i]] {
			continue
		}
		switch u[i] {
		case ' ', '\t', '\n', '\r', '<', '>', '"':
			return true
		case '{':
			if i+1 < len(u) && (u[i+1] == '{' || u[i+1] == '%') {
				return true
			}
		case '*':
			if i+1 < len(u) && u[i+1] == '|' {
				return true
			}
		}
	}
	return false
}

// urlSpecial marks the bytes templatedOrUnsafe looks at twice.
var urlSpecial = func() (t [256]bool) {
	for _, c := range " \t\n\r<>\"{*" {
		t[c] = true
	}
	return t
}()

// isMustacheVar reports whether s is exactly one escaped Mustache variable, {{name}}, the
// only templated form AMP accepts in URL attributes.
func isMustacheVar(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{{") || !strings.HasSuffix(s, "}}") || len(s) < 5 {
		return false
	}
	name := strings.TrimSpace(s[2 : len(s)-2])
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// href keeps absolute http, https, mailto and tel links (and {{name}} in live templates).
func (t *transformer) href(tag origTag, val string) (string, bool) {
	u := strings.TrimSpace(val)
	if t.inTemplate && isMustacheVar(u) {
		return u, true
	}
	if absoluteLink(u) {
		return u, true
	}
	shown := truncate(u, 80)
	if reservedURL(u) {
		t.warn("amp-link", tag, fmt.Sprintf("link %q was removed (the text stays): AMP reserves the __amp_source_origin parameter", shown))
		return "", false
	}
	t.warn("amp-link", tag, fmt.Sprintf("link %q was removed (the text stays): AMP emails allow only absolute http, https, mailto and tel links", shown))
	return "", false
}

func absoluteLink(u string) bool {
	if templatedOrUnsafe(u) || reservedURL(u) {
		return false
	}
	schemes := [...]string{"https://", "http://", "mailto:", "tel:"}
	if asciiOnly(u[:min(len(u), len(schemes[0]))]) {
		// as below, without lower-casing a copy of the whole URL
		for _, p := range schemes {
			if len(u) > len(p) && strings.EqualFold(u[:len(p)], p) {
				return true
			}
		}
		return false
	}
	l := strings.ToLower(u) // some letters (İ, K) lower to ASCII ones
	for _, p := range schemes {
		if strings.HasPrefix(l, p) && len(l) > len(p) {
			return true
		}
	}
	return false
}
