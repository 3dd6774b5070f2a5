package preview

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

// sse connects to /events and returns the stream's event names as they come.
func sse(t *testing.T, url string) <-chan string {
	t.Helper()
	r, err := http.Get(url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Body.Close() })
	if ct := r.Header.Get("Content-Type"); ct != "text/event-stream" || r.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("events: content type %q, CSP %q", ct, r.Header.Get("Content-Security-Policy"))
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- name
			}
		}
	}()
	return events
}

func expectEvent(t *testing.T, events <-chan string, want string, within time.Duration) {
	t.Helper()
	select {
	case e := <-events:
		if e != want {
			t.Fatalf("event %q, want %q", e, want)
		}
	case <-time.After(within):
		t.Fatalf("no %q event within %v", want, within)
	}
}

func expectNoEvent(t *testing.T, events <-chan string, why string) {
	t.Helper()
	select {
	case e := <-events:
		t.Fatalf("event %q after %s", e, why)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestEventsOnChange expects a rebuild event within 2 s of a change to a template, a partial,
// a profile and segments.yaml, and none for a Chmod, a write that leaves the content as it
// was, or an editor's swap file.
func TestEventsOnChange(t *testing.T) {
	dir := tempWorkspace(t)
	_, ts := newTestServer(t, Options{Dir: dir})
	events := sse(t, ts.URL)
	expectEvent(t, events, "hello", time.Second)

	p := filepath.Join(dir, "profiles", "a.json")
	os.Chmod(p, 0o600)
	expectNoEvent(t, events, "a chmod")
	writeFiles(t, dir, map[string]string{"profiles/a.json": `{"id":"a","first_name":"Ann","lifetime_value":5000,"orders":3}`})
	expectNoEvent(t, events, "a write of the same content")
	writeFiles(t, dir, map[string]string{".hello.liquid.swp": "x", "hello.liquid~": "y", "notes.txt": "z"})
	expectNoEvent(t, events, "writes to files the workspace does not read")

	for _, change := range []map[string]string{
		{"profiles/a.json": `{"id":"a","first_name":"Anna","lifetime_value":5000,"orders":3}`},
		{"hello.liquid": strings.Replace(goodTpl, "Hello", "Howdy", 1)},
		{"partials/p.liquid": "<p>changed</p>"},
		{"segments.yaml": "segments:\n  - name: vip\n    when: lifetime_value >= 10\n"},
		{"second.liquid": goodTpl},
	} {
		writeFiles(t, dir, change)
		expectEvent(t, events, "rebuild", 2*time.Second)
		expectEvent(t, events, "check", 5*time.Second)
	}
	if _, body := get(t, ts.URL+"/render/hello.liquid?profile=a"); !strings.Contains(body, "Howdy Anna") {
		t.Errorf("the rebuild did not pick up the changes: %.200s", body)
	}
	if r, _ := get(t, ts.URL+"/render/second.liquid"); r.StatusCode != 200 {
		t.Errorf("a new template is not served: %d", r.StatusCode)
	}
	os.Remove(filepath.Join(dir, "second.liquid"))
	expectEvent(t, events, "rebuild", 2*time.Second)
	if r, _ := get(t, ts.URL+"/render/second.liquid"); r.StatusCode != 404 {
		t.Errorf("a removed template is still served: %d", r.StatusCode)
	}
}

// TestEventsBatch saves many files at once and expects one rebuild.
func TestEventsBatch(t *testing.T) {
	dir := tempWorkspace(t)
	s, ts := newTestServer(t, Options{Dir: dir})
	events := sse(t, ts.URL)
	expectEvent(t, events, "hello", time.Second)
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		files[n+".liquid"] = goodTpl
	}
	writeFiles(t, dir, files)
	expectEvent(t, events, "rebuild", 2*time.Second)
	expectEvent(t, events, "check", 5*time.Second)
	expectNoEvent(t, events, "one batch")
	if v := s.state.Load().version; v != 2 {
		t.Errorf("build %d after one batch, want 2", v)
	}
}

// TestNewSubfolderWatched creates partials/ after start and expects changes in it to count.
func TestNewSubfolderWatched(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"x.liquid": "---\nsubject: s\n---\n{% include 'p' %}\n"})
	_, ts := newTestServer(t, Options{Dir: base})
	events := sse(t, ts.URL)
	expectEvent(t, events, "hello", time.Second)
	os.Mkdir(filepath.Join(base, "partials"), 0o755)
	expectEvent(t, events, "rebuild", 2*time.Second)
	expectEvent(t, events, "check", 5*time.Second)
	writeFiles(t, base, map[string]string{"partials/p.liquid": "<p>from the new folder</p>"})
	expectEvent(t, events, "rebuild", 2*time.Second)
	if _, body := get(t, ts.URL+"/render/x.liquid"); !strings.Contains(body, "from the new folder") {
		t.Errorf("render after the new partial: %.200s", body)
	}
}

