package preview

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/workspace"
)

//go:embed assets
var assets embed.FS

// pages are the preview's own HTML pages.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pathEscape": url.PathEscape,
	"join":       strings.Join,
}).ParseFS(assets, "assets/*.html"))

// staticFiles are the only files /assets/ serves, with their content types: a fixed list, so
// no name from a URL ever reaches a file system.
var staticFiles = map[string]string{
	"app.js":           "text/javascript; charset=utf-8",
	"idiomorph.min.js": "text/javascript; charset=utf-8",
	"style.css":        "text/css; charset=utf-8",
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ct, ok := staticFiles[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

// indexRow is one template on the index page.
type indexRow struct {
	Name, Subject, RawSubject string
	Broken                    bool
	Errors, Warnings          int
	Checked                   bool
}

// index serves GET /: every template with its subject and check status.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	b := s.state.Load()
	data := struct {
		Workspace string
		Version   int64
		Checked   bool
		Error     string
		Rows      []indexRow
		Segments  []string
		Profiles  int
	}{Workspace: s.workspaceName(), Version: b.version, Checked: b.checked}
	if b.err != nil {
		data.Error = errorText(b.err)
	} else {
		data.Segments, data.Profiles = b.ws.Segments.Names(), len(b.ws.Profiles)
		for _, n := range b.names {
			e := b.entries[n]
			errs, warns := e.counts()
			data.Rows = append(data.Rows, indexRow{Name: n, Subject: e.subject, RawSubject: e.rawSubject,
				Broken: e.err != nil, Errors: errs, Warnings: warns, Checked: b.checked || e.err != nil})
		}
	}
	s.page(w, "index.html", data)
}

// templatePage serves GET /t/{template}; the script fills it from /api/t/{template}.
func (s *Server) templatePage(w http.ResponseWriter, r *http.Request) {
	b := s.state.Load()
	name := r.PathValue("template")
	if _, ok := b.entries[name]; !ok && b.err == nil {
		http.Error(w, "no such template: "+name, http.StatusNotFound)
		return
	}
	s.page(w, "template.html", struct{ Name, Workspace string }{name, s.workspaceName()})
}

func (s *Server) page(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// lookup finds the compiled template a request names. Only names the workspace lists are
// served, so no path from a URL ever reaches the file system. It answers 404 for an unknown
// template and 422 with the error text for one that does not compile (or a workspace that
// does not load).
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*build, *entry, bool) {
	b := s.state.Load()
	if b.err != nil {
		http.Error(w, errorText(b.err), http.StatusUnprocessableEntity)
		return nil, nil, false
	}
	e, ok := b.entries[r.PathValue("template")]
	if !ok {
		http.Error(w, "no such template: "+r.PathValue("template"), http.StatusNotFound)
		return nil, nil, false
	}
	if e.err != nil {
		http.Error(w, errorText(e.err), http.StatusUnprocessableEntity)
		return nil, nil, false
	}
	return b, e, true
}

// render serves GET /render/{template}?profile=ID&variant=html|amp|text|headers: one variant
// rendered for a sample profile (the first one when profile is not given). The AMP variant is
// the raw AMP document (the AMP tab shows GET /amp instead).
func (s *Server) render(w http.ResponseWriter, r *http.Request) {
	s.renderFrame(w, r, r.URL.Query().Get("variant"), "")
}

// renderFrame answers GET /render and GET /amp: the template and sample profile the request
// names rendered as variant (with view, for the AMP variant), or why not.
func (s *Server) renderFrame(w http.ResponseWriter, r *http.Request, variant, view string) {
	framed(w)
	b, e, ok := s.lookup(w, r)
	if !ok {
		return
	}
	if msg := viewError(variant, view); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	if data, ok := profileData(w, r, b); ok {
		writeVariant(w, r, e.tpl, data, variant, view)
	}
}

// framed gives an answer shown in the template page's frames EmailCSP up front, so that an
// error (a 404, a template that does not compile, a message without an AMP part) shows its
// text in the frame: the page CSP's frame-ancestors 'none' would blank the frame instead.
func framed(w http.ResponseWriter) { w.Header().Set("Content-Security-Policy", EmailCSP) }

// profileData returns the data of the sample profile the query names (the first one when it
// names none), or answers 404.
func profileData(w http.ResponseWriter, r *http.Request, b *build) (map[string]any, bool) {
	id := r.URL.Query().Get("profile")
	if id == "" {
		if len(b.ws.Profiles) > 0 {
			return b.ws.Profiles[0].Data, true
		}
		return map[string]any{}, true
	}
	p, found := b.ws.Profile(id)
	if !found {
		http.Error(w, "no such profile: "+id, http.StatusNotFound)
		return nil, false
	}
	return p.Data, true
}

// adhoc serves POST /adhoc/{template}?variant=…[&view=static|live]: the body (JSON, or the
// form field "profile") is one profile object, rendered in memory; nothing is written
// anywhere. The body may hold at most MaxAdhocBytes; a missing "id" becomes "ad-hoc". With
// view, the AMP variant is shown as GET /amp shows it.
func (s *Server) adhoc(w http.ResponseWriter, r *http.Request) {
	framed(w)
	_, e, ok := s.lookup(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxAdhocBytes)
	var raw []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err = r.ParseForm(); err == nil {
			raw = []byte(r.PostForm.Get("profile"))
		}
	} else {
		raw, err = io.ReadAll(r.Body)
	}
	if err != nil {
		http.Error(w, fmt.Sprintf("the profile JSON is too large or unreadable (limit %d bytes)", MaxAdhocBytes), http.StatusRequestEntityTooLarge)
		return
	}
	variant := r.URL.Query().Get("variant")
	if variant == "" {
		variant = r.PostForm.Get("variant")
	}
	view := r.URL.Query().Get("view")
	if msg := viewError(variant, view); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	data, err := decodeAdhoc(raw)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeVariant(w, r, e.tpl, data, variant, view)
}

