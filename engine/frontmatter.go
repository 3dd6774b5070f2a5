package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/text"
)

// Field is one front matter value and where it starts in the template file.
type Field struct {
	Value     string
	Line, Col int // of the first character of the value text
	Quoted    bool
}

// FrontMatter is the YAML header of a template file.
type FrontMatter struct {
	Subject, Preheader, From, ReplyTo, Unsubscribe, Description, Dialect Field
	// Limits set per template (0: engine default).
	MaxIterations, MaxDepth, MaxOutputBytes int
	TimeoutMS                               int
	// TextLinks is how the text variant writes links (text_links: inline or references);
	// its Value is empty when the template does not say, and Options.TextLinks applies.
	TextLinks Field
	Links     text.LinkStyle // TextLinks read
}

// frontKeys are the accepted front matter keys.
var frontKeys = []string{"subject", "preheader", "from", "reply_to", "unsubscribe", "description", "dialect",
	"max_iterations", "max_include_depth", "max_output_bytes", "timeout_ms", "text_links"}

// splitFrontMatter separates `---` front matter from the body. bodyLine is the line the body
// starts on (1 when there is no front matter); yamlSrc is empty when there is none.
func splitFrontMatter(src string) (yamlSrc, body string, bodyOff int) {
	if !strings.HasPrefix(src, "---\n") && !strings.HasPrefix(src, "---\r\n") {
		return "", src, 0
	}
	start := strings.IndexByte(src, '\n') + 1
	rest := src[start:]
	for off := 0; off < len(rest); {
		nl := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if strings.TrimRight(line, "\r \t") == "---" {
			end := start + off + len(line)
			if nl >= 0 {
				end++
			}
			return src[start : start+off], src[end:], end
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return "", src, -1
}

// parseFrontMatter parses the YAML header of file. lineOff is the file line before the YAML
// (1: the opening `---`).
func parseFrontMatter(file, fileSrc, yamlSrc string, lineOff int) (FrontMatter, error) {
	var fm FrontMatter
	if strings.TrimSpace(yamlSrc) == "" {
		return fm, nil
	}
	errAt := func(line, col int, msg, hint string) error {
		return &diag.Error{File: file, Line: line + lineOff, Col: col, Msg: msg, Hint: hint, Source: fileSrc, Rule: "front-matter"}
	}
	f, err := parser.ParseBytes([]byte(yamlSrc), 0)
	if err != nil {
		line, col, msg := diag.YAMLPosition(err)
		return fm, errAt(line, col, "front matter: "+msg, "front matter is YAML between two '---' lines")
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return fm, nil
	}
	var values []*ast.MappingValueNode
	switch b := f.Docs[0].Body.(type) {
	case *ast.MappingNode:
		values = b.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{b}
	default:
		tok := b.GetToken()
		return fm, errAt(tok.Position.Line, tok.Position.Column, "front matter must be a mapping of keys to values", "write `subject: \"…\"` lines")
	}
	seen := map[string]bool{}
	for _, mv := range values {
		key := mv.Key.String()
		kt := mv.Key.GetToken()
		if seen[key] {
			return fm, errAt(kt.Position.Line, kt.Position.Column, fmt.Sprintf("front matter key %q is given twice", key), "")
		}
		seen[key] = true
		vt := mv.Value.GetToken()
		fld := Field{Line: vt.Position.Line + lineOff, Col: vt.Position.Column}
		switch v := mv.Value.(type) {
		case *ast.StringNode:
			fld.Value = v.Value
			o := strings.TrimSpace(vt.Origin)
			fld.Quoted = strings.HasPrefix(o, "\"") || strings.HasPrefix(o, "'")
		case *ast.NullNode:
		case ast.ScalarNode:
			fld.Value = fmt.Sprint(v.GetValue())
		default:
			return fm, errAt(vt.Position.Line, vt.Position.Column, fmt.Sprintf("front matter key %q needs a single value", key), "")
		}
		if fld.Quoted {
			fld.Col++
		}
		num := func() (int, error) {
			var n int
			if _, err := fmt.Sscanf(fld.Value, "%d", &n); err != nil || n < 0 {
				return 0, errAt(vt.Position.Line, vt.Position.Column, fmt.Sprintf("%s must be a non-negative whole number", key), "")
			}
			return n, nil
		}
		switch key {
		case "subject":
			fm.Subject = fld
		case "preheader":
			fm.Preheader = fld
		case "from":
			fm.From = fld
		case "reply_to":
			fm.ReplyTo = fld
		case "unsubscribe":
			fm.Unsubscribe = fld
		case "description":
			fm.Description = fld
		case "dialect":
			fm.Dialect = fld
		case "max_iterations":
			fm.MaxIterations, err = num()
		case "max_include_depth":
			fm.MaxDepth, err = num()
		case "max_output_bytes":
			fm.MaxOutputBytes, err = num()
		case "timeout_ms":
			fm.TimeoutMS, err = num()
		case "text_links":
			var ok bool
			if fm.Links, ok = text.ParseLinkStyle(fld.Value); !ok {
				err = errAt(vt.Position.Line, vt.Position.Column, fmt.Sprintf("text_links must be inline or references, not %q", fld.Value),
					"inline writes \"label (url)\"; references writes \"label [1]\" and lists the URLs at the end")
			}
			fm.TextLinks = fld
		default:
			keys := append([]string(nil), frontKeys...)
			sort.Strings(keys)
			hint := "known keys: " + strings.Join(keys, ", ")
			if s := diag.Suggest(key, frontKeys); s != "" {
				hint = "did you mean '" + s + "'? " + hint
			}
			return fm, errAt(kt.Position.Line, kt.Position.Column, fmt.Sprintf("unknown front matter key %q", key), hint)
		}
		if err != nil {
			return fm, err
		}
	}
	return fm, nil
}
