package preview

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
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
		chromedp.UserDataDir(profileDir(t)), chromedp.WindowSize(1500, 1000),
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

// profileDir returns a fresh Chromium profile folder, removed after the test. Not t.TempDir:
// a Chromium helper process may still write to the profile while the folder is removed, and
// t.TempDir fails the test when it cannot remove its folder.
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "mailmold-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 3 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
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

// waitJS waits until a JavaScript condition holds (errors, as while a page loads, count as
// false). The page polls it itself every 5 ms inside one awaited evaluation, so waiting does
// not flood the page's main thread with DevTools calls, which would slow down what the test
// times; a navigation that ends the evaluation only starts another.
func waitJS(t *testing.T, ctx context.Context, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline).Milliseconds()
		expr := fmt.Sprintf(`new Promise((resolve) => {
			const end = Date.now() + %d;
			const tick = () => {
				let ok = false;
				try { ok = !!(%s); } catch (e) { ok = false; }
				if (ok || Date.now() >= end) resolve(ok); else setTimeout(tick, 5);
			};
			tick();
		})`, max(left, 0), cond)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (%v)", timeout, cond, err)
		}
		time.Sleep(5 * time.Millisecond)
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

// TestBrowser drives the preview in headless Chromium: on a small workspace the index, a
// template page, switching profile column, variant tab (the AMP tab shows the email's text),
// width and dark mode, ad-hoc data, diagnostics linked to the source, hot reload keeping the
// frames' scroll position, the error overlay and the recovery; then the time from a save to
// the updated page on a copy of the bundled workspace's newsletter (bundled_test.go).
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	t.Run("page", func(t *testing.T) { browsePage(t, ctx) })
	t.Run("bundled", func(t *testing.T) { timeSaves(t, ctx) })
}

// emailScript is markup an email may carry that would mark the preview page if a script
// from the email ever ran (the frames are same-origin, so it could reach the page).
const emailScript = `<script>parent.document.body.dataset.pwned = "script"</script>` +
	`<details open ontoggle="parent.document.body.dataset.pwned = 'ontoggle'"><summary>more</summary></details>` + "\n"

// frameInner is the rendered (visible) text of the grid's frames, as a reader sees it:
// innerText leaves out what CSS hides, such as an AMP body before the AMP runtime has run.
const frameInner = `[...document.querySelectorAll('#grid iframe:not(.loading)')].map(f => f.contentDocument.body.innerText).join(' | ')`

