package filters

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailmold/mailmold/engine/value"
)

// The string filters. Every one writes its input as text first (nil is ""), as Ruby's to_s.
func init() {
	register("append", 1, 1, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		s, t := str(in), str(a[0])
		if err := env.fits("append", len(s)+len(t)); err != nil {
			return nil, err
		}
		return s + t, nil
	}, Example{In: "a", Args: []any{"b"}, Want: "ab"}, Example{In: 5, Args: []any{"x"}, Want: "5x"},
		Example{In: nil, Args: []any{"hi"}, Want: "hi"}, Example{In: "hi", Args: []any{nil}, Want: "hi"},
		Example{In: "hi", Args: []any{5}, Want: "hi5"}, Example{In: "a", Args: nil, Err: true})
	register("prepend", 1, 1, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		s, t := str(in), str(a[0])
		if err := env.fits("prepend", len(s)+len(t)); err != nil {
			return nil, err
		}
		return t + s, nil
	}, Example{In: "a", Args: []any{"b"}, Want: "ba"}, Example{In: 5, Args: []any{"x"}, Want: "x5"},
		Example{In: nil, Args: []any{"hi"}, Want: "hi"}, Example{In: "a", Args: []any{"b", "c"}, Err: true})
	register("upcase", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.ToUpper(str(in)), nil
	}, Example{In: "abc", Want: "ABC"}, Example{In: 5, Want: "5"}, Example{In: nil, Want: ""},
		Example{In: "héllo", Want: "HÉLLO"}, Example{In: "a", Args: []any{5}, Err: true})
	register("downcase", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.ToLower(str(in)), nil
	}, Example{In: "ABC", Want: "abc"}, Example{In: 5, Want: "5"}, Example{In: nil, Want: ""},
		Example{In: "ÉCOLE", Want: "école"})
	register("capitalize", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		s := str(in)
		r, n := utf8.DecodeRuneInString(s)
		if n == 0 {
			return "", nil
		}
		return string(unicode.ToTitle(r)) + strings.ToLower(s[n:]), nil
	}, Example{In: "hELLO wORLD", Want: "Hello world"}, Example{In: "hello", Want: "Hello"},
		Example{In: nil, Want: ""}, Example{In: "élan", Want: "Élan"}, Example{In: "a", Args: []any{2}, Err: true})
	register("strip", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.Trim(str(in), rubySpace), nil
	}, Example{In: " \t\r\n  hello  \t\r\n ", Want: "hello"}, Example{In: 5, Want: "5"},
		Example{In: nil, Want: ""}, Example{In: "\u00a0a\u00a0", Want: "\u00a0a\u00a0"})
	register("lstrip", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.TrimLeft(str(in), rubySpace), nil
	}, Example{In: " \t\r\n  hello  \t\r\n ", Want: "hello  \t\r\n "}, Example{In: 5, Want: "5"}, Example{In: nil, Want: ""})
	register("rstrip", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.TrimRight(str(in), rubySpace), nil
	}, Example{In: " \t\r\n  hello  \t\r\n ", Want: " \t\r\n  hello"}, Example{In: 5, Want: "5"}, Example{In: nil, Want: ""})
	register("strip_newlines", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return newlineRemover.Replace(str(in)), nil // \r\n and \n; a lone \r stays
	}, Example{In: "a\nb\r\nc", Want: "abc"}, Example{In: "hello there\nyou", Want: "hello thereyou"},
		Example{In: "a\rb", Want: "a\rb"}, Example{In: 5, Want: "5"}, Example{In: nil, Want: ""})
	register("remove", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return strings.ReplaceAll(str(in), str(a[0]), ""), nil
	}, Example{In: "I strained to see the train through the rain", Args: []any{"rain"}, Want: "I sted to see the t through the "},
		Example{In: "hello", Args: []any{5}, Want: "hello"}, Example{In: "hello", Args: []any{nil}, Want: "hello"},
		Example{In: nil, Args: []any{"x"}, Want: ""}, Example{In: 5, Args: []any{"x"}, Want: "5"})
	register("remove_first", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return strings.Replace(str(in), str(a[0]), "", 1), nil
	}, Example{In: "I strained to see the train through the rain", Args: []any{"rain"}, Want: "I sted to see the train through the rain"},
		Example{In: "hello", Args: []any{nil}, Want: "hello"}, Example{In: nil, Args: []any{"rain"}, Want: ""})
	register("remove_last", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return replaceLast(str(in), str(a[0]), ""), nil
	}, Example{In: "I strained to see the train through the rain", Args: []any{"rain"}, Want: "I strained to see the train through the "},
		Example{In: "hello", Args: []any{nil}, Want: "hello"}, Example{In: 5, Args: []any{"rain"}, Want: "5"})
	register("replace", 1, 2, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		s, old, repl := str(in), str(a[0]), str(arg(a, 1))
		if err := replaceFits(env, "replace", s, old, repl, true); err != nil {
			return nil, err
		}
		return strings.ReplaceAll(s, old, repl), nil
	}, Example{In: "Take my protein pills and put my helmet on", Args: []any{"my", "your"}, Want: "Take your protein pills and put your helmet on"},
		Example{In: "hello", Args: []any{"ll"}, Want: "heo"}, Example{In: "Take", Args: []any{nil, "#"}, Want: "#T#a#k#e#"},
		Example{In: map[string]any{}, Args: []any{"{", "!"}, Want: "!}"}, Example{In: "a", Args: []any{"how", "are", "you"}, Err: true})
	register("replace_first", 1, 2, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		s, old, repl := str(in), str(a[0]), str(arg(a, 1))
		if err := replaceFits(env, "replace_first", s, old, repl, false); err != nil {
			return nil, err
		}
		return strings.Replace(s, old, repl, 1), nil
	}, Example{In: "Take my protein pills and put my helmet on", Args: []any{"my", "your"}, Want: "Take your protein pills and put my helmet on"},
		Example{In: "hello5", Args: []any{5, "your"}, Want: "helloyour"}, Example{In: "Take my protein", Args: []any{nil, "#"}, Want: "#Take my protein"},
		Example{In: "hello", Args: []any{"ll"}, Want: "heo"})
	register("replace_last", 2, 2, func(env *Env, in any, a []any, _ map[string]any) (any, error) {
		s, old, repl := str(in), str(a[0]), str(a[1])
		if err := replaceFits(env, "replace_last", s, old, repl, false); err != nil {
			return nil, err
		}
		return replaceLast(s, old, repl), nil
	}, Example{In: "Take my protein pills and put my helmet on", Args: []any{"my", "your"}, Want: "Take my protein pills and put your helmet on"},
		Example{In: "Take my protein", Args: []any{nil, "#"}, Want: "Take my protein#"},
		Example{In: "Take my protein", Args: []any{"my", nil}, Want: "Take  protein"}, Example{In: "hello", Args: []any{"ll"}, Err: true})
	register("truncate", 0, 2, truncate,
		Example{In: "Ground control to Major Tom.", Args: []any{20}, Want: "Ground control to..."},
		Example{In: "Ground control to Major Tom.", Args: []any{25, ", and so on"}, Want: "Ground control, and so on"},
		Example{In: "Ground control to Major Tom. Ground control to Major Tom.", Want: "Ground control to Major Tom. Ground control to ..."},
		Example{In: "Ground control to Major Tom.", Args: []any{20, nil}, Want: "Ground control to Ma"},
		Example{In: "Ground control", Args: []any{20}, Want: "Ground control"},
		Example{In: "Ground control", Args: []any{2, "...."}, Want: "...."},
		Example{In: "héllo wörld", Args: []any{"8"}, Want: "héllo..."},
		Example{In: 5, Args: []any{10}, Want: "5"}, Example{In: nil, Args: []any{5}, Want: nil},
		Example{In: "abc", Args: []any{nil}, Err: true}, Example{In: "abc", Args: []any{2.5}, Err: true})
	register("truncatewords", 0, 2, truncateWords,
		Example{In: "Ground control to Major Tom.", Args: []any{3}, Want: "Ground control to..."},
		Example{In: "    one    two three    four  ", Args: []any{2}, Want: "one two..."},
		Example{In: "Ground control to Major Tom.", Args: []any{3, "--"}, Want: "Ground control to--"},
		Example{In: "a b c d e f g h i j k l m n o p q", Want: "a b c d e f g h i j k l m n o..."},
		Example{In: "测试测试测试测试", Args: []any{5}, Want: "测试测试测试测试"},
		Example{In: "one two three", Args: []any{2, 1}, Want: "one two1"},
		Example{In: "one two three four", Args: []any{0}, Want: "one..."},
		Example{In: "one two three four", Args: []any{2, nil}, Want: "one two"},
		Example{In: "  one two ", Args: []any{2}, Want: "  one two "},
		Example{In: nil, Args: []any{5}, Want: nil}, Example{In: "one two", Args: []any{nil}, Err: true})
	register("split", 1, 1, split,
		Example{In: "Hi, how are you today?", Args: []any{" "}, Want: []any{"Hi,", "how", "are", "you", "today?"}},
		Example{In: "a b\nc", Args: []any{" "}, Want: []any{"a", "b", "c"}},
		Example{In: "a b\nc", Args: []any{"\n"}, Want: []any{"a b", "c"}},
		Example{In: "abc", Args: []any{""}, Want: []any{"a", "b", "c"}},
		Example{In: "abc", Args: []any{nil}, Want: []any{"a", "b", "c"}},
		Example{In: "Hello there", Args: []any{false}, Want: []any{"Hello there"}},
		Example{In: "hello th1ere", Args: []any{1}, Want: []any{"hello th", "ere"}},
		Example{In: ",a,,b,,", Args: []any{","}, Want: []any{"", "a", "", "b"}},
		Example{In: ",", Args: []any{","}, Want: []any{}}, Example{In: "", Args: []any{","}, Want: []any{}},
		Example{In: nil, Args: []any{" "}, Want: []any{}}, Example{In: 56, Args: []any{" "}, Want: []any{"56"}},
		Example{In: "a", Args: nil, Err: true})
}

