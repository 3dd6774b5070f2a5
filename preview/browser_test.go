package preview

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium (Debian's chromium). The test fails without it in CI
// and skips otherwise.
func browser(t *testing.T) context.Context {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is required in CI (.ci/run installs it)")
		}
		t.Skip("chromium not installed: apt-get install chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1600, 1100))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func waitAttr(ctx context.Context, t *testing.T, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", expr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBrowser drives the preview in a real browser: index, template page, switching segment,
// variant and width, hot reload after a save (timed), the error overlay and the recovery.
func TestBrowser(t *testing.T) {
	dir := tempWorkspace(t)
	s, ts := newTestServer(t, dir)
	ctx := browser(t) // cleaned up before the server, so no event stream is left open

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(`#templates tbody a`)); err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.Text(`#templates tbody`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(links, "hello.liquid") || !strings.Contains(links, "Hi Ann") {
		t.Fatalf("index shows %q", links)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#templates tbody a`), chromedp.WaitVisible(`#grid iframe`)); err != nil {
		t.Fatal(err)
	}
	waitAttr(ctx, t, `document.querySelectorAll('#grid iframe').length === 2 && document.body.dataset.shown === '1'`, 10*time.Second)
	labels, _ := chromedp.Run(ctx, chromedp.Text(`#grid`))
	if !strings.Contains(labels, "vip") || !strings.Contains(labels, "no segment") {
		t.Errorf("columns: %q", labels)
	}
	// sandboxed frames: no scripts from emails
	waitAttr(ctx, t, `[...document.querySelectorAll('#grid iframe')].every(f => f.getAttribute('sandbox') === '')`, time.Second)

	// switch variant, width and profile; the choices live in the URL hash
	if err := chromedp.Do(ctx, chromedp.Click(`#variants button[data-variant="text"]`), chromedp.Click(`#widths button[data-width="375"]`),
		chromedp.SetValue(`#profile`, "b")); err != nil {
		t.Fatal(err)
	}
	chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#profile').dispatchEvent(new Event('change'))`))
	waitAttr(ctx, t, `(() => { const f = document.querySelectorAll('#grid iframe'); return f.length === 1 && f[0].getAttribute('src').includes('variant=text') && f[0].getAttribute('src').includes('profile=b') && f[0].style.width === '375px' && location.hash.includes('width=375') })()`, 5*time.Second)

	// hot reload: save, wait until the page shows the new build; time it
	var times []time.Duration
	for i := 0; i < 10; i++ {
		before, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.version`))
		body := strings.Replace(goodTpl, "Hello", fmt.Sprintf("Hello v%d", i), 1)
		start := time.Now()
		os.WriteFile(filepath.Join(dir, "hello.liquid"), []byte(body), 0o644)
		waitAttr(ctx, t, fmt.Sprintf(`document.body.dataset.version !== %q && document.body.dataset.shown === document.body.dataset.version`, before), 5*time.Second)
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	median := times[len(times)/2]
	t.Logf("save to updated page: median %v (min %v, max %v) over %d saves", median.Round(time.Millisecond), times[0].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), len(times))
	fmt.Printf("preview-reload: median %v over %d saves\n", median.Round(time.Millisecond), len(times))
	src, _ := chromedp.Run(ctx, chromedp.AttributeValue(`#grid iframe`, "src"))
	if _, body := get(t, ts.URL+src.Value); !strings.Contains(strings.ToLower(body), "hello v9") {
		t.Errorf("the frame does not show the last save: %s", body)
	}
	hash, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`))
	if !strings.Contains(hash, "variant=text") || !strings.Contains(hash, "profile=b") {
		t.Errorf("the reload lost the view: %s", hash)
	}

	// break it: the overlay shows the code frame; fix it: the overlay goes, no page reload
	chromedp.Run(ctx, chromedp.Evaluate[int](`window.__marker = 42`))
	os.WriteFile(filepath.Join(dir, "hello.liquid"), []byte("---\nsubject: x\n---\n<p>{% if x %}</p>\n"), 0o644)
	waitAttr(ctx, t, `!document.querySelector('#overlay').classList.contains('hidden')`, 5*time.Second)
	overlay, _ := chromedp.Run(ctx, chromedp.Text(`#overlay-text`))
	if !strings.Contains(overlay, "hello.liquid:4:4") || !strings.Contains(overlay, "^") {
		t.Errorf("overlay: %q", overlay)
	}
	os.WriteFile(filepath.Join(dir, "hello.liquid"), []byte(goodTpl), 0o644)
	waitAttr(ctx, t, `document.querySelector('#overlay').classList.contains('hidden') && !document.querySelector('#grid').classList.contains('hidden') && window.__marker === 42`, 5*time.Second)
	_ = s
}

// TestScreenshot saves a screenshot of the bundled newsletter's template page as a test
// artifact (preview/testdata/screenshot.png, also shown in the README).
func TestScreenshot(t *testing.T) {
	s, err := New(Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/t/newsletter.liquid"), chromedp.WaitVisible(`#grid iframe`)); err != nil {
		t.Fatal(err)
	}
	waitAttr(ctx, t, `document.body.dataset.shown === '1'`, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "screenshot.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
