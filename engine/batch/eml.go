package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mailmold/mailmold/engine"
)

// SafeName turns an id into a file name: letters, digits, '.', '-' and '_' are kept, anything
// else becomes '_'; a changed or very long id gets a short hash of the original, so two ids
// never share a file.
func SafeName(id string) string {
	var b strings.Builder
	changed := false
	for _, r := range id {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
			changed = true
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if s != b.String() || s == "" {
		changed = true
	}
	if len(s) > 80 {
		s, changed = s[:80], true
	}
	if changed {
		sum := sha256.Sum256([]byte(id))
		s += "-" + hex.EncodeToString(sum[:4])
	}
	return s
}

// emlBuffers hold the buffers messages are formatted in before they are written; one over
// maxPooledEML is left to the collector.
var emlBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledEML = 1 << 20

// writeEML writes ID.eml atomically: the message goes to a temporary file in the same folder,
// is synced, and is renamed into place, so a file with the final name is always complete. The
// temporary file, .ID.eml.tmp-RANDOM, is hidden and never ends in .eml, so nothing that
// looks for messages (*.eml) takes one that a killed run left half-written.
func writeEML(dir, id string, m *engine.Message) error {
	bp := emlBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledEML {
			emlBuffers.Put(bp)
		}
	}()
	raw, err := m.AppendEML((*bp)[:0])
	*bp = raw
	if err != nil {
		return fmt.Errorf("building the message: %w", err)
	}
	name := SafeName(id) + ".eml"
	final := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return &FatalError{err}
	}
	tmp := f.Name()
	_, werr := f.Write(raw)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, final)
	}
	if werr != nil {
		os.Remove(tmp)
		return &FatalError{werr}
	}
	return nil
}

// FatalError is an output failure (full disk, unwritable folder) that stops the run.
type FatalError struct{ Err error }

func (e *FatalError) Error() string { return "writing output: " + e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// checkWritable fails early when the output folder cannot take files.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".tmp-check-*")
	if err != nil {
		return &FatalError{err}
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// tempMark is in the name of every temporary file, after the name it will be renamed to.
const tempMark = ".tmp-"

// tempPattern is the os.CreateTemp pattern of the temporary file for the file name.
func tempPattern(name string) string { return "." + name + tempMark + "*" }

// CleanTemp removes the temporary files a killed run left behind: .ID.eml.tmp-RANDOM, and
// .tmp-RANDOM.eml as older versions named them.
func CleanTemp(dir string) {
	for _, pattern := range []string{".*" + tempMark + "*", tempMark + "*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			os.Remove(m)
		}
	}
}
