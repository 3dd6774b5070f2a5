package filters

import (
	"bufio"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"
)

// TestStrftimeGlibc compares Strftime with glibc's strftime (which Ruby's follows for these
// directives) on times around year, week and day boundaries.
func TestStrftimeGlibc(t *testing.T) {
	f, err := os.Open("testdata/strftime_glibc.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		var c struct {
			unix   int64
			format string
			want   string
		}
		var row []any
		if err := json.Unmarshal([]byte(line), &row); err != nil || len(row) != 3 {
			t.Fatalf("bad line %q: %v", line, err)
		}
		c.unix, c.format, c.want = int64(row[0].(float64)), row[1].(string), row[2].(string)
		tm := time.Unix(c.unix, 0).UTC()
		if got := Strftime(tm, c.format); got != c.want {
			t.Errorf("Strftime(%s, %q) = %q; want %q", tm.Format(time.RFC3339), c.format, got, c.want)
		}
		n++
	}
	if n < 1000 {
		t.Errorf("only %d cases read", n)
	}
}

// TestStrftimeRuby covers what glibc does not share with Ruby: %L, %N and their widths,
// %:z and %::z, %v, %+, locale modifiers, negative years, and text that is not a directive.
func TestStrftimeRuby(t *testing.T) {
	plus1 := time.FixedZone("", 3600)
	t1 := time.Date(2016, 3, 4, 5, 6, 7, 123456789, time.UTC)
	t2 := time.Date(2016, 3, 4, 17, 6, 7, 0, plus1)
	t3 := time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	t4 := time.Date(2016, 3, 4, 5, 6, 7, 0, time.FixedZone("", -(5*3600+30*60+15)))
	tests := []struct {
		t    time.Time
		f    string
		want string
	}{
		{t1, "%L %N %3N %6N %12N %1L", "123 123456789 123 123456 123456789000 1"},
		{t1, "%v|%+", " 4-MAR-2016|Fri Mar  4 05:06:07 UTC 2016"},
		{t1, "%^c|%10x|%-10T", "FRI MAR  4 05:06:07 2016|  03/04/16|05:06:07"},
		{t1, "%Ey %Od %EC %OH|%Ez %Oq", "16 04 20 05|%Ez %Oq"},
		{t1, "%#a %#B %#Z %^p %#p %P %^P", "FRI MARCH utc AM am am AM"},
		{t2, "%z %:z %::z %:::z %Z|", "+0100 +01:00 +01:00:00 +01 |"},
		{t4, "%z %:z %::z %:::z", "-0530 -05:30 -05:30:15 -05:30:15"},
		{t2, "%I %l %p %s", "05  5 PM 1457107567"},
		{t3, "%Y %C %y %G", "-0001 -1 99 -0002"},
		{time.Unix(-5, 0).UTC(), "%s", "-5"},
		{t1, "100%% %", "100% %"},
		{t1, "%5 %:%:y %-", "%5 %:%:y %-"},
		{t1, "%010d|%_3m|%-3d|%3%", "0000000004|  3|4|  %"},
	}
	for _, tt := range tests {
		if got := Strftime(tt.t, tt.f); got != tt.want {
			t.Errorf("Strftime(%v, %q) = %q; want %q", tt.t, tt.f, got, tt.want)
		}
	}
}

