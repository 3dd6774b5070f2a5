// Package preview is mailmold's live preview server: every template of a workspace with every
// segment and variant side by side, updated over server-sent events when a file changes. It
// keeps three parts apart: the watcher (watch.go) that batches file events, the reload hub
// (hub.go) owned by the Server, and the pages and error overlay (assets/).
package preview

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/check"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

//go:embed assets
var assets embed.FS

// Checker returns the diagnostics shown for a template.
type Checker func(ws *workspace.Workspace, name string) []diag.Diagnostic

// Options configure a Server.
type Options struct {
	Addr    string // default 127.0.0.1:8025
	Dir     string // workspace folder; "" serves the bundled workspace (not watched)
	Open    bool   // open the browser
	Now     func() time.Time
	Checker Checker
	Logf    func(string, ...any)
	// Debounce is the quiet time before a batch of file events triggers a rebuild.
	Debounce time.Duration
}

// MaxAdhocBytes bounds the ad-hoc profile JSON the editor may post.
const MaxAdhocBytes = 1 << 20

// Server serves one workspace.
type Server struct {
	opt     Options
	hub     *hub
	watch   *watcher
	state   atomic.Pointer[build]
	version atomic.Int64
	mu      sync.Mutex // serialises rebuilds
	srv     *http.Server
	ln      net.Listener
}

// build is one immutable snapshot of the workspace.
type build struct {
	Version   int64
	ws        *workspace.Workspace
	err       error
	entries   map[string]*entry
	names     []string
	builtAt   time.Time
	buildTime time.Duration
}

type entry struct {
	name  string
	tpl   *engine.Template
	err   error
	diags []diag.Diagnostic
}

// New loads the workspace and, for a folder, starts watching it.
func New(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:8025"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	if opt.Debounce == 0 {
		opt.Debounce = 40 * time.Millisecond
	}
	if opt.Checker == nil {
		opt.Checker = defaultChecker
	}
	s := &Server{opt: opt, hub: newHub()}
	s.rebuild()
	if opt.Dir != "" {
		w, err := newWatcher(opt.Dir, opt.Debounce)
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", opt.Dir, err)
		}
		s.watch = w
		go func() {
			for batch := range w.out {
				opt.Logf("changed: %s", strings.Join(batch, ", "))
				s.rebuild()
			}
		}()
	}
	return s, nil
}

// defaultChecker runs mailmold check on one template (without the external AMP validator,
// to stay fast on every save).
func defaultChecker(ws *workspace.Workspace, name string) []diag.Diagnostic {
	return check.Template(context.Background(), ws, name, check.Options{}).Diagnostics
}

// rebuild reloads the workspace, compiles every template and checks it, then tells the
// open pages.
func (s *Server) rebuild() {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	b := &build{Version: s.version.Add(1), entries: map[string]*entry{}, builtAt: start}
	ws, err := workspace.Open(s.opt.Dir, s.opt.Now)
	b.ws, b.err = ws, err
	if err == nil {
		b.names = ws.Templates
		for _, n := range ws.Templates {
			e := &entry{name: n}
			e.tpl, e.err = ws.Compile(n, nil)
			if e.err == nil {
				e.diags = s.opt.Checker(ws, n)
			}
			b.entries[n] = e
		}
	}
	b.buildTime = time.Since(start)
	s.state.Store(b)
	s.hub.publish(b.Version)
	s.opt.Logf("build %d in %v", b.Version, b.buildTime.Round(time.Millisecond))
}

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page("index.html"))
	mux.HandleFunc("GET /t/{template}", s.templatePage)
	mux.HandleFunc("GET /render/{template}", s.render)
	mux.HandleFunc("POST /adhoc/{template}", s.adhoc)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /api/state", s.apiState)
	mux.HandleFunc("GET /assets/{file}", s.asset)
	return securityHeaders(mux)
}

// pageCSP is the Content-Security-Policy of the preview's own pages.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// emailCSP is the policy of rendered emails: no script, no plugins, a sandbox, images and
// inline styles only.
const emailCSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; font-src https:; sandbox; base-uri 'none'; form-action 'none'"

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", pageCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	}
}

