package filters

import (
	"strings"
	"time"
)

// parseDate reads a date the way Ruby's Time.parse reads the common forms: "now" and
// "today"; unix seconds as a string of digits; ISO 8601 and RFC 3339 ("2016-03-14",
// "2016-03-14T10:00:00.5Z", "2016-03-14 10:00:00 +0100"); "2016/03/14"; US "03/14/2016";
// European "14.03.2016"; month names in any order with optional weekday, ordinal and comma
// ("March 14, 2016", "14th Mar 2016", "Mon, 14 Mar 2016 10:00:00 GMT", "Mar 14" in the current
// year); a time alone ("10:30 pm", today). Times take "am"/"pm", fractions of seconds and a zone
// (Z, UTC, GMT, +hh:mm, +hhmm, +hh, or the US abbreviations EST...PDT); without a zone the
// Env's location applies. Anything else, and out-of-range fields, report false.
func parseDate(env *Env, s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 100 {
		return time.Time{}, false
	}
	lower := strings.ToLower(s)
	if lower == "now" || lower == "today" {
		return env.now(), true
	}
	if allDigits(s) {
		if len(s) > 15 {
			return time.Time{}, false
		}
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return time.Unix(int64(n), 0).In(env.loc()), true
	}
	if len(s) >= 10 && s[4] == '-' && isDigit(s[0]) { // fast paths: ISO date, RFC 3339
		if len(s) == 10 {
			if t, err := time.ParseInLocation("2006-01-02", s, env.loc()); err == nil {
				return t, true
			}
		} else if t, err := time.ParseInLocation(time.RFC3339Nano, s, time.UTC); err == nil {
			if t.Location() == time.UTC && s[len(s)-1] != 'Z' {
				t = t.In(time.FixedZone("", 0)) // +00:00 is an offset, not the UTC zone
			}
			return t, true
		}
	}
	p := dateParser{toks: tokenize(lower), year: -1, month: -1, day: -1, hour: -1}
	if !p.parse() {
		return time.Time{}, false
	}
	return p.build(env)
}

type tokKind int

const (
	tNum tokKind = iota
	tWord
	tPunct
)

type token struct {
	kind  tokKind
	text  string
	space bool // preceded by whitespace
	used  bool
}

// tokenize splits s into runs of digits, runs of letters and single other characters;
// whitespace only separates.
func tokenize(s string) []token {
	var toks []token
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			space = true
			i++
			continue
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tNum, text: s[i:j], space: space})
			i = j
		case c >= 'a' && c <= 'z':
			j := i
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			toks = append(toks, token{kind: tWord, text: s[i:j], space: space})
			i = j
		default:
			toks = append(toks, token{kind: tPunct, text: s[i : i+1], space: space})
			i++
		}
		space = false
	}
	return toks
}

type dateParser struct {
	toks                     []token
	year, month, day         int
	hour, min, sec, nsec     int
	zone                     *time.Location
	twoDigitYear, sawAnyDate bool
}

func (p *dateParser) at(i int, kind tokKind, text string) bool {
	return i >= 0 && i < len(p.toks) && !p.toks[i].used && p.toks[i].kind == kind && (text == "" || p.toks[i].text == text)
}

