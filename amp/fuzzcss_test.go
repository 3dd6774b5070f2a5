package amp

import (
	"strings"
	"testing"
)

// FuzzSheet checks that the stylesheet sanitiser always writes balanced CSS that cannot
// close the <style> element.
func FuzzSheet(f *testing.F) {
	for _, s := range []string{`.a{color:red!important}`, `@media (max-width:600px){.a{width:100%}}`, `a:hover,.b::after{x:y}`,
		`@font-face{src:url(x)}`, `.a{background:url("https://x.example/a.png")}`, `.a{font-family:"</style>"}`, `@media screen{@media print{.a{b:c}}}`, `0{background:"{"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		parseSheetUncached(s).write(&b, nil)
		out := b.String()
		if !balanced(out) {
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

// balanced reports whether the braces outside CSS strings pair up, as a CSS tokenizer reads
// them: a brace inside a quoted string value is text, not structure, and a backslash escapes
// the character after it inside a string and outside one alike (\" is not a string, \} not
// a closing brace).
func balanced(css string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(css); i++ {
		c := css[i]
		switch {
		case c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0 && quote == 0
}