func TestWatcherRelevant(t *testing.T) {
	w := &watcher{root: "/ws"}
	for p, want := range map[string]bool{
		"/ws/a.liquid": true, "/ws/a.mustache": true, "/ws/a.hbs": true, "/ws/a.mc.html": true, "/ws/segments.yaml": true,
		"/ws/profiles.jsonl": true, "/ws/profile.schema.json": true, "/ws/partials/footer.liquid": true, "/ws/partials/x": true,
		"/ws/profiles/a.json": true, "/ws/profiles/a.txt": false, "/ws/notes.txt": false, "/ws/.a.liquid.swp": false,
		"/ws/a.liquid~": false, "/ws/partials/.#x.liquid": false, "/ws/#a.liquid#": false, "/ws/partials/x.liquid.tmp": false,
		"/ws/4913": false, "/elsewhere/a.liquid": false, "/ws/sub/a.liquid": false, "/ws/partials/sub/x.liquid": true,
		"/ws/partials/a/b/c/y": true, "/ws/partials/sub/.x.liquid.swp": false, "/ws/partials/.git/config": false,
		"/ws/profiles/sub/a.json": false, "/ws/partialsx/a.liquid": false,
	} {
		if got := w.relevant(p); got != want {
			t.Errorf("relevant(%s) = %v, want %v", p, got, want)
		}
	}
}

