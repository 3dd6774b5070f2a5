package preview

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/mailmold/mailmold/engine/workspace"
)

// subdirs are the workspace folders watched besides the root.
var subdirs = []string{"partials", "profiles"}

// watcher watches the workspace directories (not files: editors replace files on save, which
// drops a watch on the file) and delivers batches of real changes on out:
//   - events for files the workspace does not read (editor swap and backup files) are dropped;
//   - Chmod-only events are dropped;
//   - "ghost" events are dropped: a file that neither exists nor existed, or whose content
//     hash did not change;
//   - events are deduplicated by path and debounced: a batch goes out once no event came
//     for the debounce time.
//
// A partials/ or profiles/ folder created later is watched from then on.
type watcher struct {
	root     string
	fs       *fsnotify.Watcher
	debounce time.Duration
	out      chan []string
	hashes   map[string][32]byte // last seen content, by path; only the loop touches it
	done     chan struct{}
	once     sync.Once
	loopDone chan struct{}
}

func newWatcher(dir string, debounce time.Duration) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{root: filepath.Clean(dir), fs: fw, debounce: debounce, out: make(chan []string, 1),
		hashes: map[string][32]byte{}, done: make(chan struct{}), loopDone: make(chan struct{})}
	if err := w.add(w.root); err != nil {
		fw.Close()
		return nil, err
	}
	for _, d := range subdirs {
		if err := w.add(filepath.Join(w.root, d)); err != nil && !os.IsNotExist(err) {
			fw.Close()
			return nil, err
		}
	}
	go w.loop()
	return w, nil
}

// add watches directory d and records the content hash of every file in it.
func (w *watcher) add(d string) error {
	st, err := os.Stat(d)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return nil
	}
	if err := w.fs.Add(d); err != nil {
		return err
	}
	entries, _ := os.ReadDir(d)
	for _, e := range entries {
		p := filepath.Join(d, e.Name())
		if w.relevant(p) {
			if b, err := os.ReadFile(p); err == nil {
				w.hashes[p] = sha256.Sum256(b)
			}
		}
	}
	return nil
}

// isSubdir reports whether p is one of the watched subfolders of the workspace.
func (w *watcher) isSubdir(p string) bool {
	for _, d := range subdirs {
		if p == filepath.Join(w.root, d) {
			return true
		}
	}
	return false
}

// relevant reports whether the workspace reads the file p.
func (w *watcher) relevant(p string) bool {
	dir, name := filepath.Split(p)
	dir = filepath.Clean(dir)
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || strings.HasPrefix(name, "#") {
		return false
	}
	for _, junk := range []string{".swp", ".swo", ".swx", ".tmp", ".bak", ".orig"} {
		if strings.HasSuffix(name, junk) {
			return false
		}
	}
	switch dir {
	case w.root:
		return workspace.IsTemplate(name) || name == "segments.yaml" || name == "profiles.jsonl" || name == "profile.schema.json"
	case filepath.Join(w.root, "partials"):
		return true
	case filepath.Join(w.root, "profiles"):
		return strings.HasSuffix(name, ".json")
	}
	return false
}

// changed reports whether p's content differs from what was last seen, and records it.
func (w *watcher) changed(p string) bool {
	old, known := w.hashes[p]
	b, err := os.ReadFile(p)
	if err != nil {
		if known {
			delete(w.hashes, p)
			return true // removed
		}
		return false // a ghost: never seen, not there now
	}
	h := sha256.Sum256(b)
	w.hashes[p] = h
	return !known || h != old
}

// forget drops the hashes of the files in folder d (it was removed).
func (w *watcher) forget(d string) {
	for p := range w.hashes {
		if filepath.Dir(p) == d {
			delete(w.hashes, p)
		}
	}
}

func (w *watcher) loop() {
	defer close(w.loopDone)
	defer close(w.out)
	pending := map[string]bool{}
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			p := filepath.Clean(ev.Name)
			switch {
			case w.isSubdir(p):
				// a watched folder came or went: (re)watch it; it counts as a change
				if ev.Has(fsnotify.Create) {
					w.add(p)
				} else if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					w.forget(p)
				}
				pending[p] = true
			case w.relevant(p):
				pending[p] = true
			default:
				continue
			}
			if timer == nil {
				timer = time.NewTimer(w.debounce)
			} else {
				timer.Reset(w.debounce)
			}
			fire = timer.C
		case _, ok := <-w.fs.Errors:
			if !ok {
				return
			}
		case <-fire:
			fire = nil
			var batch []string
			for p := range pending {
				if w.isSubdir(p) || w.changed(p) {
					batch = append(batch, p)
				}
			}
			clear(pending)
			if len(batch) == 0 {
				continue
			}
			sort.Strings(batch)
			select {
			case w.out <- batch:
			case <-w.done:
				return
			}
		case <-w.done:
			return
		}
	}
}

// Close stops watching; the out channel is closed once the loop has ended.
func (w *watcher) Close() error {
	var err error
	w.once.Do(func() {
		close(w.done)
		err = w.fs.Close()
		<-w.loopDone
	})
	return err
}
