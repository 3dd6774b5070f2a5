package templates

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestFilesPresent checks the embedded workspace holds every file the engine, the CLI and
// the docs refer to.
func TestFilesPresent(t *testing.T) {
	for _, name := range []string{
		"welcome.liquid", "cart.liquid", "newsletter.liquid", "post_purchase.liquid",
		"winback.liquid", "winback.mustache", "winback.hbs", "winback.mc.html",
		"partials/header.liquid", "partials/footer.liquid", "segments.yaml",
		"profiles/p-high-value.json", "profiles/p-new.json", "profiles/p-at-risk.json",
		"profiles/p-deal-seeker.json", "profiles/p-no-segment.json", "profiles/p-cart.json",
		"profiles/p-big-cart.json", "profiles/p-minimal.json",
	} {
		t.Run(name, func(t *testing.T) {
			st, err := fs.Stat(FS, name)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() == 0 {
				t.Error("empty file")
			}
		})
	}
}

// TestProfiles checks every sample profile is a JSON object with a string id that matches
// its file name, and that ids are unique.
func TestProfiles(t *testing.T) {
	files, err := fs.Glob(FS, "profiles/*.json")
	if err != nil || len(files) < 8 {
		t.Fatalf("%d profiles (%v), want at least 8", len(files), err)
	}
	seen := map[string]string{}
	for _, f := range files {
		raw, err := fs.ReadFile(FS, f)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		id, ok := p["id"].(string)
		switch {
		case !ok || id == "":
			t.Errorf("%s: no string id", f)
		case id != strings.TrimSuffix(path.Base(f), ".json"):
			t.Errorf("%s: id %q does not match the file name", f, id)
		case seen[id] != "":
			t.Errorf("%s: id %q already used by %s", f, id, seen[id])
		}
		seen[id] = f
	}
}

// allowedKeys are the front matter keys the bundled templates may use.
var allowedKeys = map[string]bool{"subject": true, "preheader": true, "from": true, "reply_to": true,
	"unsubscribe": true, "description": true, "dialect": true}

// TestFrontMatter checks every template opens with front matter that uses only the allowed
// keys and sets a subject, a preheader and an unsubscribe URL.
func TestFrontMatter(t *testing.T) {
	names, _ := fs.Glob(FS, "*.*")
	for _, n := range names {
		if n == "segments.yaml" || strings.HasSuffix(n, ".go") {
			continue
		}
		t.Run(n, func(t *testing.T) {
			src, _ := fs.ReadFile(FS, n)
			rest, ok := bytes.CutPrefix(src, []byte("---\n"))
			if !ok {
				t.Fatal("no front matter")
			}
			fm, _, ok := bytes.Cut(rest, []byte("\n---\n"))
			if !ok {
				t.Fatal("front matter is not closed")
			}
			var m map[string]any
			if err := yaml.Unmarshal(fm, &m); err != nil {
				t.Fatal(err)
			}
			for k := range m {
				if !allowedKeys[k] {
					t.Errorf("key %q is not allowed", k)
				}
			}
			for _, k := range []string{"subject", "preheader", "unsubscribe", "from", "description"} {
				if s, _ := m[k].(string); strings.TrimSpace(s) == "" {
					t.Errorf("no %s", k)
				}
			}
		})
	}
}

// TestSegments checks segments.yaml holds exactly the four bundled segments, in order,
// each with a description and a rule.
func TestSegments(t *testing.T) {
	raw, err := fs.ReadFile(FS, "segments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Segments []struct {
			Name        string `yaml:"name"`
			Description string `yaml:"description"`
			When        string `yaml:"when"`
		} `yaml:"segments"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"high_value", "new", "at_risk", "deal_seeker"}
	if len(doc.Segments) != len(want) {
		t.Fatalf("%d segments, want %d", len(doc.Segments), len(want))
	}
	for i, s := range doc.Segments {
		if s.Name != want[i] || s.Description == "" || s.When == "" {
			t.Errorf("segment %d: %+v, want name %s with a description and a rule", i, s, want[i])
		}
	}
}
