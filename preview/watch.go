package preview

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watcher watches the workspace directories (not files: editors replace files on save) and
// delivers batches of real changes: Chmod-only events are dropped, so are "ghost" events for
// files whose content did not change (or that neither exist nor existed); events are
// deduplicated and debounced.
type watcher struct {
	fs       *fsnotify.Watcher
	debounce time.Duration
	out      chan []string
	mu       sync.Mutex
	hashes   map[string][32]byte
	done     chan struct{}
}

func newWatcher(dir string, debounce time.Duration) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{fs: fw, debounce: debounce, out: make(chan []string, 1), hashes: map[string][32]byte{}, done: make(chan struct{})}
	for _, d := range []string{dir, filepath.Join(dir, "partials"), filepath.Join(dir, "profiles")} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			if err := fw.Add(d); err != nil {
				fw.Close()
				return nil, err
			}
			w.snapshot(d)
		}
	}
	go w.loop()
	return w, nil
}

// snapshot records the content hash of every file in d.
func (w *watcher) snapshot(d string) {
	entries, _ := os.ReadDir(d)
	for _, e := range entries {
		if !e.IsDir() {
			p := filepath.Join(d, e.Name())
			if b, err := os.ReadFile(p); err == nil {
				w.hashes[p] = sha256.Sum256(b)
			}
		}
	}
}

// changed reports whether path's content differs from what was last seen, and records it.
func (w *watcher) changed(path string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	old, known := w.hashes[path]
	b, err := os.ReadFile(path)
	if err != nil {
		if known {
			delete(w.hashes, path)
			return true // removed
		}
		return false // a ghost: never seen, not there now
	}
	h := sha256.Sum256(b)
	w.hashes[path] = h
	return !known || h != old
}

func (w *watcher) loop() {
	defer close(w.out)
	pending := map[string]bool{}
	var timer <-chan time.Time
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			pending[ev.Name] = true
			timer = time.After(w.debounce)
		case _, ok := <-w.fs.Errors:
			if !ok {
				return
			}
		case <-timer:
			var batch []string
			for p := range pending {
				if w.changed(p) {
					batch = append(batch, p)
				}
			}
			pending = map[string]bool{}
			timer = nil
			if len(batch) > 0 {
				select {
				case w.out <- batch:
				case <-w.done:
					return
				}
			}
		case <-w.done:
			return
		}
	}
}

func (w *watcher) Close() error {
	close(w.done)
	return w.fs.Close()
}
