package filters

import (
	"strconv"
	"strings"
	"time"
)

// Strftime formats t with Ruby's Time#strftime directives:
//
//	%Y %C %y %m %B %b %h %d %e %j    year, century, year%100, month, month names, day, day of year
//	%H %k %I %l %M %S %L %N %p %P    hours (24 h, 12 h), minutes, seconds, milli/nanoseconds, AM/PM
//	%A %a %u %w %U %W %G %g %V       weekday names and numbers, week numbers (Sunday, Monday, ISO)
//	%z %:z %::z %Z %s                UTC offset, zone name, seconds since the epoch
//	%c %D %x %F %T %X %R %r %v %+    composites; %n %t %% newline, tab, percent
//
// A directive may carry flags (- no padding, _ space padding, 0 zero padding, ^ upper case,
// # change case) and a width (%3N: milliseconds; %10A: padded to 10). An unknown directive is
// written as it is.
func Strftime(t time.Time, format string) string {
	var b strings.Builder
	b.Grow(len(format) + 16)
	strftime(&b, t, format)
	return b.String()
}

// directive is one parsed %-sequence.
type directive struct {
	pad    byte // 0: the conversion's default; '-': none; '_': spaces; '0': zeros
	upper  bool // ^
	swap   bool // #
	width  int  // 0: the conversion's default
	colons int  // for %z
}

func strftime(b *strings.Builder, t time.Time, f string) {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		start := i
		var d directive
		j := i + 1
	flags:
		for ; j < len(f); j++ {
			switch f[j] {
			case '-', '_', '0':
				d.pad = f[j]
			case '^':
				d.upper = true
			case '#':
				d.swap = true
			default:
				break flags
			}
		}
		for ; j < len(f) && f[j] >= '0' && f[j] <= '9'; j++ {
			d.width = min(d.width*10+int(f[j]-'0'), maxWidth)
		}
		for ; j < len(f) && f[j] == ':'; j++ {
			d.colons++
		}
		if j < len(f) && (f[j] == 'E' || f[j] == 'O') && j+1 < len(f) && strings.IndexByte(localeModified[f[j]], f[j+1]) >= 0 {
			j++ // POSIX locale modifiers: ignored, as Ruby does
		}
		if j >= len(f) || (d.colons > 0 && f[j] != 'z') || !d.format(b, t, f[j]) {
			end := min(j+1, len(f))
			b.WriteString(f[start:end]) // not a directive: written as it is
			i = end - 1
			continue
		}
		i = j
	}
}

// maxWidth bounds a directive's width (Ruby has no bound; %1000000Y would write a megabyte).
const maxWidth = 1024

var localeModified = map[byte]string{'E': "cCxXyY", 'O': "deHImMSuUVwWy"}

