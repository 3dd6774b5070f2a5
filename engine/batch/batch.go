// Package batch renders one template for a stream of profiles (JSON Lines) on a pool of
// workers, for send pipelines: memory stays flat whatever the input size, JSON Lines output
// keeps input order, every bad record goes to a dead-letter file with its line number and
// reason while the others are still rendered, and a run can be split into shards by id hash
// with no coordination.
package batch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

// Format is the output format.
type Format string

const (
	JSONL Format = "jsonl" // one render JSON object per line, in input order
	EML   Format = "eml"   // one ID.eml file per recipient in a folder
)

// Options configure a run.
type Options struct {
	Template *engine.Template
	Input    io.Reader
	Format   Format
	// Out receives the JSONL output, in writes of about 256 KiB (Run buffers it: pass an
	// unbuffered writer); a record counts as rendered once a write carrying it succeeded.
	Out     io.Writer
	Dir     string // EML output folder
	Workers int
	// DeadLetter receives one JSON object per failed record; nil discards them (they are
	// still counted).
	DeadLetter io.Writer
	// Shard K of N (0 <= K < N): only profiles whose id hashes to K are rendered.
	ShardK, ShardN int
	// Variants lists what the JSONL output carries: html, amp, text (all when empty).
	Variants []string
	// Resume skips ids whose ID.eml already exists in Dir (after a killed run).
	Resume bool
	// Progress is called after each record with the counts so far (may be nil).
	Progress func(Stats)
}

// Stats is what a run did.
type Stats struct {
	// Rendered counts the records rendered and written out (a JSONL record once the write
	// carrying it succeeded, an EML message once its file is in place).
	Read, Rendered, Failed, Skipped int
	// Unwritten counts records rendered whose output could not be written (the output
	// failed before or while they were written).
	Unwritten   int
	Segments    map[string]int // per segment, the records Rendered
	Elapsed     time.Duration
	Interrupted bool
	// Stopped is the error that stopped the run early (an output that cannot be written),
	// empty when nothing did.
	Stopped  string
	LastLine int // the last input line read
}

// PerSecond is the rendering throughput.
func (s Stats) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rendered) / s.Elapsed.Seconds()
}

// Summary describes the run in one paragraph.
func (s Stats) Summary() string {
	var b strings.Builder
	state := "done"
	switch {
	case s.Stopped != "":
		state = fmt.Sprintf("stopped after input line %d (%s)", s.LastLine, s.Stopped)
	case s.Interrupted:
		state = fmt.Sprintf("interrupted after input line %d", s.LastLine)
	}
	fmt.Fprintf(&b, "batch %s: %d rendered, %d failed, %d skipped of %d read in %v (%.0f messages/s)",
		state, s.Rendered, s.Failed, s.Skipped, s.Read, s.Elapsed.Round(time.Millisecond), s.PerSecond())
	if s.Unwritten > 0 {
		fmt.Fprintf(&b, "; %d more rendered but not written", s.Unwritten)
	}
	b.WriteByte('\n')
	keys := make([]string, 0, len(s.Segments))
	for k := range s.Segments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if name == "" {
			name = "(no segment)"
		}
		fmt.Fprintf(&b, "  %-16s %d\n", name, s.Segments[k])
	}
	return b.String()
}

// job is one input record.
type job struct {
	seq  int
	line int
	raw  []byte
}

// result is what a worker made of a job.
type result struct {
	seq     int
	line    int
	id      string
	segment string
	out     []byte        // JSONL line (with newline)
	buf     *bytes.Buffer // out's buffer, back to recordBuffers once out is written
	err     error
	skipped bool
	dropped bool // not run: the run was stopped by an output error first
}

// MaxLine is the longest input line accepted (a larger record is a bad record).
const MaxLine = 16 << 20

