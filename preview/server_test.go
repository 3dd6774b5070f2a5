package preview

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testNow = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

const goodTpl = "---\nsubject: \"Hi {{ first_name | default: 'there' }}\"\npreheader: p\n---\n<html><body><h1>Hello {{ first_name | default: 'there' }}</h1>{% segment vip %}<p>VIP</p>{% else %}<p>Everyone</p>{% endsegment %}<a href=\"https://x.example/unsubscribe\">Unsubscribe</a></body></html>\n"

// tempWorkspace writes a small workspace and returns its folder.
func tempWorkspace(t testing.TB) string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "profiles"), 0o755)
	os.MkdirAll(filepath.Join(dir, "partials"), 0o755)
	os.WriteFile(filepath.Join(dir, "segments.yaml"), []byte("segments:\n  - name: vip\n    when: lifetime_value >= 1000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "profiles", "a.json"), []byte(`{"id":"a","first_name":"Ann","lifetime_value":5000}`), 0o644)
	os.WriteFile(filepath.Join(dir, "profiles", "b.json"), []byte(`{"id":"b","first_name":"Bo","lifetime_value":5}`), 0o644)
	os.WriteFile(filepath.Join(dir, "hello.liquid"), []byte(goodTpl), 0o644)
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("do not serve"), 0o644)
	return dir
}

func newTestServer(t *testing.T, dir string) (*Server, *httptest.Server) {
	s, err := New(Options{Dir: dir, Now: testNow, Debounce: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r, string(b)
}

func TestEndpoints(t *testing.T) {
	_, ts := newTestServer(t, tempWorkspace(t))
	tests := []struct {
		path   string
		status int
		ctype  string
		body   string
	}{
		{"/", 200, "text/html", "mailmold preview"},
		{"/t/hello.liquid", 200, "text/html", "template.html"[:0]},
		{"/render/hello.liquid?profile=a&variant=html", 200, "text/html", "VIP"},
		{"/render/hello.liquid?profile=b&variant=html", 200, "text/html", "Everyone"},
		{"/render/hello.liquid?profile=a&variant=text", 200, "text/plain", "HELLO ANN"},
		{"/render/hello.liquid?profile=a&variant=amp", 200, "text/html", "⚡4email"},
		{"/render/hello.liquid?profile=nobody", 404, "", ""},
		{"/render/nosuch.liquid", 404, "", ""},
		{"/render/hello.liquid?variant=pdf", 400, "", ""},
		{"/api/state", 200, "application/json", `"columns"`},
		{"/assets/app.js", 200, "text/javascript", "EventSource"},
		{"/assets/", 404, "", ""},
		{"/t/nosuch.liquid", 404, "", ""},
	}
	for _, tc := range tests {
		r, body := get(t, ts.URL+tc.path)
		if r.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.path, r.StatusCode, tc.status, body)
			continue
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.body) {
			t.Errorf("%s: %s %.80q", tc.path, r.Header.Get("Content-Type"), body)
		}
		if r.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no Content-Security-Policy", tc.path)
		}
	}
	r, _ := get(t, ts.URL+"/render/hello.liquid?profile=a")
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script-src") {
		t.Errorf("rendered email CSP %q must sandbox and allow no script", csp)
	}
}

// TestNoPathEscapes tries to read files outside the templates list.
func TestNoPathEscapes(t *testing.T) {
	dir := tempWorkspace(t)
	_, ts := newTestServer(t, dir)
	for _, p := range []string{
		"/render/..%2fsecret.txt", "/render/secret.txt", "/render/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/render/" + url.PathEscape(filepath.Join(dir, "secret.txt")), "/render/..%5csecret.txt", "/t/..%2f..%2fetc%2fpasswd",
		"/assets/..%2fserver.go", "/assets/%2e%2e/server.go", "/../../etc/passwd", "/render/partials",
	} {
		r, body := get(t, ts.URL+p)
		if r.StatusCode == 200 || strings.Contains(body, "do not serve") || strings.Contains(body, "root:") || strings.Contains(body, "package preview") {
			t.Errorf("%s: served %d %.60q", p, r.StatusCode, body)
		}
	}
}

