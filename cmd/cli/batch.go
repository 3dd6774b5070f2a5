package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/batch"
	"github.com/mailmold/mailmold/engine/workspace"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() { extraCommands = append(extraCommands, newBatchCmd) }

type batchFlags struct {
	profiles, out, format, dead, shard, variants, ws, now string
	workers                                               int
	resume                                                bool
	limits                                                limitFlags
}

func newBatchCmd() *cobra.Command {
	var f batchFlags
	c := &cobra.Command{
		Use:   "batch TEMPLATE --profiles FILE.jsonl|-",
		Short: "Render a template for a stream of profiles, in parallel, for send pipelines",
		Long: `Render TEMPLATE for every profile of a JSON Lines stream on -j workers.

--format jsonl (default) writes one render JSON object per line to --out (- is stdout), in
input order, with the profile's "id" and input "line" added. --format eml writes one
ID.eml per recipient into the --out folder; each file is written atomically, and --resume
continues a killed run, skipping ids already written.

A bad record (invalid JSON, no id, a render error, no valid AMP part) goes to --dead-letter
as {"line","id","error"} and every other record is still rendered. --shard K/N renders only
the profiles whose id hashes to shard K (0 <= K < N). A summary goes to stderr, with a
progress bar when stderr is a terminal.

Exit status: 0 all rendered, 3 some records failed, 1 nothing could run, 2 usage error.`,
		Example: `  mailmold batch newsletter.liquid --profiles customers.jsonl --out rendered.jsonl --dead-letter bad.jsonl
  mailmold batch ./ws/cart.liquid --profiles - --format eml --out ./outbox -j 8 --shard 2/16`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runBatch(c.OutOrStdout(), c.ErrOrStderr(), args[0], f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.profiles, "profiles", "", "profiles, one JSON object per line (- for stdin)")
	fl.StringVar(&f.out, "out", "-", "output: - (stdout) or a file for jsonl, a folder for eml")
	fl.StringVar(&f.format, "format", "jsonl", "jsonl or eml")
	fl.IntVarP(&f.workers, "jobs", "j", runtime.NumCPU(), "parallel workers")
	fl.StringVar(&f.dead, "dead-letter", "", "file receiving the records that failed")
	fl.StringVar(&f.shard, "shard", "", "K/N: render only shard K (0-based) of N by id hash")
	fl.StringVar(&f.variants, "variants", "html,amp,text", "variants in the jsonl output")
	fl.StringVar(&f.ws, "workspace", "", "workspace folder (default: the template's folder)")
	fl.BoolVar(&f.resume, "resume", false, "eml: skip ids whose file already exists (continue a killed run)")
	fl.StringVar(&f.now, "now", "", "pin the clock (RFC 3339); also MAILMOLD_NOW")
	f.limits.add(fl)
	return c
}

// countLines counts the lines of a file, or -1 when it cannot be read.
func countLines(path string) int64 {
	fh, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer fh.Close()
	var n int64
	buf := make([]byte, 256<<10)
	for {
		k, err := fh.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if err != nil {
			return n
		}
	}
}

func runBatch(stdout, stderr io.Writer, arg string, f batchFlags) error {
	if f.profiles == "" {
		return usageError("--profiles is required (a JSON Lines file, or - for stdin)")
	}
	if f.format != "jsonl" && f.format != "eml" {
		return usageError("--format must be jsonl or eml, not %q", f.format)
	}
	if f.format == "eml" && (f.out == "" || f.out == "-") {
		return usageError("--format eml needs --out FOLDER")
	}
	if f.workers < 1 {
		return usageError("-j must be at least 1")
	}
	var vs []string
	for _, v := range strings.Split(f.variants, ",") {
		v = strings.TrimSpace(v)
		if v != "html" && v != "amp" && v != "text" {
			return usageError("--variants takes html, amp and text, not %q", v)
		}
		vs = append(vs, v)
	}
	k, n := 0, 0
	if f.shard != "" {
		a, b, ok := strings.Cut(f.shard, "/")
		var err1, err2 error
		k, err1 = strconv.Atoi(a)
		n, err2 = strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
			return usageError("--shard is K/N with 0 <= K < N, like 0/4")
		}
	}
	clk, err := clock(f.now)
	if err != nil {
		return err
	}
	dir, name, err := resolveTemplate(arg, f.ws)
	if err != nil {
		return err
	}
	ws, err := workspace.Open(dir, clk)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, v := range vs {
		want[v] = true
	}
	tpl, err := ws.Compile(name, func(o *engine.Options) {
		f.limits.apply(o)
		if f.format == "jsonl" {
			o.Variants = &engine.Variants{HTML: want["html"], AMP: want["amp"], Text: want["text"]}
		}
	})
	if err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if f.profiles != "-" {
		fh, err := os.Open(f.profiles)
		if err != nil {
			return usageError("--profiles: %v", err)
		}
		defer fh.Close()
		in = fh
	}
	opt := batch.Options{Template: tpl, Input: in, Format: batch.Format(f.format), Workers: f.workers,
		ShardK: k, ShardN: n, Variants: vs, Resume: f.resume}
	var outFile *os.File
	if f.format == "jsonl" {
		// batch.Run buffers the output itself, so it knows which records were written
		if f.out == "-" {
			opt.Out = stdout
		} else {
			if outFile, err = os.Create(f.out); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			defer outFile.Close()
			opt.Out = outFile
		}
	} else {
		opt.Dir = f.out
	}
	if f.dead != "" {
		dl, err := os.Create(f.dead)
		if err != nil {
			return fmt.Errorf("--dead-letter: %w", err)
		}
		defer dl.Close()
		opt.DeadLetter = dl
	}
	if fh, ok := stderr.(*os.File); ok && term.IsTerminal(int(fh.Fd())) {
		total := int64(-1)
		if f.profiles != "-" {
			total = countLines(f.profiles) // for the ETA
		}
		bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("msg"), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		opt.Progress = func(s batch.Stats) { bar.Set(s.Read) }
		defer bar.Finish()
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// A batch run keeps little live data (a few MB) and allocates a few hundred KB per
		// message: collect rarely, but never let the heap pass a fixed ceiling. On two
		// workers, GOGC=400 alone cost 10-15 % of the throughput to the collector.
		debug.SetGCPercent(1600)
		debug.SetMemoryLimit(batchHeapLimit(opt.Workers))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stats, err := batch.Run(ctx, opt)
	if err == nil && outFile != nil {
		if err = outFile.Close(); err != nil {
			// what was written may not have reached the file
			err = fmt.Errorf("writing output: closing %s: %w", f.out, err)
			stats.Stopped = err.Error()
		}
	}
	fmt.Fprint(stderr, stats.Summary())
	if err != nil {
		return err
	}
	switch {
	case stats.Rendered == 0 && stats.Failed > 0:
		return &ExitError{Code: 1}
	case stats.Failed > 0:
		return &ExitError{Code: 3}
	case stats.Interrupted:
		return &ExitError{Code: 1}
	}
	return nil
}

// batchHeapLimit is the soft ceiling on the Go heap of a batch run with n workers (the
// collector works harder near it, so memory stays flat however long the input): 96 MiB and
// 16 MiB per worker, 128 MiB on two workers.
func batchHeapLimit(n int) int64 {
	return (96 + 16*int64(max(n, 1))) << 20
}
