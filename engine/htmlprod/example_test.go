package htmlprod_test

import (
	"fmt"

	"github.com/mailmold/mailmold/engine/htmlprod"
)

func ExampleInline() {
	out, err := htmlprod.Inline(`<!DOCTYPE html><html><head><style>
.btn { color: #ffffff; background-color: #0b6bcb }
.btn:hover { background-color: #084f96 }
</style></head><body><a class="btn" href="https://example.com/">Go</a></body></html>`)
	fmt.Println(out, err)
	// Output:
	// <!DOCTYPE html><html><head><style type="text/css">.btn:hover {
	// background-color: #084f96 !important
	// }</style></head><body><a class="btn" href="https://example.com/" style="color:#ffffff;background-color:#0b6bcb">Go</a></body></html> <nil>
}

func ExampleMinify() {
	out, err := htmlprod.Minify(`<table border="0" cellpadding="0" cellspacing="0" width="600">
  <tr>
    <td style="padding: 0px 10px;">
      <!--[if mso]><w:anchorlock/><![endif]-->
      <a href="https://example.com/">Read</a> <b>more</b>
    </td>
  </tr>
</table>`)
	fmt.Println(out, err)
	// Output:
	// <table border="0" cellpadding="0" cellspacing="0" width="600"><tr><td style="padding:0 10px"><!--[if mso]><w:anchorlock/><![endif]--><a href="https://example.com/">Read</a> <b>more</b></td></tr></table> <nil>
}

func ExamplePipeline_Process() {
	p := htmlprod.New(htmlprod.Options{Inline: true, Minify: true})
	out, err := p.Process("<html><head><style>p { margin: 0 0 16px 0 }</style></head>\n<body>\n<p>Hello</p>\n</body></html>")
	fmt.Println(out, err)
	// Output:
	// <html><head></head><body><p style="margin:0 0 16px">Hello</p></body></html> <nil>
}

func ExampleCheckSize() {
	for _, n := range []int{40 * 1024, 90 * 1024, 120 * 1024} {
		sev, msg := htmlprod.CheckSize(n)
		fmt.Printf("%d KB: %q %q\n", n/1024, sev, msg)
	}
	// Output:
	// 40 KB: "" ""
	// 90 KB: "warning" "the HTML is 90.0 KB, close to Gmail's 102 KB limit (warning from 80 KB)"
	// 120 KB: "error" "the HTML is 120.0 KB, over Gmail's 102 KB limit: Gmail clips the message and hides the rest behind a link"
}
