package preview

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// fastLimits are limits short enough for a test to wait them out.
var fastLimits = limits{readHeader: 200 * time.Millisecond, read: 300 * time.Millisecond, write: 300 * time.Millisecond,
	idle: time.Second, headerSize: 4 << 10}

// serveWith runs ListenAndServe on a loopback port with lim and returns its URL.
func serveWith(t *testing.T, dir string, lim limits) (*Server, string) {
	t.Helper()
	s, err := New(Options{Addr: "127.0.0.1:0", Dir: dir, Now: testNow, Checker: RenderCheck})
	if err != nil {
		t.Fatal(err)
	}
	s.limits = lim
	url, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		<-done
		s.Close()
	})
	return s, strings.TrimSuffix(url, "/")
}

func TestDefaultLimits(t *testing.T) {
	srv := (&Server{limits: defaultLimits}).httpServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout != 5*time.Second || srv.ReadTimeout != 15*time.Second || srv.WriteTimeout != 30*time.Second ||
		srv.IdleTimeout != 2*time.Minute || srv.MaxHeaderBytes != 64<<10 {
		t.Errorf("default limits: %+v", srv)
	}
	if s, _ := newTestServer(t, Options{Dir: tempWorkspace(t)}); s.limits != defaultLimits {
		t.Errorf("New sets %+v", s.limits)
	}
}

// TestReadHeaderTimeout opens a connection that sends half a request line and stalls: the
// server closes it once the read-header timeout has passed, without an answer (well before
// the read timeout, which would end it too).
func TestReadHeaderTimeout(t *testing.T) {
	lim := fastLimits
	lim.read = 10 * time.Second
	_, url := serveWith(t, tempWorkspace(t), lim)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/t/hello.liquid HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	conn.SetReadDeadline(start.Add(5 * time.Second))
	got, err := io.ReadAll(conn)
	took := time.Since(start)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the stalled connection is still open after %v", took)
	}
	if took > lim.readHeader+700*time.Millisecond {
		t.Errorf("the stalled connection was closed after %v, the read-header timeout is %v", took, lim.readHeader)
	}
	if strings.Contains(string(got), "200 OK") {
		t.Errorf("a half-sent request was answered: %q", got)
	}
	// a whole request on a new connection is answered
	if r, _ := get(t, url+"/api/t/hello.liquid"); r.StatusCode != 200 {
		t.Errorf("a whole request: %d", r.StatusCode)
	}
}

// TestWriteTimeout serves an answer that starts after the write timeout: the connection is
// cut instead of the answer being delivered.
func TestWriteTimeout(t *testing.T) {
	s := &Server{limits: fastLimits}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(fastLimits.write + 200*time.Millisecond)
		w.Write([]byte(strings.Repeat("late ", 20000)))
	})
	ts := httptest.NewUnstartedServer(slow)
	ts.Config = s.httpServer(slow)
	ts.Start()
	defer ts.Close()
	start := time.Now()
	r, err := http.Get(ts.URL)
	if err == nil {
		_, err = io.ReadAll(r.Body)
		r.Body.Close()
	}
	if err == nil {
		t.Errorf("an answer written after the write timeout was delivered (%v)", time.Since(start))
	}
	if took := time.Since(start); took > fastLimits.write+2*time.Second {
		t.Errorf("the connection was cut after %v", took)
	}
}

// TestEventsOutliveTimeouts keeps an event stream open longer than the read and write
// timeouts: it still delivers the next rebuild (the stream lifts both deadlines).
func TestEventsOutliveTimeouts(t *testing.T) {
	dir := tempWorkspace(t)
	_, url := serveWith(t, dir, fastLimits)
	events := sse(t, url)
	expectEvent(t, events, "hello", time.Second)
	time.Sleep(fastLimits.read + fastLimits.write + 300*time.Millisecond)
	writeFiles(t, dir, map[string]string{"hello.liquid": strings.Replace(goodTpl, "Hello", "Later", 1)})
	expectEvent(t, events, "rebuild", 2*time.Second)
}

// TestAdhocBodyLimit posts ad-hoc profiles at and over MaxAdhocBytes, as JSON and as the
// editor's form: over the limit is 413, at the limit is rendered.
func TestAdhocBodyLimit(t *testing.T) {
	_, ts := newTestServer(t, Options{Dir: tempWorkspace(t), Checker: RenderCheck})
	profile := `{"first_name":"Edge"}`
	pad := func(n int) string { return profile + strings.Repeat(" ", n-len(profile)) }
	for _, c := range []struct {
		name, ctype, body string
		status            int
	}{
		{"json at the limit", "application/json", pad(MaxAdhocBytes), 200},
		{"json one byte over", "application/json", pad(MaxAdhocBytes + 1), 413},
		{"json far over", "application/json", pad(4 * MaxAdhocBytes), 413},
		{"form over", "application/x-www-form-urlencoded", "variant=text&profile=" + strings.Repeat("%20", MaxAdhocBytes/3+1), 413},
	} {
		r, body := do(t, "POST", ts.URL+"/adhoc/hello.liquid?variant=text", c.ctype, c.body)
		if r.StatusCode != c.status {
			t.Errorf("%s: %d, want %d (%.100s)", c.name, r.StatusCode, c.status, body)
		}
		if c.status == 200 && !strings.Contains(body, "HELLO EDGE") {
			t.Errorf("%s: %.100s", c.name, body)
		}
		if c.status == 413 && !strings.Contains(body, "too large") {
			t.Errorf("%s: %.100s", c.name, body)
		}
	}
}

// TestNoDirectoryListing asks for folders: of the preview's assets, of the routes and of the
// workspace. None is listed.
func TestNoDirectoryListing(t *testing.T) {
	_, ts := newTestServer(t, Options{Dir: tempWorkspace(t)})
	for _, p := range []string{"/assets/", "/assets", "/assets/.", "/assets/..%2f", "/render/", "/amp/", "/t/", "/api/t/",
		"/adhoc/", "/partials/", "/profiles/", "/testdata/", "/preview/assets/"} {
		r, body := get(t, ts.URL+p)
		if r.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, r.StatusCode)
		}
		for _, name := range []string{"app.js", "style.css", "index.html", "hello.liquid", "p.liquid", "a.json", "<a href"} {
			if strings.Contains(body, name) {
				t.Errorf("GET %s lists %s: %.200s", p, name, body)
			}
		}
	}
}
