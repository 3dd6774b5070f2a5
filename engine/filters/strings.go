package filters

import (
	"encoding/base64"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailmold/mailmold/engine/value"
)

func init() {
	register("append", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return str(in) + str(a[0]), nil
	}, Example{"a", []any{"b"}, "ab"})
	register("prepend", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return str(a[0]) + str(in), nil
	}, Example{"a", []any{"b"}, "ba"})
	register("upcase", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.ToUpper(str(in)), nil
	}, Example{"abc", nil, "ABC"})
	register("downcase", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.ToLower(str(in)), nil
	}, Example{"ABC", nil, "abc"})
	register("capitalize", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		s := str(in)
		r, n := utf8.DecodeRuneInString(s)
		if n == 0 {
			return "", nil
		}
		return string(unicode.ToUpper(r)) + strings.ToLower(s[n:]), nil
	}, Example{"hELLO world", nil, "Hello world"})
	register("strip", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.TrimSpace(str(in)), nil
	}, Example{"  a  ", nil, "a"})
	register("lstrip", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.TrimLeftFunc(str(in), unicode.IsSpace), nil
	}, Example{"  a  ", nil, "a  "})
	register("rstrip", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.TrimRightFunc(str(in), unicode.IsSpace), nil
	}, Example{"  a  ", nil, "  a"})
	register("strip_newlines", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(str(in)), nil
	}, Example{"a\nb\r\nc", nil, "abc"})
	register("newline_to_br", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		s := str(in)
		if _, safe := in.(value.SafeHTML); !safe {
			s = escapeHTML(s)
		}
		return value.SafeHTML(strings.NewReplacer("\r\n", "<br />\r\n", "\n", "<br />\n").Replace(s)), nil
	}, Example{"a\nb", nil, value.SafeHTML("a<br />\nb")})
	register("escape", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return value.SafeHTML(escapeHTML(str(in))), nil
	}, Example{"<a href='x'>&</a>", nil, value.SafeHTML("&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")})
	register("escape_once", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return value.SafeHTML(escapeHTML(html.UnescapeString(str(in)))), nil
	}, Example{"&lt;b&gt; & <i>", nil, value.SafeHTML("&lt;b&gt; &amp; &lt;i&gt;")})
	register("strip_html", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return stripHTMLRe.ReplaceAllString(str(in), ""), nil
	}, Example{"<p>Hi <b>there</b></p><!-- x --><script>y</script>", nil, "Hi there"})
	register("remove", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return strings.ReplaceAll(str(in), str(a[0]), ""), nil
	}, Example{"abcabc", []any{"b"}, "acac"})
	register("remove_first", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return strings.Replace(str(in), str(a[0]), "", 1), nil
	}, Example{"abcabc", []any{"b"}, "acabc"})
	register("remove_last", 1, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return replaceLast(str(in), str(a[0]), ""), nil
	}, Example{"abcabc", []any{"b"}, "abcac"})
	register("replace", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return strings.ReplaceAll(str(in), str(a[0]), str(arg(a, 1))), nil
	}, Example{"abcabc", []any{"b", "x"}, "axcaxc"})
	register("replace_first", 1, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return strings.Replace(str(in), str(a[0]), str(arg(a, 1)), 1), nil
	}, Example{"abcabc", []any{"b", "x"}, "axcabc"})
	register("replace_last", 2, 2, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		return replaceLast(str(in), str(a[0]), str(a[1])), nil
	}, Example{"abcabc", []any{"b", "x"}, "abcaxc"})
	register("truncate", 0, 2, truncate, Example{"Ground control to Major Tom.", []any{20}, "Ground control to..."})
	register("truncatewords", 0, 2, truncateWords, Example{"Ground control to Major Tom.", []any{3}, "Ground control to..."})
	register("split", 1, 1, split, Example{"a,b", []any{","}, []any{"a", "b"}})
	register("url_encode", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return url.QueryEscape(str(in)), nil
	}, Example{"a b&c@d", nil, "a+b%26c%40d"})
	register("url_decode", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		s, err := url.QueryUnescape(str(in))
		if err != nil {
			return str(in), nil
		}
		return s, nil
	}, Example{"a+b%26c", nil, "a b&c"})
	for _, b := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64_url_safe", base64.URLEncoding}} {
		enc := b.enc
		register(b.name+"_encode", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
			return enc.EncodeToString([]byte(str(in))), nil
		}, Example{"_#/.", nil, map[string]string{"base64": "XyMvLg==", "base64_url_safe": "XyMvLg=="}[b.name]})
		name := b.name + "_decode"
		register(name, 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
			out, err := enc.DecodeString(str(in))
			if err != nil {
				return nil, &ArgError{name, "invalid base64 input"}
			}
			return string(out), nil
		}, Example{"YQ==", nil, "a"})
	}
	register("raw", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return value.SafeHTML(str(in)), nil
	}, Example{"<b>", nil, value.SafeHTML("<b>")})
	registry["safe"] = registry["raw"]
}

var stripHTMLRe = regexp.MustCompile(`(?is)<script.*?</script>|<style.*?</style>|<!--.*?-->|<[^>]*>`)

// escapeHTML escapes the five HTML special characters.
func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func replaceLast(s, old, repl string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + repl + s[i+len(old):]
}

func truncate(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	if in == nil {
		return "", nil
	}
	n, err := intArg("truncate", arg(a, 0), 50)
	if err != nil {
		return nil, err
	}
	if len(a) > 0 && a[0] == nil {
		return nil, &ArgError{"truncate", "length is undefined"}
	}
	end := "..."
	if len(a) > 1 {
		end = str(a[1])
	}
	s := []rune(str(in))
	if len(s) <= n {
		return string(s), nil
	}
	keep := n - utf8.RuneCountInString(end)
	if keep < 0 {
		keep = 0
	}
	return string(s[:keep]) + end, nil
}

func truncateWords(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	if in == nil {
		return "", nil
	}
	n, err := intArg("truncatewords", arg(a, 0), 15)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		n = 1
	}
	end := "..."
	if len(a) > 1 {
		end = str(a[1])
	}
	words := strings.Fields(str(in))
	if len(words) <= n {
		return str(in), nil
	}
	return strings.Join(words[:n], " ") + end, nil
}

func split(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	s := str(in)
	if in == nil || s == "" {
		return []any{}, nil
	}
	var parts []string
	sep := a[0]
	switch {
	case sep == false:
		return []any{s}, nil
	case sep == nil || str(sep) == "":
		for _, r := range s {
			parts = append(parts, string(r))
		}
	case str(sep) == " ":
		parts = strings.Fields(s)
	default:
		parts = strings.Split(s, str(sep))
		for len(parts) > 0 && parts[len(parts)-1] == "" { // Ruby drops trailing empties
			parts = parts[:len(parts)-1]
		}
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}
