package main

import (
	"os"
	"testing"

	"github.com/mailmold/mailmold/cmd/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes this test binary double as the mailmold binary for the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mailmold": func() { os.Exit(cli.ExitCode(cli.Execute(os.Args[1:]))) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script (txtar): each calls the
// mailmold binary and checks its output and exit status.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("MAILMOLD_NOW", "2026-11-24T12:00:00Z")
			if v := os.Getenv("MAILMOLD_AMP_VALIDATOR"); v != "" {
				env.Setenv("MAILMOLD_AMP_VALIDATOR", v)
			}
			if h := os.Getenv("HOME"); h != "" {
				env.Setenv("HOME", h)
			}
			return nil
		},
	})
}
