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

// partialsDir and profilesDir are the workspace folders watched besides the root. Partials
// may be nested (partials/sub/x.liquid is included as sub/x), so every folder below
// partials/ is watched too; profiles are read from profiles/*.json only.
const (
	partialsDir = "partials"
	profilesDir = "profiles"
)

// watcher watches the workspace directories (not files: editors replace files on save, which
// drops a watch on the file) and delivers batches of real changes on out:
//   - events for files the workspace does not read (editor swap and backup files) are dropped;
//   - Chmod-only events are dropped;
//   - "ghost" events are dropped: a file that neither exists nor existed, or whose content
//     hash did not change;
//   - events are deduplicated by path and debounced: a batch goes out once no event came
//     for the debounce time.
//
// fsnotify does not watch recursively: a folder created later (partials/ or profiles/, or any
// folder below partials/) is watched from then on, with every folder already inside it, and
// counts as a change (files may have landed in it before its watch did).
type watcher struct {
	root     string
	fs       *fsnotify.Watcher
	debounce time.Duration
	out      chan []string
	hashes   map[string][32]byte // last seen content, by path; only the loop touches it
	dirs     map[string]bool     // the watched folders below the root; only the loop touches it
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
		hashes: map[string][32]byte{}, dirs: map[string]bool{}, done: make(chan struct{}), loopDone: make(chan struct{})}
	if err := w.add(w.root); err != nil {
		fw.Close()
		return nil, err
	}
	for _, d := range []string{partialsDir, profilesDir} {
		if err := w.add(filepath.Join(w.root, d)); err != nil && !os.IsNotExist(err) {
			fw.Close()
			return nil, err
		}
	}
	go w.loop()
	return w, nil
}

// add watches directory d, records the content hash of every file in it and, below
// partials/, adds every folder inside it as well. Symbolic links are not followed.
func (w *watcher) add(d string) error {
	st, err := os.Lstat(d)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return nil
	}
	if err := w.fs.Add(d); err != nil {
		return err
	}
	if d != w.root {
		w.dirs[d] = true
	}
	entries, _ := os.ReadDir(d)
	for _, e := range entries {
		p := filepath.Join(d, e.Name())
		switch {
		case e.IsDir():
			if w.isWatchedDir(p) {
				w.add(p)
			}
		case w.relevant(p):
			if b, err := os.ReadFile(p); err == nil {
				w.hashes[p] = sha256.Sum256(b)
			}
		}
	}
	return nil
}

// isWatchedDir reports whether p is a folder the watcher watches when it exists: partials/,
// profiles/ or any folder below partials/ (by name: p may already be gone).
func (w *watcher) isWatchedDir(p string) bool {
	partials := filepath.Join(w.root, partialsDir)
	if p == partials || p == filepath.Join(w.root, profilesDir) {
		return true
	}
	return strings.HasPrefix(p, partials+string(filepath.Separator)) && !junk(filepath.Base(p))
}

// junk reports whether name is an editor's hidden, swap or backup file (or folder).
func junk(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || strings.HasPrefix(name, "#") {
		return true
	}
	for _, j := range []string{".swp", ".swo", ".swx", ".tmp", ".bak", ".orig"} {
		if strings.HasSuffix(name, j) {
			return true
		}
	}
	return false
}

// relevant reports whether the workspace reads the file p.
func (w *watcher) relevant(p string) bool {
	dir, name := filepath.Split(p)
	dir = filepath.Clean(dir)
	if junk(name) {
		return false
	}
	partials := filepath.Join(w.root, partialsDir)
	switch {
	case dir == w.root:
		return workspace.IsTemplate(name) || name == "segments.yaml" || name == "profiles.jsonl" || name == "profile.schema.json"
	case dir == partials || strings.HasPrefix(dir, partials+string(filepath.Separator)):
		return !junk(filepath.Base(dir)) // partials/sub/x, but not a file in partials/.git/
	case dir == filepath.Join(w.root, profilesDir):
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

// forget drops folder d and everything below it (it was removed or renamed away): their
// hashes, and their watches where fsnotify still has them.
func (w *watcher) forget(d string) {
	below := d + string(filepath.Separator)
	for p := range w.hashes {
		if strings.HasPrefix(p, below) {
			delete(w.hashes, p)
		}
	}
	for p := range w.dirs {
		if p == d || strings.HasPrefix(p, below) {
			delete(w.dirs, p)
			w.fs.Remove(p) // gone already after a removal; still there after a rename
		}
	}
}

func (w *watcher) loop() {
	defer close(w.loopDone)
	defer close(w.out)
	pending := map[string]bool{} // by path: true for a folder event, which always counts
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
			case w.isWatchedDir(p) && (w.dirs[p] || ev.Has(fsnotify.Create) && isDir(p)):
				// a watched folder came or went: (re)watch it with the folders inside it; it
				// counts as a change
				if ev.Has(fsnotify.Create) {
					w.add(p)
				} else if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					w.forget(p)
				}
				pending[p] = true
			case w.relevant(p):
				if _, seen := pending[p]; !seen {
					pending[p] = false // counts if its content changed
				}
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
			for p, folder := range pending {
				if folder || w.changed(p) {
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

// names turns a batch of changed paths into workspace file names (slash-separated, relative
// to the root), as the workspace names them.
func (w *watcher) names(batch []string) []string {
	out := make([]string, 0, len(batch))
	for _, p := range batch {
		rel, err := filepath.Rel(w.root, p)
		if err != nil {
			rel = p
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func isDir(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.IsDir()
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
