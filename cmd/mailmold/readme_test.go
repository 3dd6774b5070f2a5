package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestREADMEExamples runs every `$ mailmold …` line of the README's console blocks against
// the built command and requires it to succeed, so the usage examples stay true.
func TestREADMEExamples(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blockRe := regexp.MustCompile("(?s)```console\n(.*?)```")
	var script strings.Builder
	n := 0
	for _, m := range blockRe.FindAllStringSubmatch(string(raw), -1) {
		for _, line := range strings.Split(m[1], "\n") {
			if cmd, ok := strings.CutPrefix(line, "$ "); ok && strings.HasPrefix(cmd, "mailmold ") {
				script.WriteString("exec " + cmd + "\n")
				n++
			}
		}
	}
	if n < 4 {
		t.Fatalf("found %d README examples, want at least 4", n)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "readme.txtar"), []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			env.Setenv("MAILMOLD_NOW", "2026-11-24T12:00:00Z")
			if v := os.Getenv("MAILMOLD_AMP_VALIDATOR"); v != "" {
				env.Setenv("MAILMOLD_AMP_VALIDATOR", v)
			}
			return nil
		},
	})
}