func (s *Server) templatePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.state.Load().entries[r.PathValue("template")]; !ok {
		http.Error(w, "no such template", http.StatusNotFound)
		return
	}
	s.page("template.html")(w, r)
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	ct := ""
	for ext, t := range types {
		if strings.HasSuffix(name, ext) {
			ct = t
		}
	}
	if ct == "" || strings.ContainsAny(name, "/\\") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(assets, "assets/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

// lookup finds the template of a request: only names the workspace lists are served, so
// no path from a URL ever reaches the file system.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*build, *entry, bool) {
	b := s.state.Load()
	if b.err != nil {
		http.Error(w, errorText(b.err), http.StatusUnprocessableEntity)
		return nil, nil, false
	}
	e, ok := b.entries[r.PathValue("template")]
	if !ok {
		http.Error(w, "no such template", http.StatusNotFound)
		return nil, nil, false
	}
	if e.err != nil {
		http.Error(w, errorText(e.err), http.StatusUnprocessableEntity)
		return nil, nil, false
	}
	return b, e, true
}

func errorText(err error) string {
	var de *diag.Error
	if errors.As(err, &de) {
		return de.Format()
	}
	return err.Error()
}

// render serves GET /render/{template}?profile=ID&variant=html|amp|text.
func (s *Server) render(w http.ResponseWriter, r *http.Request) {
	b, e, ok := s.lookup(w, r)
	if !ok {
		return
	}
	data := map[string]any{}
	if id := r.URL.Query().Get("profile"); id != "" {
		p, found := b.ws.Profile(id)
		if !found {
			http.Error(w, "no such profile", http.StatusNotFound)
			return
		}
		data = p.Data
	} else if len(b.ws.Profiles) > 0 {
		data = b.ws.Profiles[0].Data
	}
	s.writeVariant(w, r, e, data)
}

// adhoc serves POST /adhoc/{template}?variant=…: the body is a profile JSON object, rendered
// in memory; nothing is written anywhere.
func (s *Server) adhoc(w http.ResponseWriter, r *http.Request) {
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
			if v := r.PostForm.Get("variant"); v != "" && r.URL.Query().Get("variant") == "" {
				q := r.URL.Query()
				q.Set("variant", v)
				r.URL.RawQuery = q.Encode()
			}
		}
	} else {
		raw, err = io.ReadAll(r.Body)
	}
	if err != nil {
		http.Error(w, "profile JSON too large (limit 1 MB)", http.StatusRequestEntityTooLarge)
		return
	}
	var probe map[string]any
	if err := json.Unmarshal(raw, &probe); err != nil {
		http.Error(w, "invalid profile JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if _, hasID := probe["id"]; !hasID {
		probe["id"] = "ad-hoc"
		raw, _ = json.Marshal(probe)
	}
	p, err := workspace.DecodeProfile(raw)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.writeVariant(w, r, e, p.Data)
}

func (s *Server) writeVariant(w http.ResponseWriter, r *http.Request, e *entry, data map[string]any) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	m, err := e.tpl.Render(ctx, data)
	if err != nil {
		http.Error(w, errorText(err), http.StatusUnprocessableEntity)
		return
	}
	variant := r.URL.Query().Get("variant")
	body, ct := m.HTML, "text/html; charset=utf-8"
	switch variant {
	case "", "html":
	case "amp":
		if m.AMP == nil {
			var reasons []string
			for _, d := range m.Diagnostics {
				if strings.HasPrefix(d.Rule, "amp") {
					reasons = append(reasons, fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Message))
				}
			}
			http.Error(w, "no AMP part for this profile:\n"+strings.Join(reasons, "\n"), http.StatusUnprocessableEntity)
			return
		}
		body = *m.AMP
	case "text":
		body, ct = *m.Text, "text/plain; charset=utf-8"
	case "headers":
		hb, _ := json.MarshalIndent(map[string]any{"subject": m.Subject, "preheader": m.Preheader, "from": m.From, "reply_to": m.ReplyTo,
			"to": m.To, "list_unsubscribe": m.Unsubscribe, "segment": m.Segment, "segments": m.Segments, "diagnostics": m.Diagnostics}, "", "  ")
		body, ct = string(hb), "application/json; charset=utf-8"
	default:
		http.Error(w, "variant must be html, amp, text or headers", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Security-Policy", emailCSP)
	io.WriteString(w, body)
}

