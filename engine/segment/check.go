package segment

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/value"
)

// nullSafeOps are the operators rules get in null-safe form: false (not an error) when a
// side is missing or of another type, contains on lists as well as strings.
// (expr's own in is false on a missing list already, and reports a value that is not one.)
var nullSafeOps = map[string]string{"contains": "_contains", "startsWith": "_startsWith", "endsWith": "_endsWith"}

// checkEnv gives the top-level fields the type all their non-null sample values share
// (number, boolean, list, object); strings and mixed fields stay untyped, since numbers
// written as strings compare as numbers.
func checkEnv(samples []map[string]any) map[string]any {
	kinds := map[string]any{}
	mixed := map[string]bool{}
	for _, p := range samples {
		for k, v := range p {
			var ex any
			switch v.(type) {
			case float64, int, int64:
				ex = 0.0
			case bool:
				ex = false
			case []any:
				ex = []any{}
			case map[string]any:
				ex = map[string]any{}
			case nil:
				continue
			default:
				mixed[k] = true
				continue
			}
			if prev, seen := kinds[k]; seen && fmt.Sprintf("%T", prev) != fmt.Sprintf("%T", ex) {
				mixed[k] = true
			}
			kinds[k] = ex
		}
	}
	env := map[string]any{"segments": map[string]any{}}
	for k, v := range kinds {
		if !mixed[k] {
			env[k] = v
		}
	}
	return env
}

// typedFuncs declares the helpers with their signatures for the type check.
func typedFuncs() []expr.Option {
	stub := func(...any) (any, error) { return nil, nil }
	return []expr.Option{
		expr.Function("days_since", stub, new(func(any) float64)),
		expr.Function("days_until", stub, new(func(any) float64)),
		expr.Function("now", stub, new(func() string)),
		expr.Function("_contains", stub, new(func(any, any) bool)),
		expr.Function("_startsWith", stub, new(func(any, any) bool)),
		expr.Function("_endsWith", stub, new(func(any, any) bool)),
	}
}

// nullSafe rewrites the null-safe operators only (the type check keeps the comparisons).
type nullSafe struct{}

func (nullSafe) Visit(n *ast.Node) {
	if x, ok := (*n).(*ast.BinaryNode); ok {
		if f, ok := nullSafeOps[x.Operator]; ok {
			ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: f}, Arguments: []ast.Node{x.Left, x.Right}})
		}
	}
}

// checkRule type-checks a rule against the sample field types: the helpers' arity and
// argument types, comparisons of mismatched types (now() > 3), and a rule that is not true
// or false (when: lifetime_value).
func checkRule(filename string, d def, env map[string]any) error {
	opts := append(typedFuncs(), expr.Env(env), expr.AllowUndefinedVariables(), expr.AsBool(), expr.Patch(nullSafe{}))
	_, err := expr.Compile(d.When, opts...)
	if err == nil {
		return nil
	}
	msg, from := err.Error(), 0
	var fe *file.Error
	if errors.As(err, &fe) {
		msg, from = fe.Message, runeToByte(d.When, fe.From)
	}
	l, c := d.at(from)
	return &Error{filename, l, c, "in rule of segment " + fmt.Sprintf("%q", d.Name) + ": " + msg, typeHint(msg, d.When, env)}
}

// typeHint explains a type error in the rule's terms.
func typeHint(msg, rule string, env map[string]any) string {
	switch {
	case strings.Contains(msg, "expected bool"):
		return "a rule must be true or false: compare the value, e.g. lifetime_value >= 1000, or test it with != nil"
	case strings.Contains(msg, "not enough arguments") || strings.Contains(msg, "too many arguments"):
		return "days_since and days_until take one date field: days_since(last_purchase_at) <= 90; now() takes none"
	case strings.Contains(rule, "now()") && strings.Contains(msg, "mismatched types"):
		return "now() is the current time as an RFC 3339 string: compare dates with days_since(field) or days_until(field)"
	case strings.Contains(msg, "mismatched types") || strings.Contains(msg, "cannot use"):
		var typed []string
		for k, v := range env {
			if k != "segments" {
				typed = append(typed, fmt.Sprintf("%s (%s)", k, kindName(v)))
			}
		}
		sort.Strings(typed)
		return "field types from the sample profiles: " + strings.Join(typed, ", ")
	}
	return ""
}