var newlineRemover = strings.NewReplacer("\r\n", "", "\n", "")

// rubySpace is the set Ruby's strip, lstrip and rstrip remove: ASCII whitespace and NUL.
const rubySpace = "\x00\t\n\v\f\r "

// isRubySpace reports whether r is whitespace for Ruby's split(" "): ASCII whitespace only.
func isRubySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// replaceFits checks, before anything is allocated, that replacing old by repl in s (every
// occurrence when all is set, else one) stays within env.MaxBytes: a short text with a long
// replacement at every character is the way a replace multiplies its input. Occurrences are
// counted only when the worst case (one at every byte) could pass the limit.
func replaceFits(env *Env, name, s, old, repl string, all bool) error {
	grow := len(repl) - len(old)
	if grow <= 0 || env == nil || env.MaxBytes <= 0 {
		return nil
	}
	if !all {
		return env.fits(name, len(s)+grow)
	}
	if len(s)+(len(s)+1)*grow <= env.MaxBytes {
		return nil
	}
	n := strings.Count(s, old) // for "" the number of places between characters
	return env.fits(name, len(s)+n*grow)
}

func replaceLast(s, old, repl string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + repl + s[i+len(old):]
}

// truncate is Ruby Liquid's truncate: length counts characters and includes the ellipsis.
func truncate(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	if in == nil {
		return nil, nil
	}
	n := 50
	if len(a) > 0 {
		var err error
		if n, err = toInteger("truncate", a[0]); err != nil {
			return nil, err
		}
	}
	end := "..."
	if len(a) > 1 {
		end = str(a[1])
	}
	s := str(in)
	if utf8.RuneCountInString(s) <= n {
		return s, nil
	}
	keep := 0
	if n > 0 {
		keep = max(n-utf8.RuneCountInString(end), 0)
	}
	return prefixRunes(s, keep) + end, nil
}