// TestParseDate covers the date forms the date filter reads.
func TestParseDate(t *testing.T) {
	env := &Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	utc := func(y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2016-03-14", utc(2016, 3, 14, 0, 0, 0, 0)},
		{" 2016-3-4 ", utc(2016, 3, 4, 0, 0, 0, 0)},
		{"2016/03/14", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"2016-03-14T10:11:12Z", utc(2016, 3, 14, 10, 11, 12, 0)},
		{"2016-03-14T10:11:12.5Z", utc(2016, 3, 14, 10, 11, 12, 5e8)},
		{"2016-03-14 10:11:12 +0100", utc(2016, 3, 14, 9, 11, 12, 0)},
		{"2016-03-14T10:11:12.123456789-05:00", utc(2016, 3, 14, 15, 11, 12, 123456789)},
		{"2016-03-14 10:11 EST", utc(2016, 3, 14, 15, 11, 0, 0)},
		{"2016-03-14 10:11 pdt", utc(2016, 3, 14, 17, 11, 0, 0)},
		{"03/14/2016", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"3/4/16", utc(2016, 3, 4, 0, 0, 0, 0)},
		{"14.03.2016", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"March 14, 2016", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"march 14 2016 3:04 PM", utc(2016, 3, 14, 15, 4, 0, 0)},
		{"Mar 14, 16", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"14th of March 2016", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"14 Mar 2016 10:00", utc(2016, 3, 14, 10, 0, 0, 0)},
		{"14-Mar-2016", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"Sept 1st, 1999", utc(1999, 9, 1, 0, 0, 0, 0)},
		{"Mar 14", utc(2026, 3, 14, 0, 0, 0, 0)},
		{"March 2016", utc(2016, 3, 1, 0, 0, 0, 0)},
		{"Mon, 14 Mar 2016 10:00:00 GMT", utc(2016, 3, 14, 10, 0, 0, 0)},
		{"Monday, March 14, 2016 at 10:00", utc(2016, 3, 14, 10, 0, 0, 0)},
		{"Mon Mar 14 10:00:00 UTC 2016", utc(2016, 3, 14, 10, 0, 0, 0)},
		{"Mon Mar 14 10:00:00 2016", utc(2016, 3, 14, 10, 0, 0, 0)},
		{"Mon, 14 Mar 2016 10:00:00 +0000", utc(2016, 3, 14, 10, 0, 0, 0)},
		{"10:30 pm", utc(2026, 11, 24, 22, 30, 0, 0)},
		{"3pm", utc(2026, 11, 24, 15, 0, 0, 0)},
		{"12 a.m.", utc(2026, 11, 24, 0, 0, 0, 0)},
		{"12:15 p.m.", utc(2026, 11, 24, 12, 15, 0, 0)},
		{"NOW", utc(2026, 11, 24, 12, 0, 0, 0)},
		{"1457913600", utc(2016, 3, 14, 0, 0, 0, 0)},
		{"2016-02-29", utc(2016, 2, 29, 0, 0, 0, 0)},
		{"2015-02-29", time.Time{}},
		{"2016-13-01", time.Time{}},
		{"March 32, 2016", time.Time{}},
		{"25:00", time.Time{}},
		{"13:00 pm", time.Time{}},
		{"-1152098955", time.Time{}},
		{"hello", time.Time{}},
		{"Monday", time.Time{}},
		{"", time.Time{}},
		{"12345678901234567890", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseDate(env, tt.in)
		if ok != !tt.want.IsZero() || (ok && !got.Equal(tt.want)) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
	if got, _ := parseDate(env, "2016-03-14 10:11 +0100"); got.Format("-07:00") != "+01:00" {
		t.Errorf("zone offset lost: %v", got)
	}
	ny := time.FixedZone("NY", -5*3600)
	if got, _ := parseDate(&Env{Location: ny}, "2016-03-14 10:11"); got.Location() != ny || got.Hour() != 10 {
		t.Errorf("Env location not applied: %v", got)
	}
}

// FuzzStrftime formats arbitrary formats: never a panic, and output bounded by the format.
func FuzzStrftime(f *testing.F) {
	f.Add("%Y-%m-%d %H:%M:%S %z %:z %::z %Z %L %N %s", int64(1457913600), 123, 3600)
	f.Add("%-d %e %j %l %P %^a %#b %10A %_5m %012N %Ec %Oz %", int64(-62135596800), 0, -19800)
	f.Add("%v %+ %c %x %X %D %F %T %R %r %G %g %V %U %W %u %w %C %y %%", int64(253402300799), 999999999, 0)
	f.Fuzz(func(t *testing.T, format string, unix int64, nsec, offset int) {
		tm := time.Unix(unix, int64(nsec%1e9)).In(time.FixedZone("", offset%(18*3600)))
		out := Strftime(tm, format)
		if len(out) > 64*len(format)+1100*(len(format)/2+1) {
			t.Fatalf("output of %d bytes for a %d-byte format", len(out), len(format))
		}
	})
}

// FuzzParseDate reads arbitrary text as a date: never a panic, and a date read prints back.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2016-03-14T10:11:12.5Z", "March 14, 2016 3:04 PM", "14th of Mar 16", "Mon, 14 Mar 2016 10:00:00 +0000",
		"3/4/16", "14.03.2016", "10:30 pm EST", "12 a.m.", "now", "1457913600", "2016-02-30", "hello", "- + : . 99:99"} {
		f.Add(s)
	}
	env := &Env{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := parseDate(env, s)
		if ok && Strftime(tm, "%Y") == "" {
			t.Fatalf("parseDate(%q) = %v", s, tm)
		}
	})
}

// TestDecimalFastPath checks the allocation-free decimal arithmetic against big.Rat.
func TestDecimalFastPath(t *testing.T) {
	vals := []float64{0, 1, -1, 0.1, 0.2, 0.3, 10.1, 2.2, -7.25, 1e-7, 123456.789, 9007199254740991, 1.7976931348623157e308,
		5e-324, 3.14159, 2.675, 1.005, 99.99, 1e15, 1e16, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, -0.0}
	for _, a := range vals {
		for _, b := range vals {
			for _, o := range []op{opPlus, opMinus, opTimes, opDivide} {
				fast, ok := fastDecimalOp(o, a, b)
				if !ok || (o == opDivide && b == 0) {
					continue
				}
				x, y := decimal(a), decimal(b)
				var r big.Rat
				switch o {
				case opPlus:
					r.Add(x, y)
				case opMinus:
					r.Sub(x, y)
				case opTimes:
					r.Mul(x, y)
				case opDivide:
					r.Quo(x, y)
				}
				if slow, _ := r.Float64(); slow != fast {
					t.Errorf("op %d on %v, %v: fast %v, exact %v", o, a, b, fast, slow)
				}
			}
		}
	}
}
