package preview

import (
	"cmp"
	"net/http"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// LiveAMPCSP is the Content-Security-Policy of the AMP tab's opt-in live view (GET
// /amp/{template}?view=live): scripts only from the AMP project's CDN (the runtime and its
// extensions; no inline script, no eval), a CSP sandbox that allows scripts but keeps the
// origin opaque, requests (amp-list, amp-form) only over https, and only the preview may
// frame it.
const LiveAMPCSP = "default-src 'none'; script-src https://cdn.ampproject.org; img-src https: data:; " +
	"style-src 'unsafe-inline'; font-src https: data:; connect-src https:; sandbox allow-scripts; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// ampView serves GET /amp/{template}?profile=ID&view=static|live, the AMP tab's frames: the
// AMP part made visible without its runtime (static, the default; see staticAMP), or the raw
// AMP document with LiveAMPCSP for a frame that may run the AMP runtime (live).
func (s *Server) ampView(w http.ResponseWriter, r *http.Request) {
	s.renderFrame(w, r, "amp", cmp.Or(r.URL.Query().Get("view"), "static"))
}

// validView reports whether v names a view of the AMP variant ("" is the raw document).
func validView(v string) bool { return v == "" || v == "static" || v == "live" }

// staticAMP turns an AMP for Email document into one a browser shows as it is, without the
// AMP runtime, for the AMP tab's default static view:
//   - the amp4email boilerplate (body{visibility:hidden} until the runtime starts) and every
//     script are removed;
//   - amp-img and amp-anim become img elements, sized as their layout says;
//   - amp-list shows its static content: the fallback (what a reader sees when the live data
//     cannot be fetched), else the placeholder; its mustache template is dropped;
//   - any other amp-* element becomes a div with its content.
//
// The result is still served with EmailCSP into a frame without scripts: it is a picture of
// the AMP part, not a run of it.
func staticAMP(doc string) (string, error) {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return "", err
	}
	staticChildren(root)
	var b strings.Builder
	if err := html.Render(&b, root); err != nil {
		return "", err
	}
	return b.String(), nil
}

// staticChildren rewrites the children of n (see staticAMP).
func staticChildren(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			switch {
			case c.DataAtom == atom.Script, c.DataAtom == atom.Template, c.Data == "amp-state", c.Data == "amp-bind-macro",
				c.DataAtom == atom.Style && hasAttr(c, "amp4email-boilerplate"):
				n.RemoveChild(c)
			case c.Data == "amp-img" || c.Data == "amp-anim":
				staticImg(c)
			case c.Data == "amp-list":
				staticList(c)
			case strings.HasPrefix(c.Data, "amp-"):
				c.Data, c.DataAtom = "div", atom.Div
				staticChildren(c)
			default:
				staticChildren(c)
			}
		}
		c = next
	}
}

// staticImg turns an amp-img (or amp-anim) into an img with the same source, text and size.
// Its children (a placeholder or fallback for the runtime) are dropped.
func staticImg(n *html.Node) {
	layout := attr(n, "layout")
	var size string
	switch layout {
	case "responsive":
		size = "display:block;width:100%;height:auto;"
	case "intrinsic":
		size = "max-width:100%;height:auto;"
	case "fixed-height":
		size = "width:100%;"
	case "fill":
		size = "width:100%;height:100%;object-fit:cover;"
	case "nodisplay":
		size = "display:none;"
	}
	var keep []html.Attribute
	hasStyle := false
	for _, a := range n.Attr {
		switch a.Key {
		case "style":
			a.Val, hasStyle = size+a.Val, true // the email's own style comes last and wins
		case "src", "srcset", "sizes", "alt", "width", "height", "class", "id", "title":
		default:
			continue
		}
		keep = append(keep, a)
	}
	if !hasStyle && size != "" {
		keep = append(keep, html.Attribute{Key: "style", Val: size})
	}
	keep = append(keep, html.Attribute{Key: "data-amp", Val: n.Data})
	for c := n.FirstChild; c != nil; c = n.FirstChild {
		n.RemoveChild(c)
	}
	n.Data, n.DataAtom, n.Attr = "img", atom.Img, keep
}

// staticList turns an amp-list into a div showing its fallback content, or its placeholder
// when it has no fallback. The live template and the overflow button go.
func staticList(n *html.Node) {
	var placeholder, fallback *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if placeholder == nil && hasAttr(c, "placeholder") {
			placeholder = c
		}
		if fallback == nil && hasAttr(c, "fallback") {
			fallback = c
		}
	}
	shown := fallback
	if shown == nil {
		shown = placeholder
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && c != shown &&
			(c.DataAtom == atom.Template || hasAttr(c, "placeholder") || hasAttr(c, "fallback") || hasAttr(c, "overflow")) {
			n.RemoveChild(c)
		}
		c = next
	}
	n.Data, n.DataAtom = "div", atom.Div
	n.Attr = append(n.Attr, html.Attribute{Key: "data-amp", Val: "amp-list"})
	staticChildren(n)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
