package templates_test

import (
	"fmt"
	"io/fs"

	"github.com/mailmold/mailmold/templates"
)

// ExampleFS lists the bundled Liquid campaigns and partials.
func ExampleFS() {
	names, _ := fs.Glob(templates.FS, "*.liquid")
	partials, _ := fs.Glob(templates.FS, "partials/*")
	fmt.Println(names)
	fmt.Println(partials)
	// Output:
	// [cart.liquid newsletter.liquid post_purchase.liquid welcome.liquid winback.liquid]
	// [partials/footer.liquid partials/header.liquid]
}
