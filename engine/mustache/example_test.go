package mustache_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mustache"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/tree"
)

// run compiles and renders a parsed template, for the examples.
func run(tr *tree.Template, data map[string]any) {
	prog, err := pongo.Compile(tr, pongo.Options{Escape: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	if err := prog.Render(eval.NewState(context.Background(), data), &b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(b.String())
}

func ExampleParse() {
	tr, err := mustache.Parse("hello.mustache", "Hi {{name}}!\n{{#items}}\n- {{.}}\n{{/items}}\n{{^items}}\nnothing\n{{/items}}\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	run(tr, map[string]any{"name": "Ann & Bo", "items": []any{"tea", "cake"}})
	// Output:
	// Hi Ann &amp; Bo!
	// - tea
	// - cake
}

func ExampleParse_error() {
	_, err := mustache.Parse("hello.mustache", "Hi {{name}}!\n{{#items}}\n- {{.}}\n{{/item}}\n")
	fmt.Println(err)
	// Output:
	// hello.mustache:4:1: '{{/item}}' closes section 'items' opened on line 2
}

func ExampleParseWith() {
	parents := map[string]string{"layout": "<h1>{{$title}}News{{/title}}</h1>\n{{$body}}{{/body}}\n"}
	load := func(name string) (string, string, error) { return "partials/" + name + ".mustache", parents[name], nil }
	src := "{{<layout}}\n{{$title}}Hello {{name}}{{/title}}\n{{$body}}<p>Spring sale</p>{{/body}}\n{{/layout}}\n"
	tr, err := mustache.ParseWith("sale.mustache", src, mustache.Options{Partial: load})
	if err != nil {
		fmt.Println(err)
		return
	}
	run(tr, map[string]any{"name": "Ann"})
	// Output:
	// <h1>Hello Ann</h1>
	// <p>Spring sale</p>
}

func ExampleParseHandlebars() {
	src := `{{#if (eq tier "gold")}}Gold{{else}}Hi{{/if}}, {{default name "there"}}:{{#each items}} {{@index}}={{this}}{{/each}}`
	tr, err := mustache.ParseHandlebars("hello.hbs", src)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	run(tr, map[string]any{"tier": "gold", "items": []any{"a", "b"}})
	// Output:
	// Gold, there: 0=a 1=b
}
