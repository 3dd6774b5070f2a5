package preview

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

var testNow = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

const goodTpl = "---\nsubject: \"Hi {{ first_name | default: 'there' }}\"\npreheader: p\n---\n" +
	"<html><head><style>@media (prefers-color-scheme: dark) { .box { background: #000000 !important; } }</style></head>" +
	"<body><div class=\"box\" style=\"background:#ffffff;height:300px\"><h1>Hello {{ first_name | default: 'there' }}</h1>" +
	"{% segment vip %}<p>VIP</p>{% else %}<p>Everyone</p>{% endsegment %}" +
	"<a href=\"https://x.example/unsubscribe\">Unsubscribe</a></div></body></html>\n"

const brokenTpl = "---\nsubject: x\n---\n<p>{% if x %}</p>\n"

// tempWorkspace writes a small workspace and returns its folder. Next to the workspace lies
// a secret file the server must never serve.
func tempWorkspace(t testing.TB) string {
	base := t.TempDir()
	dir := filepath.Join(base, "ws")
	writeFiles(t, base, map[string]string{
		"secret.txt":           "TOP-SECRET outside the workspace",
		"ws/segments.yaml":     "segments:\n  - name: vip\n    when: lifetime_value >= 1000\n  - name: lapsed\n    when: orders > 100\n",
		"ws/profiles/a.json":   `{"id":"a","first_name":"Ann","lifetime_value":5000,"orders":3}`,
		"ws/profiles/b.json":   `{"id":"b","first_name":"Bo","lifetime_value":5,"orders":1}`,
		"ws/hello.liquid":      goodTpl,
		"ws/notes.txt":         "not a template: do not serve",
		"ws/partials/p.liquid": "<p>partial</p>",
	})
	return dir
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newTestServer(t testing.TB, opt Options) (*Server, *httptest.Server) {
	t.Helper()
	if opt.Now == nil {
		opt.Now = testNow
	}
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { s.Close(); ts.Close() })
	return s, ts
}

func do(t testing.TB, method, u, ctype, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r, string(b)
}

func get(t testing.TB, u string) (*http.Response, string) { return do(t, "GET", u, "", "") }

// fixedChecker reports two errors and a warning on line 6 of every template.
func fixedChecker(ws *workspace.Workspace, name string) []diag.Diagnostic {
	d := diag.Diagnostic{File: ws.Path(name), Line: 6, Col: 1, Severity: diag.SeverityError, Rule: "test", Message: "bad"}
	w := d
	w.Severity, w.Message = diag.SeverityWarning, "meh"
	d2 := d
	d2.Col = 2
	return []diag.Diagnostic{d, d2, w}
}

