// Package cli is the mailmold command line: one file per subcommand, each a cobra command.
// Execute runs it; ExitCode maps its error to the process exit status (0 success, 1 template or
// render error, 2 usage error, 3 partial batch failure).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/spf13/cobra"
)

// Version is the mailmold version, set at build time with -ldflags "-X …cli.Version=…".
var Version = "0.1.0-dev"

// ExitError carries the exit status for an error that has already been reported.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks an error in how the command was called (exit 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

// ExitCode returns the process exit status for err.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 1
}

// Execute runs the mailmold command line with args (without the program name).
func Execute(args []string) error {
	return execute(args, os.Stdout, os.Stderr)
}

func execute(args []string, stdout, stderr io.Writer) error {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return err // already reported
	}
	report(stderr, err)
	if errors.As(err, &ee) {
		return err
	}
	if isUsage(err) {
		fmt.Fprintln(stderr, "run 'mailmold --help' for usage")
		return &ExitError{Code: 2, Err: err}
	}
	return &ExitError{Code: 1, Err: err}
}

// isUsage recognises cobra's own argument and flag errors.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "requires exactly"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// report prints err: positioned errors as `path:line:col: message` with a code frame.
func report(w io.Writer, err error) {
	var de *diag.Error
	if errors.As(err, &de) {
		fmt.Fprint(w, de.Format())
		return
	}
	fmt.Fprintln(w, "mailmold:", err)
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "mailmold",
		Short: "mailmold compiles email templates and renders them per recipient as HTML, AMP and text",
		Long: `mailmold compiles email templates written in Liquid or Mustache/Handlebars, renders
each recipient profile into HTML, AMP for Email and plain text, checks templates before they
ship, and previews them live.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v", err)
	})
	root.AddCommand(newVersionCmd(), newRenderCmd())
	for _, add := range extraCommands {
		root.AddCommand(add())
	}
	return root
}

// extraCommands are added by the files of other subcommands.
var extraCommands []func() *cobra.Command

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the mailmold version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintln(c.OutOrStdout(), "mailmold", Version)
			return nil
		},
	}
}

// clock returns the clock: --now / MAILMOLD_NOW (RFC 3339) pin it for reproducible output.
func clock(flag string) (func() time.Time, error) {
	v := flag
	if v == "" {
		v = os.Getenv("MAILMOLD_NOW")
	}
	if v == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, usageError("--now/MAILMOLD_NOW %q is not an RFC 3339 time (like 2026-11-24T12:00:00Z)", v)
	}
	return func() time.Time { return t }, nil
}