// prefixRunes returns the first n characters of s.
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// truncateWords is Ruby Liquid's truncatewords: words are runs of non-whitespace; when there
// are more than n, the first n are joined by single spaces and the ellipsis appended.
func truncateWords(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	if in == nil {
		return nil, nil
	}
	n := 15
	if len(a) > 0 {
		var err error
		if n, err = toInteger("truncatewords", a[0]); err != nil {
			return nil, err
		}
	}
	s := str(in)
	n = min(max(n, 1), len(s)+1) // there are never more words than bytes
	words := make([]string, 0, min(n+1, 64))
	rest := s
	for len(words) <= n {
		rest = strings.TrimLeftFunc(rest, isRubySpace)
		if rest == "" {
			break
		}
		end := strings.IndexFunc(rest, isRubySpace)
		if end < 0 {
			end = len(rest)
		}
		words = append(words, rest[:end])
		rest = rest[end:]
	}
	if len(words) <= n {
		return s, nil
	}
	end := "..."
	if len(a) > 1 {
		end = str(a[1])
	}
	return strings.Join(words[:n], " ") + end, nil
}

// split is Ruby's String#split with a string pattern: " " splits on runs of whitespace and
// drops leading whitespace, "" splits into characters, and trailing empty strings are dropped.
func split(env *Env, in any, a []any, _ map[string]any) (any, error) {
	s, sep := str(in), str(a[0])
	if err := splitFits(env, s, sep); err != nil {
		return nil, err
	}
	var parts []string
	switch sep {
	case "":
		parts = make([]string, 0, len(s))
		for len(s) > 0 {
			_, n := utf8.DecodeRuneInString(s)
			parts = append(parts, s[:n])
			s = s[n:]
		}
	case " ":
		parts = strings.FieldsFunc(s, isRubySpace)
	default:
		parts = strings.Split(s, sep)
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// splitFits checks that the list split would build stays within env.MaxBytes before it is
// built: a text splits into at most one item per byte, and each item takes a list slot. The
// items are counted only when that worst case could pass the limit.
func splitFits(env *Env, s, sep string) error {
	if env == nil || env.MaxBytes <= 0 || (len(s)+1)*SlotBytes+len(s) <= env.MaxBytes {
		return nil
	}
	var n int
	switch sep {
	case "":
		n = utf8.RuneCountInString(s)
	case " ":
		for i := 0; i < len(s); i++ {
			if !isRubySpace(rune(s[i])) && (i == 0 || isRubySpace(rune(s[i-1]))) {
				n++
			}
		}
	default:
		n = strings.Count(s, sep) + 1
	}
	return env.fits("split", n*SlotBytes+len(s))
}

// stringsOf reports whether v is text (string or SafeHTML) and returns it.
func stringsOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case value.SafeHTML:
		return string(x), true
	}
	return "", false
}
