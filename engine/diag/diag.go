// Package diag holds the positioned errors and diagnostics users see, and their rendering as
// `path:line:col: message` with a code frame and a caret.
package diag

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Severity of a diagnostic.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Diagnostic is one finding about a template, positioned in the user's file.
type Diagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Profile  string `json:"profile,omitempty"`
}

// Error is an error positioned in a source file. Source, when set, is the whole file text the
// position refers to, used for the code frame.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	Hint      string
	Rule      string
	Source    string
	Err       error // wrapped cause, may be nil
}

// Error returns "file:line:col: msg".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Diagnostic converts e into an error diagnostic.
func (e *Error) Diagnostic() Diagnostic {
	rule := e.Rule
	if rule == "" {
		rule = "syntax"
	}
	return Diagnostic{File: e.File, Line: e.Line, Col: e.Col, Severity: SeverityError, Rule: rule, Message: e.Msg, Hint: e.Hint}
}

// Format renders e with a code frame and caret, and the hint when there is one.
func (e *Error) Format() string {
	var b strings.Builder
	b.WriteString(e.Error())
	b.WriteByte('\n')
	b.WriteString(Frame(e.Source, e.Line, e.Col))
	if e.Hint != "" {
		b.WriteString("hint: ")
		b.WriteString(e.Hint)
		b.WriteByte('\n')
	}
	return b.String()
}

// Frame returns the source line at line (1-based) with its neighbours and a caret under col
// (1-based, in characters). It returns "" when the line is not in src.
func Frame(src string, line, col int) string {
	if src == "" || line < 1 {
		return ""
	}
	lines := strings.Split(src, "\n")
	if line > len(lines) {
		return ""
	}
	var b strings.Builder
	width := len(fmt.Sprint(line + 1))
	for n := line - 1; n <= line+1; n++ {
		if n < 1 || n > len(lines) {
			continue
		}
		text := strings.TrimRight(lines[n-1], "\r")
		marker := "  "
		if n == line {
			marker = "> "
		}
		fmt.Fprintf(&b, "%s%*d | %s\n", marker, width, n, text)
		if n == line {
			pad := caretPad(text, col)
			fmt.Fprintf(&b, "  %*s | %s^\n", width, "", pad)
		}
	}
	return b.String()
}

// caretPad returns the whitespace that puts a caret under character column col of text,
// keeping tabs as tabs so the caret lines up.
func caretPad(text string, col int) string {
	var b strings.Builder
	n := 1
	for _, r := range text {
		if n >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		n++
	}
	return b.String()
}

// Lines maps byte offsets of a source to 1-based lines and columns.
type Lines struct {
	src    string
	starts []int
}

// NewLines indexes the line starts of src.
func NewLines(src string) *Lines {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &Lines{src: src, starts: starts}
}

// At returns the 1-based line and column (in characters) of byte offset off.
func (l *Lines) At(off int) (line, col int) {
	lo, hi := 0, len(l.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - l.starts[lo] + 1 - l.extra(lo, off)
}

// Offset returns the byte offset of 1-based line and column col (in characters, as At
// counts them); a column past the end of its line stops at the line's end. It returns -1
// when line or col is out of range.
func (l *Lines) Offset(line, col int) int {
	if line < 1 || line > len(l.starts) || col < 1 {
		return -1
	}
	off := l.starts[line-1]
	for n := 1; n < col && off < len(l.src) && l.src[off] != '\n'; n++ {
		_, w := utf8.DecodeRuneInString(l.src[off:])
		off += w
	}
	return off
}

// extra counts the continuation bytes of multi-byte characters between the start of line
// index lo and off, so columns count characters, not bytes.
func (l *Lines) extra(lo, off int) int {
	if l.src == "" {
		return 0
	}
	n := 0
	for i := l.starts[lo]; i < off && i < len(l.src); i++ {
		if l.src[i]&0xC0 == 0x80 {
			n++
		}
	}
	return n
}

// Suggest returns the candidate nearest to name by edit distance, or "" when none is close
// enough to be a likely typo.
func Suggest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+2
	for _, c := range candidates {
		d := distance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ar, br := []rune(a), []rune(b)
	prev := make([]int, len(br)+1)
	cur := make([]int, len(br)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ar); i++ {
		cur[0] = i
		for j := 1; j <= len(br); j++ {
			cost := 1
			if ar[i-1] == br[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(br)]
}

// YAMLPosition reads the position and the first line of the message out of a go-yaml error
// ("[3:5] message\n  frame…"); the position is 1:1 when the error carries none.
func YAMLPosition(err error) (line, col int, msg string) {
	line, col, msg = 1, 1, err.Error()
	if strings.HasPrefix(msg, "[") {
		fmt.Sscanf(msg, "[%d:%d]", &line, &col)
		if j := strings.Index(msg, "] "); j > 0 {
			msg = msg[j+2:]
		}
	}
	if nl := strings.IndexByte(msg, '\n'); nl > 0 {
		msg = msg[:nl]
	}
	return line, col, msg
}