func TestEndpoints(t *testing.T) {
	dir := tempWorkspace(t)
	writeFiles(t, dir, map[string]string{"broken.liquid": brokenTpl})
	_, ts := newTestServer(t, Options{Dir: dir, Checker: fixedChecker})
	tests := []struct {
		method, path, ctype, body string
		status                    int
		wantType                  string
		want                      []string
	}{
		{"GET", "/", "", "", 200, "text/html", []string{"hello.liquid", "Hi Ann", "2 errors", "1 warning", "broken.liquid", "does not compile", "2 segments: vip, lapsed"}},
		{"GET", "/t/hello.liquid", "", "", 200, "text/html", []string{`data-template="hello.liquid"`, "/assets/app.js", "/assets/idiomorph.min.js"}},
		{"GET", "/t/broken.liquid", "", "", 200, "text/html", []string{"broken.liquid"}},
		{"GET", "/t/nosuch.liquid", "", "", 404, "text/plain", []string{"no such template"}},
		{"GET", "/render/hello.liquid?profile=a&variant=html", "", "", 200, "text/html; charset=utf-8", []string{"Hello Ann", "VIP"}},
		{"GET", "/render/hello.liquid?profile=b", "", "", 200, "text/html; charset=utf-8", []string{"Hello Bo", "Everyone"}},
		{"GET", "/render/hello.liquid", "", "", 200, "text/html; charset=utf-8", []string{"Hello Ann"}},
		{"GET", "/render/hello.liquid?profile=a&variant=text", "", "", 200, "text/plain; charset=utf-8", []string{"HELLO ANN", "VIP"}},
		{"GET", "/render/hello.liquid?profile=a&variant=amp", "", "", 200, "text/html; charset=utf-8", []string{"⚡4email", "<style amp4email-boilerplate>body{visibility:hidden}</style>", "https://cdn.ampproject.org/v0.js"}},
		{"GET", "/amp/hello.liquid?profile=b", "", "", 200, "text/html; charset=utf-8", []string{"⚡4email", "Hello Bo", "Everyone"}},
		{"GET", "/amp/hello.liquid?profile=b&view=static", "", "", 200, "text/html; charset=utf-8", []string{"Hello Bo"}},
		{"GET", "/amp/hello.liquid?profile=a&view=live", "", "", 200, "text/html; charset=utf-8", []string{"amp4email-boilerplate", "https://cdn.ampproject.org/v0.js", "Hello Ann"}},
		{"GET", "/amp/hello.liquid?view=film", "", "", 400, "text/plain", []string{"static or live"}},
		{"GET", "/amp/hello.liquid?profile=nobody", "", "", 404, "text/plain", []string{"no such profile"}},
		{"GET", "/amp/nosuch.liquid", "", "", 404, "text/plain", []string{"no such template"}},
		{"GET", "/amp/broken.liquid", "", "", 422, "text/plain", []string{"never closed"}},
		{"GET", "/render/hello.liquid?profile=b&variant=headers", "", "", 200, "application/json", []string{`"subject": "Hi Bo"`}},
		{"GET", "/render/hello.liquid?profile=nobody", "", "", 404, "text/plain", []string{"no such profile"}},
		{"GET", "/render/nosuch.liquid?profile=a", "", "", 404, "text/plain", []string{"no such template"}},
		{"GET", "/render/broken.liquid?profile=a", "", "", 422, "text/plain", []string{"broken.liquid:4:4: 'if' tag was never closed", "^"}},
		{"GET", "/render/hello.liquid?variant=pdf", "", "", 400, "text/plain", nil},
		{"POST", "/render/hello.liquid", "", "", 405, "", nil},
		{"POST", "/adhoc/hello.liquid?variant=text", "application/json", `{"first_name":"Zed","lifetime_value":9000}`, 200, "text/plain", []string{"HELLO ZED", "VIP"}},
		{"POST", "/adhoc/hello.liquid", "application/x-www-form-urlencoded", "profile=%7B%22first_name%22%3A%22Form%22%7D&variant=html", 200, "text/html", []string{"Hello Form"}},
		{"POST", "/adhoc/hello.liquid", "application/json", `{"first_name":`, 400, "text/plain", []string{"invalid profile JSON"}},
		{"POST", "/adhoc/hello.liquid", "application/json", `[1,2]`, 400, "text/plain", nil},
		{"POST", "/adhoc/hello.liquid", "application/json", `{"id":7}`, 400, "text/plain", []string{`"id"`}},
		{"POST", "/adhoc/hello.liquid?variant=x", "application/json", `{}`, 400, "text/plain", nil},
		{"POST", "/adhoc/hello.liquid?variant=amp&view=static", "application/json", `{"first_name":"Zed"}`, 200, "text/html", []string{"Hello Zed"}},
		{"POST", "/adhoc/hello.liquid?variant=amp", "application/json", `{"first_name":"Zed"}`, 200, "text/html", []string{"amp4email-boilerplate", "Hello Zed"}},
		{"POST", "/adhoc/hello.liquid?variant=amp&view=film", "application/json", `{}`, 400, "text/plain", nil},
		{"POST", "/adhoc/hello.liquid", "application/json", strings.Repeat(" ", MaxAdhocBytes) + "{}", 413, "text/plain", nil},
		{"POST", "/adhoc/broken.liquid", "application/json", `{}`, 422, "text/plain", []string{"never closed"}},
		{"POST", "/adhoc/nosuch.liquid", "application/json", `{}`, 404, "text/plain", nil},
		{"GET", "/api/t/hello.liquid", "", "", 200, "application/json", []string{`"columns":[{"segment":"vip","profile":"a"},{"segment":"lapsed","profile":""},{"segment":"","profile":"b"}]`, `"errors":2`, `"warnings":1`, `"source":"hello.liquid"`}},
		{"GET", "/api/t/broken.liquid", "", "", 200, "application/json", []string{`"error":"`, `never closed`}},
		{"GET", "/api/t/nosuch.liquid", "", "", 404, "application/json", nil},
		{"GET", "/assets/app.js", "", "", 200, "text/javascript", []string{"EventSource"}},
		{"GET", "/assets/idiomorph.min.js", "", "", 200, "text/javascript", []string{"Idiomorph"}},
		{"GET", "/assets/style.css", "", "", 200, "text/css", []string{".grid"}},
		{"GET", "/assets/index.html", "", "", 404, "text/plain", nil},
		{"GET", "/assets/", "", "", 404, "text/plain", nil},
		{"GET", "/nosuch", "", "", 404, "text/plain", nil},
	}
	for _, tc := range tests {
		r, body := do(t, tc.method, ts.URL+tc.path, tc.ctype, tc.body)
		name := tc.method + " " + tc.path
		if len(name) > 80 {
			name = name[:80]
		}
		if r.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d (%.200s)", name, r.StatusCode, tc.status, body)
			continue
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), tc.wantType) {
			t.Errorf("%s: content type %q, want %q", name, r.Header.Get("Content-Type"), tc.wantType)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body lacks %q: %.300s", name, w, body)
			}
		}
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no Content-Security-Policy or nosniff", name)
		}
		framed := (strings.HasPrefix(tc.path, "/render/") || strings.HasPrefix(tc.path, "/amp/") || strings.HasPrefix(tc.path, "/adhoc/")) &&
			r.StatusCode != http.StatusMethodNotAllowed
		wantCSP := EmailCSP
		if strings.Contains(tc.path, "view=live") && r.StatusCode == 200 {
			wantCSP = LiveAMPCSP
		}
		if framed && csp != wantCSP {
			t.Errorf("%s: CSP %q, want %q (a frame shows errors too)", name, csp, wantCSP)
		}
		if strings.Contains(tc.path, "view=static") || strings.HasPrefix(tc.path, "/amp/") && !strings.Contains(tc.path, "view=") {
			for _, raw := range []string{"<script", "amp4email-boilerplate", "visibility:hidden"} {
				if strings.Contains(body, raw) {
					t.Errorf("%s: the static AMP view has %q", name, raw)
				}
			}
		}
	}
}

