package text

import (
	"slices"
	"testing"
)

func TestSelectorKey(t *testing.T) {
	tests := []struct {
		sel  string
		kind byte
		key  string
	}{
		{".preheader", '.', "preheader"},
		{"div.a.b", '.', "a"},
		{".wrap .inner", '.', "inner"},
		{".wrap>p", 't', "p"},
		{"td.hide-cell", '.', "hide-cell"},
		{"#legal", '#', "legal"},
		{"span#x.y", '.', "y"},
		{"CAPTION", 't', "caption"},
		{"p:not(.x)", 't', "p"},
		{":not(.x)", 0, ""},
		{"[class~=a] .b", '.', "b"},
		{".a [data-x]", 0, ""},
		{"*", 0, ""},
		{"u + .body .gmail-hide", '.', "gmail-hide"},
		{`.a\:b`, 0, ""},
		{"svg|rect", 0, ""},
	}
	for _, tc := range tests {
		if kind, key := selectorKey(tc.sel); kind != tc.kind || key != tc.key {
			t.Errorf("%q: got %q %q, want %q %q", tc.sel, kind, key, tc.kind, tc.key)
		}
	}
}

func TestSplitSelectorList(t *testing.T) {
	tests := map[string][]string{
		".a, .b":                    {".a", ".b"},
		`a[title="x,y"], :is(p, q)`: {`a[title="x,y"]`, ":is(p, q)"},
		" .a ,, .b ":                {".a", ".b"},
		`.a\,b, c`:                  {`.a\,b`, "c"},
	}
	for in, want := range tests {
		if got := splitSelectorList(in); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestZeroLength(t *testing.T) {
	for v, want := range map[string]bool{"0": true, "0px": true, "0.0em": true, "00": true, "0%": true,
		"": false, "px": false, "1px": false, "10": false, ".5": false, "none": false} {
		if got := zeroLength(v); got != want {
			t.Errorf("%q: got %v", v, got)
		}
	}
}

func TestHidingRulesBounded(t *testing.T) {
	src := ""
	for i := range 2 * maxHidingRules {
		src += ".c" + string(rune('a'+i%26)) + "{display:none}"
	}
	if p := parseHidingRules(src); len(p.rules) != maxHidingRules {
		t.Errorf("got %d rules", len(p.rules))
	}
}
