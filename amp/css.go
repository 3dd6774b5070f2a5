package amp

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// cssDrop is one kind of thing removed from CSS: what, where it first occurred (byte offset
// in the CSS text) and how often.
type cssDrop struct {
	what  string
	msg   string // the diagnostic's message
	off   int
	count int
}

// cssSel is one selector of a rule and the classes and ids it needs to match anything
// (".name", "#name"), outside :not().
type cssSel struct {
	text string
	refs []string
}

// cssRule is one style rule, inside @media when media is not empty.
type cssRule struct {
	media string
	sels  []cssSel
	decls string
}

// sheet is a sanitised stylesheet: the rules AMP for Email accepts and what was dropped.
type sheet struct {
	rules   []cssRule
	dropped []cssDrop
	text    string // all the rules written out (write with keep nil)
}

// drops collects cssDrops, one per kind, in order of first occurrence.
type drops struct {
	list []cssDrop
	idx  map[string]int
}

func (d *drops) add(what string, off int) {
	if i, ok := d.idx[what]; ok {
		d.list[i].count++
		return
	}
	if d.idx == nil {
		d.idx = map[string]int{}
	}
	d.idx[what] = len(d.list)
	d.list = append(d.list, cssDrop{what: what, msg: "removed from the stylesheet (not allowed in AMP for Email): " + what, off: off, count: 1})
}

var (
	sheetCache  sync.Map // string → *sheet
	sheetCacheN atomic.Int64
)

const sheetCacheMax = 1000

// parseSheet sanitises the text of one <style> element. Results are memoised: a template's
// stylesheet is the same in every message.
func parseSheet(src string) *sheet {
	if r, ok := sheetCache.Load(src); ok {
		return r.(*sheet)
	}
	r := parseSheetUncached(src)
	if sheetCacheN.Add(1) <= sheetCacheMax {
		sheetCache.Store(src, r)
	}
	return r
}

// newCSSParser parses src (a stylesheet, or an inline style when inline) as a browser
// reads it: invalid UTF-8 is decoded as U+FFFD first, so an escape cannot take a stray byte
// and the character after it together where a browser takes the byte alone (and then, say,
// a quote that opens a string).
func newCSSParser(src string, inline bool) *css.Parser {
	return css.NewParser(parse.NewInputString(strings.ToValidUTF8(src, "\uFFFD")), inline)
}

func parseSheetUncached(src string) *sheet {
	var d drops
	sh := &sheet{}
	p := newCSSParser(src, false)
	skip := 0   // depth inside a dropped block
	media := "" // the current @media query list
	inMedia := false
	var cur *cssRule
	var decls []string
	end := 0 // where the previous grammar item ended
	for {
		gt, _, data := p.Next()
		// the item starts after the previous one, past whitespace and comments' spaces
		off := end
		for off < len(src) && strings.IndexByte(" \t\r\n\f;", src[off]) >= 0 {
			off++
		}
		end = p.Offset()
		if gt == css.ErrorGrammar {
			if p.Err() != nil {
				break
			}
			continue
		}
		switch gt {
		case css.BeginAtRuleGrammar:
			if skip > 0 {
				skip++
				continue
			}
			name := strings.ToLower(string(data))
			if name != "@media" || inMedia {
				d.add(name+" rule", off)
				skip++
				continue
			}
			q := mediaQueries(p.Values(), &d, off)
			if q == "" {
				skip++
				continue
			}
			media, inMedia = q, true
		case css.EndAtRuleGrammar:
			if skip > 0 {
				skip--
				continue
			}
			media, inMedia = "", false
		case css.AtRuleGrammar:
			if skip == 0 {
				d.add(strings.ToLower(string(data))+" rule", off)
			}
		case css.BeginRulesetGrammar:
			if skip > 0 {
				skip++
				continue
			}
			sels := selectors(p.Values(), &d, off)
			if len(sels) == 0 {
				skip++
				continue
			}
			cur, decls = &cssRule{media: media, sels: sels}, decls[:0]
		case css.EndRulesetGrammar:
			if skip > 0 {
				skip--
				continue
			}
			if cur != nil && len(decls) > 0 {
				cur.decls = strings.Join(decls, ";")
				sh.rules = append(sh.rules, *cur)
			}
			cur = nil
		case css.DeclarationGrammar:
			if skip > 0 || cur == nil {
				continue
			}
			vals := p.Values()
			if importantAt(vals) >= 0 {
				d.add("!important", off)
			}
			if s, why := declaration(string(data), vals); why == "" {
				decls = append(decls, s)
			} else {
				d.add(why, off)
			}
		case css.CustomPropertyGrammar:
			if skip == 0 {
				d.add("custom property "+string(data), off)
			}
		}
	}
	sh.dropped = d.list
	var b strings.Builder
	sh.write(&b, nil)
	sh.text = b.String()
	return sh
}

