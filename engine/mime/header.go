package mime

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

const (
	softMax = 78  // RFC 5322 2.1.1: lines SHOULD be at most 78 characters
	hardMax = 998 // and MUST be at most 998
	wordMax = 75  // RFC 2047 2: an encoded-word is at most 75 characters
)

// fold formats "name: " followed by tokens separated by single spaces, breaking the line
// (CRLF and the space: RFC 5322 folding white space) between tokens so that lines stay
// within 78 characters; a token too long for that gets a line of its own (the first one
// too: a long List-Unsubscribe <URL> goes on the line after the name). Tokens are never
// split, so an <addr-spec> or <URL> stays whole. It returns the field with its final CRLF.
func fold(name string, tokens []string) string {
	var b strings.Builder
	n := len(name) + 3
	for _, t := range tokens {
		n += 3 + len(t)
	}
	b.Grow(n)
	b.WriteString(name)
	b.WriteByte(':')
	line := len(name) + 1
	for _, t := range tokens {
		if line+1+len(t) > softMax {
			b.WriteString("\r\n")
			line = 0
		}
		b.WriteByte(' ')
		b.WriteString(t)
		line += 1 + len(t)
	}
	b.WriteString("\r\n")
	return b.String()
}

// tokenField formats a field whose value is one token that cannot be split.
func tokenField(name, value string) string { return fold(name, []string{value}) }

// textField formats an unstructured field (Subject, extra headers) from a sanitized
// value: printable ASCII as it is, folded at its spaces; anything else (non-ASCII, a word
// too long for a line, text that looks like an encoded-word) as UTF-8 encoded-words.
func textField(name, value string) string {
	if value == "" {
		return name + ":\r\n"
	}
	words := strings.Split(value, " ")
	plain := isASCII(value) && !strings.Contains(value, "=?")
	for _, w := range words {
		if 1+len(w) > softMax {
			plain = false
		}
	}
	if plain {
		return fold(name, words)
	}
	return fold(name, encodedWords(value, softMax-len(name)-2))
}

// addressField formats a mailbox field: a quoted or encoded display name and <addr-spec>,
// or the bare addr-spec when there is no name. The address must be a plain ASCII
// addr-spec (an internationalized domain in its xn-- form).
func addressField(field string, a Address) (string, error) {
	email, err := addrSpec(a.Email)
	if err != nil {
		return "", fmt.Errorf("%s: %w %q: %v", field, ErrAddress, a.Email, err)
	}
	name := SanitizeHeaderValue(a.Name)
	if name == "" {
		return tokenField(field, email), nil
	}
	var tokens []string
	if isASCII(name) && !strings.Contains(name, "=?") {
		q := strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), `"`, `\"`)
		tokens = strings.Split(`"`+q+`"`, " ")
		for _, t := range tokens {
			if 1+len(t) > softMax {
				tokens = nil // a word too long for a line: encode the name
				break
			}
		}
	}
	if tokens == nil {
		tokens = encodedWords(name, softMax-len(field)-2)
	}
	return fold(field, append(tokens, "<"+email+">")), nil
}

// addrSpec checks that s is one plain ASCII addr-spec and returns it.
func addrSpec(s string) (string, error) {
	if s != strings.TrimSpace(s) || s != SanitizeHeaderValue(s) {
		return "", fmt.Errorf("white space or control characters")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", fmt.Errorf("not local@domain")
	}
	local, domain := s[:at], s[at+1:]
	if !isASCII(local) {
		return "", fmt.Errorf("a non-ASCII local part needs SMTPUTF8")
	}
	if !isASCII(domain) {
		return "", fmt.Errorf("write an internationalized domain in its ASCII (xn--) form")
	}
	email := s
	if len(email) <= 254 && isMsgID(email) {
		return email, nil // dot-atom@dot-atom: what ParseAddress reads back as itself
	}
	p, err := mail.ParseAddress(email)
	if err != nil {
		return "", err
	}
	if p.Name != "" || p.Address != email || len(email) > 254 {
		return "", fmt.Errorf("not a plain addr-spec")
	}
	return email, nil
}

// encodedWords encodes s as RFC 2047 encoded-words in UTF-8, Q or B encoding whichever is
// shorter, each word holding whole characters and at most 75 characters long; the first
// word also fits in first characters when that leaves room for one. The Q encoding writes
// literally only letters, digits and !*+-/, so the words are valid in a phrase (display
// name) too. Readers drop the spaces between adjacent encoded-words.
func encodedWords(s string, first int) []string {
	q := qLen(s) <= base64.StdEncoding.EncodedLen(len(s))
	var words []string
	var cur []byte
	limit := wordMax
	if first >= 20 && first < wordMax {
		limit = first
	}
	flush := func() {
		if len(cur) == 0 {
			return
		}
		if q {
			words = append(words, "=?utf-8?q?"+string(cur)+"?=")
		} else {
			words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString(cur)+"?=")
		}
		cur = cur[:0]
		limit = wordMax
	}
	const overhead = len("=?utf-8?q?") + len("?=")
	var tmp [4 * 3]byte // the longest Q encoding of one rune
	for _, r := range s {
		var enc []byte
		if q {
			enc = qRune(tmp[:0], r)
		} else {
			enc = tmp[:utf8.EncodeRune(tmp[:], r)]
		}
		size := len(cur) + len(enc)
		if !q {
			size = base64.StdEncoding.EncodedLen(size)
		}
		if overhead+size > limit {
			flush()
		}
		cur = append(cur, enc...)
	}
	flush()
	return words
}

// qRune appends the Q encoding of r (RFC 2047 4.2, restricted to the phrase-safe set of
// 5(3)).
func qRune(b []byte, r rune) []byte {
	switch {
	case r == ' ':
		return append(b, '_')
	case qLiteral(r):
		return append(b, byte(r))
	}
	var u [utf8.UTFMax]byte
	for _, c := range u[:utf8.EncodeRune(u[:], r)] {
		b = append(b, '=', upperhex[c>>4], upperhex[c&15])
	}
	return b
}

// qLiteral reports whether the Q encoding writes r as itself.
func qLiteral(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!*+-/", r))
}

// qLen returns the length of the Q encoding of s.
func qLen(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == ' ' || qLiteral(r):
			n++
		default:
			n += 3 * utf8.RuneLen(r)
		}
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return false
		}
	}
	return true
}

// isMsgID reports whether id (without brackets) is dot-atom-text "@" dot-atom-text.
func isMsgID(id string) bool {
	at := strings.LastIndexByte(id, '@')
	return at > 0 && isDotAtom(id[:at]) && isDotAtom(id[at+1:])
}

// isFieldName reports whether s is an RFC 5322 field name: printable ASCII but ':'.
func isFieldName(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

// maxLine returns the length of the longest line of a formatted field.
func maxLine(f string) int {
	n := 0
	for {
		i := strings.Index(f, "\r\n")
		if i < 0 {
			return max(n, len(f))
		}
		n = max(n, i)
		f = f[i+2:]
	}
}
