package pongo

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
)

// The tokenizer half of the escaping plan (context.go): it follows the HTML tokenizer through
// one text node at a time, and notes where attribute values open and close.

// rawElements are the elements whose content is not markup.
var rawElements = map[string]bool{"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true}

// text feeds one text node (of list id) through the tokenizer.
func (w *walker) text(x *tree.Text, id int, st htmlState) htmlState {
	t := x.Text
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch st.st {
		case sData:
			if c == '<' {
				switch {
				case strings.HasPrefix(t[i:], "<!--[if"):
					// an Outlook conditional comment: its content is markup Outlook reads
					if j := strings.Index(t[i:], "]>"); j >= 0 {
						i += j + 1
					} else {
						st.st = sBogus
					}
				case strings.HasPrefix(t[i:], "<!-->"):
					i += 4 // an empty comment
				case strings.HasPrefix(t[i:], "<!--->"):
					i += 5
				case strings.HasPrefix(t[i:], "<!--"):
					st.st = sComment
					i += 3
				default:
					st.st = sTagOpen
				}
			}
		case sTagOpen:
			switch {
			case isLetter(c) || c == '/':
				st.st, st.tag = sTagName, string(lower(c))
			case c == '!' || c == '?':
				st.st = sBogus
			case c == '<':
			default:
				st.st = sData
			}
		case sTagName:
			switch {
			case isSpaceByte(c) || c == '/' && st.tag != "":
				st = w.endName(st)
				st.st = sInTag
			case c == '>':
				st = endTag(w.endName(st))
			default:
				if len(st.tag) < 32 {
					st.tag += string(lower(c))
				}
				if st.name != nil {
					st.name.suffix.WriteByte(c)
				}
			}
		case sInTag, sAfterAttr:
			switch {
			case c == '>':
				st = endTag(st)
			case c == '=' && st.st == sAfterAttr:
				st = beforeValue(st)
			case isSpaceByte(c) || c == '/':
			default:
				st.st, st.attr, st.nameData = sAttrName, string(lower(c)), false
			}
		case sAttrName:
			switch {
			case c == '=':
				st = beforeValue(st)
			case isSpaceByte(c):
				st.st = sAfterAttr
			case c == '>':
				st = endTag(st)
			case c == '/':
				st.st = sInTag
			default:
				if len(st.attr) < 64 {
					st.attr += string(lower(c))
				}
			}
		case sBeforeValue:
			switch {
			case c == '"' || c == '\'':
				st.st, st.quote = sValue, c
				st = w.open(st, id, x, i+1, nil)
			case isSpaceByte(c):
			case c == '>':
				st = endTag(st)
			default:
				st.st = sUnquoted
				st = w.open(st, id, x, i, nil)
				st = w.valueChar(st, id, c)
			}
		case sValue:
			if c == st.quote {
				st = w.close(st, id, x, i)
				st.st, st.quote = sInTag, 0
			} else {
				st = w.valueChar(st, id, c)
			}
		case sUnquoted:
			switch {
			case isSpaceByte(c):
				st = w.close(st, id, x, i)
				st.st = sInTag
			case c == '>':
				st = w.close(st, id, x, i)
				st = endTag(st)
			default:
				st = w.valueChar(st, id, c)
			}
		case sComment:
			if strings.HasPrefix(t[i:], "-->") {
				st.st = sData
				i += 2
			}
		case sBogus:
			if c == '>' {
				st.st = sData
			}
		case sRaw:
			end := "</" + st.tag
			if c == '<' && len(t)-i >= len(end) && strings.EqualFold(t[i:i+len(end)], end) {
				st.st, st.tag = sTagName, "/"+st.tag
				i += len(end) - 1
			}
		}
		if w.err != nil {
			return st
		}
	}
	return st
}

