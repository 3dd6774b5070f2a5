package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// readmeOutputs are what the output of a README example must show, by what the command
// asks for (every example must match at least one).
var readmeOutputs = []struct {
	cmd    *regexp.Regexp
	stdout []string
}{
	{regexp.MustCompile(`--variant json`), []string{`"template": "`, `"subject": "\S`, `"html": "<!doctype html>`, `"diagnostics": `}},
	{regexp.MustCompile(`--variant text`), []string{`(?m)^\S`, `\(https://`, `unsubscribe`}},
	{regexp.MustCompile(`--variant amp`), []string{`<html ⚡4email`, `cdn.ampproject.org/v0.js`, `</html>`}},
	{regexp.MustCompile(`^mailmold render .*--variant (html|eml)`), []string{`<!doctype html>`}},
	{regexp.MustCompile(`^mailmold segments`), []string{`PROFILE +SEGMENT`, `(?m)^p-high-value +high_value`, `(?m)^SEGMENT +PROFILES`}},
	{regexp.MustCompile(`^mailmold check`), []string{`0 error\(s\)`, `in \d+ render\(s\)`}},
}

// readmeChecks returns the stdout patterns for one README command: those of every matching
// readmeOutputs entry, and the profile id it names when it asks for JSON.
func readmeChecks(cmd string) []string {
	var out []string
	for _, o := range readmeOutputs {
		if o.cmd.MatchString(cmd) {
			out = append(out, o.stdout...)
		}
	}
	if strings.HasPrefix(cmd, "mailmold render ") && !strings.Contains(cmd, "--variant") {
		out = append(out, `<!doctype html>`) // the HTML variant is the default
	}
	if m := regexp.MustCompile(`--profile-id (\S+)`).FindStringSubmatch(cmd); m != nil && strings.Contains(cmd, "--variant json") {
		out = append(out, `"profile_id": "`+m[1]+`"`)
	}
	return out
}

// TestREADMEExamples runs every `$ mailmold …` line of the README's console blocks against
// the built command, requires it to succeed and its output to show what the example is for
// (readmeOutputs), so the usage examples stay true.
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
				checks := readmeChecks(cmd)
				if len(checks) == 0 {
					t.Errorf("README example %q: no expectation for its output (add one to readmeOutputs)", cmd)
				}
				for _, c := range checks {
					script.WriteString("stdout '" + strings.ReplaceAll(c, "'", "''") + "'\n")
				}
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
