package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/segment"
	"github.com/mailmold/mailmold/engine/workspace"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newSegmentsCmd) }

func newSegmentsCmd() *cobra.Command {
	var profiles, format, now string
	c := &cobra.Command{
		Use:   "segments [WORKSPACE]",
		Short: "Show which segment each profile falls in",
		Long: `Evaluate the workspace's segments.yaml for every profile and print a table of profile
id to segment (the first matching segment, "" when none) with every matching segment, then
the number of profiles per segment. WORKSPACE defaults to the bundled example workspace;
--profiles FILE.jsonl evaluates those profiles instead of the workspace's samples.

A rule that fails for a profile (the profile is then not in that segment) and a profile
whose segment field names no segment are warnings with their segments.yaml position, on
stderr (in "diagnostics" with --format json).`,
		Example: `  mailmold segments
  mailmold segments ./my-workspace --profiles customers.jsonl --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			if format != "text" && format != "json" {
				return usageError("--format must be text or json, not %q", format)
			}
			clk, err := clock(now)
			if err != nil {
				return err
			}
			ws, err := workspace.Open(dir, clk)
			if err != nil {
				return err
			}
			list := ws.Profiles
			if profiles != "" {
				f, err := os.Open(profiles)
				if err != nil {
					return usageError("--profiles: %v", err)
				}
				defer f.Close()
				if list, err = workspace.ReadJSONL(f, profiles); err != nil {
					return err
				}
			}
			return printSegments(c.OutOrStdout(), c.ErrOrStderr(), ws, list, format)
		},
	}
	c.Flags().StringVar(&profiles, "profiles", "", "profiles to evaluate (JSON Lines), instead of the workspace samples")
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	c.Flags().StringVar(&now, "now", "", "pin the clock (RFC 3339) for date rules; also MAILMOLD_NOW")
	return c
}

type segmentRow struct {
	ID       string   `json:"id"`
	Segment  string   `json:"segment"`
	Segments []string `json:"segments"`
}

func printSegments(out, errOut io.Writer, ws *workspace.Workspace, list []workspace.Profile, format string) error {
	rows := make([]segmentRow, 0, len(list))
	counts := map[string]int{}
	diags := []diag.Diagnostic{}
	for _, p := range list {
		seg, segs, err := ws.Segments.Membership(p.Data)
		var pe *segment.ProfileError
		switch {
		case errors.As(err, &pe):
			for _, d := range pe.Diagnostics() {
				d.Profile = p.ID
				diags = append(diags, d)
			}
		case err != nil:
			return fmt.Errorf("profile %s: %w", p.ID, err)
		}
		r := segmentRow{ID: p.ID, Segment: seg, Segments: []string{}}
		for _, n := range ws.Segments.Names() {
			if segs[n] {
				r.Segments = append(r.Segments, n)
			}
		}
		counts[seg]++
		rows = append(rows, r)
	}
	names := append(ws.Segments.Names(), "")
	if format == "json" {
		type count struct {
			Segment string `json:"segment"`
			Count   int    `json:"count"`
		}
		res := struct {
			Profiles    []segmentRow      `json:"profiles"`
			Counts      []count           `json:"counts"`
			Diagnostics []diag.Diagnostic `json:"diagnostics"`
		}{Profiles: rows, Diagnostics: diags}
		for _, n := range names {
			res.Counts = append(res.Counts, count{n, counts[n]})
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tSEGMENT\tALL MATCHING")
	for _, r := range rows {
		seg := r.Segment
		if seg == "" {
			seg = "(none)"
		}
		all := "-"
		if len(r.Segments) > 0 {
			all = joinComma(r.Segments)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, seg, all)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "SEGMENT\tPROFILES\t")
	for _, n := range names {
		label := n
		if n == "" {
			label = "(none)"
		}
		fmt.Fprintf(tw, "%s\t%d\t\n", label, counts[n])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range diags {
		fmt.Fprintf(errOut, "%s:%d:%d: %s: %s (profile %q) [%s]\n", d.File, d.Line, d.Col, d.Severity, d.Message, d.Profile, d.Rule)
		if d.Hint != "" {
			fmt.Fprintf(errOut, "hint: %s\n", d.Hint)
		}
	}
	return nil
}

func joinComma(s []string) string { return strings.Join(s, ", ") }