func (p *dateParser) num(i, minLen, maxLen int) (int, bool) {
	if !p.at(i, tNum, "") || len(p.toks[i].text) < minLen || len(p.toks[i].text) > maxLen {
		return 0, false
	}
	n := 0
	for _, c := range p.toks[i].text {
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (p *dateParser) use(from, to int) {
	for i := from; i < to; i++ {
		p.toks[i].used = true
	}
}

// parse finds a numeric date, a time, a zone and a month-name date, in that order, and
// reports whether a date or a time was found and nothing unknown was left.
func (p *dateParser) parse() bool {
	p.numericDate()
	found := p.sawAnyDate
	if p.clock() {
		found = true
		p.zoneAfterTime()
	}
	if p.namedDate() {
		found = true
	}
	for _, t := range p.toks {
		if t.used {
			continue
		}
		switch {
		case t.kind == tWord && (weekdayWord(t.text) || t.text == "t" || t.text == "of" || t.text == "at" || ordinalSuffix(t.text)):
		case t.kind == tPunct && strings.Contains("-/.", t.text):
		default:
			return false
		}
	}
	return found
}

// numericDate finds yyyy-mm-dd (also / and .), mm/dd/yyyy, dd.mm.yyyy and dd-mm-yyyy.
func (p *dateParser) numericDate() {
	for i := 0; i+4 < len(p.toks); i++ {
		sep := p.toks[i+1].text
		if !p.at(i+1, tPunct, "") || !strings.Contains("-/.", sep) || !p.at(i+3, tPunct, sep) {
			continue
		}
		if y, ok := p.num(i, 4, 4); ok {
			m, ok1 := p.num(i+2, 1, 2)
			d, ok2 := p.num(i+4, 1, 2)
			if ok1 && ok2 {
				p.year, p.month, p.day = y, m, d
				p.use(i, i+5)
				p.sawAnyDate = true
				return
			}
		}
		a, ok1 := p.num(i, 1, 2)
		b, ok2 := p.num(i+2, 1, 2)
		y, ok3 := p.num(i+4, 2, 4)
		if ok1 && ok2 && ok3 && len(p.toks[i+4].text) != 3 {
			if sep == "/" {
				p.month, p.day = a, b
			} else {
				p.day, p.month = a, b
			}
			p.year, p.twoDigitYear = y, len(p.toks[i+4].text) == 2
			p.use(i, i+5)
			p.sawAnyDate = true
			return
		}
	}
}

// clock finds hh:mm[:ss[.frac]] [am|pm], or hh am|pm.
func (p *dateParser) clock() bool {
	for i := range p.toks {
		h, ok := p.num(i, 1, 2)
		if !ok {
			continue
		}
		end := i + 1
		if m, ok := p.num(i+2, 2, 2); ok && p.at(i+1, tPunct, ":") {
			p.hour, p.min = h, m
			end = i + 3
			if s, ok := p.num(end+1, 2, 2); ok && p.at(end, tPunct, ":") {
				p.sec = s
				end += 2
				if (p.at(end, tPunct, ".") || p.at(end, tPunct, ",")) && p.at(end+1, tNum, "") {
					frac := p.toks[end+1].text
					frac = (frac + "000000000")[:9]
					for _, c := range frac {
						p.nsec = p.nsec*10 + int(c-'0')
					}
					end += 2
				}
			}
		} else if !p.meridian(end) {
			continue
		} else {
			p.hour = h
		}
		if p.meridian(end) {
			if p.hour < 1 || p.hour > 12 {
				return false
			}
			pm := p.toks[end].text[0] == 'p'
			p.hour %= 12
			if pm {
				p.hour += 12
			}
			end += p.meridianLen(end)
		}
		p.use(i, end)
		return true
	}
	return false
}

func (p *dateParser) meridian(i int) bool { return p.meridianLen(i) > 0 }

// meridianLen is the number of tokens of "am", "pm", "a.m." or "p.m." at i (0 if none).
func (p *dateParser) meridianLen(i int) int {
	switch {
	case p.at(i, tWord, "am"), p.at(i, tWord, "pm"):
		return 1
	case (p.at(i, tWord, "a") || p.at(i, tWord, "p")) && p.at(i+1, tPunct, ".") && p.at(i+2, tWord, "m"):
		if p.at(i+3, tPunct, ".") {
			return 4
		}
		return 3
	}
	return 0
}

var usZones = map[string]int{"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}

// zoneAfterTime reads a zone written after the time.
func (p *dateParser) zoneAfterTime() {
	for i := range p.toks {
		if p.toks[i].used {
			continue
		}
		switch {
		case p.at(i, tWord, "z"), p.at(i, tWord, "utc"), p.at(i, tWord, "gmt"), p.at(i, tWord, "ut"):
			p.zone = time.UTC
			p.use(i, i+1)
		case p.at(i, tWord, ""):
			h, ok := usZones[p.toks[i].text]
			if !ok {
				continue
			}
			p.zone = time.FixedZone(strings.ToUpper(p.toks[i].text), h*3600)
			p.use(i, i+1)
		case p.at(i, tPunct, "+"), p.at(i, tPunct, "-"):
			sign := 1
			if p.toks[i].text == "-" {
				sign = -1
			}
			var h, m int
			n := 0
			if v, ok := p.num(i+1, 4, 4); ok {
				h, m, n = v/100, v%100, 2
			} else if hh, ok := p.num(i+1, 1, 2); ok {
				h, n = hh, 2
				if mm, ok := p.num(i+3, 2, 2); ok && p.at(i+2, tPunct, ":") {
					m, n = mm, 4
				}
			}
			if n == 0 || h > 23 || m > 59 {
				continue
			}
			p.zone = time.FixedZone("", sign*(h*3600+m*60))
			p.use(i, i+n)
		default:
			continue
		}
		return
	}
}

var monthWords = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// namedDate finds a month name with its day and year: "march 14 2016", "14 mar 2016",
// "mar 14" (current year), "march 2016" (the first).
func (p *dateParser) namedDate() bool {
	for i := range p.toks {
		if !p.at(i, tWord, "") {
			continue
		}
		m, ok := monthWords[p.toks[i].text]
		if !ok || p.month >= 0 {
			continue
		}
		p.month = m
		p.use(i, i+1)
		// the day: a 1-2 digit number right after the month ("mar 14", "mar-14") or right before
		// it ("14 mar", "14th of mar", "14-mar")
		after, before := i+1, i-1
		if p.at(after, tPunct, "-") || p.at(after, tPunct, ".") {
			after++
		}
		for before >= 0 && (p.at(before, tPunct, "-") || p.at(before, tWord, "of") || p.at(before, tWord, "") && ordinalSuffix(p.toks[before].text)) {
			before--
		}
		for _, j := range []int{after, before} {
			if d, ok := p.num(j, 1, 2); ok && j >= 0 && d >= 1 && d <= 31 {
				p.day = d
				p.use(j, j+1)
				break
			}
		}
		// the year: the next unused number of 4 digits, or of 2 digits after the day
		for j := range p.toks {
			if y, ok := p.num(j, 4, 4); ok {
				p.year = y
				p.use(j, j+1)
				break
			}
			if y, ok := p.num(j, 2, 2); ok && p.day >= 0 && j > i {
				p.year, p.twoDigitYear = y, true
				p.use(j, j+1)
				break
			}
		}
		if p.day < 0 {
			p.day = 1
		}
		return true
	}
	return false
}

// build makes the time, filling a missing date from now and checking every field.
func (p *dateParser) build(env *Env) (time.Time, bool) {
	loc := env.loc()
	if p.zone != nil {
		loc = p.zone
	}
	now := env.now().In(loc)
	if p.month < 0 {
		p.year, p.month, p.day = now.Year(), int(now.Month()), now.Day()
	}
	if p.year < 0 {
		p.year = now.Year()
	}
	if p.twoDigitYear {
		if p.year >= 69 {
			p.year += 1900
		} else {
			p.year += 2000
		}
	}
	if p.hour < 0 {
		p.hour = 0
	}
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysIn(time.Month(p.month), p.year) ||
		p.hour > 24 || p.min > 59 || p.sec > 60 || (p.hour == 24 && p.min+p.sec+p.nsec > 0) {
		return time.Time{}, false
	}
	return time.Date(p.year, time.Month(p.month), p.day, p.hour, p.min, p.sec, p.nsec, loc), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func weekdayWord(w string) bool {
	for _, d := range weekdays {
		d = strings.ToLower(d)
		if w == d || w == d[:3] || (len(w) == 4 && strings.HasPrefix(d, w)) {
			return true
		}
	}
	return false
}

func ordinalSuffix(w string) bool { return w == "st" || w == "nd" || w == "rd" || w == "th" }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
