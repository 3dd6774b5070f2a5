package amp

import "testing"

// TestURLChecks: the byte scans behind the URL guards, at the start, the middle and the end
// of a URL and across case.
func TestURLChecks(t *testing.T) {
	for _, c := range []struct {
		url                 string
		templated, reserved bool
	}{
		{"https://x.example/a?b=c", false, false},
		{"https://x.example/a b", true, false},
		{"\thttps://x.example/", true, false},
		{"https://x.example/\"", true, false},
		{"https://x.example/<", true, false},
		{"https://x.example/{{ id }}", true, false},
		{"https://x.example/{% if %}", true, false},
		{"https://x.example/{a}*b", false, false},
		{"https://x.example/*|EMAIL|*", true, false},
		{"https://x.example/?__amp_source_origin=1", false, true},
		{"https://x.example/?__AMP_Source_Origin", false, true},
		{"__amp_source_origin", false, true},
		{"https://x.example/?_amp_source_origin", false, false},
		{"https://x.example/?__amp_source_origi", false, false},
		{"___amp_source_origin_", false, true},
	} {
		if got := templatedOrUnsafe(c.url); got != c.templated {
			t.Errorf("templatedOrUnsafe(%q) = %v", c.url, got)
		}
		if got := reservedURL(c.url); got != c.reserved {
			t.Errorf("reservedURL(%q) = %v", c.url, got)
		}
	}
}
