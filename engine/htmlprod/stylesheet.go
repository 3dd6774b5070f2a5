package htmlprod

import (
	"regexp"
	"strings"

	"github.com/andybalholm/cascadia"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// These mirror the selectors go-premailer v1.21.0 does not inline but keeps in its leftover
// <style> block (premailer.go: unmergableSelector, notSupportedSelector, and any '*').
var (
	premailerKeeps       = regexp.MustCompile(`(?i):{1,2}(visited|active|hover|focus|link|root|in-range|invalid|valid|after|before|selection|target|first-(line|letter))|^@`)
	premailerUnsupported = regexp.MustCompile(`(?i):(checked|disabled|enabled|lang)`)
)

// sheet is a style sheet divided by what go-premailer can do with it.
type sheet struct {
	// inline holds the style rules and @media blocks, for premailer: it inlines the rules
	// and keeps the @media blocks and pseudo-class rules in a <style> block.
	inline strings.Builder
	// keep holds, verbatim, the at-rules premailer's CSS parser mangles (@import,
	// @font-face, @supports, @keyframes…) and the selectors it cannot match (cascadia
	// rejects them: ::placeholder, vendor pseudo-elements…), which it would drop.
	keep strings.Builder
	// important lists inlined selectors with !important declarations: premailer lets an
	// element's own style attribute win over them, CSS does not.
	important []importantRule
}

// importantRule is a selector and the properties it declares !important.
type importantRule struct {
	sel   cascadia.Sel
	props []string
}

type token struct {
	tt   css.TokenType
	data string
}

// splitSheet sorts the statements of a style sheet into a sheet. Comments between
// statements and the HTML comment tokens <!-- --> go.
func splitSheet(src string) *sheet {
	sh := &sheet{}
	for _, st := range statements(src) {
		switch first := st[0]; {
		case first.tt == css.AtKeywordToken && strings.EqualFold(first.data, "@media"):
			writeTokens(&sh.inline, st)
			sh.inline.WriteByte('\n')
		case first.tt == css.AtKeywordToken:
			writeTokens(&sh.keep, st)
			sh.keep.WriteByte('\n')
		default:
			sh.addRule(st)
		}
	}
	return sh
}

// statements cuts src into top-level statements, each a non-empty token list without
// leading whitespace.
func statements(src string) [][]token {
	l := css.NewLexer(parse.NewInputString(src))
	var out [][]token
	var cur []token
	depth := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	for {
		tt, data := l.Next()
		if tt == css.ErrorToken {
			break
		}
		if depth == 0 && len(cur) == 0 && (tt == css.WhitespaceToken || tt == css.CommentToken || tt == css.CDOToken || tt == css.CDCToken) {
			continue
		}
		cur = append(cur, token{tt, string(data)})
		switch tt {
		case css.LeftBraceToken:
			depth++
		case css.RightBraceToken:
			if depth > 0 {
				depth--
			}
			if depth == 0 {
				flush()
			}
		case css.SemicolonToken:
			if depth == 0 {
				flush()
			}
		}
	}
	flush()
	return out
}

// addRule files a qualified rule: each selector goes to inline when premailer can handle it
// and to keep otherwise; a rule without a block goes to keep as it is.
func (sh *sheet) addRule(st []token) {
	brace := -1
	for i, t := range st {
		if t.tt == css.LeftBraceToken {
			brace = i
			break
		}
	}
	if brace <= 0 {
		writeTokens(&sh.keep, st)
		sh.keep.WriteByte('\n')
		return
	}
	block := st[brace:]
	props := importantProps(block)
	var inl, kept []string
	for _, sel := range splitSelectors(st[:brace]) {
		if strings.Contains(sel, ",") { // premailer splits selector lists at every comma
			kept = append(kept, sel)
			continue
		}
		if premailerKeeps.MatchString(sel) || premailerUnsupported.MatchString(sel) || strings.Contains(sel, "*") {
			inl = append(inl, sel)
			continue
		}
		c, err := cascadia.Parse(sel)
		if err != nil {
			kept = append(kept, sel)
			continue
		}
		inl = append(inl, sel)
		if len(props) > 0 {
			sh.important = append(sh.important, importantRule{sel: c, props: props})
		}
	}
	for _, part := range []struct {
		b    *strings.Builder
		sels []string
	}{{&sh.inline, inl}, {&sh.keep, kept}} {
		if len(part.sels) > 0 {
			part.b.WriteString(strings.Join(part.sels, ","))
			writeTokens(part.b, block)
			part.b.WriteByte('\n')
		}
	}
}

// splitSelectors splits a selector list at its top-level commas.
func splitSelectors(prelude []token) []string {
	var out []string
	var b strings.Builder
	depth := 0
	add := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
		b.Reset()
	}
	for _, t := range prelude {
		switch t.tt {
		case css.FunctionToken, css.LeftParenthesisToken, css.LeftBracketToken:
			depth++
		case css.RightParenthesisToken, css.RightBracketToken:
			if depth > 0 {
				depth--
			}
		case css.CommaToken:
			if depth == 0 {
				add()
				continue
			}
		case css.CommentToken:
			continue
		case css.WhitespaceToken:
			b.WriteByte(' ')
			continue
		}
		b.WriteString(t.data)
	}
	add()
	return out
}

// importantProps returns the lowercased properties a declaration block marks !important.
func importantProps(block []token) []string {
	var props []string
	prop := ""
	bang := false
	depth := 0
	for _, t := range block {
		switch t.tt {
		case css.LeftBraceToken, css.LeftParenthesisToken, css.FunctionToken, css.LeftBracketToken:
			depth++
			continue
		case css.RightBraceToken, css.RightParenthesisToken, css.RightBracketToken:
			depth--
			continue
		case css.WhitespaceToken, css.CommentToken:
			continue
		}
		if depth != 1 {
			continue
		}
		switch {
		case t.tt == css.SemicolonToken:
			prop, bang = "", false
		case prop == "" && (t.tt == css.IdentToken || t.tt == css.CustomPropertyNameToken):
			prop = strings.ToLower(t.data)
		case t.tt == css.DelimToken && t.data == "!":
			bang = true
		case bang && t.tt == css.IdentToken && strings.EqualFold(t.data, "important") && prop != "":
			props = append(props, prop)
			bang = false
		default:
			bang = false
		}
	}
	return props
}

func writeTokens(b *strings.Builder, ts []token) {
	for _, t := range ts {
		b.WriteString(t.data)
	}
}
