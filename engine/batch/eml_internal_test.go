package batch

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTempNames: a temporary message file never looks like a message (*.eml), and CleanTemp
// removes it, and the temporary files of older versions (.tmp-*.eml), but no message.
func TestTempNames(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, tempPattern(SafeName("u1")+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	temp := filepath.Base(f.Name())
	if ok, _ := filepath.Match("*.eml", temp); ok {
		t.Errorf("temporary file %s matches *.eml", temp)
	}
	old := filepath.Join(dir, ".tmp-123.eml")
	msg := filepath.Join(dir, "u2.eml")
	for _, p := range []string{old, msg} {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	CleanTemp(dir)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "u2.eml" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after CleanTemp: %v, want only u2.eml", names)
	}
}
