package amp

import (
	"strings"
	"sync"

	"github.com/tdewolff/parse/v2/css"
)

// inlineStyle is a sanitised style attribute and what was dropped from it.
type inlineStyle struct {
	css      string
	noSize   string // css without width and height
	width    string // values of width, height and max-width, "" when absent
	height   string
	maxWidth string
	dropped  []string
}

// inlineCache memoises sanitizeInline: the same style attributes recur in every element of a
// kind and in every message of a template. Past its bound, results are computed, not kept.
var inlineCache struct {
	sync.RWMutex
	m map[string]*inlineStyle
}

const inlineCacheMax = 50_000

// sanitizeInline keeps the allowed declarations of a style attribute.
func sanitizeInline(src string) *inlineStyle {
	inlineCache.RLock()
	r, ok := inlineCache.m[src]
	inlineCache.RUnlock()
	if ok {
		return r
	}
	r = sanitizeInlineUncached(src)
	inlineCache.Lock()
	if inlineCache.m == nil {
		inlineCache.m = map[string]*inlineStyle{}
	}
	if len(inlineCache.m) < inlineCacheMax {
		inlineCache.m[src] = r
	}
	inlineCache.Unlock()
	return r
}

func sanitizeInlineUncached(src string) *inlineStyle {
	res := &inlineStyle{}
	var b, ns strings.Builder
	p := newCSSParser(src, true)
	for {
		gt, _, data := p.Next()
		if gt == css.ErrorGrammar {
			if p.Err() != nil {
				break
			}
			continue
		}
		switch gt {
		case css.DeclarationGrammar:
			vals := p.Values()
			if importantAt(vals) >= 0 {
				res.dropped = append(res.dropped, "!important")
			}
			if d, why := declaration(string(data), vals); why == "" {
				if b.Len() > 0 {
					b.WriteByte(';')
				}
				b.WriteString(d)
				name, v, _ := strings.Cut(d, ":")
				switch name {
				case "width":
					res.width = v
				case "height":
					res.height = v
				case "max-width":
					res.maxWidth = v
				}
				if name != "width" && name != "height" {
					if ns.Len() > 0 {
						ns.WriteByte(';')
					}
					ns.WriteString(d)
				}
			} else {
				res.dropped = append(res.dropped, why)
			}
		case css.CustomPropertyGrammar:
			res.dropped = append(res.dropped, "custom property "+string(data))
		}
	}
	res.css, res.noSize = b.String(), ns.String()
	return res
}
