package mailchimp_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mailchimp"
	"github.com/mailmold/mailmold/engine/pongo"
)

func ExampleParse() {
	src := "Hi *|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*! *|IF:TIER = 'gold'|*Free shipping.*|END:IF|*"
	tr, err := mailchimp.Parse("promo.mc.html", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := pongo.Compile(tr, pongo.Options{Escape: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	st := eval.NewState(context.Background(), map[string]any{"first_name": "Ann", "tier": "gold"})
	if err := prog.Render(st, &b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.String())
	// Output:
	// Hi Ann! Free shipping.
}

func ExampleParse_error() {
	_, err := mailchimp.Parse("promo.mc.html", "Hi\n*|IF:TIER = 'gold|*x*|END:IF|*")
	fmt.Println(err)
	// Output:
	// promo.mc.html:2:13: unclosed string in *|IF:TIER = 'gold|*
}