func TestCSP(t *testing.T) {
	for _, c := range []struct{ name, csp string }{{"page", PageCSP}, {"email", EmailCSP}} {
		if strings.Contains(c.csp, "unsafe-eval") || strings.Contains(c.csp, "'unsafe-inline'") && strings.Contains(c.csp, "script-src 'unsafe-inline'") {
			t.Errorf("%s CSP allows inline script: %s", c.name, c.csp)
		}
		if !strings.Contains(c.csp, "default-src 'none'") || !strings.Contains(c.csp, "frame-ancestors") {
			t.Errorf("%s CSP: %s", c.name, c.csp)
		}
	}
	if strings.Contains(EmailCSP, "script-src") || !strings.Contains(EmailCSP, "sandbox") || strings.Contains(EmailCSP, "allow-scripts") {
		t.Errorf("email CSP must sandbox and allow no script: %s", EmailCSP)
	}
	// the live AMP view runs the AMP runtime and nothing else, in an opaque origin
	if !strings.Contains(LiveAMPCSP, "script-src https://cdn.ampproject.org;") || strings.Contains(LiveAMPCSP, "allow-same-origin") ||
		!strings.Contains(LiveAMPCSP, "sandbox allow-scripts;") || !strings.Contains(LiveAMPCSP, "default-src 'none'") ||
		strings.Contains(LiveAMPCSP, "unsafe-eval") || strings.Count(LiveAMPCSP, "script-src") != 1 {
		t.Errorf("live AMP CSP: %s", LiveAMPCSP)
	}
}

