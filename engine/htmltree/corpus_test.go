package htmltree_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/workspace"
)

// doc is one document of the differential corpus.
type doc struct {
	name, src string
	bundled   bool // a master document of a bundled template: must take the fast path
}

var (
	corpusOnce sync.Once
	corpusDocs []doc
	corpusErr  error
)

// corpus is every HTML document the repository has: the masters of every bundled template
// rendered for every profile (bundled, fixture and hostile) with the production and the
// plain options, the fixture emails, the amp, htmlprod and mailchimp test inputs and
// goldens, the template sources, and every fuzz corpus entry of the repository.
func corpus(tb testing.TB) []doc {
	corpusOnce.Do(func() { corpusDocs, corpusErr = loadCorpus() })
	if corpusErr != nil {
		tb.Fatal(corpusErr)
	}
	return corpusDocs
}

func loadCorpus() ([]doc, error) {
	var docs []doc
	seen := map[string]bool{}
	add := func(d doc) {
		if !seen[d.src] {
			seen[d.src] = true
			docs = append(docs, d)
		}
	}
	masters, err := bundledMasters()
	if err != nil {
		return nil, err
	}
	for _, d := range masters {
		add(d)
	}
	for _, pattern := range []string{
		"../../fixtures/emails/*.html", "../../fixtures/bench/*.html",
		"../../amp/testdata/*.html", "../../amp/testdata/*.golden", "../../amp/testdata/*/*.golden",
		"../htmlprod/testdata/*.html", "../htmlprod/testdata/golden/*.html",
		"../mailchimp/testdata/*.html", "../text/testdata/golden/*.txt",
		"../../templates/*.*", "../../templates/partials/*", "../../preview/assets/*.html",
	} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			add(doc{name: f, src: string(b)})
		}
	}
	for _, f := range fuzzFiles() {
		for i, s := range fuzzStrings(f) {
			add(doc{name: f + "#" + strconv.Itoa(i), src: s})
		}
	}
	return docs, nil
}

// bundledMasters renders the master document of every bundled template for every profile.
func bundledMasters() ([]doc, error) {
	now := func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }
	ws, err := workspace.Open("", now)
	if err != nil {
		return nil, err
	}
	profiles := append([]workspace.Profile(nil), ws.Profiles...)
	for _, pattern := range []string{"../../fixtures/profiles/*.json", "../../fixtures/hostile/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			if p, err := workspace.DecodeProfile(raw); err == nil {
				profiles = append(profiles, p)
			}
		}
	}
	var docs []doc
	for _, n := range ws.Templates {
		for _, plain := range []bool{false, true} {
			tpl, err := ws.Compile(n, func(o *engine.Options) { o.NoInline, o.NoMinify = plain, plain })
			if err != nil {
				return nil, err
			}
			for _, p := range profiles {
				m, err := tpl.Render(context.Background(), p.Data)
				if err != nil || m.Master == "" {
					continue // limits of hostile profiles; tested elsewhere
				}
				docs = append(docs, doc{name: n + "/" + p.ID + map[bool]string{true: "/plain"}[plain], src: m.Master, bundled: true})
			}
		}
	}
	return docs, nil
}

// fuzzFiles lists the fuzz corpus entries of every package.
func fuzzFiles() []string {
	var files []string
	filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(filepath.ToSlash(path), "/testdata/fuzz/") {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files
}

// fuzzStrings returns the string and []byte values of a "go test fuzz v1" file.
func fuzzStrings(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "go test fuzz v1") {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n")[1:] {
		for _, prefix := range []string{"string(", "[]byte("} {
			if rest, ok := strings.CutPrefix(line, prefix); ok && strings.HasSuffix(rest, ")") {
				if s, err := strconv.Unquote(rest[:len(rest)-1]); err == nil {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
