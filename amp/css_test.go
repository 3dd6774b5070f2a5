package amp

import (
	"strings"
	"testing"
)

func TestSheet(t *testing.T) {
	tests := []struct {
		name, in, want string
		dropped        []string
	}{
		{"plain rule", `.a { color: red; }`, `.a{color:red}`, nil},
		{"important stripped", `.a { color: red !important; margin:0 ! important }`, `.a{color:red;margin:0}`, []string{"!important"}},
		{"disallowed property", `.a { color:red; mso-hide:all; behavior:url(x.htc); -webkit-text-size-adjust:100% }`, `.a{color:red}`,
			[]string{"property mso-hide", "property behavior", "property -webkit-text-size-adjust"}},
		{"rule with nothing left", `.a { mso-hide:all } .b{color:red}`, `.b{color:red}`, []string{"property mso-hide"}},
		{"at-rules", `@import url(https://x.example/a.css); @font-face { font-family:X; src:url(https://x.example/f.woff) } @supports (display:grid) { .a{display:grid} } @keyframes k { from {opacity:0} } .a{color:red}`,
			`.a{color:red}`, []string{"@import rule", "@font-face rule", "@supports rule", "@keyframes rule"}},
		{"media kept", `@media screen and (max-width: 600px) { .a { width:100% !important } }`, `@media screen and (max-width:600px){.a{width:100%}}`, []string{"!important"}},
		{"media query filtered", `@media screen, print { .a{color:red} } @media (prefers-color-scheme: dark) { .b{color:#fff} }`, `@media screen{.a{color:red}}`,
			[]string{"media query print", "media query (prefers-color-scheme:dark)"}},
		{"pseudo-classes", `a:hover, .b:first-child, .c:not(.d), .e:nth-child(2n+1) { color:red }`, `a:hover,.b:first-child,.c:not(.d),.e:nth-child(2n+1){color:red}`, nil},
		{"disallowed selectors", `a:visited, .b::after, .c:before, [data-x], a[x-apple-data-detectors], :root, .ok { color:red }`, `.ok{color:red}`,
			[]string{"selector a:visited (pseudo-class :visited)", "selector .b::after (pseudo-element)", "selector .c:before (pseudo-class :before)"}},
		{"combinators and universal", `* { margin:0 } u + #body a, .a > .b ~ .c { color:red }`, `*{margin:0}u+#body a,.a>.b~.c{color:red}`, nil},
		{"reserved names", `.i-amphtml-x { color:red } .y{color:blue}`, `.y{color:blue}`, []string{"selector .i-amphtml-x (reserved i-amphtml- name)"}},
		{"urls", `.a{background:url(https://x.example/a.png)} .b{background:url("http://x.example/b.png")} .c{background-image:url(data:image/png;base64,AA)} .d{background:url('https://x.example/d.png') no-repeat}`,
			`.a{background:url(https://x.example/a.png)}.d{background:url('https://x.example/d.png') no-repeat}`, []string{"non-https url() in background"}},
		{"value rules", `.a{z-index:5;visibility:hidden;cursor:pointer;transition:opacity .2s ease;filter:blur(2px)} .b{z-index:1000;visibility:collapse;cursor:default;transition:color 1s;filter:none;transition-property:all}`,
			`.a{z-index:5;visibility:hidden;cursor:pointer;transition:opacity .2s ease;filter:blur(2px)}`, []string{"value 1000 of z-index"}},
		{"no style break-out", `.a{font-family:"</style><script>"} .b{color:red}`, `.b{color:red}`, nil},
		{"custom properties", `.a{--x:1;color:var(--x)}`, `.a{color:var(--x)}`, []string{"custom property --x"}},
		{"broken css", `.a{color:red .b{`, `.a{color:red .b{}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh := parseSheetUncached(tc.in)
			var b strings.Builder
			sh.write(&b, nil)
			if tc.name == "broken css" {
				// whatever it recovers must still be balanced
				if strings.Count(b.String(), "{") != strings.Count(b.String(), "}") {
					t.Errorf("unbalanced %q", b.String())
				}
				return
			}
			if b.String() != tc.want {
				t.Errorf("got  %q\nwant %q", b.String(), tc.want)
			}
			for _, d := range tc.dropped {
				found := false
				for _, x := range sh.dropped {
					found = found || x.what == d
				}
				if !found {
					t.Errorf("%q not reported in %+v", d, sh.dropped)
				}
			}
		})
	}
}

func TestSheetPruning(t *testing.T) {
	sh := parseSheetUncached(`.used{color:red} .unused{color:blue} #id .used, .gone .used{margin:0} .x:not(.absent){padding:0} p{margin:0}`)
	used := map[string]bool{".used": true, "#id": true, ".x": true}
	var b strings.Builder
	sh.write(&b, func(refs []string) bool {
		for _, r := range refs {
			if !used[r] {
				return false
			}
		}
		return true
	})
	if want := `.used{color:red}#id .used{margin:0}.x:not(.absent){padding:0}p{margin:0}`; b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestInlineStyle(t *testing.T) {
	tests := []struct{ in, css, noSize, width, height string }{
		{"color: red; mso-line-height-rule: exactly; width: 120px; height:auto !important", "color:red;width:120px;height:auto", "color:red", "120px", "auto"},
		{"", "", "", "", ""},
		{"background:url(http://x.example/a.png); display:block", "display:block", "display:block", "", ""},
		{"max-width:600px;width:100%", "max-width:600px;width:100%", "max-width:600px", "100%", ""},
	}
	for _, tc := range tests {
		s := sanitizeInlineUncached(tc.in)
		if s.css != tc.css || s.noSize != tc.noSize || s.width != tc.width || s.height != tc.height {
			t.Errorf("%q: got %+v", tc.in, *s)
		}
	}
}

func TestParseLength(t *testing.T) {
	for in, want := range map[string]length{"600": {px: 600}, " 600px ": {px: 600}, "100%": {pct: 100}, "auto": {}, "-5": {}, "12.6": {px: 13}, "": {}, "50 %": {pct: 50}} {
		if got := parseLength(in); got != want {
			t.Errorf("%q: got %+v, want %+v", in, got, want)
		}
	}
}
