// Package preview is mailmold's live preview server: every template of a workspace with every
// segment and variant side by side, updated over server-sent events when a file changes.
//
// It keeps three parts apart: the watcher (watch.go) that turns fsnotify events into batches
// of real changes, the reload hub (hub.go) owned by the Server that fans rebuilds out to the
// open pages, and the pages with their error overlay (assets/). Each rebuild is one immutable
// snapshot (build.go); requests read the current snapshot without locks.
//
// Routes: GET / (index), GET /t/{template} (template page), GET /render/{template}?profile=ID&
// variant=html|amp|text|headers (one rendered variant, the AMP one raw), GET /amp/{template}?
// profile=ID&view=static|live (the AMP tab's frames), POST /adhoc/{template}?variant=…
// (render posted profile JSON in memory), GET /events (text/event-stream), GET
// /api/t/{template} (the template page's data) and GET /assets/{app.js,idiomorph.min.js,style.css}.
package preview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

// DefaultAddr is where the preview listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8025"

// MaxAdhocBytes bounds the ad-hoc profile JSON the editor may post (1 MB).
const MaxAdhocBytes = 1 << 20

// Checker returns the diagnostics shown for the template name of ws (on the index as counts,
// on the template page as a list linked to the source).
type Checker func(ws *workspace.Workspace, name string) []diag.Diagnostic

// Options configure a Server. The zero value serves the bundled workspace on DefaultAddr.
type Options struct {
	Addr    string           // listen address; "" means DefaultAddr
	Dir     string           // workspace folder; "" serves the bundled workspace (not watched)
	Open    bool             // open the preview in the default browser once listening
	Now     func() time.Time // clock for segment rules and date filters; nil means time.Now
	Checker Checker          // nil means FullCheck
	Logf    func(string, ...any)
}

// Server serves one workspace. Create it with New, serve it with ListenAndServe (or mount
// Handler), and stop it with Close.
type Server struct {
	opt   Options
	fsys  fs.FS    // the workspace files (confined to Dir), nil for the bundled workspace
	root  *os.Root // keeps fsys open; nil for the bundled workspace
	hub   *hub
	watch *watcher

	state   atomic.Pointer[build] // the current snapshot
	mu      sync.Mutex            // serialises rebuilds
	version int64                 // last build number, under mu
	bg      sync.WaitGroup        // check passes and the watcher loop

	lnMu sync.Mutex
	ln   net.Listener

	limits limits // what one client may take of ListenAndServe; New sets defaultLimits
}

// limits bound how long one client may hold a connection and how much it may send.
type limits struct {
	readHeader time.Duration // to send the request line and headers (a stalled client is cut off)
	read       time.Duration // to send the whole request
	write      time.Duration // from the end of the headers to the end of the answer (event streams lift it)
	idle       time.Duration // between requests on a kept-alive connection
	headerSize int           // bytes of request headers
}

var defaultLimits = limits{readHeader: 5 * time.Second, read: 15 * time.Second, write: 30 * time.Second,
	idle: 120 * time.Second, headerSize: 64 << 10}

// New loads and checks the workspace and, for a folder, starts watching it. A workspace that
// does not load (a broken segments.yaml, a bad profile) is not an error here: the pages show
// the error until it is fixed. A folder that does not exist is.
func New(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = DefaultAddr
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	if opt.Checker == nil {
		opt.Checker = FullCheck
	}
	s := &Server{opt: opt, hub: newHub(), limits: defaultLimits}
	if opt.Dir != "" {
		st, err := os.Stat(opt.Dir)
		if err != nil {
			return nil, fmt.Errorf("workspace %s: %w", opt.Dir, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("workspace %s: not a directory", opt.Dir)
		}
		// os.Root confines every read to the folder: a symlink pointing out of it fails.
		root, err := os.OpenRoot(opt.Dir)
		if err != nil {
			return nil, fmt.Errorf("workspace %s: %w", opt.Dir, err)
		}
		s.root, s.fsys = root, root.FS()
	}
	s.rebuild(true, nil)
	if opt.Dir != "" {
		w, err := newWatcher(opt.Dir, debounce)
		if err != nil {
			s.root.Close()
			return nil, fmt.Errorf("watch %s: %w", opt.Dir, err)
		}
		s.watch = w
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			for batch := range w.out {
				opt.Logf("changed: %s", strings.Join(batch, ", "))
				s.rebuild(false, w.names(batch))
			}
		}()
	}
	return s, nil
}

// debounce is the quiet time after the last file event before a batch is delivered.
const debounce = 50 * time.Millisecond

// Handler returns the HTTP handler with every route, the security headers and the Host check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /t/{template}", s.templatePage)
	mux.HandleFunc("GET /render/{template}", s.render)
	mux.HandleFunc("GET /amp/{template}", s.ampView)
	mux.HandleFunc("POST /adhoc/{template}", s.adhoc)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /api/t/{template}", s.apiTemplate)
	mux.HandleFunc("GET /assets/{file}", s.asset)
	return s.secure(mux)
}

// Listen binds the address and returns the preview's URL. ListenAndServe calls it when it
// has not been called.
func (s *Server) Listen() (string, error) {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln == nil {
		ln, err := net.Listen("tcp", s.opt.Addr)
		if err != nil {
			return "", err
		}
		s.ln = ln
	}
	return "http://" + s.ln.Addr().String() + "/", nil
}

// ListenAndServe serves until ctx is cancelled, then shuts down (open event streams end) and
// returns nil. It first prints "mailmold preview: serving WORKSPACE at URL" to out, or to
// standard output when out is not given.
func (s *Server) ListenAndServe(ctx context.Context, out ...io.Writer) error {
	url, err := s.Listen()
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if len(out) > 0 && out[0] != nil {
		w = out[0]
	}
	fmt.Fprintf(w, "mailmold preview: serving %s at %s\n", s.workspaceName(), url)
	srv := s.httpServer(s.Handler())
	srv.RegisterOnShutdown(s.hub.close)
	if s.opt.Open {
		openBrowser(url, s.opt.Logf)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	err = srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// httpServer returns the HTTP server ListenAndServe runs h with, bounded by s.limits.
func (s *Server) httpServer(h http.Handler) *http.Server {
	l := s.limits
	return &http.Server{Handler: h, ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read, WriteTimeout: l.write,
		IdleTimeout: l.idle, MaxHeaderBytes: l.headerSize}
}

// Close stops watching, ends the open event streams and releases the workspace folder.
func (s *Server) Close() error {
	var err error
	if s.watch != nil {
		err = s.watch.Close()
	}
	s.hub.close()
	s.bg.Wait()
	s.lnMu.Lock()
	if s.ln != nil {
		s.ln.Close()
	}
	s.lnMu.Unlock()
	if s.root != nil {
		s.root.Close()
	}
	return err
}

// workspaceName names the served workspace in messages.
func (s *Server) workspaceName() string {
	if s.opt.Dir == "" {
		return "the bundled example workspace"
	}
	return s.opt.Dir
}

// openBrowser opens url in the desktop's browser, without waiting for it.
func openBrowser(url string, logf func(string, ...any)) {
	name, args := "xdg-open", []string{url}
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		logf("cannot open a browser: %v", err)
		return
	}
	go cmd.Wait()
}
