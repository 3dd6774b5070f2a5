package mustache_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/tree"
)

// seeds adds the templates and partials of the Mustache spec, the Handlebars fixtures and
// the bundled templates.
func seeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(specDir, "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var spec struct{ Tests []specCase }
		if err := json.Unmarshal(raw, &spec); err != nil {
			f.Fatal(err)
		}
		for _, c := range spec.Tests {
			f.Add(c.Template)
			for _, p := range c.Partials {
				f.Add(p)
			}
		}
	}
	more, _ := filepath.Glob("testdata/hbs/*.hbs")
	more = append(more, "../../templates/winback.mustache", "../../templates/winback.hbs")
	for _, p := range more {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
}

// checkErr fails unless err is nil or a *diag.Error positioned inside src.
func checkErr(t *testing.T, err error, src string) {
	if err == nil {
		return
	}
	var de *diag.Error
	if !errors.As(err, &de) || de.Line < 1 || de.Col < 1 {
		t.Fatalf("error without position: %v", err)
	}
}

// checkTree fails when a node's position lies outside src.
func checkTree(t *testing.T, tr *tree.Template, src string) {
	tree.Walk(tr.Body, func(n tree.Node) bool {
		if p := n.Position(); p.Offset < 0 || p.Offset > len(src) || p.Line < 1 || p.Col < 1 {
			t.Fatalf("%T at %+v outside the source (%d bytes)", n, p, len(src))
		}
		return true
	})
}

func FuzzMustache(f *testing.F) {
	seeds(f)
	f.Add("{{<p}}{{$a}}x{{/a}}{{/p}}{{<p}}{{/p}}")
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := mustache.Parse("f.mustache", s)
		checkErr(t, err, s)
		if err == nil {
			checkTree(t, tr, s)
		}
		// inheritance: every parent is the input itself (bounded by depth and budget)
		tr, err = mustache.ParseWith("f.mustache", s, mustache.Options{Partial: func(string) (string, string, error) { return "f.mustache", s, nil }})
		checkErr(t, err, s)
		if err == nil {
			checkTree(t, tr, s)
		}
	})
}

func FuzzHandlebars(f *testing.F) {
	seeds(f)
	f.Add(`{{#if (eq a (or b "c"))}}x{{else if d}}y{{else}}z{{/if}}{{#each l}}{{@index}}{{../x}}{{/each}}`)
	f.Add(`{{#live src="u"}}{{x}}{{else}}{{~y~}}{{/live}}\{{z}}{{~{w}~}}`)
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := mustache.ParseHandlebars("f.hbs", s)
		checkErr(t, err, s)
		if err == nil {
			checkTree(t, tr, s)
		}
	})
}
