package text

import (
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"github.com/mailmold/mailmold/engine/internal/csstext"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"golang.org/x/net/html"
)

// stylePart holds the rules of one <style> block, outside @media and other at-rules, that
// hide what they select: display:none, visibility:hidden, mso-hide:all, or max-height:0
// with overflow:hidden in the same rule. Rules that show (display:block…) are not kept, so
// an element matched by both stays hidden; its own style attribute can show it again.
// Rules are indexed by a class, id or element name their selector requires of the element
// itself, so that most elements are tested against none.
type stylePart struct {
	rules                []hideRule
	byClass, byID, byTag map[string][]int32
	other                []int32
	valueSel             bool // a rule's selector may read an attribute's value or text ('[' or ':')
}

type hideRule struct {
	sel        cascadia.Sel
	hides, imp hideBits
}

// addStyle adds the hiding rules of a <style> element to the document's and reports
// whether there were any.
func (c *conv) addStyle(n *html.Node) bool {
	if m, ok := attr(n, "media"); ok {
		if m = strings.TrimSpace(strings.ToLower(m)); m != "" && m != "all" && m != "screen" {
			return false
		}
	}
	src := ""
	if ch := n.FirstChild; ch != nil && ch.NextSibling == nil {
		src = ch.Data
	} else {
		var b strings.Builder
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			b.WriteString(ch.Data)
		}
		src = b.String()
	}
	p := hidingRules(src)
	if len(p.rules) == 0 || slices.Contains(c.parts, p) || c.nrules+len(p.rules) > maxHidingRules {
		return false
	}
	c.parts = append(c.parts, p)
	c.nrules += len(p.rules)
	return true
}

// maxHidingRules bounds the hiding rules honoured in a document (selectors, counted
// after splitting selector lists), so that a hostile style sheet cannot make every
// element cost thousands of matches; style sheets of real emails have a few.
const maxHidingRules = 256

// addStyles adds the hiding rules of the <style> elements under n that the conversion
// reaches: not those in content it skips (templates, HTML-only or hidden content).
func (c *conv) addStyles(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode {
			continue
		}
		switch ch.Data {
		case "style":
			c.addStyle(ch)
		case "template", "mm-htmlonly", "script", "noscript", "svg", "object", "iframe":
		default:
			if !c.hidden(ch) {
				c.addStyles(ch)
			}
		}
	}
}

// partCache keeps parsed style blocks by their text: a template's <style> is the same for
// every recipient. It holds at most partCacheMax blocks; later ones are parsed each time.
var partCache = struct {
	sync.RWMutex
	m map[string]*stylePart
}{m: map[string]*stylePart{}}

const partCacheMax = 512

// noRules stands for a style block that hides nothing.
var noRules = &stylePart{}

// hidingRules returns the hiding rules of the style block src.
func hidingRules(src string) *stylePart {
	partCache.RLock()
	p, ok := partCache.m[src]
	partCache.RUnlock()
	if ok {
		return p
	}
	p = noRules
	if sheetMayHide(src) {
		p = parseHidingRules(src)
	}
	partCache.Lock()
	if len(partCache.m) < partCacheMax {
		partCache.m[strings.Clone(src)] = p
	}
	partCache.Unlock()
	return p
}

// sheetMayHide reports whether a style sheet names a property that can hide, in any
// letter case.
func sheetMayHide(s string) bool {
	return containsFold(s, "display") || containsFold(s, "visibility") ||
		containsFold(s, "mso-hide") || containsFold(s, "max-height")
}

// parseHidingRules collects the top-level rules of a style sheet that hide (see stylePart).
func parseHidingRules(src string) *stylePart {
	p := &stylePart{}
	ps := css.NewParser(parse.NewInputString(src), false)
	depth := 0 // open blocks: at-rules and rulesets
	top := false
	sel := ""
	var hides, shows, imp hideBits
	var maxHeight, overflow string
	var mhImp, ovImp bool
	for {
		gt, _, data := ps.Next()
		switch gt {
		case css.ErrorGrammar:
			if ps.Err() != nil {
				return p
			}
		case css.BeginAtRuleGrammar:
			depth++
		case css.EndAtRuleGrammar:
			depth = max(depth-1, 0)
		case css.BeginRulesetGrammar:
			depth++
			if top = depth == 1; top {
				sel = csstext.Join(ps.Values())
				hides, shows, imp = 0, 0, 0
				maxHeight, overflow, mhImp, ovImp = "", "", false, false
			}
		case css.DeclarationGrammar:
			if !top || depth != 1 {
				continue
			}
			v, important := cssValueImportant(csstext.Join(ps.Values()))
			switch strings.ToLower(string(data)) {
			case "display":
				hides, shows, imp = setBit(hides, shows, imp, hideDisplay, v == "none", important)
			case "visibility":
				hides, shows, imp = setBit(hides, shows, imp, hideVisibility, v == "hidden", important)
			case "mso-hide":
				hides, shows, imp = setBit(hides, shows, imp, hideMso, v == "all", important)
			case "max-height":
				maxHeight, mhImp = v, important
			case "overflow":
				overflow, ovImp = v, important
			}
		case css.EndRulesetGrammar:
			if depth == 1 && top {
				if zeroLength(maxHeight) && overflow == "hidden" {
					hides |= hideCollapse
					if mhImp && ovImp {
						imp |= hideCollapse
					}
				}
				if hides != 0 {
					p.add(sel, hides, imp&hides)
				}
				top = false
			}
			depth = max(depth-1, 0)
		}
	}
}