var weekdays = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// format writes one conversion; it reports false for an unknown conversion character.
func (d directive) format(b *strings.Builder, t time.Time, c byte) bool {
	switch c {
	case 'Y':
		d.num(b, t.Year(), yearWidth(t.Year()), '0')
	case 'C':
		d.num(b, floorDiv(t.Year(), 100), 2, '0')
	case 'y':
		d.num(b, mod(t.Year(), 100), 2, '0')
	case 'm':
		d.num(b, int(t.Month()), 2, '0')
	case 'd':
		d.num(b, t.Day(), 2, '0')
	case 'e':
		d.num(b, t.Day(), 2, ' ')
	case 'j':
		d.num(b, t.YearDay(), 3, '0')
	case 'H':
		d.num(b, t.Hour(), 2, '0')
	case 'k':
		d.num(b, t.Hour(), 2, ' ')
	case 'I':
		d.num(b, (t.Hour()+11)%12+1, 2, '0')
	case 'l':
		d.num(b, (t.Hour()+11)%12+1, 2, ' ')
	case 'M':
		d.num(b, t.Minute(), 2, '0')
	case 'S':
		d.num(b, t.Second(), 2, '0')
	case 'L':
		d.fraction(b, t, 3)
	case 'N':
		d.fraction(b, t, 9)
	case 'u':
		d.num(b, (int(t.Weekday())+6)%7+1, 1, '0')
	case 'w':
		d.num(b, int(t.Weekday()), 1, '0')
	case 'U':
		d.num(b, (t.YearDay()-1+7-int(t.Weekday()))/7, 2, '0')
	case 'W':
		d.num(b, (t.YearDay()-1+7-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		d.num(b, y, yearWidth(y), '0')
	case 'g':
		y, _ := t.ISOWeek()
		d.num(b, mod(y, 100), 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		d.num(b, w, 2, '0')
	case 's':
		d.num(b, int(t.Unix()), 1, '0')
	case 'B':
		d.text(b, t.Month().String(), true)
	case 'b', 'h':
		d.text(b, t.Month().String()[:3], true)
	case 'A':
		d.text(b, weekdays[t.Weekday()], true)
	case 'a':
		d.text(b, weekdays[t.Weekday()][:3], true)
	case 'p', 'P':
		s := "AM"
		if t.Hour() >= 12 {
			s = "PM"
		}
		if c == 'P' || d.swap {
			s = strings.ToLower(s)
		}
		d.swap = false
		d.text(b, s, false)
	case 'Z':
		name, _ := t.Zone()
		if d.swap {
			name, d.swap = strings.ToLower(name), false
		}
		d.text(b, name, false)
	case 'z':
		d.offset(b, t)
	case 'c':
		d.composite(b, t, "%a %b %e %H:%M:%S %Y")
	case 'D', 'x':
		d.composite(b, t, "%m/%d/%y")
	case 'F':
		d.composite(b, t, "%Y-%m-%d")
	case 'T', 'X':
		d.composite(b, t, "%H:%M:%S")
	case 'R':
		d.composite(b, t, "%H:%M")
	case 'r':
		d.composite(b, t, "%I:%M:%S %p")
	case 'v':
		d.composite(b, t, "%e-%^b-%Y")
	case '+':
		d.composite(b, t, "%a %b %e %H:%M:%S %Z %Y")
	case 'n':
		d.text(b, "\n", false)
	case 't':
		d.text(b, "\t", false)
	case '%':
		d.text(b, "%", false)
	default:
		return false
	}
	return true
}

// num writes n padded to the directive's width (or width) with its padding (or pad); a
// minus sign goes before zero padding.
func (d directive) num(b *strings.Builder, n, width int, pad byte) {
	if d.width > 0 {
		width = d.width
	}
	switch d.pad {
	case '-':
		width = 0
	case '_':
		pad = ' '
	case '0':
		pad = '0'
	}
	s := strconv.Itoa(n)
	neg := n < 0
	if neg && pad == '0' {
		b.WriteByte('-')
		s = s[1:]
		width--
	}
	for k := len(s); k < width; k++ {
		b.WriteByte(pad)
	}
	b.WriteString(s)
}

// fraction writes the fractional seconds with width digits (default digits).
func (d directive) fraction(b *strings.Builder, t time.Time, digits int) {
	if d.width > 0 {
		digits = d.width
	}
	s := strconv.Itoa(t.Nanosecond() + 1e9)[1:] // nine digits
	if digits <= 9 {
		b.WriteString(s[:digits])
		return
	}
	b.WriteString(s)
	for k := 9; k < digits; k++ {
		b.WriteByte('0')
	}
}

// text writes s with the case flags (# upcases when swap is allowed) and padding to the
// width, spaces by default.
func (d directive) text(b *strings.Builder, s string, swapUpcases bool) {
	if d.upper || (d.swap && swapUpcases) {
		s = strings.ToUpper(s)
	}
	if d.pad != '-' {
		pad := byte(' ')
		if d.pad == '0' {
			pad = '0'
		}
		for k := len(s); k < d.width; k++ {
			b.WriteByte(pad)
		}
	}
	b.WriteString(s)
}

func (d directive) composite(b *strings.Builder, t time.Time, format string) {
	var inner strings.Builder
	strftime(&inner, t, format)
	d.text(b, inner.String(), true)
}

// offset writes %z: +hhmm, %:z +hh:mm, %::z +hh:mm:ss, %:::z as short as exact.
func (d directive) offset(b *strings.Builder, t time.Time) {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off/60%60, off%60
	two := func(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }
	var body string
	switch d.colons {
	case 0:
		body = two(h) + two(m)
	case 1:
		body = two(h) + ":" + two(m)
	case 2:
		body = two(h) + ":" + two(m) + ":" + two(s)
	default:
		body = two(h)
		if m != 0 || s != 0 {
			body += ":" + two(m)
		}
		if s != 0 {
			body += ":" + two(s)
		}
	}
	pad := byte('0')
	if d.pad == '_' {
		pad = ' '
	}
	width := d.width
	if d.pad == '-' {
		width = 0
	}
	if pad == ' ' {
		for k := len(body) + 1; k < width; k++ {
			b.WriteByte(' ')
		}
	}
	b.WriteByte(sign)
	if pad == '0' {
		for k := len(body) + 1; k < width; k++ {
			b.WriteByte('0')
		}
	}
	b.WriteString(body)
}

// yearWidth is the default width of %Y and %G: four digits, after the sign of a negative year.
func yearWidth(y int) int {
	if y < 0 {
		return 5
	}
	return 4
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func mod(a, b int) int {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