// mediaQueries renders the allowed queries of an @media prelude ("" when none is left).
func mediaQueries(vals []css.Token, d *drops, off int) string {
	var kept []string
	for _, q := range splitTokens(vals) {
		text := renderTokens(q)
		if text == "" {
			continue
		}
		ok := true
		for i, t := range q {
			switch t.TokenType {
			case css.IdentToken:
				w := strings.ToLower(string(t.Data))
				if i > 0 && q[i-1].TokenType == css.LeftParenthesisToken {
					ok = ok && allowedMediaFeatures[w]
				} else if !inParens(q, i) {
					ok = ok && (allowedMediaTypes[w] || allowedMediaKeywords[w])
				}
			case css.StringToken, css.URLToken, css.FunctionToken, css.BadStringToken, css.BadURLToken:
				ok = false
			}
		}
		if !ok {
			d.add("media query "+text, off)
			continue
		}
		kept = append(kept, text)
	}
	return strings.Join(kept, ",")
}

// inParens reports whether token i of q is inside parentheses.
func inParens(q []css.Token, i int) bool {
	depth := 0
	for _, t := range q[:i] {
		switch t.TokenType {
		case css.LeftParenthesisToken, css.FunctionToken:
			depth++
		case css.RightParenthesisToken:
			depth--
		}
	}
	return depth > 0
}

// selectors returns the allowed selectors of a rule's selector list.
func selectors(vals []css.Token, d *drops, off int) []cssSel {
	var out []cssSel
	for _, g := range splitTokens(vals) {
		text := renderTokens(g)
		if text == "" {
			continue
		}
		if why := selectorProblem(g); why != "" {
			d.add("selector "+text+" ("+why+")", off)
			continue
		}
		out = append(out, cssSel{text: text, refs: selectorRefs(g)})
	}
	return out
}

// selectorProblem says why AMP for Email rejects a selector, "" when it accepts it.
func selectorProblem(g []css.Token) string {
	for i, t := range g {
		switch t.TokenType {
		case css.LeftBracketToken:
			return "attribute selector"
		case css.ColonToken:
			if i+1 < len(g) && g[i+1].TokenType == css.ColonToken {
				return "pseudo-element"
			}
			if i+1 >= len(g) {
				return "bad pseudo-class"
			}
			name := strings.ToLower(strings.TrimSuffix(string(g[i+1].Data), "("))
			if !allowedPseudoClasses[name] {
				return "pseudo-class :" + name
			}
		case css.StringToken, css.URLToken, css.BadStringToken, css.BadURLToken, css.CDOToken, css.CDCToken, css.LeftBraceToken, css.RightBraceToken, css.SemicolonToken:
			return "unexpected token"
		case css.DelimToken:
			if len(t.Data) == 1 && strings.IndexByte("*>+~.", t.Data[0]) < 0 {
				return "unexpected " + string(t.Data)
			}
		}
		if strings.Contains(strings.ToLower(string(t.Data)), "i-amphtml-") {
			return "reserved i-amphtml- name"
		}
	}
	return ""
}

// selectorRefs lists the classes and ids a selector needs, outside :not().
func selectorRefs(g []css.Token) []string {
	var refs []string
	notDepth, depth := 0, 0
	for i, t := range g {
		switch t.TokenType {
		case css.FunctionToken:
			depth++
			if strings.EqualFold(string(t.Data), "not(") && notDepth == 0 {
				notDepth = depth
			}
		case css.LeftParenthesisToken:
			depth++
		case css.RightParenthesisToken:
			if depth == notDepth {
				notDepth = 0
			}
			depth--
		case css.HashToken:
			if notDepth == 0 {
				refs = append(refs, string(t.Data))
			}
		case css.IdentToken:
			if notDepth == 0 && i > 0 && g[i-1].TokenType == css.DelimToken && string(g[i-1].Data) == "." {
				refs = append(refs, "."+string(t.Data))
			}
		}
	}
	return refs
}

// splitTokens splits a token list at top-level commas.
func splitTokens(vals []css.Token) [][]css.Token {
	var out [][]css.Token
	depth, start := 0, 0
	for i, t := range vals {
		switch t.TokenType {
		case css.LeftParenthesisToken, css.FunctionToken, css.LeftBracketToken:
			depth++
		case css.RightParenthesisToken, css.RightBracketToken:
			depth--
		case css.CommaToken:
			if depth == 0 {
				out = append(out, vals[start:i])
				start = i + 1
			}
		}
	}
	return append(out, vals[start:])
}