// endName plans the check of the data in the element name that ends here.
func (w *walker) endName(st htmlState) htmlState {
	if r := st.name; r != nil {
		for _, n := range r.outs {
			if n == nil {
				continue
			}
			c := w.plan.ctx[n]
			c.tag = &tagCheck{prefix: r.prefix, suffix: r.suffix.String(), multi: len(r.outs) > 1}
			w.plan.ctx[n] = c
		}
		st.name = nil
	}
	return st
}

func beforeValue(st htmlState) htmlState {
	st.st = sBeforeValue
	st.kind = attrKindOf(st.attr)
	if st.nameData {
		st.kind = aJS // a name made with data: its value never takes data
	}
	return st
}

func endTag(st htmlState) htmlState {
	if rawElements[st.tag] {
		return htmlState{st: sRaw, tag: st.tag}
	}
	return htmlState{}
}

// open starts an attribute value: in text x at off, or (x nil) right before node n.
func (w *walker) open(st htmlState, id int, x *tree.Text, off int, n tree.Node) htmlState {
	st.v = &valueRec{list: id, openText: x, openOff: off, openNode: n, kind: st.kind, attr: st.attr}
	st.scheme, st.query = schNone, false
	return st
}

// valueChar follows one static character of an attribute value.
func (w *walker) valueChar(st htmlState, id int, c byte) htmlState {
	v := st.v
	if v == nil {
		return st
	}
	if v.list == id {
		if v.count == 0 {
			v.pre.WriteByte(c)
		} else {
			v.post.WriteByte(c)
		}
	}
	if c == '&' {
		v.amp = true
	}
	if v.kind != aURL {
		return st
	}
	if c == '?' || c == '#' {
		st.query = true
	}
	switch st.scheme {
	case schNone, schStarted:
		switch {
		case c == '\t' || c == '\n' || c == '\r':
		case st.scheme == schNone && c <= ' ':
		case c == '&':
			st.scheme = schOpaque
		case isLetter(c) || st.scheme == schStarted && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
			st.scheme = schStarted
		default:
			st.scheme = schSettled // a colon ends the (static) scheme; anything else makes it relative
		}
	}
	return st
}

// close ends the attribute value at off in x and plans its check.
func (w *walker) close(st htmlState, id int, x *tree.Text, off int) htmlState {
	v := st.v
	st.v = nil
	if v == nil || !v.zone || v.list < 0 {
		return st
	}
	if v.list != id {
		w.fail(v.zonePos, fmt.Sprintf("data decides the scheme of this %s= URL, but the value does not start and end in the same block, so it cannot be checked whole", v.attr),
			"put the attribute's opening and closing quotes inside the same block (or write the whole attribute in each branch)")
		return st
	}
	if o, ok := v.only.(*tree.Output); ok && v.count == 1 && !v.amp {
		c := w.plan.ctx[o]
		c.check = &urlCheck{prefix: v.pre.String(), suffix: v.post.String(), srcset: v.kind == aSrcset}
		w.plan.ctx[o] = c
		return st
	}
	g := &urlGuard{srcset: v.kind == aSrcset, attr: v.attr, pos: v.zonePos}
	if v.openText != nil {
		w.addCut(v.openText, cut{off: v.openOff, open: true, g: g})
	} else if _, dup := w.plan.before[v.openNode]; !dup {
		w.plan.before[v.openNode] = g
	}
	w.addCut(x, cut{off: off, g: g})
	return st
}

func (w *walker) addCut(x *tree.Text, c cut) {
	cs := w.plan.cuts[x]
	for _, e := range cs {
		if e.off == c.off && e.open == c.open {
			return // a loop body is scanned twice
		}
	}
	i := len(cs)
	// sorted by offset; at one offset a closing cut comes before an opening one
	for i > 0 && (cs[i-1].off > c.off || cs[i-1].off == c.off && cs[i-1].open && !c.open) {
		i--
	}
	cs = append(cs, cut{})
	copy(cs[i+1:], cs[i:])
	cs[i] = c
	w.plan.cuts[x] = cs
}
