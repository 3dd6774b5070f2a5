package htmltree

// Why returns where TryParse leaves the subset for src ("" when it does not).
func Why(src string) string {
	var at string
	whyUnsupported = func(file string, line int) { at = file + ":" + itoa(line) }
	defer func() { whyUnsupported = nil }()
	TryParse(src)
	return at
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
