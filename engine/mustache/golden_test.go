package mustache_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/value"
)

// loadData decodes a JSON profile the way mailmold does (numbers kept exact).
func loadData(t testing.TB, path string) map[string]any {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var d any
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	return value.FromJSON(d).(map[string]any)
}

// TestGolden renders every testdata/hbs/*.hbs with testdata/hbs/data.json (in the vip
// segment) and compares with its .golden file; -update rewrites them.
func TestGolden(t *testing.T) {
	data := loadData(t, "testdata/hbs/data.json")
	files, _ := filepath.Glob("testdata/hbs/*.hbs")
	if len(files) == 0 {
		t.Fatal("no testdata/hbs/*.hbs")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := mustache.ParseHandlebars(f, string(src))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		prog, err := pongo.Compile(tr, pongo.Options{Escape: true})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		st := eval.NewState(context.Background(), data)
		st.Segment = func(n string) bool { return n == "vip" }
		var b strings.Builder
		if err := prog.Render(st, &b); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		golden := strings.TrimSuffix(f, ".hbs") + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s:\n--- got\n%s\n--- want\n%s", f, b.String(), want)
		}
	}
}
