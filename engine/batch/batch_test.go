package batch_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/batch"
	"github.com/mailmold/mailmold/engine/workspace"
)

var now = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

func template(t testing.TB, v *engine.Variants) *engine.Template {
	ws, err := workspace.Open("", now)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := ws.Compile("newsletter.liquid", func(o *engine.Options) { o.Variants = v })
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// input makes n profiles of the bundled kind, with bad records at the given lines.
func input(n int, bad map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if s, ok := bad[i]; ok {
			b.WriteString(s + "\n")
			continue
		}
		fmt.Fprintf(&b, `{"id":"u%d","first_name":"N%d","lifetime_value":%d,"last_purchase_at":"2026-11-01T00:00:00Z","email":"u%d@example.com","recommendations":[{"name":"Pack","price":10,"image_url":"https://cdn.northwind.example/a.jpg","url":"https://northwind.example/p"}]}`+"\n", i, i, i*37%2000, i)
	}
	return b.String()
}

func TestOrderAndDeadLetters(t *testing.T) {
	tpl := template(t, &engine.Variants{HTML: true, Text: true})
	bad := map[int]string{5: "{not json", 17: `{"first_name":"no id"}`, 33: `["an","array"]`}
	var out, dead bytes.Buffer
	st, err := batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(input(60, bad)), Format: batch.JSONL,
		Out: &out, DeadLetter: &dead, Workers: 4, Variants: []string{"html", "text"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rendered != 57 || st.Failed != 3 || st.Read != 60 {
		t.Fatalf("stats %+v", st)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<24)
	prev := 0
	for sc.Scan() {
		var r struct {
			ID   string  `json:"id"`
			Line int     `json:"line"`
			HTML *string `json:"html"`
			AMP  *string `json:"amp"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Line <= prev || r.ID != fmt.Sprintf("u%d", r.Line) || r.HTML == nil || r.AMP != nil {
			t.Fatalf("out of order or wrong: %+v after line %d", r, prev)
		}
		prev = r.Line
	}
	lines := strings.Split(strings.TrimSpace(dead.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"line":5`) || !strings.Contains(lines[1], `"line":17`) || !strings.Contains(lines[2], `"line":33`) {
		t.Errorf("dead letters: %s", dead.String())
	}
}

// TestShards proves the shards are disjoint and cover the input.
func TestShards(t *testing.T) {
	tpl := template(t, &engine.Variants{})
	in := input(200, nil)
	seen := map[string]int{}
	for k := 0; k < 3; k++ {
		var out bytes.Buffer
		st, err := batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(in), Format: batch.JSONL,
			Out: &out, Workers: 2, ShardK: k, ShardN: 3, Variants: []string{"html"}})
		if err != nil {
			t.Fatal(err)
		}
		if st.Rendered+st.Skipped != 200 || st.Rendered == 0 {
			t.Fatalf("shard %d: %+v", k, st)
		}
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var r struct{ ID string }
			json.Unmarshal([]byte(l), &r)
			seen[r.ID]++
		}
	}
	if len(seen) != 200 {
		t.Errorf("shards cover %d of 200 ids", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s rendered by %d shards", id, n)
		}
	}
}

func TestEMLAndResume(t *testing.T) {
	tpl := template(t, nil)
	dir := t.TempDir()
	in := input(20, map[int]string{3: `{"id":"../../etc/x y","first_name":"Z","email":"z@example.com"}`})
	st, err := batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(in), Format: batch.EML, Dir: dir, Workers: 3})
	if err != nil || st.Rendered != 20 {
		t.Fatalf("%+v %v", st, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 20 {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "/") || strings.HasPrefix(filepath.Base(f), ".") {
			t.Errorf("unsafe name %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, batch.SafeName("../../etc/x y")+".eml")); err != nil {
		t.Error(err)
	}
	st, err = batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(in), Format: batch.EML, Dir: dir, Workers: 3, Resume: true})
	if err != nil || st.Skipped != 20 || st.Rendered != 0 {
		t.Errorf("resume: %+v %v", st, err)
	}
}