// decodeAdhoc decodes ad-hoc profile JSON: one object; "id" defaults to "ad-hoc".
func decodeAdhoc(raw []byte) (map[string]any, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil || probe == nil {
		if err == nil {
			err = fmt.Errorf("a profile must be a JSON object")
		}
		return nil, fmt.Errorf("invalid profile JSON: %w", err)
	}
	if _, ok := probe["id"]; !ok {
		probe["id"] = json.RawMessage(`"ad-hoc"`)
		raw, _ = json.Marshal(probe)
	}
	p, err := workspace.DecodeProfile(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid profile: %w", err)
	}
	return p.Data, nil
}

// viewError says what is wrong with the variant and view a request asks for, or "".
func viewError(variant, view string) string {
	switch {
	case !validVariant(variant):
		return "variant must be html, amp, text or headers"
	case !validView(view):
		return "view must be static or live"
	}
	return ""
}

func validVariant(v string) bool {
	switch v {
	case "", "html", "amp", "text", "headers":
		return true
	}
	return false
}

// writeVariant renders tpl for data and writes variant with its own restrictive
// Content-Security-Policy: EmailCSP, or LiveAMPCSP for the AMP variant's live view. The AMP
// variant's static view is made visible by staticAMP; without a view it is the raw document.
func writeVariant(w http.ResponseWriter, r *http.Request, tpl *engine.Template, data map[string]any, variant, view string) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	m, err := tpl.Render(ctx, data)
	if err != nil {
		http.Error(w, errorText(err), http.StatusUnprocessableEntity)
		return
	}
	body, ct, csp := m.HTML, "text/html; charset=utf-8", EmailCSP
	switch variant {
	case "amp":
		if m.AMP == nil {
			var why []string
			for _, d := range m.Diagnostics {
				if strings.HasPrefix(d.Rule, "amp") {
					why = append(why, fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Message))
				}
			}
			http.Error(w, strings.TrimSpace("this message has no AMP part\n"+strings.Join(why, "\n")), http.StatusUnprocessableEntity)
			return
		}
		body = *m.AMP
		switch view {
		case "static":
			if body, err = staticAMP(body); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		case "live":
			csp = LiveAMPCSP
		}
	case "text":
		if m.Text == nil {
			http.Error(w, "this message has no text part", http.StatusUnprocessableEntity)
			return
		}
		body, ct = *m.Text, "text/plain; charset=utf-8"
	case "headers":
		hb, _ := json.MarshalIndent(map[string]any{"subject": m.Subject, "preheader": m.Preheader, "from": m.From,
			"reply_to": m.ReplyTo, "to": m.To, "to_name": m.ToName, "list_unsubscribe": m.Unsubscribe,
			"segment": m.Segment, "segments": m.Segments, "diagnostics": m.Diagnostics}, "", "  ")
		body, ct = string(hb), "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Security-Policy", csp)
	io.WriteString(w, body)
}

// events serves GET /events, a text/event-stream: "hello" with the current build number on
// connect, then "rebuild" for every new build and "check" when its diagnostics are ready.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := s.hub.subscribe()
	defer s.hub.unsubscribe(ch)
	fmt.Fprintf(w, "retry: 500\nevent: hello\ndata: %d\n\n", s.state.Load().version)
	if rc.Flush() != nil {
		return
	}
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		var err error
		select {
		case ev := <-ch:
			_, err = fmt.Fprintf(w, "event: %s\ndata: %d\n\n", ev.kind, ev.version)
		case <-ping.C:
			_, err = io.WriteString(w, ": ping\n\n")
		case <-r.Context().Done():
			return
		case <-s.hub.done:
			return
		}
		if err != nil || rc.Flush() != nil {
			return
		}
	}
}
