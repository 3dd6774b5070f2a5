package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mailmold/mailmold/preview"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newPreviewCmd) }

func newPreviewCmd() *cobra.Command {
	var addr, now string
	var open bool
	c := &cobra.Command{
		Use:   "preview [WORKSPACE]",
		Short: "Serve a live preview of every template, segment and variant, with hot reload",
		Long: `Serve WORKSPACE (the bundled example workspace by default) at --addr, loopback only unless
told otherwise. Pages update over server-sent events whenever a template, partial,
segments.yaml or profile changes; a template that does not compile shows an error overlay
until it is fixed.

API: GET / (index), GET /render/{template}?profile={id}&variant=html|amp|text (the raw
variant; 404 unknown template or profile, 422 for a template that does not compile),
GET /events (text/event-stream, one event per rebuild).`,
		Example: `  mailmold preview
  mailmold preview ./my-workspace --addr 127.0.0.1:9000 --open`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
				if st, err := os.Stat(dir); err != nil || !st.IsDir() {
					return usageError("%s is not a workspace folder", dir)
				}
			}
			clk, err := clock(now)
			if err != nil {
				return err
			}
			s, err := preview.New(preview.Options{Addr: addr, Dir: dir, Open: open, Now: clk,
				Logf: func(f string, a ...any) { fmt.Fprintf(c.ErrOrStderr(), "preview: "+f+"\n", a...) }})
			if err != nil {
				return err
			}
			defer s.Close()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return s.ListenAndServe(ctx, c.OutOrStdout())
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8025", "address to listen on")
	c.Flags().BoolVar(&open, "open", false, "open the preview in the browser")
	c.Flags().StringVar(&now, "now", "", "pin the clock (RFC 3339); also MAILMOLD_NOW")
	return c
}