// add files a hiding rule under each selector of the list sel that cascadia can match
// (pseudo-elements and unknown pseudo-classes are left out), up to maxHidingRules.
func (p *stylePart) add(sel string, hides, imp hideBits) {
	for _, s := range splitSelectorList(sel) {
		if len(p.rules) == maxHidingRules {
			return
		}
		cs, err := cascadia.Parse(s)
		if err != nil {
			continue
		}
		i := int32(len(p.rules))
		p.rules = append(p.rules, hideRule{sel: cs, hides: hides, imp: imp})
		if strings.ContainsAny(s, "[:") {
			p.valueSel = true
		}
		switch kind, key := selectorKey(s); kind {
		case '.':
			if p.byClass == nil {
				p.byClass = map[string][]int32{}
			}
			p.byClass[key] = append(p.byClass[key], i)
		case '#':
			if p.byID == nil {
				p.byID = map[string][]int32{}
			}
			p.byID[key] = append(p.byID[key], i)
		case 't':
			if p.byTag == nil {
				p.byTag = map[string][]int32{}
			}
			p.byTag[key] = append(p.byTag[key], i)
		default:
			p.other = append(p.other, i)
		}
	}
}

// splitSelectorList cuts a selector list at its top-level commas.
func splitSelectorList(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case quote != 0:
			if b == '\\' {
				i++
			} else if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '\\':
			i++
		case b == '(' || b == '[':
			depth++
		case b == ')' || b == ']':
			depth = max(depth-1, 0)
		case b == ',' && depth == 0:
			if t := strings.TrimSpace(s[start:i]); t != "" {
				out = append(out, t)
			}
			start = i + 1
		}
	}
	if t := strings.TrimSpace(s[min(start, len(s)):]); t != "" {
		out = append(out, t)
	}
	return out
}

// selectorKey returns a class ('.'), id ('#') or else element name ('t', lower case) that
// the rightmost compound of the selector s requires of the element it selects, or kind 0
// when there is no such plain name (then the rule is tried on every element).
func selectorKey(s string) (kind byte, key string) {
	if strings.ContainsAny(s, "\\\"'") {
		return 0, ""
	}
	// the rightmost compound starts after the last combinator outside brackets
	start, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == '(' || b == '[':
			depth++
		case b == ')' || b == ']':
			depth = max(depth-1, 0)
		case depth == 0 && (b == ' ' || b == '\t' || b == '\n' || b == '>' || b == '+' || b == '~'):
			start = i + 1
		}
	}
	compound := s[start:]
	var idKey string
	depth = 0
	for i := 0; i < len(compound); i++ {
		switch b := compound[i]; {
		case b == '(' || b == '[':
			depth++
		case b == ')' || b == ']':
			depth = max(depth-1, 0)
		case depth == 0 && (b == '.' || b == '#'):
			j := i + 1
			for j < len(compound) && isNameByte(compound[j]) {
				j++
			}
			if j == i+1 {
				return 0, ""
			}
			if b == '.' {
				return '.', compound[i+1 : j]
			}
			if idKey == "" {
				idKey = compound[i+1 : j]
			}
			i = j - 1
		}
	}
	if idKey != "" {
		return '#', idKey
	}
	j := 0
	for j < len(compound) && isNameByte(compound[j]) {
		j++
	}
	if j > 0 && (j == len(compound) || compound[j] != '|') {
		return 't', strings.ToLower(compound[:j])
	}
	return 0, ""
}

func isNameByte(b byte) bool {
	return b == '-' || b == '_' || b >= 0x80 || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}