// Run renders every record of the input. It stops reading when ctx is cancelled, lets the
// records in flight finish, and returns the stats; the error is for failures that stop the
// whole run (an output or dead-letter file that cannot be written), not for bad records.
// Such a failure stops the run at once: reading stops, records not yet started are dropped,
// the ones in flight finish, and the stats count as rendered only what was written.
func Run(ctx context.Context, opt Options) (Stats, error) {
	start := time.Now()
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// halt drops the records not yet started, after an output failure
	halted, halt := context.WithCancel(context.Background())
	defer halt()
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	if opt.Format == EML {
		CleanTemp(opt.Dir)
		if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
			return Stats{}, fmt.Errorf("output folder: %w", err)
		}
		if err := checkWritable(opt.Dir); err != nil {
			return Stats{}, err
		}
	}
	want := variantSet(opt.Variants)
	jobs := make(chan job, opt.Workers*2)
	results := make(chan result, opt.Workers*2)
	var wg sync.WaitGroup
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if halted.Err() != nil {
					results <- result{seq: j.seq, line: j.line, dropped: true}
					continue
				}
				results <- work(opt, want, j)
			}
		}()
	}
	stats := Stats{Segments: map[string]int{}}
	readErr := make(chan error, 1)
	// the reader stops at cancellation; records already queued still render
	go func() {
		defer close(jobs)
		br := bufio.NewReaderSize(opt.Input, 64<<10)
		seq := 0
		for line := 1; ; line++ {
			if ctx.Err() != nil {
				readErr <- nil
				return
			}
			raw, err := readLine(br)
			if len(bytes.TrimSpace(raw)) > 0 || errors.Is(err, errTooLong) {
				if errors.Is(err, errTooLong) {
					raw = nil
				}
				select {
				case jobs <- job{seq: seq, line: line, raw: raw}:
					seq++
				case <-ctx.Done():
					readErr <- nil
					return
				}
			}
			if errors.Is(err, io.EOF) {
				readErr <- nil
				return
			}
			if err != nil && !errors.Is(err, errTooLong) {
				readErr <- err
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	// write results in input order, holding back the ones that finish early
	pending := map[int]result{}
	next := 0
	var fatal error
	stop := func(err error) {
		if fatal == nil {
			fatal = err
			cancel()
			halt()
		}
	}
	var out *lineWriter
	var outErr error // the JSONL output failed: nothing more is written
	if opt.Format == JSONL {
		out = &lineWriter{w: opt.Out, size: 256 << 10}
	}
	for r := range results {
		pending[r.seq] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if r.dropped {
				continue
			}
			stats.Read++
			stats.LastLine = max(stats.LastLine, r.line)
			switch {
			case r.skipped:
				stats.Skipped++
			case r.err != nil:
				var fe *FatalError
				if errors.As(r.err, &fe) {
					stop(r.err)
				}
				stats.Failed++
				if opt.DeadLetter != nil {
					if err := writeDead(opt.DeadLetter, r); err != nil {
						stop(fmt.Errorf("writing the dead-letter file: %w", err))
					}
				}
			case out != nil:
				if outErr != nil {
					stats.Unwritten++
				} else if err := out.add(r.out, r.segment, &stats); err != nil {
					outErr = fmt.Errorf("writing output: %w", err)
					stop(outErr)
				}
				r.release() // add copied the line
			default:
				stats.Rendered++
				stats.Segments[r.segment]++
			}
			if opt.Progress != nil {
				opt.Progress(stats)
			}
		}
	}
	if out != nil && outErr == nil {
		// what is held is written even after another failure stopped the run
		if err := out.flush(&stats); err != nil {
			stop(fmt.Errorf("writing output: %w", err))
		}
	}
	stats.Elapsed = time.Since(start)
	stats.Interrupted = outer.Err() != nil || fatal != nil
	if err := <-readErr; err != nil && fatal == nil {
		fatal = fmt.Errorf("reading profiles: %w", err)
	}
	if fatal != nil {
		stats.Stopped = fatal.Error()
	}
	return stats, fatal
}

var errTooLong = errors.New("line too long")

// readLine reads one line of any length up to MaxLine without keeping a larger one.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		part, err := br.ReadSlice('\n')
		if len(buf)+len(part) > MaxLine {
			// drain the rest of the line
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errTooLong
		}
		buf = append(buf, part...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(buf) > 0 {
			return buf, nil
		}
		return buf, err
	}
}