func TestBrokenTemplateIs422AndRecovers(t *testing.T) {
	dir := tempWorkspace(t)
	s, ts := newTestServer(t, dir)
	os.WriteFile(filepath.Join(dir, "hello.liquid"), []byte("---\nsubject: x\n---\n<p>{% if x %}</p>\n"), 0o644)
	waitVersion(t, s, 2)
	r, body := get(t, ts.URL+"/render/hello.liquid?profile=a")
	if r.StatusCode != 422 || !strings.Contains(body, "hello.liquid:4:4: 'if' tag was never closed") || !strings.Contains(body, "^") {
		t.Errorf("broken: %d %s", r.StatusCode, body)
	}
	os.WriteFile(filepath.Join(dir, "hello.liquid"), []byte(goodTpl), 0o644)
	waitVersion(t, s, 3)
	if r, _ := get(t, ts.URL+"/render/hello.liquid?profile=a"); r.StatusCode != 200 {
		t.Errorf("fixed: %d", r.StatusCode)
	}
}

func waitVersion(t *testing.T, s *Server, v int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for s.state.Load().Version < v {
		if time.Now().After(deadline) {
			t.Fatalf("no rebuild %d within 3s (at %d)", v, s.state.Load().Version)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEventsOnChange expects a rebuild event after a file changes, and none for a Chmod or a
// write that leaves the content as it was.
func TestEventsOnChange(t *testing.T) {
	dir := tempWorkspace(t)
	s, ts := newTestServer(t, dir)
	r, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if ct := r.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: ") {
				events <- strings.TrimPrefix(sc.Text(), "event: ")
			}
		}
	}()
	if e := <-events; e != "hello" {
		t.Fatalf("first event %q", e)
	}
	p := filepath.Join(dir, "profiles", "a.json")
	os.Chmod(p, 0o600)
	os.WriteFile(p, []byte(`{"id":"a","first_name":"Ann","lifetime_value":5000}`), 0o644) // same content: a ghost
	select {
	case e := <-events:
		t.Fatalf("event %q for a change that changes nothing", e)
	case <-time.After(300 * time.Millisecond):
	}
	os.WriteFile(p, []byte(`{"id":"a","first_name":"Anna","lifetime_value":5000}`), 0o644)
	select {
	case e := <-events:
		if e != "rebuild" {
			t.Fatalf("event %q", e)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no rebuild event within 2s")
	}
	if _, body := get(t, ts.URL+"/render/hello.liquid?profile=a"); !strings.Contains(body, "Anna") {
		t.Error("the rebuild did not pick up the change")
	}
	_ = s
}

func TestAdhoc(t *testing.T) {
	_, ts := newTestServer(t, tempWorkspace(t))
	r, err := http.Post(ts.URL+"/adhoc/hello.liquid?variant=text", "application/json", strings.NewReader(`{"first_name":"Zed","lifetime_value":9000}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || !strings.Contains(string(b), "HELLO ZED") || !strings.Contains(string(b), "VIP") {
		t.Errorf("adhoc: %d %s", r.StatusCode, b)
	}
	r, _ = http.PostForm(ts.URL+"/adhoc/hello.liquid", url.Values{"profile": {`{"first_name":"Form"}`}, "variant": {"html"}})
	b, _ = io.ReadAll(r.Body)
	if r.StatusCode != 200 || !strings.Contains(string(b), "Form") {
		t.Errorf("adhoc form: %d %s", r.StatusCode, b)
	}
	r, _ = http.Post(ts.URL+"/adhoc/hello.liquid", "application/json", strings.NewReader(strings.Repeat(" ", MaxAdhocBytes+10)+"{}"))
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", r.StatusCode)
	}
	r, _ = http.Post(ts.URL+"/adhoc/hello.liquid", "application/json", strings.NewReader(`{"first_name":`))
	if r.StatusCode != 400 {
		t.Errorf("bad JSON: %d", r.StatusCode)
	}
}

func TestBindsLoopbackByDefault(t *testing.T) {
	s, err := New(Options{Addr: "127.0.0.1:0", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.ln.Close()
	if !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Errorf("listening on %s", u)
	}
	if d, _ := New(Options{}); d.opt.Addr != "127.0.0.1:8025" {
		t.Errorf("default address %q", d.opt.Addr)
	}
}