func browsePage(t *testing.T, ctx context.Context) {
	dir := tempWorkspace(t)
	filler := strings.Repeat("<p>filler</p>\n", 80)
	tpl := strings.Replace(goodTpl, "</div></body>", "</div>\n"+filler+emailScript+"</body>", 1)
	writeFiles(t, dir, map[string]string{"hello.liquid": tpl})
	check := func(ws *workspace.Workspace, name string) []diag.Diagnostic {
		return append(RenderCheck(ws, name), diag.Diagnostic{File: ws.Path(name), Line: 60, Col: 1, Severity: "warning", Rule: "test", Message: "look here"})
	}
	_, ts := newTestServer(t, Options{Dir: dir, Checker: check})

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
	// no script from an email runs: the frames are sandboxed without allow-scripts (same
	// origin, so the page can keep their scroll position), and the email's script did nothing
	if !eval[bool](t, ctx, `[...document.querySelectorAll('iframe')].every(f => f.getAttribute('sandbox') === 'allow-same-origin')`) {
		t.Error("a frame is not sandboxed as allow-same-origin alone")
	}
	if pwned := eval[string](t, ctx, `document.body.dataset.pwned || ''`); pwned != "" {
		t.Errorf("a script from the email ran (%s)", pwned)
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

	// the AMP tab shows the AMP part's text (not an AMP body hidden until a runtime runs),
	// labelled as a static view; the live view is opt-in and runs in an opaque origin
	click(t, ctx, `#variants button[data-variant="amp"]`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('/amp/hello.liquid?profile=b&view=static')`, 5*time.Second)
	if txt := eval[string](t, ctx, frameInner); !strings.Contains(txt, "Hello Bo") || !strings.Contains(txt, "Everyone") {
		t.Errorf("the AMP tab does not show the email's text: %q", txt)
	}
	if bar := eval[string](t, ctx, `document.querySelector('#amp-bar').offsetParent ? document.querySelector('#amp-bar').innerText : ''`); !strings.Contains(bar, "Static view") {
		t.Errorf("the AMP tab is not labelled as a static view: %q", bar)
	}
	click(t, ctx, `#amp-live`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('view=live') && location.hash.includes('amp=live')`, 10*time.Second)
	if !eval[bool](t, ctx, `(() => { const f = document.querySelector('#grid iframe'); return f.getAttribute('sandbox') === 'allow-scripts' && f.contentDocument === null; })()`) {
		t.Error("the live AMP frame is not sandboxed with scripts only in an opaque origin")
	}
	if note := eval[string](t, ctx, `document.querySelector('#amp-bar').innerText`); !strings.Contains(note, "network") {
		t.Errorf("the live AMP view does not say it needs the network: %q", note)
	}
	click(t, ctx, `#amp-live`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('view=static') && !location.hash.includes('amp=')`, 5*time.Second)
	click(t, ctx, `#variants button[data-variant="html"]`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('variant=html') && document.querySelector('#amp-bar').offsetParent === null`, 5*time.Second)

	// ad-hoc data from the editor, rendered in memory, in the HTML and the AMP tab
	click(t, ctx, `#edit-toggle`)
	choose(t, ctx, `#adhoc-json`, `{"first_name": "Zed", "lifetime_value": 9000}`)
	click(t, ctx, `#adhoc-render`)
	waitJS(t, ctx, shown+` && location.hash.includes('profile=adhoc')`, 5*time.Second)
	waitFrameText(t, ctx, 2*time.Second, "Hello Zed", "VIP")
	click(t, ctx, `#variants button[data-variant="amp"]`)
	waitJS(t, ctx, shown+` && location.hash.includes('variant=amp')`, 5*time.Second)
	if txt := eval[string](t, ctx, frameInner); !strings.Contains(txt, "Hello Zed") {
		t.Errorf("the AMP tab does not show the ad-hoc email's text: %q", txt)
	}
	click(t, ctx, `#variants button[data-variant="html"]`)
	choose(t, ctx, `#adhoc-json`, `{"first_name": `)
	click(t, ctx, `#adhoc-render`)
	if msg := eval[string](t, ctx, `document.querySelector('#adhoc-error').textContent`); !strings.Contains(msg, "Invalid JSON") {
		t.Errorf("invalid ad-hoc JSON: %q", msg)
	}
	choose(t, ctx, `#profile`, "b")
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('profile=b')`, 5*time.Second)

	// hot reload keeps the reader's place: scroll inside the email, save, and the frame, updated
	// in place (the same element, its document morphed), shows the new text scrolled as far as
	// before; a script or event handler the save adds runs no more than the first ones did
	waitJS(t, ctx, `(() => { const w = document.querySelector('#grid iframe:not(.loading)').contentWindow; w.scrollTo(0, 640); return w.scrollY === 640; })()`, 2*time.Second)
	js(t, ctx, `document.querySelector('#grid iframe').dataset.marked = 'before the saves'`)
	pageY := eval[float64](t, ctx, `window.scrollY`)
	for i := range 3 {
		before := eval[string](t, ctx, `document.body.dataset.version`)
		added := fmt.Sprintf(`<script>parent.document.body.dataset.pwned = "morph %d"</script>`+
			`<details open ontoggle="parent.document.body.dataset.pwned = 'toggle %d'"><summary>s</summary></details></body>`, i, i)
		body := strings.Replace(strings.Replace(tpl, "Hello", fmt.Sprintf("Hello v%d", i), 1), "</body>", added, 1)
		writeFiles(t, dir, map[string]string{"hello.liquid": body})
		waitJS(t, ctx, fmt.Sprintf(`document.body.dataset.version !== %q && `+shown, before), 5*time.Second)
		waitFrameText(t, ctx, 2*time.Second, fmt.Sprintf("Hello v%d Bo", i))
		if !eval[bool](t, ctx, `document.querySelector('#grid iframe').dataset.marked === 'before the saves'`) {
			t.Errorf("save %d: the frame was loaded anew, not updated in place", i)
		}
		if pwned := eval[string](t, ctx, `document.body.dataset.pwned || ''`); pwned != "" {
			t.Errorf("save %d: a script from the email ran (%s)", i, pwned)
		}
		frames := eval[[]float64](t, ctx, `[...document.querySelectorAll('#grid iframe')].map(f => f.contentWindow.scrollY)`)
		if len(frames) != 1 || frames[0] < 637 || frames[0] > 643 {
			t.Errorf("save %d: the frame is scrolled to %v, was 640", i, frames)
		}
		if y := eval[float64](t, ctx, `window.scrollY`); y != pageY {
			t.Errorf("save %d: the page scrolled from %v to %v", i, pageY, y)
		}
	}
	if hash := eval[string](t, ctx, `location.hash`); !strings.Contains(hash, "variant=html") || !strings.Contains(hash, "profile=b") || !strings.Contains(hash, "width=375") {
		t.Errorf("the reload lost the view: %s", hash)
	}
	// the Text tab's frame (a plain-text document) is updated in place too
	click(t, ctx, `#variants button[data-variant="text"]`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('variant=text')`, 5*time.Second)
	js(t, ctx, `document.querySelector('#grid iframe').dataset.marked = 'text'`)
	before := eval[string](t, ctx, `document.body.dataset.version`)
	writeFiles(t, dir, map[string]string{"hello.liquid": strings.Replace(tpl, "Hello", "Greetings", 1)})
	waitJS(t, ctx, fmt.Sprintf(`document.body.dataset.version !== %q && `+shown, before), 5*time.Second)
	waitFrameText(t, ctx, 2*time.Second, "GREETINGS BO")
	if !eval[bool](t, ctx, `document.querySelector('#grid iframe').dataset.marked === 'text'`) {
		t.Error("the Text tab's frame was loaded anew, not updated in place")
	}
	click(t, ctx, `#variants button[data-variant="html"]`)
	waitJS(t, ctx, shown+` && document.querySelector('#grid iframe').src.includes('variant=html')`, 5*time.Second)

	// a diagnostic links to its line in the source view; a save keeps the scroll position
	click(t, ctx, `#diagnostics a[data-line="60"]`)
	waitJS(t, ctx, `!document.querySelector('#source').classList.contains('hidden') && document.querySelector('#L60').classList.contains('hl') && location.hash.includes('line=60')`, 2*time.Second)
	scroll := eval[float64](t, ctx, `window.scrollY`)
	if scroll <= 0 || !eval[bool](t, ctx, `(() => { const r = document.querySelector('#L60').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Errorf("line 60 is not scrolled into view (scrollY %v)", scroll)
	}
	before = eval[string](t, ctx, `document.body.dataset.version`)
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
	if pwned := eval[string](t, ctx, `document.body.dataset.pwned || ''`); pwned != "" {
		t.Errorf("a script from the email ran (%s)", pwned)
	}
}
