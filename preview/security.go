package preview

import (
	"net"
	"net/http"
	"strings"
)

// PageCSP is the Content-Security-Policy of the preview's own pages: scripts and styles only
// from the preview itself (/assets/app.js, /assets/idiomorph.min.js and /assets/style.css), frames only from the preview,
// and the pages may not be framed by anyone.
const PageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// EmailCSP is the Content-Security-Policy of every rendered email (GET /render, GET /amp's
// static view and POST /adhoc): no script of any kind, no plugins, no forms, inline styles and
// remote images only, and only the preview may frame it. Its CSP sandbox, on top of the
// iframe's own, blocks scripts, forms, popups and navigating the page; it keeps the origin
// (allow-same-origin, safe without allow-scripts) so the preview page can read a frame's
// scroll position and keep it across a reload.
const EmailCSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; font-src https: data:; " +
	"sandbox allow-same-origin; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// secure sets the security headers of every response and refuses requests whose Host is not
// the preview's own (a DNS-rebinding page would otherwise read the workspace through the
// visitor's browser).
func (s *Server) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", PageCSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		if !s.hostAllowed(r.Host) {
			http.Error(w, "mailmold preview answers only to its own address", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a request's Host header names this server. When the preview
// listens on a loopback address only loopback names are accepted; when it was told to listen
// elsewhere, any host is.
func (s *Server) hostAllowed(hostport string) bool {
	if !isLoopback(hostOf(s.opt.Addr)) {
		return true
	}
	return isLoopback(hostOf(hostport))
}

func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
