package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillAndResume kills a real `batch --format eml` run with SIGKILL, checks that no file
// that looks complete is incomplete, resumes it, and checks the union is exactly the input.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mailmold")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var in strings.Builder
	const n = 3000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, `{"id":"k%04d","first_name":"K%d","email":"k%d@example.com","lifetime_value":%d,"last_purchase_at":"2026-11-01T00:00:00Z"}`+"\n", i, i, i, i)
	}
	prof := filepath.Join(dir, "in.jsonl")
	os.WriteFile(prof, []byte(in.String()), 0o644)
	out := filepath.Join(dir, "outbox")
	env := append(os.Environ(), "MAILMOLD_NOW=2026-11-24T12:00:00Z")
	cmd := exec.Command(bin, "batch", "newsletter.liquid", "--profiles", prof, "--format", "eml", "--out", out, "-j", "2")
	cmd.Env = env
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// kill it once it has written some files
	deadline := time.Now().Add(60 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(out, "*.eml"))
		if len(files) > 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no output within 60s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	files, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(files) >= n {
		t.Skip("the run finished before it could be killed")
	}
	// every file that looks like a message (what a mail pipeline would pick up with
	// *.eml) is a complete one: the temporary files a write in flight leaves never end in .eml
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), ".") {
			t.Errorf("%s looks like a message but is a temporary file", filepath.Base(f))
			continue
		}
		complete(t, f)
	}
	temps, _ := filepath.Glob(filepath.Join(out, ".*.eml.tmp-*"))
	// resume
	cmd = exec.Command(bin, "batch", "newsletter.liquid", "--profiles", prof, "--format", "eml", "--out", out, "--resume", "-j", "2")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("skipped of %d read", n)) {
		t.Errorf("summary: %s", stderr.String())
	}
	entries, _ := os.ReadDir(out)
	ids := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("leftover file %s", e.Name())
			continue
		}
		ids[strings.TrimSuffix(e.Name(), ".eml")] = true
		complete(t, filepath.Join(out, e.Name()))
	}
	if len(ids) != n {
		t.Errorf("%d messages after resume, want %d", len(ids), n)
	}
	t.Logf("killed after %d of %d messages (%d temporary files left); resumed to %d", len(files), n, len(temps), len(ids))
}

// complete checks a message file parses and ends with its closing boundary.
func complete(t *testing.T, f string) {
	raw, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" || !bytes.HasSuffix(bytes.TrimSpace(raw), []byte("--"+params["boundary"]+"--")) {
		t.Fatalf("%s is incomplete", f)
	}
}