// events serves the server-sent event stream: one "rebuild" event per build.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	ch := s.hub.subscribe()
	defer s.hub.unsubscribe(ch)
	fmt.Fprintf(w, "retry: 500\nevent: hello\ndata: %d\n\n", s.state.Load().Version)
	rc.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case v := <-ch:
			fmt.Fprintf(w, "event: rebuild\ndata: %d\n\n", v)
			if rc.Flush() != nil {
				return
			}
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			if rc.Flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

type stateJSON struct {
	Version   int64          `json:"version"`
	Workspace string         `json:"workspace"`
	Error     string         `json:"error,omitempty"`
	Segments  []string       `json:"segments"`
	Profiles  []profileJSON  `json:"profiles"`
	Templates []templateJSON `json:"templates"`
}

type profileJSON struct {
	ID      string `json:"id"`
	Segment string `json:"segment"`
}

type templateJSON struct {
	Name        string            `json:"name"`
	Subject     string            `json:"subject"`
	Error       string            `json:"error,omitempty"`
	Errors      int               `json:"errors"`
	Warnings    int               `json:"warnings"`
	Diagnostics []diag.Diagnostic `json:"diagnostics"`
	Source      string            `json:"source"`
	Columns     []columnJSON      `json:"columns"`
}

type columnJSON struct {
	Segment string `json:"segment"`
	Profile string `json:"profile"`
}

// apiState describes the current build for the pages' script.
func (s *Server) apiState(w http.ResponseWriter, r *http.Request) {
	b := s.state.Load()
	out := stateJSON{Version: b.Version, Workspace: s.opt.Dir, Segments: []string{}, Profiles: []profileJSON{}, Templates: []templateJSON{}}
	if out.Workspace == "" {
		out.Workspace = "bundled example workspace"
	}
	if b.err != nil {
		out.Error = errorText(b.err)
	} else {
		out.Segments = b.ws.Segments.Names()
		first := map[string]string{}
		for _, p := range b.ws.Profiles {
			seg, _, _ := b.ws.Segments.Membership(p.Data)
			out.Profiles = append(out.Profiles, profileJSON{p.ID, seg})
			if _, ok := first[seg]; !ok {
				first[seg] = p.ID
			}
		}
		var cols []columnJSON
		for _, sg := range append(out.Segments, "") {
			if id, ok := first[sg]; ok {
				cols = append(cols, columnJSON{sg, id})
			}
		}
		names := append([]string(nil), b.names...)
		sort.Strings(names)
		for _, n := range names {
			e := b.entries[n]
			tj := templateJSON{Name: n, Diagnostics: []diag.Diagnostic{}, Columns: cols}
			if src, err := fs.ReadFile(b.ws.FS, n); err == nil {
				tj.Source = string(src)
			}
			if e.err != nil {
				tj.Error = errorText(e.err)
				tj.Errors = 1
			} else {
				tj.Subject = e.tpl.Front.Subject.Value
				if len(b.ws.Profiles) > 0 {
					if m, err := e.tpl.Render(r.Context(), b.ws.Profiles[0].Data); err == nil {
						tj.Subject = m.Subject
					}
				}
				tj.Diagnostics = append(tj.Diagnostics, e.diags...)
				for _, d := range e.diags {
					if d.Severity == diag.SeverityError {
						tj.Errors++
					} else {
						tj.Warnings++
					}
				}
			}
			out.Templates = append(out.Templates, tj)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

// Listen binds the address (loopback unless told otherwise) and returns the URL.
func (s *Server) Listen() (string, error) {
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return "", err
	}
	s.ln = ln
	return "http://" + ln.Addr().String() + "/", nil
}

// ListenAndServe serves until ctx is cancelled. It prints the URL to stdout via out.
func (s *Server) ListenAndServe(ctx context.Context, out io.Writer) error {
	if s.ln == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	url := "http://" + s.ln.Addr().String() + "/"
	what := s.opt.Dir
	if what == "" {
		what = "the bundled example workspace"
	}
	fmt.Fprintf(out, "mailmold preview: serving %s at %s\n", what, url)
	if s.opt.Open {
		openBrowser(url)
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.srv.Shutdown(sctx)
	}()
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops watching.
func (s *Server) Close() error {
	if s.watch != nil {
		return s.watch.Close()
	}
	return nil
}

func openBrowser(url string) {
	cmd := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		cmd = "open"
	case "windows":
		cmd = "explorer"
	}
	exec.Command(cmd, url).Start()
}
