package filters

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/mailmold/mailmold/engine/value"
)

// The HTML, URL and Base64 filters, and mailmold's raw/safe.
func init() {
	register("escape", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return value.SafeHTML(htmlEscaper.Replace(str(in))), nil
	}, Example{In: "<p>test</p>", Want: value.SafeHTML("&lt;p&gt;test&lt;/p&gt;")},
		Example{In: `<a href="x" title='y'>&</a>`, Want: value.SafeHTML("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")},
		Example{In: 5, Want: value.SafeHTML("5")}, Example{In: nil, Want: nil},
		Example{In: value.SafeHTML("&lt;"), Want: value.SafeHTML("&amp;lt;")}, Example{In: "a", Args: []any{5}, Err: true})
	alias("h", "escape")
	register("escape_once", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return value.SafeHTML(escapeOnce(str(in))), nil
	}, Example{In: "&lt;p&gt;test&lt;/p&gt;", Want: value.SafeHTML("&lt;p&gt;test&lt;/p&gt;")},
		Example{In: "&lt;p&gt;test&lt;/p&gt;<p>test</p>", Want: value.SafeHTML("&lt;p&gt;test&lt;/p&gt;&lt;p&gt;test&lt;/p&gt;")},
		Example{In: "&copy; &#169; &#xA9; & &; &1;", Want: value.SafeHTML("&copy; &#169; &amp;#xA9; &amp; &amp;; &amp;1;")},
		Example{In: 5, Want: value.SafeHTML("5")}, Example{In: nil, Want: value.SafeHTML("")})
	register("newline_to_br", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		s, safe := in.(value.SafeHTML)
		text := string(s)
		if !safe {
			text = htmlEscaper.Replace(str(in))
		}
		return value.SafeHTML(brReplacer.Replace(text)), nil
	}, Example{In: "a\nb\nc", Want: value.SafeHTML("a<br />\nb<br />\nc")},
		Example{In: "a\r\nb\nc", Want: value.SafeHTML("a<br />\nb<br />\nc")},
		Example{In: "- apples\n- oranges\n", Want: value.SafeHTML("- apples<br />\n- oranges<br />\n")},
		Example{In: "<b>\n", Want: value.SafeHTML("&lt;b&gt;<br />\n")},
		Example{In: value.SafeHTML("<b>x</b>\n"), Want: value.SafeHTML("<b>x</b><br />\n")},
		Example{In: 5, Want: value.SafeHTML("5")}, Example{In: nil, Want: value.SafeHTML("")})
	register("strip_html", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		s := stripHTMLBlocks.ReplaceAllLiteralString(str(in), "")
		return stripHTMLTags.ReplaceAllLiteralString(s, ""), nil
	}, Example{In: "<div\nclass='multiline'>test</div>", Want: "test"},
		Example{In: "<!-- foo bar \n test -->test", Want: "test"},
		Example{In: "<script type='text/javascript'>document.write('some stuff');</script>", Want: ""},
		Example{In: "<style type='text/css'>foo bar</style>", Want: ""},
		Example{In: "Have <em>you</em> read <strong>Ulysses</strong> &amp; &#20;?", Want: "Have you read Ulysses &amp; &#20;?"},
		Example{In: "<SCRIPT>x</SCRIPT>", Want: "x"}, Example{In: "a < b", Want: "a < b"},
		Example{In: 5, Want: "5"}, Example{In: nil, Want: ""})
	register("url_encode", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return url.QueryEscape(str(in)), nil
	}, Example{In: "email address is bob@example.com!", Want: "email+address+is+bob%40example.com%21"},
		Example{In: "a-b_c.d~e/é", Want: "a-b_c.d~e%2F%C3%A9"}, Example{In: 5, Want: "5"}, Example{In: nil, Want: nil})
	register("url_decode", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if in == nil {
			return nil, nil
		}
		s := urlDecode(str(in))
		if !utf8.ValidString(s) {
			return nil, &ArgError{"url_decode", "invalid byte sequence in UTF-8"}
		}
		return s, nil
	}, Example{In: "email+address+is+bob%40example.com%21", Want: "email address is bob@example.com!"},
		Example{In: "100%+sure%2", Want: "100% sure%2"}, Example{In: "%C3%A9%e2%82%ac", Want: "é€"},
		Example{In: "%FF", Err: true}, Example{In: 5, Want: "5"}, Example{In: nil, Want: nil})
	registerBase64("base64", false, "YWJj/+8=", "abc\xff\xef")
	registerBase64("base64_url_safe", true, "YWJj_-8=", "abc\xff\xef")
	register("raw", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		if s, ok := in.(value.SafeHTML); ok {
			return s, nil
		}
		return value.SafeHTML(str(in)), nil
	}, Example{In: "<b>", Want: value.SafeHTML("<b>")}, Example{In: nil, Want: value.SafeHTML("")},
		Example{In: 1.5, Want: value.SafeHTML("1.5")})
	alias("safe", "raw")
}