// TestUnwritableOutput: an output folder that cannot take files stops the run with a clear
// error before anything is rendered (as root, a regular file standing where the folder
// should be plays the unwritable folder).
func TestUnwritableOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	if os.Getuid() == 0 {
		os.WriteFile(dir, []byte("not a folder"), 0o644)
	} else {
		os.Mkdir(dir, 0o500)
	}
	st, err := batch.Run(context.Background(), batch.Options{Template: template(t, nil), Input: strings.NewReader(input(3, nil)), Format: batch.EML, Dir: dir, Workers: 1})
	if err == nil || st.Rendered != 0 {
		t.Errorf("an unwritable folder must stop the run: %+v %v", st, err)
	}
}

// TestWriteFailureStops: when writing a message fails mid-run (full disk), the run stops
// with the error and the stats say how far it got.
func TestWriteFailureStops(t *testing.T) {
	dir := t.TempDir()
	n := 0
	st, err := batch.Run(context.Background(), batch.Options{Template: template(t, nil), Input: strings.NewReader(input(500, nil)), Format: batch.EML, Dir: dir, Workers: 2,
		Progress: func(s batch.Stats) {
			if n++; n == 20 {
				// the folder goes away at once (as a disk can), and a file takes its place
				os.Rename(dir, dir+".gone")
				os.WriteFile(dir, nil, 0o644)
			}
		}})
	if err == nil || !strings.Contains(err.Error(), "writing output") || st.Rendered >= 500 || !st.Interrupted {
		t.Errorf("%+v %v", st, err)
	}
}

// failingWriter takes n bytes, then fails like a full disk: a write that passes n is cut
// short with an error.
type failingWriter struct {
	bytes.Buffer
	n int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	room := w.n - w.Len()
	if len(p) <= room {
		return w.Buffer.Write(p)
	}
	w.Buffer.Write(p[:max(room, 0)])
	return max(room, 0), errors.New("no space left on device")
}

// TestJSONLWriteFailure: when the JSONL output fails (a full disk), the run stops at once
// (reading stops, queued records are dropped) with the error, and the stats count as
// rendered exactly the records written in full.
func TestJSONLWriteFailure(t *testing.T) {
	tpl := template(t, &engine.Variants{HTML: true})
	out := &failingWriter{n: 600 << 10}
	st, err := batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(input(3000, nil)), Format: batch.JSONL,
		Out: out, Workers: 2, Variants: []string{"html"}})
	if err == nil || !strings.Contains(err.Error(), "writing output: no space left on device") {
		t.Fatalf("got %v", err)
	}
	whole := strings.Count(out.String(), "\n")
	if st.Rendered != whole || whole == 0 {
		t.Errorf("%d rendered, %d records written in full", st.Rendered, whole)
	}
	if st.Unwritten == 0 || st.Read != st.Rendered+st.Unwritten || st.Read > 200 {
		t.Errorf("the run did not stop at the failure: %+v", st)
	}
	sum := 0
	for _, n := range st.Segments {
		sum += n
	}
	if sum != st.Rendered {
		t.Errorf("segments count %d, rendered %d", sum, st.Rendered)
	}
	if s := st.Summary(); !strings.Contains(s, "stopped after input line") || !strings.Contains(s, "no space left on device") ||
		!strings.Contains(s, fmt.Sprintf("%d rendered", st.Rendered)) || !strings.Contains(s, fmt.Sprintf("%d more rendered but not written", st.Unwritten)) {
		t.Errorf("summary: %s", s)
	}
	// a failure at the last write counts nothing of what it held
	out = &failingWriter{n: 0}
	st, err = batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(input(3, nil)), Format: batch.JSONL,
		Out: out, Workers: 2, Variants: []string{"html"}})
	if err == nil || st.Rendered != 0 || st.Unwritten != 3 {
		t.Errorf("%+v %v", st, err)
	}
}

