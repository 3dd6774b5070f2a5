package text_test

import (
	"fmt"

	"github.com/mailmold/mailmold/engine/text"
)

func ExampleConvert() {
	html := `<html><head><style>.preheader { display: none }</style></head><body>
<div class="preheader">Your order is on its way</div>
<h1>Thanks, Ann</h1>
<p>Track your parcel on <a href="https://shop.example/track/42">the carrier's site</a>.</p>
<table>
  <tr><th></th><th>Item</th><th align="right">Price</th></tr>
  <tr><td><img src="boots.jpg" alt="Hiking boots" width="48" height="48"></td><td>Hiking boots</td><td align="right">$74</td></tr>
  <tr><td><img src="socks.jpg" alt="Wool socks" width="48" height="48"></td><td>Wool socks</td><td align="right">$9</td></tr>
</table>
</body></html>`
	fmt.Print(text.Convert(html, text.Options{Links: text.References}))
	// Output:
	// THANKS, ANN
	//
	// Track your parcel on the carrier's site [1].
	//
	// ITEM          PRICE
	// Hiking boots    $74
	// Wool socks       $9
	//
	// [1] https://shop.example/track/42
}