// renderTokens writes tokens back as CSS text, whitespace collapsed and trimmed.
func renderTokens(ts []css.Token) string {
	var b strings.Builder
	space := false
	for _, t := range ts {
		if t.TokenType == css.WhitespaceToken || t.TokenType == css.CommentToken {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.Write(t.Data)
	}
	return b.String()
}

// declaration renders one declaration, or says why it is dropped.
func declaration(prop string, vals []css.Token) (string, string) {
	name := strings.ToLower(prop)
	if !allowedProps[name] {
		return "", "property " + name
	}
	n := len(vals)
	for n > 0 && vals[n-1].TokenType == css.WhitespaceToken {
		n--
	}
	if k := importantAt(vals); k >= 0 {
		n = k
	}
	for i, t := range vals[:n] {
		switch t.TokenType {
		case css.BadStringToken, css.BadURLToken, css.CDOToken, css.CDCToken, css.LeftBraceToken, css.RightBraceToken, css.SemicolonToken:
			return "", "value of " + name
		case css.StringToken:
			if d := t.Data; len(d) < 2 || d[len(d)-1] != d[0] || d[len(d)-2] == '\\' {
				return "", "value of " + name // unterminated string
			}
		case css.URLToken:
			if !httpsURL(urlTokenValue(string(t.Data))) {
				return "", "non-https url() in " + name
			}
		case css.FunctionToken:
			f := strings.ToLower(string(t.Data))
			if f == "url(" || f == "src(" {
				if i+1 >= n || vals[i+1].TokenType != css.StringToken || !httpsURL(unquote(string(vals[i+1].Data))) {
					return "", "non-https url() in " + name
				}
			}
			if f == "expression(" || f == "image(" || f == "image-set(" || f == "-webkit-image-set(" || f == "element(" {
				return "", "value of " + name
			}
		case css.DelimToken:
			// a lone backslash (before a newline or the end) would escape whatever the
			// writer puts after the value: the ';' or the rule's closing '}'
			if d := string(t.Data); d == "!" || d == "\\" {
				return "", "value of " + name
			}
		}
		if d := strings.ToLower(string(t.Data)); strings.Contains(d, "</") || strings.Contains(d, "<!--") || strings.Contains(d, "important") && i > 0 {
			return "", "value of " + name
		}
	}
	v := renderTokens(vals[:n])
	// tokens harmless one by one may spell a closing tag together ('<' then '/'), and an
	// escaped '!' (an identifier, not the flag) still reads as !important to AMP
	if lv := strings.ToLower(v); strings.Contains(lv, "</") || strings.Contains(lv, "<!--") || strings.Contains(lv, "!important") {
		return "", "value of " + name
	}
	if v == "" || !valueAllowed(name, strings.ToLower(v)) {
		return "", "value " + v + " of " + name
	}
	return name + ":" + v, ""
}

func urlTokenValue(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(s[min(len(s), 4):], ")"))
	return unquote(s)
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func httpsURL(u string) bool {
	u = strings.TrimSpace(u)
	return len(u) > len("https://") && strings.EqualFold(u[:8], "https://") && !strings.Contains(u, "{{") && !reservedURL(u)
}

// importantAt returns the index of the "!" of a trailing !important, -1 when there is none.
func importantAt(vals []css.Token) int {
	n := len(vals)
	for n > 0 && vals[n-1].TokenType == css.WhitespaceToken {
		n--
	}
	if n < 2 || vals[n-1].TokenType != css.IdentToken || !strings.EqualFold(string(vals[n-1].Data), "important") {
		return -1
	}
	k := n - 2
	for k >= 0 && vals[k].TokenType == css.WhitespaceToken {
		k--
	}
	if k >= 0 && vals[k].TokenType == css.DelimToken && string(vals[k].Data) == "!" {
		return k
	}
	return -1
}

// write renders the sheet; keep, when not nil, decides which selectors stay.
func (sh *sheet) write(b *strings.Builder, keep func(refs []string) bool) {
	media := ""
	for _, r := range sh.rules {
		first := true
		for _, s := range r.sels {
			if keep != nil && !keep(s.refs) {
				continue
			}
			if first {
				if r.media != media {
					if media != "" {
						b.WriteByte('}')
					}
					if r.media != "" {
						b.WriteString("@media " + r.media + "{")
					}
					media = r.media
				}
				first = false
			} else {
				b.WriteByte(',')
			}
			b.WriteString(s.text)
		}
		if !first {
			b.WriteString("{" + r.decls + "}")
		}
	}
	if media != "" {
		b.WriteByte('}')
	}
}
