package mustache_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

var update = flag.Bool("update", false, "rewrite golden files and the known-failures list")

type specCase struct {
	Name     string            `json:"name"`
	Data     json.RawMessage   `json:"data"`
	Template string            `json:"template"`
	Partials map[string]string `json:"partials"`
	Expected string            `json:"expected"`
}

const specDir = "../../../shared/spec/mustache"
const knownPath = "testdata/spec_known_failures.txt"

func renderSpec(c specCase) (string, error) {
	opt := mustache.Options{Partial: func(name string) (string, string, error) {
		return name, c.Partials[name], nil // a missing parent renders as nothing
	}}
	tr, err := mustache.ParseWith("spec.mustache", c.Template, opt)
	if err != nil {
		return "", err
	}
	prog, err := pongo.Compile(tr, pongo.Options{Escape: true, MissingPartialsEmpty: true, Partial: func(name string) (*tree.Template, error) {
		src, ok := c.Partials[name]
		if !ok {
			return nil, fmt.Errorf("no partial %q", name)
		}
		return mustache.ParseWith(name, src, opt)
	}})
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(c.Data))
	dec.UseNumber()
	var d any
	if err := dec.Decode(&d); err != nil {
		return "", err
	}
	data, ok := value.FromJSON(d).(map[string]any)
	st := eval.NewState(context.Background(), data)
	if !ok {
		st = eval.NewState(context.Background(), map[string]any{})
		st.PushContext(value.FromJSON(d))
	}
	var b strings.Builder
	err = prog.Render(st, &b)
	return b.String(), err
}

// TestSpec runs the Mustache spec file by file and prints the pass counts; failures not in
// testdata/spec_known_failures.txt fail the test, and that list only shrinks.
func TestSpec(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(specDir, "*.json"))
	if len(files) == 0 {
		t.Skip("mustache spec not found at " + specDir)
	}
	known := map[string]bool{}
	if f, err := os.Open(knownPath); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				known[l] = true
			}
		}
		f.Close()
	}
	var failing []string
	required := 0
	for _, file := range files {
		raw, _ := os.ReadFile(file)
		var spec struct{ Tests []specCase }
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(filepath.Base(file), ".json")
		passed := 0
		for _, c := range spec.Tests {
			id := base + ": " + c.Name
			got, err := renderSpec(c)
			if err == nil && got == c.Expected {
				passed++
				if known[id] && !*update {
					t.Errorf("%s passes now: remove it from %s", id, knownPath)
				}
				continue
			}
			failing = append(failing, id)
			if !strings.HasPrefix(base, "~") && !*update {
				t.Errorf("%s (required): got %q, %v; want %q", id, got, err, c.Expected)
			} else if !known[id] && !*update {
				t.Errorf("%s: got %q, %v; want %q", id, got, err, c.Expected)
			}
		}
		if !strings.HasPrefix(base, "~") {
			required += len(spec.Tests)
		}
		fmt.Printf("mustache-spec: %s: %d passed of %d\n", base, passed, len(spec.Tests))
	}
	if *update {
		sort.Strings(failing)
		out := "# Mustache spec cases mailmold does not pass yet (optional modules only). This list only shrinks.\n"
		for _, f := range failing {
			out += f + "\n"
		}
		if err := os.WriteFile(knownPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
