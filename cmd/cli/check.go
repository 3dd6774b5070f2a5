package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mailmold/mailmold/engine/check"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newCheckCmd) }

func newCheckCmd() *cobra.Command {
	var format, profiles, now string
	c := &cobra.Command{
		Use:   "check [WORKSPACE|TEMPLATE ...]",
		Short: "Prove templates before sending: empty branches, missing fallbacks, AMP validity and more",
		Long: `Compile every template of the workspace (the bundled one by default), render it for every
sample profile and for profiles synthesized to reach branches the samples miss, and report
diagnostics like a compiler:

  path:line:col: error|warning: message [rule]

A finding made for several profiles is reported once, naming them (in JSON, "profile" is
the first of them).

Rules: empty-branch, segment-fallback, unreached-branch, missing-fallback, empty-output,
amp-invalid, size, links, images, subject (and syntax for compile errors).
Exit status: 1 when any error is reported, 0 otherwise, 2 on usage errors.`,
		Example: `  mailmold check
  mailmold check ./my-workspace --format sarif > check.sarif
  mailmold check ./my-workspace/cart.liquid --profiles customers.jsonl --format json`,
		RunE: func(c *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "sarif":
			default:
				return usageError("--format must be text, json or sarif, not %q", format)
			}
			clk, err := clock(now)
			if err != nil {
				return err
			}
			targets, err := checkTargets(args)
			if err != nil {
				return err
			}
			opt := check.Options{Validate: ampValidate()}
			if profiles != "" {
				f, err := os.Open(profiles)
				if err != nil {
					return usageError("--profiles: %v", err)
				}
				defer f.Close()
				if opt.Profiles, err = workspace.ReadJSONL(f, profiles); err != nil {
					return err
				}
			}
			res := &check.Result{Sources: map[string]string{}}
			for _, t := range targets {
				ws, err := workspace.Open(t.dir, clk)
				if err != nil {
					return err
				}
				r := check.Workspace(c.Context(), ws, t.names, opt)
				res.Diagnostics = append(res.Diagnostics, r.Diagnostics...)
				res.Renders += r.Renders
				for k, v := range r.Sources {
					res.Sources[k] = v
				}
			}
			if err := printCheck(c.OutOrStdout(), res, format); err != nil {
				return err
			}
			if res.Errors() > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	c.Flags().StringVar(&profiles, "profiles", "", "profiles to check with (JSON Lines), instead of the workspace samples")
	c.Flags().StringVar(&now, "now", "", "pin the clock (RFC 3339); also MAILMOLD_NOW")
	return c
}

type checkTarget struct {
	dir   string
	names []string
}

// checkTargets groups the arguments: a folder is a workspace, a file a template in its
// folder's workspace; none is the bundled workspace.
func checkTargets(args []string) ([]checkTarget, error) {
	if len(args) == 0 {
		return []checkTarget{{}}, nil
	}
	var out []checkTarget
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, usageError("%s: no such workspace or template", a)
		}
		if st.IsDir() {
			out = append(out, checkTarget{dir: a})
			continue
		}
		if !workspace.IsTemplate(a) {
			return nil, usageError("%s is not a template (want %v)", a, workspace.TemplateExts)
		}
		out = append(out, checkTarget{dir: filepath.Dir(a), names: []string{filepath.Base(a)}})
	}
	return out, nil
}

func printCheck(out io.Writer, res *check.Result, format string) error {
	switch format {
	case "json":
		type d struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Col      int    `json:"col"`
			Severity string `json:"severity"`
			Rule     string `json:"rule"`
			Message  string `json:"message"`
			Profile  string `json:"profile"`
		}
		list := make([]d, 0, len(res.Diagnostics))
		for _, x := range res.Diagnostics {
			list = append(list, d{x.File, x.Line, x.Col, x.Severity, x.Rule, x.Message, x.Profile})
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"diagnostics": list})
	case "sarif":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(check.SARIF(res, Version))
	}
	for _, d := range res.Diagnostics {
		fmt.Fprintf(out, "%s:%d:%d: %s: %s [%s]\n", d.File, d.Line, d.Col, d.Severity, d.Message, d.Rule)
		fmt.Fprint(out, diag.Frame(res.Sources[d.File], d.Line, d.Col))
		if d.Hint != "" {
			fmt.Fprintf(out, "hint: %s\n", d.Hint)
		}
	}
	fmt.Fprintf(out, "%d error(s), %d warning(s) in %d render(s)\n", res.Errors(), res.Warnings(), res.Renders)
	return nil
}