// TestNoPathEscapes tries to read files outside the list of templates and profiles: dot
// segments plain and URL-encoded, absolute paths, backslashes and symlinks out.
func TestNoPathEscapes(t *testing.T) {
	dir := tempWorkspace(t)
	secret := filepath.Join(filepath.Dir(dir), "secret.txt")
	if err := os.Symlink(secret, filepath.Join(dir, "evil.liquid")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	os.Symlink(secret, filepath.Join(dir, "partials", "leak.liquid"))
	writeFiles(t, dir, map[string]string{"incl.liquid": "---\nsubject: s\n---\n{% include 'leak' %}\n"})
	_, ts := newTestServer(t, Options{Dir: dir})
	for _, p := range []string{
		"/render/..%2fsecret.txt", "/render/notes.txt", "/render/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/render/%2e%2e/secret.txt",
		"/render/" + strings.ReplaceAll(secret, "/", "%2f"), "/render/..%5csecret.txt", "/render/..\\secret.txt",
		"/render/evil.liquid", "/render/incl.liquid", "/api/t/evil.liquid", "/api/t/incl.liquid", "/t/..%2f..%2fetc%2fpasswd",
		"/t/%2e%2e%2fsecret.txt", "/assets/..%2fpreview.go", "/assets/%2e%2e/preview.go", "/assets/%2e%2e%2fpreview.go",
		"/../../etc/passwd", "/render/partials", "/render/profiles/a.json", "/render/hello.liquid?profile=../../secret",
		"/render/hello.liquid?profile=%2e%2e%2fsecret", "/" + secret, "//etc/passwd", "/partials/p.liquid", "/profiles/a.json",
	} {
		r, body := get(t, ts.URL+p)
		if r.StatusCode == 200 && !strings.HasPrefix(p, "/api/") || strings.Contains(body, "TOP-SECRET") ||
			strings.Contains(body, "root:") || strings.Contains(body, "package preview") || strings.Contains(body, "do not serve") {
			t.Errorf("%s: served %d %.80q", p, r.StatusCode, body)
		}
		if r.StatusCode >= 500 {
			t.Errorf("%s: status %d", p, r.StatusCode)
		}
	}
	// a symlinked profile folder out of the workspace: the workspace does not load, and the
	// error does not show the file
	out := filepath.Join(filepath.Dir(dir), "outprofiles")
	writeFiles(t, out, map[string]string{"x.json": `{"id":"x","first_name":"TOP-SECRET"}`})
	os.Remove(filepath.Join(dir, "profiles", "a.json"))
	os.Symlink(filepath.Join(out, "x.json"), filepath.Join(dir, "profiles", "a.json"))
	_, ts2 := newTestServer(t, Options{Dir: dir})
	for _, p := range []string{"/", "/render/hello.liquid?profile=x", "/api/t/hello.liquid"} {
		if _, body := get(t, ts2.URL+p); strings.Contains(body, "TOP-SECRET") {
			t.Errorf("%s leaks a file through a symlinked profile: %.200s", p, body)
		}
	}
}

func TestHostCheck(t *testing.T) {
	_, ts := newTestServer(t, Options{Dir: tempWorkspace(t)})
	for host, want := range map[string]int{"evil.example": 421, "evil.example:8025": 421, "localhost:8025": 200, "127.0.0.1": 200, "[::1]:8025": 200} {
		req, _ := http.NewRequest("GET", ts.URL+"/", nil)
		req.Host = host
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, r.StatusCode, want)
		}
	}
	// told to listen on every interface, any host may ask
	s, err := New(Options{Addr: ":0", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.hostAllowed("preview.example:8025") {
		t.Error("a server on all interfaces refused a host name")
	}
}

// TestNothingWritten runs every endpoint and checks that the workspace is byte for byte as
// it was.
func TestNothingWritten(t *testing.T) {
	dir := tempWorkspace(t)
	before := snapshotDir(t, filepath.Dir(dir))
	_, ts := newTestServer(t, Options{Dir: dir})
	for _, p := range []string{"/", "/t/hello.liquid", "/render/hello.liquid?variant=amp", "/api/t/hello.liquid",
		"/amp/hello.liquid?view=static", "/amp/hello.liquid?view=live", "/assets/app.js"} {
		get(t, ts.URL+p)
	}
	do(t, "POST", ts.URL+"/adhoc/hello.liquid", "application/json", `{"id":"new","first_name":"New"}`)
	do(t, "POST", ts.URL+"/adhoc/hello.liquid?variant=amp&view=static", "application/x-www-form-urlencoded", "profile=%7B%22id%22%3A%22b%22%7D")
	do(t, "POST", ts.URL+"/adhoc/hello.liquid", "application/json", strings.Repeat(" ", MaxAdhocBytes+1))
	do(t, "POST", ts.URL+"/amp/hello.liquid", "application/json", `{}`)
	do(t, "PUT", ts.URL+"/render/hello.liquid", "text/plain", "overwrite")
	do(t, "DELETE", ts.URL+"/render/hello.liquid", "", "")
	if after := snapshotDir(t, filepath.Dir(dir)); after != before {
		t.Errorf("files changed:\nbefore %s\nafter  %s", before, after)
	}
}

func snapshotDir(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			b.WriteString(p + "=" + string(data) + ";")
		}
		return nil
	})
	return b.String()
}

