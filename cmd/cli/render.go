package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
	"github.com/spf13/cobra"
)

type renderFlags struct {
	profile, profileID, ws, variant, now string
	strict, noInline, noMinify           bool
	limits                               limitFlags
}

func newRenderCmd() *cobra.Command {
	var f renderFlags
	c := &cobra.Command{
		Use:   "render TEMPLATE",
		Short: "Render a template for one profile",
		Long: `Render TEMPLATE for one profile and print one variant.

TEMPLATE is a template file; its folder is the workspace unless --workspace is given. A
name that is not a file is looked up in the workspace, and without --workspace in the bundled
example workspace (so 'mailmold render newsletter.liquid' works anywhere).
The profile is --profile FILE.json, or the workspace profile --profile-id ID, or the
workspace's first sample profile.

Diagnostics (warnings, and errors that leave the document usable) are printed to stderr as
path:line:col: severity: message [rule]; stdout holds only the document. With --variant json
they are in the JSON instead.

Exit status: 0 success, 1 template or render error, 2 usage error.`,
		Example: `  mailmold render newsletter.liquid --profile-id p-high-value --variant json
  mailmold render ./my-workspace/welcome.liquid --profile ./alice.json --variant html`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runRender(c.Context(), c.OutOrStdout(), c.ErrOrStderr(), args[0], f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.profile, "profile", "", "profile JSON file")
	fl.StringVar(&f.profileID, "profile-id", "", "id of a sample profile of the workspace")
	fl.StringVar(&f.ws, "workspace", "", "workspace folder (default: the template's folder)")
	fl.StringVar(&f.variant, "variant", "html", "what to print: html, text, amp, eml or json")
	fl.BoolVar(&f.strict, "strict", false, "undefined variables are errors")
	fl.BoolVar(&f.noInline, "no-inline", false, "do not inline CSS into style attributes")
	fl.BoolVar(&f.noMinify, "no-minify", false, "do not minify the HTML")
	fl.StringVar(&f.now, "now", "", "pin the clock (RFC 3339) for date filters and segment rules; also MAILMOLD_NOW")
	f.limits.add(fl)
	return c
}

// resolveTemplate finds the workspace folder ("" for the bundled one) and the template's
// name inside it.
func resolveTemplate(arg, wsFlag string) (dir, name string, err error) {
	if st, statErr := os.Stat(arg); statErr == nil && !st.IsDir() {
		abs, _ := filepath.Abs(arg)
		dir = wsFlag
		if dir == "" {
			dir = filepath.Dir(arg)
		}
		absDir, _ := filepath.Abs(dir)
		rel, relErr := filepath.Rel(absDir, abs)
		if relErr != nil || strings.HasPrefix(rel, "..") {
			return "", "", usageError("template %s is not inside the workspace %s", arg, dir)
		}
		return dir, filepath.ToSlash(rel), nil
	}
	if wsFlag != "" {
		if _, statErr := os.Stat(filepath.Join(wsFlag, arg)); statErr == nil {
			return wsFlag, filepath.ToSlash(arg), nil
		}
		return "", "", usageError("template %s not found in workspace %s", arg, wsFlag)
	}
	if strings.ContainsAny(arg, `/\`) {
		return "", "", usageError("template %s not found", arg)
	}
	return "", arg, nil
}

func runRender(ctx context.Context, out, errOut io.Writer, arg string, f renderFlags) error {
	switch f.variant {
	case "html", "text", "amp", "eml", "json":
	default:
		return usageError("--variant must be html, text, amp, eml or json, not %q", f.variant)
	}
	if f.profile != "" && f.profileID != "" {
		return usageError("give --profile or --profile-id, not both")
	}
	now, err := clock(f.now)
	if err != nil {
		return err
	}
	dir, name, err := resolveTemplate(arg, f.ws)
	if err != nil {
		return err
	}
	ws, err := workspace.Open(dir, now)
	if err != nil {
		return err
	}
	if !contains(ws.Templates, name) {
		if _, err := fsStat(ws, name); err != nil {
			return usageError("template %s not found in %s (templates: %s)", name, wsName(ws), strings.Join(ws.Templates, ", "))
		}
	}
	tpl, err := ws.Compile(name, func(o *engine.Options) {
		o.Strict, o.NoInline, o.NoMinify = f.strict, f.noInline, f.noMinify
		o.Variants = variantsFor(f.variant)
		f.limits.apply(o)
	})
	if err != nil {
		return err
	}
	profile, err := pickProfile(ws, f.profile, f.profileID)
	if err != nil {
		return err
	}
	msg, err := tpl.Render(ctx, profile.Data)
	if err != nil {
		return err
	}
	err = printVariant(out, errOut, msg, f.variant)
	var de *diag.Error
	if errors.As(err, &de) && de.Source == "" && de.File == tpl.Name {
		de.Source = tpl.Source // for the code frame
	}
	return err
}

// variantsFor returns the variants a render for --variant needs: one for html, text and
// amp (so the diagnostics are about what is printed), all of them for eml and json.
func variantsFor(variant string) *engine.Variants {
	switch variant {
	case "html":
		return &engine.Variants{HTML: true}
	case "text":
		return &engine.Variants{Text: true}
	case "amp":
		return &engine.Variants{AMP: true}
	}
	return nil
}

// printDiagnostics writes the diagnostics to w, one a line as
// path:line:col: severity: message [rule], leaving out skip (reported as the error).
func printDiagnostics(w io.Writer, ds []diag.Diagnostic, skip *diag.Diagnostic) {
	for _, d := range ds {
		if skip != nil && d == *skip {
			continue
		}
		fmt.Fprintf(w, "%s:%d:%d: %s: %s [%s]\n", d.File, d.Line, d.Col, d.Severity, d.Message, d.Rule)
	}
}

func wsName(ws *workspace.Workspace) string {
	if ws.Dir == "" {
		return "the bundled workspace"
	}
	return ws.Dir
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fsStat(ws *workspace.Workspace, name string) (any, error) {
	f, err := ws.FS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// pickProfile returns the profile named by the flags, or the workspace's first sample.
func pickProfile(ws *workspace.Workspace, file, id string) (workspace.Profile, error) {
	switch {
	case file != "":
		raw, err := os.ReadFile(file)
		if err != nil {
			return workspace.Profile{}, usageError("--profile: %v", err)
		}
		p, err := workspace.DecodeProfile(raw)
		if err != nil {
			return workspace.Profile{}, fmt.Errorf("%s: %w", file, err)
		}
		p.File = file
		return p, nil
	case id != "":
		p, ok := ws.Profile(id)
		if !ok {
			ids := make([]string, len(ws.Profiles))
			for i, p := range ws.Profiles {
				ids[i] = p.ID
			}
			hint := ""
			if s := diag.Suggest(id, ids); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return workspace.Profile{}, usageError("no profile with id %q in %s%s", id, wsName(ws), hint)
		}
		return p, nil
	case len(ws.Profiles) > 0:
		return ws.Profiles[0], nil
	}
	return workspace.Profile{ID: "", Data: map[string]any{}}, nil
}

var errNoAMP = errors.New("no AMP variant")

// printVariant writes the variant of m to out and, except for json (which carries them),
// its diagnostics to errOut.
func printVariant(out, errOut io.Writer, m *engine.Message, variant string) error {
	switch variant {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(m.JSON(true))
	case "html":
		printDiagnostics(errOut, m.Diagnostics, nil)
		_, err := io.WriteString(out, m.HTML)
		return err
	case "text":
		printDiagnostics(errOut, m.Diagnostics, nil)
		if m.Text == nil {
			return errors.New("no text variant was produced")
		}
		_, err := io.WriteString(out, *m.Text)
		return err
	case "amp":
		if m.AMP == nil {
			for i, d := range m.Diagnostics {
				if strings.HasPrefix(d.Rule, "amp") && d.Severity == diag.SeverityError {
					printDiagnostics(errOut, m.Diagnostics, &m.Diagnostics[i])
					return &diag.Error{File: d.File, Line: d.Line, Col: d.Col, Msg: d.Message, Rule: d.Rule, Err: errNoAMP}
				}
			}
			printDiagnostics(errOut, m.Diagnostics, nil)
			return fmt.Errorf("%s: %w could be produced", m.Template, errNoAMP)
		}
		printDiagnostics(errOut, m.Diagnostics, nil)
		_, err := io.WriteString(out, *m.AMP)
		return err
	case "eml":
		printDiagnostics(errOut, m.Diagnostics, nil)
		b, err := m.EML()
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	}
	return usageError("unknown variant %q", variant)
}
