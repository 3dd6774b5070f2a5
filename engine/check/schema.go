package check

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/workspace"
)

// SchemaFile is the optional JSON Schema of the profiles in a workspace.
const SchemaFile = "profile.schema.json"

// schema is the part of a JSON Schema the checker reads: which properties exist and which
// are required, nested for objects.
type schema struct {
	Properties map[string]*schema `json:"properties"`
	Required   []string           `json:"required"`
}

// optional reports whether a dotted path is declared optional somewhere along the way
// (a property that the schema lists but does not require).
func (s *schema) optional(path []string) (string, bool) {
	cur := s
	for i, p := range path {
		if cur == nil || cur.Properties == nil {
			return "", false
		}
		next, ok := cur.Properties[p]
		if !ok {
			return "", false
		}
		req := false
		for _, r := range cur.Required {
			req = req || r == p
		}
		if !req {
			return strings.Join(path[:i+1], "."), true
		}
		cur = next
	}
	return "", false
}

// loadSchema reads profile.schema.json from the workspace, if there is one.
func loadSchema(ws *workspace.Workspace) (*schema, error) {
	raw, err := fs.ReadFile(ws.FS, SchemaFile)
	if err != nil {
		return nil, nil
	}
	var s schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", ws.Path(SchemaFile), err)
	}
	return &s, nil
}

// schemaFallbacks reports outputs of variables the schema declares optional that have no
// default and are not guarded by a condition on the same variable: some profile will
// render them blank even if no sample does.
func schemaFallbacks(tpl *engine.Template, sc *schema, res *Result) {
	var walk func(nodes []tree.Node, guarded map[string]bool)
	walk = func(nodes []tree.Node, guarded map[string]bool) {
		for _, n := range nodes {
			switch x := n.(type) {
			case *tree.Output:
				v := outputVar(x.Expr)
				if v == nil {
					continue // a literal, or a value with a default somewhere in its filters
				}
				p, ok := varPath(v)
				if !ok || guarded[p] || guarded[strings.Split(p, ".")[0]] {
					continue
				}
				if field, opt := sc.optional(strings.Split(p, ".")); opt {
					res.add(diag.Diagnostic{File: tpl.Name, Line: v.Line, Col: v.Col, Severity: diag.SeverityError, Rule: "missing-fallback",
						Message: fmt.Sprintf("'%s' is optional in %s (%s) and has no default, so some profiles render it blank", p, SchemaFile, field),
						Hint:    guardHint(dialectOf(tpl, tpl.Name), writtenName(tpl, tpl.Name, v.Pos, p))})
				}
			case *tree.If:
				for _, b := range x.Branches {
					g := guarded
					if b.Cond != nil && b.Tag != "unless" {
						g = withGuards(guarded, b.Cond)
					}
					walk(b.Body, g)
				}
			case *tree.Section:
				g := guarded
				if !x.Inverted {
					g = withGuards(guarded, x.Expr)
				}
				walk(x.Body, g)
			case *tree.With:
				walk(x.Body, withGuards(guarded, x.Expr))
			default:
				for _, c := range tree.Children(n) {
					walk(c, guarded)
				}
			}
		}
	}
	walk(tpl.Tree.Body, map[string]bool{})
}

// outputVar returns the variable an output writes, through any filters, unless a default
// filter in the chain gives it a fallback.
func outputVar(e tree.Expr) *tree.Var {
	for {
		switch x := e.(type) {
		case *tree.Var:
			return x
		case *tree.Filtered:
			for _, f := range x.Filters {
				if f.Name == "default" {
					return nil
				}
			}
			e = x.X
		default:
			return nil
		}
	}
}

// withGuards adds the variables a condition tests for being there (not the negated ones).
func withGuards(g map[string]bool, cond tree.Expr) map[string]bool {
	out := make(map[string]bool, len(g)+2)
	for k := range g {
		out[k] = true
	}
	var visit func(tree.Expr)
	visit = func(e tree.Expr) {
		switch x := e.(type) {
		case *tree.Var:
			if p, ok := varPath(x); ok {
				out[p] = true
			}
		case *tree.Binary:
			visit(x.L)
			visit(x.R)
		case *tree.Filtered:
			for _, f := range x.Filters {
				if f.Name == "falsy" {
					return
				}
			}
			visit(x.X)
		}
	}
	visit(cond)
	return out
}
