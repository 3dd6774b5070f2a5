package htmltree_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/mailmold/mailmold/engine/htmltree"
	"golang.org/x/net/html"
)

func ExampleParse() {
	doc, err := htmltree.Parse(`<!doctype html><title>Hi</title><table><tr><td><a href="/x?a=1&amp;b=2" class=c>x</a></table>`)
	if err != nil {
		panic(err)
	}
	html.Render(os.Stdout, doc)
	// Output:
	// <!DOCTYPE html><html><head><title>Hi</title></head><body><table><tbody><tr><td><a class="c" href="/x?a=1&amp;b=2">x</a></td></tr></tbody></table></body></html>
}

func ExampleTryParse() {
	_, err := htmltree.TryParse(`<table>text in a table is foster parented</table>`)
	fmt.Println(errors.Is(err, htmltree.ErrUnsupported))
	// Output:
	// true
}