func TestHubDropsOldestForSlowReaders(t *testing.T) {
	h := newHub()
	ch := h.subscribe()
	for v := int64(1); v <= 10; v++ {
		h.publish(event{"rebuild", v})
	}
	var last int64
	for len(ch) > 0 {
		last = (<-ch).version
	}
	if last != 10 {
		t.Errorf("last event %d, want 10", last)
	}
	h.unsubscribe(ch)
	h.publish(event{"rebuild", 11})
	if len(ch) != 0 {
		t.Error("an unsubscribed channel got an event")
	}
	h.close()
	h.close()
	<-h.done
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

func TestListenAndServe(t *testing.T) {
	dir := tempWorkspace(t)
	s, err := New(Options{Addr: "127.0.0.1:0", Dir: dir, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("listening on %s", url)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, &out) }()
	events := sse(t, strings.TrimSuffix(url, "/"))
	expectEvent(t, events, "hello", 2*time.Second)
	if r, _ := get(t, url+"render/hello.liquid"); r.StatusCode != 200 {
		t.Errorf("render: %d", r.StatusCode)
	}
	if want := "mailmold preview: serving " + dir + " at " + url + "\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	start := time.Now()
	cancel() // the open event stream must not hold the shutdown up
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if d, _ := New(Options{}); d.opt.Addr != DefaultAddr || DefaultAddr != "127.0.0.1:8025" {
		t.Errorf("default address %q", d.opt.Addr)
	}
}

func TestCheckers(t *testing.T) {
	dir := tempWorkspace(t)
	writeFiles(t, dir, map[string]string{
		"undef.liquid":  "---\nsubject: s\n---\n<html><body><p>{{ nickname }}</p></body></html>\n",
		"broken.liquid": brokenTpl,
	})
	s, _ := newTestServer(t, Options{Dir: dir})
	ws := s.state.Load().ws
	for _, c := range []struct {
		name    string
		checker Checker
	}{{"RenderCheck", RenderCheck}, {"FullCheck", FullCheck}} {
		if d := c.checker(ws, "broken.liquid"); len(d) == 0 || d[0].Severity != "error" || d[0].Line != 4 {
			t.Errorf("%s broken: %+v", c.name, d)
		}
		d := c.checker(ws, "undef.liquid")
		found := false
		for _, x := range d {
			found = found || strings.Contains(x.Message, "nickname") && x.Line == 4
		}
		if !found {
			t.Errorf("%s: no diagnostic for the undefined nickname: %+v", c.name, d)
		}
	}
	// a panicking checker becomes a diagnostic, not a crash
	s2, ts2 := newTestServer(t, Options{Dir: dir, Checker: func(_ *workspace.Workspace, _ string) []diag.Diagnostic { panic("boom") }})
	_ = s2
	if _, body := get(t, ts2.URL+"/api/t/hello.liquid"); !strings.Contains(body, "the checker failed: boom") {
		t.Errorf("panicking checker: %.300s", body)
	}
}

// TestNestedPartialsWatched edits partials in folders below partials/ (partials/sub/x.liquid
// is included as sub/x): one there from the start, and one in two folders created later
// (fsnotify is not recursive). Every save rebuilds and the new content renders; an editor's
// swap file in a nested folder does not.
func TestNestedPartialsWatched(t *testing.T) {
	dir := tempWorkspace(t)
	writeFiles(t, dir, map[string]string{
		"partials/sub/x.liquid": "<p>nested one</p>",
		"nested.liquid":         "---\nsubject: s\n---\n<html><body>{% include 'sub/x' %}</body></html>\n",
		"later.liquid":          "---\nsubject: s\n---\n<html><body>{% include 'new/deeper/y' %}</body></html>\n",
	})
	_, ts := newTestServer(t, Options{Dir: dir})
	events := sse(t, ts.URL)
	expectEvent(t, events, "hello", time.Second)

	writeFiles(t, dir, map[string]string{"partials/sub/x.liquid": "<p>nested two</p>"})
	expectEvent(t, events, "rebuild", 2*time.Second)
	expectEvent(t, events, "check", 5*time.Second)
	if _, body := get(t, ts.URL+"/render/nested.liquid"); !strings.Contains(body, "nested two") {
		t.Errorf("the edited nested partial does not render: %.300s", body)
	}
	writeFiles(t, dir, map[string]string{"partials/sub/.x.liquid.swp": "junk", "partials/sub/x.liquid~": "junk"})
	expectNoEvent(t, events, "a swap file in a nested folder")

	// two folders created at once, with the partial in them: watched from then on
	writeFiles(t, dir, map[string]string{"partials/new/deeper/y.liquid": "<p>deep one</p>"})
	expectEvent(t, events, "rebuild", 2*time.Second)
	waitRender(t, ts.URL+"/render/later.liquid", "deep one")
	drain(events, 400*time.Millisecond)
	writeFiles(t, dir, map[string]string{"partials/new/deeper/y.liquid": "<p>deep two</p>"})
	expectEvent(t, events, "rebuild", 2*time.Second)
	waitRender(t, ts.URL+"/render/later.liquid", "deep two")

	// a nested folder removed: a rebuild, and the template that included it breaks
	drain(events, 400*time.Millisecond)
	if err := os.RemoveAll(filepath.Join(dir, "partials", "sub")); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, events, "rebuild", 2*time.Second)
	if r, body := get(t, ts.URL+"/render/nested.liquid"); r.StatusCode != 422 || !strings.Contains(body, "sub/x") {
		t.Errorf("after removing partials/sub: %d %.300s", r.StatusCode, body)
	}
}

