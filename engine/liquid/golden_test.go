package liquid_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/liquid"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// goldenCase is one test of the Golden Liquid suite.
type goldenCase struct {
	Name      string            `json:"name"`
	Template  string            `json:"template"`
	Data      map[string]any    `json:"data"`
	Templates map[string]string `json:"templates"`
	Result    *string           `json:"result"`
	Results   []string          `json:"results"`
	Invalid   bool              `json:"invalid"`
}

const goldenPath = "../../../shared/spec/liquid/golden_liquid.json"
const knownFailuresPath = "testdata/golden_known_failures.txt"

// loadGolden returns the Golden Liquid suite, skipping the test when it is not there.
func loadGolden(t testing.TB) []goldenCase {
	cases, err := goldenCases()
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("golden liquid suite not found at %s: %v", goldenPath, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// goldenCases reads the Golden Liquid suite (from ../shared, outside the repository).
func goldenCases() ([]goldenCase, error) {
	raw, err := os.ReadFile(goldenPath)
	if err != nil {
		return nil, err
	}
	var suite struct {
		Tests []goldenCase `json:"tests"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&suite); err != nil {
		return nil, fmt.Errorf("%s: %w", goldenPath, err)
	}
	return suite.Tests, nil
}

// renderGolden renders one case with plain Liquid semantics (no HTML escaping).
func renderGolden(c goldenCase) (out string, err error) {
	tr, err := liquid.Parse("golden.liquid", c.Template)
	if err != nil {
		return "", err
	}
	opt := pongo.Options{Partial: func(name string) (*tree.Template, error) {
		src, ok := c.Templates[name]
		if !ok {
			return nil, fmt.Errorf("no partial %q", name)
		}
		return liquid.Parse(name, src)
	}}
	prog, err := pongo.Compile(tr, opt)
	if err != nil {
		return "", err
	}
	data, _ := value.FromJSON(c.Data).(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st := eval.NewState(ctx, data)
	st.Env = filters.Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	var b strings.Builder
	err = prog.Render(st, &b)
	return b.String(), err
}

func passes(c goldenCase) (bool, string) {
	out, err := renderGolden(c)
	if c.Invalid {
		if err != nil {
			return true, ""
		}
		return false, fmt.Sprintf("expected an error, got %q", out)
	}
	if err != nil {
		return false, "error: " + err.Error()
	}
	if c.Result != nil && out == *c.Result {
		return true, ""
	}
	for _, r := range c.Results {
		if out == r {
			return true, ""
		}
	}
	want := ""
	if c.Result != nil {
		want = *c.Result
	}
	return false, fmt.Sprintf("got %q, want %q", out, want)
}

func readKnown(t *testing.T) map[string]bool {
	known := map[string]bool{}
	f, err := os.Open(knownFailuresPath)
	if err != nil {
		return known
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			known[l] = true
		}
	}
	return known
}

// TestGoldenLiquid runs the Golden Liquid conformance suite case by case. Cases listed in
// testdata/golden_known_failures.txt may fail; any other failure fails the test, and a listed
// case that now passes must be removed from the list (the list only shrinks). -update
// rewrites the list.
func TestGoldenLiquid(t *testing.T) {
	cases := loadGolden(t)
	known := readKnown(t)
	passed := 0
	var failing []string
	for _, c := range cases {
		ok, why := passes(c)
		if ok {
			passed++
			if known[c.Name] && !*update {
				t.Errorf("%s: passes now; remove it from %s", c.Name, knownFailuresPath)
			}
			continue
		}
		failing = append(failing, c.Name)
		if !known[c.Name] && !*update {
			t.Errorf("%s: %s\ntemplate: %q", c.Name, why, c.Template)
		}
	}
	fmt.Printf("golden-liquid: %d passed of %d\n", passed, len(cases))
	if *update {
		sort.Strings(failing)
		content := "# Golden Liquid cases mailmold does not pass yet. This list only shrinks.\n" + strings.Join(failing, "\n") + "\n"
		if err := os.MkdirAll(filepath.Dir(knownFailuresPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(knownFailuresPath, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if passed < 900 {
		t.Errorf("golden-liquid: %d passed, the floor is 900", passed)
	}
}