func variantSet(vs []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vs {
		m[strings.TrimSpace(v)] = true
	}
	if len(m) == 0 {
		m["html"], m["amp"], m["text"] = true, true, true
	}
	return m
}

// ShardOf returns the shard (0..n-1) of an id: FNV-1a of the id modulo n.
func ShardOf(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// record is one output line of the JSONL format: the render JSON plus id and line.
type record struct {
	ID   string `json:"id"`
	Line int    `json:"line"`
	engine.RenderJSON
}

// work renders one record.
func work(opt Options, want map[string]bool, j job) (r result) {
	r = result{seq: j.seq, line: j.line}
	defer func() {
		if p := recover(); p != nil {
			r.err = fmt.Errorf("internal error: %v", p)
		}
	}()
	if j.raw == nil {
		r.err = fmt.Errorf("the line is longer than %d bytes", MaxLine)
		return r
	}
	p, err := workspace.DecodeProfile(j.raw)
	if err != nil {
		r.err = err
		return r
	}
	r.id = p.ID
	if opt.ShardN > 1 && ShardOf(p.ID, opt.ShardN) != opt.ShardK {
		r.skipped = true
		return r
	}
	if opt.Format == EML && opt.Resume {
		if _, err := os.Stat(filepath.Join(opt.Dir, SafeName(p.ID)+".eml")); err == nil {
			r.skipped = true
			return r
		}
	}
	m, err := opt.Template.Render(context.Background(), p.Data)
	if err != nil {
		r.err = err
		return r
	}
	r.segment = m.Segment
	if want["amp"] && m.AMP == nil {
		var why []string
		for _, d := range m.Diagnostics {
			if strings.HasPrefix(d.Rule, "amp") && d.Severity == diag.SeverityError {
				why = append(why, fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Message))
			}
		}
		r.err = fmt.Errorf("no valid AMP part: %s", strings.Join(why, "; "))
		return r
	}
	if opt.Format == EML {
		r.err = writeEML(opt.Dir, p.ID, m)
		return r
	}
	rec := record{ID: p.ID, Line: j.line, RenderJSON: m.JSON(want["html"])}
	if !want["amp"] {
		rec.AMP = nil
	}
	if !want["text"] {
		rec.Text = nil
	}
	r.buf = recordBuffers.Get().(*bytes.Buffer)
	r.buf.Reset()
	r.out, r.err = appendRecord(r.buf, rec)
	return r
}

// encodeRecord writes rec as one JSON line. It uses go-json, which writes the same bytes as
// encoding/json with SetEscapeHTML(false) (FuzzRecordJSON compares the two) about ten times
// faster: the html, amp and text strings are most of a line, and encoding/json escapes them
// a byte at a time (a quarter of the batch's time went there).
func encodeRecord(rec record) ([]byte, error) { return appendRecord(new(bytes.Buffer), rec) }

// appendRecord writes rec as one JSON line (see encodeRecord) into buf and returns buf's
// bytes.
func appendRecord(buf *bytes.Buffer, rec record) ([]byte, error) {
	enc := gojson.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// recordBuffers hold the JSONL lines between a worker and the writer: a line is some
// 70 KB, and a fresh buffer for each (grown by doubling) was most of what a batch
// allocated. A buffer grown past maxPooledRecord is left to the collector.
var recordBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledRecord = 4 << 20

// release gives r's line buffer back for another record.
func (r *result) release() {
	if r.buf != nil && r.buf.Cap() <= maxPooledRecord {
		recordBuffers.Put(r.buf)
	}
	r.buf, r.out = nil, nil
}

func writeDead(w io.Writer, r result) error {
	msg := r.err.Error()
	var de *diag.Error
	if errors.As(r.err, &de) {
		msg = de.Error()
	}
	b, _ := json.Marshal(map[string]any{"line": r.line, "id": r.id, "error": msg})
	_, err := w.Write(append(b, '\n'))
	return err
}