func TestBrokenTemplateIs422AndRecovers(t *testing.T) {
	dir := tempWorkspace(t)
	s, ts := newTestServer(t, Options{Dir: dir})
	writeFiles(t, dir, map[string]string{"hello.liquid": brokenTpl})
	waitVersion(t, s, 2, true)
	r, body := get(t, ts.URL+"/render/hello.liquid?profile=a")
	if r.StatusCode != 422 || !strings.Contains(body, "hello.liquid:4:4: 'if' tag was never closed") || !strings.Contains(body, "^") {
		t.Errorf("broken: %d %s", r.StatusCode, body)
	}
	writeFiles(t, dir, map[string]string{"hello.liquid": goodTpl})
	waitVersion(t, s, 3, true)
	if r, _ := get(t, ts.URL+"/render/hello.liquid?profile=a"); r.StatusCode != 200 {
		t.Errorf("fixed: %d", r.StatusCode)
	}
	// a broken segments.yaml breaks the workspace: 422 everywhere, the index explains
	writeFiles(t, dir, map[string]string{"segments.yaml": "segments:\n  - name: vip\n    when: lifetime_value >=\n"})
	waitVersion(t, s, 4, true)
	if r, body := get(t, ts.URL+"/render/hello.liquid?profile=a"); r.StatusCode != 422 || !strings.Contains(body, "segments.yaml:") {
		t.Errorf("broken workspace: %d %s", r.StatusCode, body)
	}
	if _, body := get(t, ts.URL+"/"); !strings.Contains(body, "The workspace does not load") {
		t.Errorf("index of a broken workspace: %s", body)
	}
	if r, body := get(t, ts.URL+"/api/t/hello.liquid"); r.StatusCode != 200 || !strings.Contains(body, `"workspace_error":"`) {
		t.Errorf("api of a broken workspace: %d %s", r.StatusCode, body)
	}
}

// waitVersion waits until build v is current (and, with checked, checked).
func waitVersion(t testing.TB, s *Server, v int64, checked bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b := s.state.Load()
		if b.version >= v && (!checked || b.checked) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no build %d within 5s (at %d, checked %v)", v, b.version, b.checked)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{Dir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("a missing folder is not an error")
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := New(Options{Dir: f}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file as workspace: %v", err)
	}
}
