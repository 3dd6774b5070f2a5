package preview

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seeds reads one fuzz seed per line from testdata/fuzz-seeds/name.
func seeds(f *testing.F, name string) []string {
	file, err := os.Open(filepath.Join("testdata", "fuzz-seeds", name))
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	var out []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// fuzzServer is a preview of a small workspace that never rebuilds (nothing writes to it).
func fuzzServer(f *testing.F) (http.Handler, string) {
	dir := tempWorkspace(f)
	s, err := New(Options{Dir: dir, Now: testNow, Checker: RenderCheck})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	return s.Handler(), dir
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	r.Host = "127.0.0.1:8025"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// FuzzAdhoc posts arbitrary bodies to the ad-hoc endpoint: the answer is a render or a
// client error, never a server error, and it always carries the email CSP or the page CSP.
func FuzzAdhoc(f *testing.F) {
	h, _ := fuzzServer(f)
	for _, s := range seeds(f, "adhoc.txt") {
		f.Add([]byte(s), "text")
	}
	f.Fuzz(func(t *testing.T, body []byte, variant string) {
		r := httptest.NewRequest("POST", "/adhoc/hello.liquid?variant="+url.QueryEscape(variant), strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		w := serve(h, r)
		switch w.Code {
		case 200, 400, 413, 422:
		default:
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code == 200 && w.Header().Get("Content-Security-Policy") != EmailCSP {
			t.Fatalf("a render without the email CSP: %q", w.Header().Get("Content-Security-Policy"))
		}
	})
}

// FuzzRoutes requests arbitrary paths: nothing outside the workspace's templates, profiles
// and the preview's own assets is ever served, and nothing answers with a server error.
func FuzzRoutes(f *testing.F) {
	h, dir := fuzzServer(f)
	for _, s := range seeds(f, "paths.txt") {
		f.Add(s)
	}
	f.Add("/" + filepath.Join(filepath.Dir(dir), "secret.txt"))
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.HasPrefix(strings.TrimLeft(target, "/"), "events") {
			return // not a request target / a stream that never ends
		}
		u, err := url.ParseRequestURI(target)
		if err != nil || u.Host != "" || strings.HasPrefix(strings.TrimLeft(u.Path, "/"), "events") {
			return
		}
		w := serve(h, &http.Request{Method: "GET", URL: u, RequestURI: target, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1})
		if w.Code >= 500 {
			t.Fatalf("%s: status %d: %s", target, w.Code, w.Body)
		}
		body := w.Body.String()
		for _, leak := range []string{"TOP-SECRET", "do not serve", "package preview", "root:x:"} {
			if strings.Contains(body, leak) {
				t.Fatalf("%s leaks %q", target, leak)
			}
		}
		if w.Header().Get("Content-Security-Policy") == "" {
			t.Fatalf("%s: no CSP", target)
		}
	})
}
