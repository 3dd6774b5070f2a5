package preview

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

// browser starts headless Chromium (Debian's /usr/bin/chromium) with a fresh profile. Without
// it the test fails when CI is set and skips otherwise.
func browser(t *testing.T) context.Context {
	path, err := exec.LookPath("chromium")
	if err != nil {
		path, err = exec.LookPath("/usr/bin/chromium")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is required in CI: apt-get install -y chromium")
		}
		t.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true),
		// keep sandboxed frames in the page's process so the test can read their text
		chromedp.Flag("disable-features", "IsolateSandboxedIframes,site-per-process"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1500, 1000),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func get1[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return get1(t, ctx, chromedp.Evaluate[T](js))
}

// js runs a statement for its effect.
func js(t *testing.T, ctx context.Context, stmt string) {
	t.Helper()
	eval[bool](t, ctx, "(() => { "+stmt+"; return true; })()")
}

// waitJS polls a JavaScript condition every 2 ms (errors, as while a page loads, count as
// false).
func waitJS(t *testing.T, ctx context.Context, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	expr := "(() => { try { return !!(" + cond + "); } catch (e) { return false; } })()"
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (%v)", timeout, cond, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitFrameText waits until the grid's frames show every one of want.
func waitFrameText(t *testing.T, ctx context.Context, timeout time.Duration, want ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt := frameText(t, ctx)
		missing := ""
		for _, w := range want {
			if !strings.Contains(txt, w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the frames do not show %q within %v: %q", missing, timeout, txt)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// click clicks the element sel matches, and choose picks a value of a select element the
// way a user does (input and change events). Both go through the page's JavaScript: frameText
// resets the DevTools node ids that chromedp's own queries rely on.
func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	js(t, ctx, fmt.Sprintf(`document.querySelector(%q).click()`, sel))
}

func choose(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js(t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value))
}

// frameText returns the text of every document inside the grid's frames, in order.
func frameText(t *testing.T, ctx context.Context) string {
	t.Helper()
	depth, pierce := int64(-1), true
	res, err := chromedp.Call(ctx, dom.GetDocument, dom.GetDocumentParams{Depth: &depth, Pierce: &pierce})
	if err != nil {
		t.Fatal(err)
	}
	root := res.Root
	var b strings.Builder
	var walk func(n *cdp.Node, inFrame bool)
	walk = func(n *cdp.Node, inFrame bool) {
		if n.NodeType == 3 && inFrame {
			b.WriteString(n.NodeValue + " ")
		}
		for _, c := range n.Children {
			walk(c, inFrame)
		}
		if n.ContentDocument != nil {
			walk(n.ContentDocument, true)
		}
	}
	walk(root, false)
	return b.String()
}

// pixel returns the colour at (x, y) inside the first element sel matches, from a screenshot
// of the viewport.
func pixel(t *testing.T, ctx context.Context, sel string, x, y int) [3]uint8 {
	t.Helper()
	pos := eval[[]float64](t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return [r.left, r.top]; })()`, sel))
	buf := get1(t, ctx, chromedp.CaptureScreenshot())
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(int(pos[0])+x, int(pos[1])+y).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

func dark(c [3]uint8) bool { return int(c[0])+int(c[1])+int(c[2]) < 150 }

// shown is the condition "every frame of the grid shows the newest build".
const shown = `document.body.dataset.version && document.body.dataset.shown === document.body.dataset.version`

// TestBrowser drives the preview in headless Chromium: the index, a template page, switching
// profile column, variant tab, width and dark mode, ad-hoc data, diagnostics linked to the
// source, hot reload after saves (timed), the error overlay and the recovery.
func TestBrowser(t *testing.T) {
	dir := tempWorkspace(t)
	filler := strings.Repeat("<p>filler</p>\n", 80)
	tpl := strings.Replace(goodTpl, "</div></body>", "</div>\n"+filler+"</body>", 1)
	writeFiles(t, dir, map[string]string{"hello.liquid": tpl})
	check := func(ws *workspace.Workspace, name string) []diag.Diagnostic {
		return append(RenderCheck(ws, name), diag.Diagnostic{File: ws.Path(name), Line: 60, Col: 1, Severity: "warning", Rule: "test", Message: "look here"})
	}
	_, ts := newTestServer(t, Options{Dir: dir, Checker: check})
	ctx := browser(t)

	// index
	run(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#templates tbody a`)))
	index := get1(t, ctx, chromedp.Text(chromedp.CSS(`#templates tbody`)))
	if !strings.Contains(index, "hello.liquid") || !strings.Contains(index, "Hi Ann") || !strings.Contains(index, "warning") {
		t.Fatalf("index shows %q", index)
	}

	// template page: one column per segment plus "no segment"
	run(t, ctx, chromedp.Click(chromedp.CSS(`#templates tbody a`)))
	waitJS(t, ctx, `document.body.dataset.page === 'template' && document.querySelectorAll('#grid iframe').length === 2 && `+shown, 10*time.Second)
	labels := get1(t, ctx, chromedp.Text(chromedp.CSS(`#grid`)))
	for _, want := range []string{"vip", "profile a", "lapsed", "no sample profile", "no segment", "profile b"} {
		if !strings.Contains(labels, want) {
			t.Errorf("columns lack %q: %q", want, labels)
		}
	}
	waitFrameText(t, ctx, 2*time.Second, "Hello Ann", "Hello Bo", "VIP")
	if !eval[bool](t, ctx, `[...document.querySelectorAll('iframe')].every(f => f.getAttribute('sandbox') === '')`) {
		t.Error("a frame is not fully sandboxed")
	}

	// dark mode: the email's own prefers-color-scheme CSS, and forced inversion
	light := pixel(t, ctx, `#grid .frame-wrap`, 40, 40)
	choose(t, ctx, `#dark`, "css")
	waitJS(t, ctx, shown+` && location.hash.includes('dark=css')`, 5*time.Second)
	darkCSS := pixel(t, ctx, `#grid .frame-wrap`, 40, 40)
	choose(t, ctx, `#dark`, "invert")
	waitJS(t, ctx, shown+` && location.hash.includes('dark=invert')`, 5*time.Second)
	time.Sleep(50 * time.Millisecond)
	darkInv := pixel(t, ctx, `#grid .frame-wrap`, 40, 40)
	if dark(light) || !dark(darkCSS) || !dark(darkInv) {
		t.Errorf("dark mode: off %v, email CSS %v, inverted %v", light, darkCSS, darkInv)
	}
	choose(t, ctx, `#dark`, "off")

	// switch to one profile, the text tab and the mobile width; the view lives in the hash
	click(t, ctx, `#variants button[data-variant="text"]`)
	click(t, ctx, `#widths button[data-width="375"]`)
	choose(t, ctx, `#profile`, "b")
	waitJS(t, ctx, shown+` && document.querySelectorAll('#grid iframe').length === 1 && document.querySelector('#grid iframe').src.includes('variant=text') && document.querySelector('#grid iframe').src.includes('profile=b') && document.querySelector('#grid .frame-wrap').offsetWidth === 375 && location.hash.includes('width=375')`, 5*time.Second)
	waitFrameText(t, ctx, 2*time.Second, "HELLO BO")
	click(t, ctx, `#variants button[data-variant="html"]`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('variant=html')`, 5*time.Second)

	// ad-hoc data from the editor, rendered in memory
	click(t, ctx, `#edit-toggle`)
	choose(t, ctx, `#adhoc-json`, `{"first_name": "Zed", "lifetime_value": 9000}`)
	click(t, ctx, `#adhoc-render`)
	waitJS(t, ctx, shown+` && location.hash.includes('profile=adhoc')`, 5*time.Second)
	waitFrameText(t, ctx, 2*time.Second, "Hello Zed", "VIP")
	choose(t, ctx, `#adhoc-json`, `{"first_name": `)
	click(t, ctx, `#adhoc-render`)
	if msg := eval[string](t, ctx, `document.querySelector('#adhoc-error').textContent`); !strings.Contains(msg, "Invalid JSON") {
		t.Errorf("invalid ad-hoc JSON: %q", msg)
	}
	choose(t, ctx, `#profile`, "b")

	// hot reload: save, wait until every frame shows the new build, and check that it shows
	// the new text. The page records when data-shown changed (Date.now(), the clock this
	// process reads too), so the time measured is save to updated page, not to the next poll.
	js(t, ctx, `window.__shownAt = {}; new MutationObserver(() => { const v = document.body.dataset.shown; if (v && !(v in window.__shownAt)) window.__shownAt[v] = Date.now(); }).observe(document.body, {attributes: true, attributeFilter: ['data-shown']})`)
	var times []time.Duration
	for i := range 12 {
		before := eval[string](t, ctx, `document.body.dataset.version`)
		body := strings.Replace(tpl, "Hello", fmt.Sprintf("Hello v%d", i), 1)
		start := time.Now()
		writeFiles(t, dir, map[string]string{"hello.liquid": body})
		waitJS(t, ctx, fmt.Sprintf(`document.body.dataset.version !== %q && `+shown, before), 5*time.Second)
		at := eval[float64](t, ctx, `window.__shownAt[document.body.dataset.shown]`)
		times = append(times, time.UnixMilli(int64(at)).Sub(start))
		waitFrameText(t, ctx, 2*time.Second, fmt.Sprintf("Hello v%d Bo", i))
	}
	slices.Sort(times)
	median := times[len(times)/2]
	t.Logf("save to updated page: median %v (min %v, max %v) over %d saves", median.Round(time.Millisecond),
		times[0].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), len(times))
	if median > 300*time.Millisecond {
		t.Errorf("median save-to-update %v is over the 300 ms target", median)
	}
	if hash := eval[string](t, ctx, `location.hash`); !strings.Contains(hash, "variant=html") || !strings.Contains(hash, "profile=b") || !strings.Contains(hash, "width=375") {
		t.Errorf("the reload lost the view: %s", hash)
	}

	// a diagnostic links to its line in the source view; a save keeps the scroll position
	click(t, ctx, `#diagnostics a[data-line="60"]`)
	waitJS(t, ctx, `!document.querySelector('#source').classList.contains('hidden') && document.querySelector('#L60').classList.contains('hl') && location.hash.includes('line=60')`, 2*time.Second)
	scroll := eval[float64](t, ctx, `window.scrollY`)
	if scroll <= 0 || !eval[bool](t, ctx, `(() => { const r = document.querySelector('#L60').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Errorf("line 60 is not scrolled into view (scrollY %v)", scroll)
	}
	before := eval[string](t, ctx, `document.body.dataset.version`)
	writeFiles(t, dir, map[string]string{"hello.liquid": strings.Replace(tpl, "filler", "stuffing", 1)})
	waitJS(t, ctx, fmt.Sprintf(`document.body.dataset.version !== %q && document.querySelector('#source-lines').textContent.includes('stuffing')`, before), 5*time.Second)
	if s := eval[float64](t, ctx, `window.scrollY`); s != scroll || !eval[bool](t, ctx, `document.querySelector('#L60').classList.contains('hl')`) {
		t.Errorf("the save moved the source view: scrollY %v, was %v", s, scroll)
	}
	click(t, ctx, `#variants button[data-variant="html"]`)

	// break it: the overlay shows the code frame; fix it: the overlay goes, without a page reload
	js(t, ctx, `window.__marker = 42`)
	writeFiles(t, dir, map[string]string{"hello.liquid": brokenTpl})
	waitJS(t, ctx, `!document.querySelector('#overlay').classList.contains('hidden')`, 5*time.Second)
	overlay := eval[string](t, ctx, `document.querySelector('#overlay-text').textContent`)
	if !strings.Contains(overlay, "hello.liquid:4:4") || !strings.Contains(overlay, "^") {
		t.Errorf("overlay: %q", overlay)
	}
	writeFiles(t, dir, map[string]string{"hello.liquid": tpl})
	waitJS(t, ctx, `document.querySelector('#overlay').classList.contains('hidden') && window.__marker === 42 && `+shown, 5*time.Second)
	waitFrameText(t, ctx, 2*time.Second, "Hello Bo")
}

// TestScreenshot saves a screenshot of the bundled newsletter's template page as a test
// artifact: preview/testdata/screenshot.png (also shown in the README).
func TestScreenshot(t *testing.T) {
	_, ts := newTestServer(t, Options{})
	ctx := browser(t)
	run(t, ctx, chromedp.EmulateViewport(1500, 1000), chromedp.Navigate(ts.URL+"/t/newsletter.liquid#width=375"))
	waitJS(t, ctx, `document.querySelectorAll('#grid iframe').length > 1 && `+shown, 15*time.Second)
	time.Sleep(300 * time.Millisecond) // let remote-less images settle
	buf := get1(t, ctx, chromedp.CaptureScreenshot())
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
		t.Errorf("screenshot is %v", b)
	}
	if err := os.WriteFile(filepath.Join("testdata", "screenshot.png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