func registerBase64(name string, urlSafe bool, encoded, decoded string) {
	enc := base64.StdEncoding
	if urlSafe {
		enc = base64.URLEncoding
	}
	register(name+"_encode", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		return enc.EncodeToString([]byte(str(in))), nil
	}, Example{In: "_#/.", Want: "XyMvLg=="}, Example{In: decoded, Want: encoded},
		Example{In: 5, Want: "NQ=="}, Example{In: nil, Want: ""}, Example{In: "x", Args: []any{5}, Err: true})
	decodeName := name + "_decode"
	examples := []Example{{In: "XyMvLg==", Want: "_#/."}, {In: encoded, Want: decoded}, {In: nil, Want: ""},
		{In: 5, Err: true}, {In: "XyMv\nLg==", Err: true}, {In: "x", Args: []any{5}, Err: true}}
	if urlSafe {
		examples = append(examples, Example{In: "XyMvLg", Want: "_#/."}, Example{In: "YWJj/+8=", Want: decoded})
	} else {
		examples = append(examples, Example{In: "XyMvLg", Err: true}, Example{In: "YWJj_-8=", Err: true})
	}
	register(decodeName, 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		s := str(in)
		if urlSafe { // Ruby's urlsafe_decode64: pads for you and also takes the standard alphabet
			if len(s)%4 != 0 && !strings.HasSuffix(s, "=") {
				s += strings.Repeat("=", 4-len(s)%4)
			}
			s = urlSafeToStd.Replace(s)
		}
		out, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || strings.ContainsAny(s, "\r\n") {
			return nil, &ArgError{decodeName, "invalid base64 provided to " + decodeName}
		}
		return string(out), nil
	}, examples...)
}

var (
	htmlEscaper  = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	urlSafeToStd = strings.NewReplacer("-", "+", "_", "/")
	brReplacer   = strings.NewReplacer("\r\n", "<br />\n", "\n", "<br />\n")
	// Ruby Liquid's STRIP_HTML_BLOCKS and STRIP_HTML_TAGS, applied one after the other.
	stripHTMLBlocks = regexp.MustCompile(`(?s)<script.*?</script>|<!--.*?-->|<style.*?</style>`)
	stripHTMLTags   = regexp.MustCompile(`(?s)<.*?>`)
)

// escapeOnce escapes <, >, ", ' and every & that does not start an entity (&name; or &#digits;).
func escapeOnce(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&quot;"
		case '\'':
			rep = "&#39;"
		case '&':
			if entityAt(s[i+1:]) {
				continue
			}
			rep = "&amp;"
		default:
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// entityAt reports whether s (the text after an &) starts with letters or #digits then ';'.
func entityAt(s string) bool {
	i := 0
	if strings.HasPrefix(s, "#") {
		i = 1
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > 1 && i < len(s) && s[i] == ';'
	}
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	return i > 0 && i < len(s) && s[i] == ';'
}

// urlDecode is Ruby's CGI.unescape: + is a space, %XX a byte, and a % not followed by two hex
// digits is kept as it is.
func urlDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
