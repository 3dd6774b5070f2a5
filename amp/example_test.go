package amp_test

import (
	"fmt"

	"github.com/mailmold/mailmold/amp"
)

func ExampleTransform() {
	r := amp.Transform(`<!doctype html>
<html lang="en"><head><style>.cta:hover{color:#fff !important}</style></head>
<body><center><a class="cta" href="javascript:go()">Go</a>
<img src="https://cdn.example/logo.png" width="120" height="40" alt="Logo"></center></body></html>`, amp.Options{})
	fmt.Println(r.OK)
	for _, d := range r.Diagnostics {
		fmt.Printf("%s %s %d:%d %s\n", d.Severity, d.Rule, d.Line, d.Col, d.Snippet)
	}
	fmt.Print(r.HTML)
	// Output:
	// true
	// warning amp-css 2:41 <style>
	// warning amp-link 3:15 <a class="cta" href="javascript:go()">
	// <!doctype html>
	// <html ⚡4email data-css-strict lang="en">
	// <head>
	// <meta charset="utf-8">
	// <script async src="https://cdn.ampproject.org/v0.js"></script>
	// <style amp4email-boilerplate>body{visibility:hidden}</style>
	// <style amp-custom>.cta:hover{color:#fff}</style>
	// </head>
	// <body><div style="text-align:center"><a class="cta">Go</a>
	// <amp-img src="https://cdn.example/logo.png" alt="Logo" width="120" height="40" layout="intrinsic"></amp-img></div></body>
	// </html>
}
