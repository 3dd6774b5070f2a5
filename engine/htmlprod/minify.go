package htmlprod

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
)

// minifier is tdewolff/minify set up for email. Default attribute values may go (type on
// <style>, colspan="1"); the presentational attributes email needs (border, cellpadding,
// cellspacing, width, bgcolor, align) are never default values to tdewolff and always
// stay. CSS is written as CSS 2 (no exponent numbers, a space before !important), which
// Outlook's Word engine reads.
var minifier = func() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{
		KeepSpecialComments: true, // conditional comments (Outlook) and <!--#…--> placeholders
		KeepDocumentTags:    true,
		KeepEndTags:         true,
		KeepQuotes:          true,
	})
	m.Add("text/css", emailCSS{css.Minifier{Version: 2}})
	return m
}()

// emailCSS is tdewolff's CSS minifier with a space put back after ")" inside declaration
// values: tdewolff writes url(x.png)no-repeat, which is valid CSS that strict mail-client
// sanitizers are not known to accept.
type emailCSS struct{ css.Minifier }

// Minify minifies the CSS of r into w.
func (c emailCSS) Minify(m *minify.M, w io.Writer, r io.Reader, params map[string]string) error {
	var buf bytes.Buffer
	if err := c.Minifier.Minify(m, &buf, r, params); err != nil {
		return err
	}
	_, err := w.Write(spaceAfterParen(buf.Bytes()))
	return err
}

// spaceAfterParen inserts a space after each ")" of a declaration value (not of a selector
// or an at-rule prelude) that is directly followed by an identifier, number, hash or
// string. Strings and parentheses are respected.
func spaceAfterParen(b []byte) []byte {
	if !bytes.Contains(b, []byte(")")) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	start := 0 // start of the current segment (a prelude or a declaration)
	for start < len(b) {
		end, term := segmentEnd(b, start)
		seg := b[start:end]
		if term != '{' && !bytes.HasPrefix(bytes.TrimSpace(seg), []byte("@")) {
			if colon := bytes.IndexByte(seg, ':'); colon >= 0 {
				out = append(out, seg[:colon]...)
				seg = fixValue(seg[colon:], &out)
			}
		}
		out = append(out, seg...)
		if end < len(b) {
			out = append(out, b[end])
		}
		start = end + 1
	}
	return out
}

// segmentEnd finds the next '{', '}' or ';' from i outside strings and parentheses.
func segmentEnd(b []byte, i int) (int, byte) {
	var quote byte
	depth := 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case depth == 0 && (c == '{' || c == '}' || c == ';'):
			return i, c
		}
	}
	return len(b), 0
}

// fixValue appends v to out with the spaces spaceAfterParen adds; it returns nil.
func fixValue(v []byte, out *[]byte) []byte {
	var quote byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		*out = append(*out, c)
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(v) {
				i++
				*out = append(*out, v[i])
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ')' && i+1 < len(v):
			if n := v[i+1]; n == '#' || n == '"' || n == '\'' || n == '-' || n >= '0' && n <= '9' || n|0x20 >= 'a' && n|0x20 <= 'z' {
				*out = append(*out, ' ')
			}
		}
	}
	return nil
}

// Minify minifies an HTML document for email with tdewolff/minify: whitespace between
// block elements, ordinary comments and CSS are minified, while these stay:
//
//   - the leading doctype, byte for byte (whitespace runs collapsed), since changing an
//     XHTML doctype to <!doctype html> changes how clients lay out images in tables;
//   - conditional comments: downlevel-hidden ones (<!--[if mso]>…<![endif]-->) keep
//     their content as written, only whitespace runs collapsed (the minifier would turn
//     <w:anchorlock/> into an open tag), downlevel-revealed ones as they are;
//   - <html>, <head>, <body>, end tags and attribute quotes, and alt="" as written;
//   - <meta http-equiv> as written (not rewritten to <meta charset>);
//   - whitespace between inline elements (one space or line break per run);
//   - <pre> and the mailmold markers; the content of <mm-textonly> byte for byte.
func Minify(html string) (string, error) {
	doctype, rest := splitDoctype(html)
	out, ok, err := minifyMasked(rest, true)
	if err == nil && !ok {
		out, ok, err = minifyMasked(rest, false)
	}
	if err != nil {
		return "", fmt.Errorf("minify: %w", err)
	}
	if !ok {
		return "", errors.New("minify: the preserved parts of the document could not be put back")
	}
	return doctype + out, nil
}

// minifyMasked minifies doc with the spans forMinify selects hidden (when hide is set);
// ok is false when one could not be put back.
func minifyMasked(doc string, hide bool) (string, bool, error) {
	m := newMasker(doc, true)
	src := doc
	if hide {
		src = maskSpans(doc, m, forMinify)
	}
	emptyAlt := ""
	if hide && m != nil && strings.Contains(src, `alt=""`) {
		emptyAlt = `alt="` + m.nonce + `"`
		src = strings.ReplaceAll(src, `alt=""`, emptyAlt)
	}
	var b strings.Builder
	b.Grow(len(src))
	if err := minifier.Minify("text/html", &b, strings.NewReader(src)); err != nil {
		return "", false, err
	}
	out := b.String()
	if emptyAlt != "" {
		out = strings.ReplaceAll(out, emptyAlt, `alt=""`)
	}
	if m == nil {
		return out, true, nil
	}
	out, ok := m.restore(out)
	return out, ok, nil
}