// waitRender polls u until its body contains want (2 s at most).
func waitRender(t *testing.T, u, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, body := get(t, u)
		if strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not show %q within 2s: %.300s", u, want, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// drain reads events until none came for quiet.
func drain(events <-chan string, quiet time.Duration) {
	for {
		select {
		case <-events:
		case <-time.After(quiet):
			return
		}
	}
}

// TestIncrementalRebuild saves one template and expects only that one compiled and checked
// again (the other template's entry, findings included, taken over as it was); then saves a
// partial, a profile and a new template and expects everything compiled and checked.
func TestIncrementalRebuild(t *testing.T) {
	dir := tempWorkspace(t)
	writeFiles(t, dir, map[string]string{"other.liquid": strings.Replace(goodTpl, "Hello", `{% include "p" %}Other`, 1)})
	var mu sync.Mutex
	var checked []string
	checker := func(ws *workspace.Workspace, name string) []diag.Diagnostic {
		mu.Lock()
		checked = append(checked, name)
		mu.Unlock()
		return []diag.Diagnostic{{File: ws.Path(name), Line: 1, Col: 1, Severity: "warning", Rule: "test", Message: "seen " + name}}
	}
	took := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := slices.Sorted(slices.Values(checked))
		checked = nil
		return out
	}
	s, ts := newTestServer(t, Options{Dir: dir, Checker: checker})
	events := sse(t, ts.URL)
	expectEvent(t, events, "hello", time.Second)
	if got := took(); !slices.Equal(got, []string{"hello.liquid", "other.liquid"}) {
		t.Fatalf("first build checked %v", got)
	}

	for _, c := range []struct {
		name     string
		files    map[string]string
		compiled []string // compiled again (and checked, unless it does not compile)
		want     string   // what GET /render/other.liquid?profile=a shows afterwards
	}{
		{"one template saved", map[string]string{"hello.liquid": strings.Replace(goodTpl, "Hello", "Howdy", 1)},
			[]string{"hello.liquid"}, "<p>partial</p>Other"},
		{"a partial saved", map[string]string{"partials/p.liquid": "<p>new partial</p>"},
			[]string{"hello.liquid", "other.liquid"}, "<p>new partial</p>Other"},
		{"the other template broken", map[string]string{"other.liquid": brokenTpl},
			[]string{"other.liquid"}, ""},
		{"a profile saved", map[string]string{"profiles/a.json": `{"id":"a","first_name":"Al","lifetime_value":5000}`},
			[]string{"hello.liquid", "other.liquid"}, ""},
		{"a template added", map[string]string{"third.liquid": goodTpl},
			[]string{"hello.liquid", "other.liquid", "third.liquid"}, ""},
	} {
		before := s.state.Load()
		writeFiles(t, dir, c.files)
		expectEvent(t, events, "rebuild", 2*time.Second)
		expectEvent(t, events, "check", 5*time.Second)
		after := s.state.Load()
		var checks []string
		for _, n := range c.compiled {
			if after.entries[n].err == nil {
				checks = append(checks, n)
			}
		}
		if got := took(); !slices.Equal(got, checks) {
			t.Errorf("%s: checked %v, want %v", c.name, got, checks)
		}
		for _, n := range after.names {
			e, old := after.entries[n], before.entries[n]
			kept := old != nil && e.tpl == old.tpl && e.err == old.err
			if again := slices.Contains(c.compiled, n); kept == again {
				t.Errorf("%s: %s compiled again: %v, want %v", c.name, n, !kept, again)
			}
			if !e.checked || len(e.diags) == 0 {
				t.Errorf("%s: %s has no findings after the check: %+v", c.name, n, e.diags)
			}
		}
		if c.want != "" {
			waitRender(t, ts.URL+"/render/other.liquid?profile=a", c.want)
		}
	}
}
