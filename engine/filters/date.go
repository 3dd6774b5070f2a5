package filters

import (
	"math"
	"time"

	"github.com/mailmold/mailmold/engine/value"
)

func init() {
	ts := "1152098955" // 2006-07-05 11:29:15 UTC
	register("date", 1, 1, date,
		Example{In: "March 14, 2016", Args: []any{"%b %d, %y"}, Want: "Mar 14, 16"},
		Example{In: "March 14, 2016", Args: []any{"%%%b %d, %y"}, Want: "%Mar 14, 16"},
		Example{In: "March 14, 2016", Args: []any{"%s"}, Want: "1457913600"},
		Example{In: 1152098955, Args: []any{"%m/%d/%Y"}, Want: "07/05/2006"},
		Example{In: ts, Args: []any{"%m/%d/%Y %H:%M:%S %Z"}, Want: "07/05/2006 11:29:15 UTC"},
		Example{In: 1152098955.9, Args: []any{"%s.%L"}, Want: "1152098955.900"},
		Example{In: "-1152098955", Args: []any{"%m/%d/%Y"}, Want: "-1152098955"},
		Example{In: "2016-03-04T05:06:07.5+01:00", Args: []any{"%-d %e %j %l %P %z %:z %3N"}, Want: "4  4 064  5 am +0100 +01:00 500"},
		Example{In: "2016-03-14 17:30:00 -0500", Args: []any{"%A %I:%M %p %Z|%^a %-m/%-d"}, Want: "Monday 05:30 PM |MON 3/14"},
		Example{In: "Mon, 14 Mar 2016 10:00:00 GMT", Args: []any{"%F %T %Z"}, Want: "2016-03-14 10:00:00 UTC"},
		Example{In: "now", Args: []any{"%Y-%m-%d %H:%M"}, Want: "2026-11-24 12:00"},
		Example{In: "Today", Args: []any{"%B %-d"}, Want: "November 24"},
		Example{In: time.Date(2024, 2, 29, 23, 5, 0, 0, time.UTC), Args: []any{"%a %b %e %U %W %V %G %u %w %C %y"}, Want: "Thu Feb 29 08 09 09 2024 4 4 20 24"},
		Example{In: "not a date", Args: []any{"%Y"}, Want: "not a date"},
		Example{In: "March 14, 2016", Args: []any{nil}, Want: "March 14, 2016"},
		Example{In: "March 14, 2016", Args: []any{""}, Want: "March 14, 2016"},
		Example{In: nil, Args: []any{"%Y"}, Want: nil}, Example{In: 1.5, Args: []any{""}, Want: 1.5},
		Example{In: "March 14, 2016", Err: true}, Example{In: "March 14, 2016", Args: []any{"%Y", "foo"}, Err: true})
}

// date formats a date with Strftime. The input may be a time.Time, "now" or "today", unix
// seconds (an int, a float or a string of digits), or a date written in one of the forms
// parseDate reads; anything else, and an empty format, return the input unchanged.
func date(env *Env, in any, a []any, _ map[string]any) (any, error) {
	format := str(a[0])
	if format == "" || in == nil {
		return in, nil
	}
	t, ok := toTime(env, in)
	if !ok {
		return in, nil
	}
	return Strftime(t, format), nil
}

// toTime converts the input of the date filter.
func toTime(env *Env, in any) (time.Time, bool) {
	switch x := in.(type) {
	case time.Time:
		return x, true
	case int:
		return time.Unix(int64(x), 0).In(env.loc()), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e15 {
			return time.Time{}, false
		}
		sec, frac := math.Modf(x)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).In(env.loc()), true
	case string:
		return parseDate(env, x)
	case value.SafeHTML:
		return parseDate(env, string(x))
	}
	return time.Time{}, false
}
