package segment

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/mailmold/mailmold/engine/diag"
)

// def is one segment as read from YAML, with where its parts are.
type def struct {
	Segment
	nameLine, nameCol int
	quoted            bool
	multi             bool
}

// at maps a byte offset in the rule text to a file line and column.
func (d def) at(off int) (int, int) {
	if off < 0 {
		off = 0
	}
	if off > len(d.When) {
		off = len(d.When)
	}
	before := d.When[:off]
	line := strings.Count(before, "\n")
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	if d.multi {
		return d.Line + 1 + line, d.Col + col - 1
	}
	c := d.Col + col - 1
	if d.quoted {
		c++
	}
	return d.Line + line, c
}

var nameRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func parseYAML(filename string, src []byte) ([]def, error) {
	errAt := func(line, col int, msg, hint string) error { return &Error{filename, line, col, msg, hint} }
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		line, col, msg := diag.YAMLPosition(err)
		return nil, errAt(line, col, "invalid YAML: "+msg, "")
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, nil
	}
	top, ok := asMapping(f.Docs[0].Body)
	if !ok {
		tok := f.Docs[0].Body.GetToken()
		return nil, errAt(tok.Position.Line, tok.Position.Column, "segments.yaml must be a mapping with a `segments:` list", "")
	}
	var list *ast.SequenceNode
	for _, mv := range top {
		kt := mv.Key.GetToken()
		if mv.Key.String() != "segments" {
			return nil, errAt(kt.Position.Line, kt.Position.Column, fmt.Sprintf("unknown key %q", mv.Key.String()), "the file holds one key, `segments:`")
		}
		if _, isNull := mv.Value.(*ast.NullNode); isNull {
			continue
		}
		seq, ok := mv.Value.(*ast.SequenceNode)
		if !ok {
			vt := mv.Value.GetToken()
			return nil, errAt(vt.Position.Line, vt.Position.Column, "`segments:` must be a list", "")
		}
		list = seq
	}
	if list == nil {
		return nil, nil
	}
	var out []def
	for _, item := range list.Values {
		fields, ok := asMapping(item)
		it := item.GetToken()
		if !ok {
			return nil, errAt(it.Position.Line, it.Position.Column, "each segment is a mapping with name and when", "")
		}
		var d def
		d.nameLine, d.nameCol = it.Position.Line, it.Position.Column
		haveWhen := false
		for _, mv := range fields {
			kt := mv.Key.GetToken()
			vt := mv.Value.GetToken()
			val := ""
			switch v := mv.Value.(type) {
			case *ast.StringNode:
				val = v.Value
			case *ast.LiteralNode:
				val = v.Value.Value
				d.multi = true
			case *ast.NullNode:
			case ast.ScalarNode:
				val = fmt.Sprint(v.GetValue())
			default:
				return nil, errAt(vt.Position.Line, vt.Position.Column, fmt.Sprintf("%s must be a single value", mv.Key.String()), "")
			}
			switch mv.Key.String() {
			case "name":
				if !nameRe.MatchString(val) {
					return nil, errAt(vt.Position.Line, vt.Position.Column, fmt.Sprintf("segment name %q is not an identifier", val), "use lower case letters, digits and _, e.g. high_value")
				}
				d.Name = val
				d.nameLine, d.nameCol = vt.Position.Line, vt.Position.Column
			case "description":
				d.Description = val
			case "when":
				haveWhen = true
				d.When = val
				d.Line, d.Col = vt.Position.Line, vt.Position.Column
				o := strings.TrimSpace(vt.Origin)
				d.quoted = strings.HasPrefix(o, "\"") || strings.HasPrefix(o, "'")
				if d.multi {
					// block scalar: the text starts on the next line, at the indentation
					lines := strings.Split(string(src), "\n")
					if d.Line < len(lines) {
						next := lines[d.Line]
						d.Col = len(next) - len(strings.TrimLeft(next, " ")) + 1
					}
				}
			default:
				return nil, errAt(kt.Position.Line, kt.Position.Column, fmt.Sprintf("unknown key %q in a segment", mv.Key.String()), "a segment has name, description and when")
			}
		}
		if d.Name == "" {
			return nil, errAt(it.Position.Line, it.Position.Column, "segment without a name", "")
		}
		if !haveWhen || strings.TrimSpace(d.When) == "" {
			return nil, errAt(d.nameLine, d.nameCol, fmt.Sprintf("segment %q has no `when:` rule", d.Name), "write when: lifetime_value >= 1000")
		}
		out = append(out, d)
	}
	return out, nil
}

func asMapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}
