package amp

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// allowedProps are the CSS properties AMP for Email accepts in data-css-strict documents
// (the amp.dev "Supported CSS" list, common email subset).
var allowedProps = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
align-content align-items align-self all background background-attachment background-blend-mode
background-clip background-color background-image background-origin background-position
background-repeat background-size border border-bottom border-bottom-color border-bottom-left-radius
border-bottom-right-radius border-bottom-style border-bottom-width border-collapse border-color
border-left border-left-color border-left-style border-left-width border-radius border-right
border-right-color border-right-style border-right-width border-spacing border-style border-top
border-top-color border-top-left-radius border-top-right-radius border-top-style border-top-width
border-width bottom box-shadow box-sizing caption-side clear color column-count column-fill
column-gap column-rule column-rule-color column-rule-style column-rule-width column-span
column-width columns direction display empty-cells flex flex-basis flex-direction flex-flow
flex-grow flex-shrink flex-wrap float font font-family font-kerning font-size font-stretch
font-style font-variant font-weight gap grid grid-area grid-auto-columns grid-auto-flow
grid-auto-rows grid-column grid-column-end grid-column-gap grid-column-start grid-gap grid-row
grid-row-end grid-row-gap grid-row-start grid-template grid-template-areas grid-template-columns
grid-template-rows height hyphens justify-content justify-items justify-self left letter-spacing
line-height list-style list-style-image list-style-position list-style-type margin margin-bottom
margin-left margin-right margin-top max-height max-width min-height min-width object-fit
object-position opacity order outline outline-color outline-offset outline-style outline-width
overflow overflow-wrap overflow-x overflow-y padding padding-bottom padding-left padding-right
padding-top position right row-gap table-layout text-align text-decoration text-decoration-color
text-decoration-line text-decoration-style text-indent text-overflow text-shadow text-transform
top transform transform-origin transition transition-delay transition-duration
transition-property transition-timing-function vertical-align visibility white-space width
word-break word-spacing word-wrap z-index`) {
		allowedProps[p] = true
	}
}

// cssResult is a sanitized stylesheet and what was dropped.
type cssResult struct {
	css     string
	dropped []string
}

var sheetCache sync.Map // string → cssResult, bounded by sheetCacheN

var sheetCacheN atomic.Int64

// sanitizeSheet keeps what AMP for Email accepts from a stylesheet: rules and @media blocks,
// allowed properties without !important. Results are memoised (a template's stylesheet is
// the same in every message).
func sanitizeSheet(src string) cssResult {
	if r, ok := sheetCache.Load(src); ok {
		return r.(cssResult)
	}
	r := sanitizeSheetUncached(src)
	if sheetCacheN.Add(1) < 1000 {
		sheetCache.Store(src, r)
	}
	return r
}

func sanitizeSheetUncached(src string) cssResult {
	var res cssResult
	var b strings.Builder
	p := css.NewParser(parse.NewInputString(src), false)
	skip := 0 // depth inside a dropped at-rule
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			if p.Err() != nil {
				break
			}
			continue
		}
		switch gt {
		case css.BeginAtRuleGrammar:
			if skip > 0 || !strings.EqualFold(string(data), "@media") {
				if skip == 0 {
					res.dropped = append(res.dropped, string(data)+" rule")
				}
				skip++
				continue
			}
			b.WriteString("@media")
			b.WriteString(tokens(p.Values(), true))
			b.WriteByte('{')
		case css.EndAtRuleGrammar:
			if skip > 0 {
				skip--
				continue
			}
			b.WriteByte('}')
		case css.AtRuleGrammar:
			if skip == 0 {
				res.dropped = append(res.dropped, string(data)+" rule")
			}
		case css.BeginRulesetGrammar:
			if skip > 0 {
				skip++
				continue
			}
			sel := tokens(p.Values(), false)
			if strings.Contains(sel, "i-amphtml") || strings.Contains(sel, "-amp-") {
				res.dropped = append(res.dropped, "selector "+sel)
				skip++
				continue
			}
			b.WriteString(sel)
			b.WriteByte('{')
		case css.EndRulesetGrammar:
			if skip > 0 {
				skip--
				continue
			}
			b.WriteByte('}')
		case css.DeclarationGrammar:
			if skip > 0 {
				continue
			}
			if d, ok := declaration(string(data), p.Values(), &res); ok {
				b.WriteString(d)
				b.WriteByte(';')
			}
		case css.CustomPropertyGrammar:
			if skip == 0 {
				res.dropped = append(res.dropped, "custom property "+string(data))
			}
		}
	}
	res.css = b.String()
	return res
}

// inlineCache memoises sanitizeInline: the same style attributes recur in every element of
// a kind and in every message of a template. It is bounded; past the bound results are
// computed and not kept.
var inlineCache struct {
	sync.RWMutex
	m map[string]cssResult
}

const inlineCacheMax = 50_000

// sanitizeInline keeps the allowed declarations of a style attribute.
func sanitizeInline(src string) cssResult {
	inlineCache.RLock()
	r, ok := inlineCache.m[src]
	inlineCache.RUnlock()
	if ok {
		return r
	}
	r = sanitizeInlineUncached(src)
	inlineCache.Lock()
	if inlineCache.m == nil {
		inlineCache.m = map[string]cssResult{}
	}
	if len(inlineCache.m) < inlineCacheMax {
		inlineCache.m[src] = r
	}
	inlineCache.Unlock()
	return r
}

func sanitizeInlineUncached(src string) cssResult {
	var res cssResult
	var decls []string
	p := css.NewParser(parse.NewInputString(src), true)
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			if p.Err() != nil {
				break
			}
			continue
		}
		if gt == css.DeclarationGrammar {
			if d, ok := declaration(string(data), p.Values(), &res); ok {
				decls = append(decls, d)
			}
		}
	}
	res.css = strings.Join(decls, ";")
	return res
}

// declaration renders one declaration, or reports why it is dropped.
func declaration(prop string, vals []css.Token, res *cssResult) (string, bool) {
	name := strings.ToLower(prop)
	if !allowedProps[name] {
		res.dropped = append(res.dropped, "property "+name)
		return "", false
	}
	// strip !important
	n := len(vals)
	for n > 0 && vals[n-1].TokenType == css.WhitespaceToken {
		n--
	}
	if n >= 2 && vals[n-1].TokenType == css.IdentToken && strings.EqualFold(string(vals[n-1].Data), "important") {
		k := n - 2
		for k >= 0 && vals[k].TokenType == css.WhitespaceToken {
			k--
		}
		if k >= 0 && vals[k].TokenType == css.DelimToken && string(vals[k].Data) == "!" {
			res.dropped = append(res.dropped, "!important on "+name)
			n = k
		}
	}
	v := strings.TrimSpace(tokens(vals[:n], false))
	lv := strings.ToLower(v)
	if v == "" || strings.Contains(lv, "expression(") || strings.Contains(lv, "javascript:") || strings.Contains(lv, "url(") && !strings.Contains(lv, "https://") {
		res.dropped = append(res.dropped, "value of "+name)
		return "", false
	}
	return name + ":" + v, true
}

func tokens(ts []css.Token, leadSpace bool) string {
	var b strings.Builder
	for _, t := range ts {
		if t.TokenType == css.WhitespaceToken {
			b.WriteByte(' ')
			continue
		}
		b.Write(t.Data)
	}
	s := strings.TrimSpace(b.String())
	if leadSpace && s != "" {
		return " " + s
	}
	return s
}
