package filters

import (
	"strconv"
	"strings"
	"time"
)

func init() {
	register("date", 1, 1, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		if a[0] == nil || str(a[0]) == "" {
			return in, nil
		}
		t, ok := parseTime(env, in)
		if !ok {
			return in, nil
		}
		return Strftime(t, str(a[0])), nil
	}, Example{"2026-11-24T12:00:00Z", []any{"%b %-d, %Y"}, "Nov 24, 2026"}, Example{"March 14, 2016", []any{"%s"}, "1457913600"})
}

var dateLayouts = []string{
	time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "2006/01/02", "January 2, 2006", "January 2 2006",
	"Jan 2, 2006", "Jan 2 2006", "2 January 2006", "2 Jan 2006", "Mon, 02 Jan 2006 15:04:05 -0700", time.RFC1123, time.RFC1123Z,
	time.RubyDate, time.UnixDate, time.ANSIC,
}

// parseTime reads the input of the date filter.
func parseTime(env *Env, in any) (time.Time, bool) {
	switch x := in.(type) {
	case time.Time:
		return x, true
	case int:
		return time.Unix(int64(x), 0).In(env.loc()), true
	case float64:
		return time.Unix(int64(x), 0).In(env.loc()), true
	}
	s := strings.TrimSpace(str(in))
	switch strings.ToLower(s) {
	case "now", "today":
		return env.now(), true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return time.Time{}, false
		}
		return time.Unix(n, 0).In(env.loc()), true
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, env.loc()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Strftime formats t with Ruby's strftime directives, including the `-` (no padding), `_`
// (space padding), `0` and `^` (upcase) flags.
func Strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		flag := byte(0)
		if f[i] == '-' || f[i] == '_' || f[i] == '0' || f[i] == '^' {
			flag = f[i]
			i++
			if i >= len(f) {
				b.WriteByte('%')
				b.WriteByte(flag)
				break
			}
		}
		num := func(n, width int, pad byte) {
			s := strconv.Itoa(n)
			switch flag {
			case '-':
			case '_':
				pad = ' '
				fallthrough
			default:
				if flag == '0' {
					pad = '0'
				}
				for len(s) < width {
					s = string(pad) + s
				}
			}
			b.WriteString(s)
		}
		text := func(s string) {
			if flag == '^' {
				s = strings.ToUpper(s)
			}
			b.WriteString(s)
		}
		switch f[i] {
		case 'Y':
			num(t.Year(), 0, '0')
		case 'C':
			num(t.Year()/100, 2, '0')
		case 'y':
			num(t.Year()%100, 2, '0')
		case 'm':
			num(int(t.Month()), 2, '0')
		case 'B':
			text(t.Month().String())
		case 'b', 'h':
			text(t.Month().String()[:3])
		case 'd':
			num(t.Day(), 2, '0')
		case 'e':
			num(t.Day(), 2, ' ')
		case 'j':
			num(t.YearDay(), 3, '0')
		case 'H':
			num(t.Hour(), 2, '0')
		case 'k':
			num(t.Hour(), 2, ' ')
		case 'I':
			num((t.Hour()+11)%12+1, 2, '0')
		case 'l':
			num((t.Hour()+11)%12+1, 2, ' ')
		case 'M':
			num(t.Minute(), 2, '0')
		case 'S':
			num(t.Second(), 2, '0')
		case 'L':
			num(t.Nanosecond()/1e6, 3, '0')
		case 'N':
			num(t.Nanosecond(), 9, '0')
		case 'p':
			if t.Hour() < 12 {
				text("AM")
			} else {
				text("PM")
			}
		case 'P':
			if t.Hour() < 12 {
				b.WriteString("am")
			} else {
				b.WriteString("pm")
			}
		case 'A':
			text(t.Weekday().String())
		case 'a':
			text(t.Weekday().String()[:3])
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			num(wd, 0, '0')
		case 'w':
			num(int(t.Weekday()), 0, '0')
		case 'U':
			num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'W':
			num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
		case 'G':
			y, _ := t.ISOWeek()
			num(y, 0, '0')
		case 'V':
			_, w := t.ISOWeek()
			num(w, 2, '0')
		case 'Z':
			z, _ := t.Zone()
			text(z)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'D', 'x':
			b.WriteString(Strftime(t, "%m/%d/%y"))
		case 'F':
			b.WriteString(Strftime(t, "%Y-%m-%d"))
		case 'T', 'X':
			b.WriteString(Strftime(t, "%H:%M:%S"))
		case 'R':
			b.WriteString(Strftime(t, "%H:%M"))
		case 'r':
			b.WriteString(Strftime(t, "%I:%M:%S %p"))
		case 'c':
			b.WriteString(Strftime(t, "%a %b %e %H:%M:%S %Y"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			if flag != 0 {
				b.WriteByte(flag)
			}
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