func kindName(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "list"
	}
	return "object"
}

// runeToByte converts a rune offset in s (expr's positions) to a byte offset.
func runeToByte(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// Problem is why one profile's evaluation was not clean: a rule that failed at run time
// (the profile is then not a member of that segment) or an override naming no segment.
type Problem struct {
	File      string
	Line, Col int
	Segment   string // the rule's segment; "" for an override
	Msg, Hint string
}

// ProfileError lists the problems of one profile's evaluation; the evaluation's results are
// valid all the same.
type ProfileError struct{ Problems []Problem }

func (e *ProfileError) Error() string {
	p := e.Problems[0]
	s := fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
	if len(e.Problems) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(e.Problems)-1)
	}
	return s
}

// Diagnostics returns the problems as warnings (rule "segment-rule", or "segment-override").
func (e *ProfileError) Diagnostics() []diag.Diagnostic {
	out := make([]diag.Diagnostic, len(e.Problems))
	for i, p := range e.Problems {
		rule := "segment-rule"
		if p.Segment == "" {
			rule = "segment-override"
		}
		out[i] = diag.Diagnostic{File: p.File, Line: p.Line, Col: p.Col, Severity: diag.SeverityWarning, Rule: rule, Message: p.Msg, Hint: p.Hint}
	}
	return out
}

// runError positions a rule's run-time error in segments.yaml.
func (s *Set) runError(i int, err error) Problem {
	d := s.defs[i]
	msg, from := err.Error(), 0
	var fe *file.Error
	if errors.As(err, &fe) {
		msg, from = fe.Message, runeToByte(d.When, fe.From)
	}
	l, c := d.at(from)
	return Problem{File: s.file, Line: l, Col: c, Segment: d.Name,
		Msg:  fmt.Sprintf("the rule of segment %q failed for this profile (%s), so the profile is not in it", d.Name, msg),
		Hint: "a missing field makes comparisons, in, contains, startsWith and endsWith false; guard other uses with field != nil"}
}

// unknownOverride reports a `segment` field that names no segment.
func (s *Set) unknownOverride(v any) Problem {
	name, isString := v.(string)
	p := Problem{File: s.file, Line: 1, Col: 1}
	if !isString {
		p.Msg = fmt.Sprintf("the profile's segment field is %s, not a segment name: it is ignored", value.Inspect(v))
		p.Hint = "segments: " + strings.Join(s.Names(), ", ")
		return p
	}
	p.Msg = fmt.Sprintf("the profile's segment field names %q, which segments.yaml does not define: it is ignored", name)
	p.Hint = "segments: " + strings.Join(s.Names(), ", ")
	if sg := s.Suggest(name); sg != "" {
		p.Hint = fmt.Sprintf("did you mean %q? (%s)", sg, p.Hint)
	}
	return p
}

// containsValue reports whether coll holds x: an equal element of a list (numbers by value),
// a key of an object, a substring of a string. Anything else is false.
func containsValue(coll, x any) bool {
	switch c := coll.(type) {
	case string:
		xs, ok := x.(string)
		return ok && strings.Contains(c, xs)
	case []any:
		for _, e := range c {
			if equalValue(e, x) {
				return true
			}
		}
	case []string:
		xs, ok := x.(string)
		if ok {
			for _, e := range c {
				if e == xs {
					return true
				}
			}
		}
	case map[string]any:
		xs, ok := x.(string)
		if ok {
			_, has := c[xs]
			return has
		}
	}
	return false
}

// equalValue compares list elements: numbers by value, strings and booleans as they are.
func equalValue(a, b any) bool {
	switch a.(type) {
	case float64, int, int64:
		switch b.(type) {
		case float64, int, int64:
			x, _ := number(a)
			y, _ := number(b)
			return x == y
		}
		return false
	}
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return as == bs
	}
	if ab, ok := a.(bool); ok {
		bb, ok := b.(bool)
		return ok && ab == bb
	}
	return false
}

// affix applies HasPrefix/HasSuffix when both sides are strings; false otherwise.
func affix(a, b any, f func(string, string) bool) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	return aok && bok && f(as, bs)
}