// TestDeadLetterFailure: a dead-letter file that cannot be written stops the run (bad
// records would be lost without a trace).
func TestDeadLetterFailure(t *testing.T) {
	bad := map[int]string{}
	for i := 1; i <= 2000; i += 2 {
		bad[i] = "{bad"
	}
	st, err := batch.Run(context.Background(), batch.Options{Template: template(t, &engine.Variants{HTML: true}), Input: strings.NewReader(input(2000, bad)),
		Format: batch.JSONL, Out: io.Discard, DeadLetter: &failingWriter{n: 100}, Workers: 2, Variants: []string{"html"}})
	if err == nil || !strings.Contains(err.Error(), "writing the dead-letter file") || st.Read > 200 {
		t.Errorf("%+v %v", st, err)
	}
	// the output still takes the records rendered before the run stopped: the dead-letter
	// file takes line 1's record (108 bytes) and fails on line 3's, so line 2, which comes
	// before it in the output order, is rendered whatever the timing (with room for none,
	// the run may stop before any good record has started)
	var out bytes.Buffer
	st, _ = batch.Run(context.Background(), batch.Options{Template: template(t, &engine.Variants{HTML: true}), Input: strings.NewReader(input(2000, bad)),
		Format: batch.JSONL, Out: &out, DeadLetter: &failingWriter{n: 150}, Workers: 2, Variants: []string{"html"}})
	if st.Rendered == 0 || st.Unwritten != 0 || strings.Count(out.String(), "\n") != st.Rendered {
		t.Errorf("%+v, %d lines written", st, strings.Count(out.String(), "\n"))
	}
}

// TestResumeRemovesTemp: a resumed run removes the temporary files a killed run left, in
// the current naming and the older one.
func TestResumeRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".u1.eml.tmp-123", ".tmp-456.eml"} {
		os.WriteFile(filepath.Join(dir, n), []byte("half a mess"), 0o644)
	}
	st, err := batch.Run(context.Background(), batch.Options{Template: template(t, nil), Input: strings.NewReader(input(3, nil)), Format: batch.EML, Dir: dir, Workers: 2, Resume: true})
	if err != nil || st.Rendered != 3 {
		t.Fatalf("%+v %v", st, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		for _, e := range entries {
			t.Log(e.Name())
		}
		t.Errorf("%d files, want the 3 messages", len(entries))
	}
}

func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	n := 0
	st, err := batch.Run(ctx, batch.Options{Template: template(t, &engine.Variants{HTML: true}), Input: strings.NewReader(input(5000, nil)),
		Format: batch.JSONL, Out: &out, Workers: 2, Variants: []string{"html"},
		Progress: func(s batch.Stats) {
			if n++; n == 50 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Interrupted || st.Rendered >= 5000 || st.Rendered < 50 {
		t.Errorf("%+v", st)
	}
	if got := strings.Count(out.String(), "\n"); got != st.Rendered {
		t.Errorf("%d lines written for %d rendered", got, st.Rendered)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"u1": "u1", "a.b-c_d": "a.b-c_d"} {
		if got := batch.SafeName(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	if a, b := batch.SafeName("a/b"), batch.SafeName("a?b"); a == b || strings.ContainsAny(a, "/?") {
		t.Errorf("collision or unsafe: %q %q", a, b)
	}
}

// BenchmarkBatch measures messages per second for the full message on 1 and on all cores.
func BenchmarkBatch(b *testing.B) {
	tpl := template(b, nil)
	for _, w := range []int{1, runtime.NumCPU()} {
		b.Run(fmt.Sprintf("workers-%d", w), func(b *testing.B) {
			in := input(b.N, nil)
			b.ReportAllocs()
			b.ResetTimer()
			// the output is thrown away, as with --out /dev/null: a buffer holding b.N messages
			// would measure its own growth
			st, err := batch.Run(context.Background(), batch.Options{Template: tpl, Input: strings.NewReader(in), Format: batch.JSONL, Out: io.Discard, Workers: w})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(st.PerSecond(), "msg/s")
		})
	}
}
