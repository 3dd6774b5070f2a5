package amp

import (
	"strings"
	"testing"
)

// FuzzSheet checks that the stylesheet sanitiser always writes balanced CSS that cannot
// close the <style> element.
func FuzzSheet(f *testing.F) {
	for _, s := range []string{`.a{color:red!important}`, `@media (max-width:600px){.a{width:100%}}`, `a:hover,.b::after{x:y}`,
		`@font-face{src:url(x)}`, `.a{background:url("https://x.example/a.png")}`, `.a{font-family:"</style>"}`, `@media screen{@media print{.a{b:c}}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		parseSheetUncached(s).write(&b, nil)
		out := b.String()
		if strings.Count(out, "{") != strings.Count(out, "}") {
			t.Fatalf("unbalanced: %q", out)
		}
		if strings.Contains(strings.ToLower(out), "</style") || strings.Contains(out, "<!--") || strings.Contains(out, "!important") {
			t.Fatalf("unsafe: %q", out)
		}
		in := sanitizeInlineUncached(s)
		if strings.Contains(strings.ToLower(in.css), "</") || strings.Contains(in.css, "!important") {
			t.Fatalf("unsafe inline: %q", in.css)
		}
	})
}
