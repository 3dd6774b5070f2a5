// Package segment compiles segments.yaml: an ordered list of named customer segments, each
// a rule over the profile in the expr language (github.com/expr-lang/expr), compiled once.
// Rules are type-checked when they compile (function arity and argument types, comparisons
// of mismatched types, a rule that is not true or false), with the field types seen in the
// sample profiles. Evaluation is null-safe: a missing field makes a comparison, in, contains,
// startsWith or endsWith false, never an error, and numbers written as strings compare as
// numbers; contains works on lists (an equal element) and strings (a substring). A rule that
// still fails for a profile (arithmetic on a missing field…) makes the profile not a member
// of that segment and is reported as a Problem with its segments.yaml position.
package segment

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"github.com/mailmold/mailmold/engine/diag"
)

// Options control compilation.
type Options struct {
	// KnownFields, when non-empty, makes rules that read any other top-level field an error
	// with a suggestion (typically the fields seen in the sample profiles).
	KnownFields []string
	// Samples are the sample profiles: a top-level field whose non-null values all have one
	// type (number, boolean, list, object) has that type when rules are checked.
	Samples []map[string]any
	// Now is the clock for days_since, days_until and now(); nil means time.Now.
	Now func() time.Time
}

// Segment is one definition from the file.
type Segment struct {
	Name, Description, When string
	Line, Col               int // of the rule text
}

// Set is a compiled segments.yaml. It is immutable and safe for concurrent use.
type Set struct {
	file  string
	segs  []Segment
	defs  []def
	progs []*vm.Program
	// needsSegments marks rules that read earlier segments (segments.NAME).
	needsSegments []bool
	index         map[string]int
	pool          sync.Pool // *vm.VM
}

// Error is a positioned error in segments.yaml.
type Error struct {
	File      string
	Line, Col int
	Msg, Hint string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg) }

// Empty returns a set with no segments.
func Empty() *Set { return newSet() }

func newSet() *Set {
	s := &Set{index: map[string]int{}}
	s.pool.New = func() any { return &vm.VM{} }
	return s
}

// Segments returns the definitions in file order.
func (s *Set) Segments() []Segment { return append([]Segment(nil), s.segs...) }

// Names returns the segment names in file order.
func (s *Set) Names() []string {
	out := make([]string, len(s.segs))
	for i, sg := range s.segs {
		out[i] = sg.Name
	}
	return out
}

// Has reports whether a segment is defined.
func (s *Set) Has(name string) bool { _, ok := s.index[name]; return ok }

// Suggest returns the defined name nearest to name, or "".
func (s *Set) Suggest(name string) string { return diag.Suggest(name, s.Names()) }

// functions are the helpers rules may call besides expr's builtins.
var functions = []string{"days_since", "days_until", "now", "lower", "upper", "trim", "len", "contains", "startsWith", "endsWith"}

// Parse compiles a segments.yaml file.
func Parse(filename string, src []byte, opt Options) (*Set, error) {
	defs, err := parseYAML(filename, src)
	if err != nil {
		return nil, err
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	s := newSet()
	s.file = filename
	env := checkEnv(opt.Samples)
	for _, d := range defs {
		if prev, dup := s.index[d.Name]; dup {
			return nil, &Error{filename, d.nameLine, d.nameCol, fmt.Sprintf("segment %q is defined twice (first on line %d)", d.Name, defs[prev].nameLine), ""}
		}
		prog, usesSegs, err := compileRule(filename, d, s, opt, now)
		if err != nil {
			return nil, err
		}
		if err := checkRule(filename, d, env); err != nil {
			return nil, err
		}
		s.index[d.Name] = len(s.segs)
		s.segs = append(s.segs, d.Segment)
		s.defs = append(s.defs, d)
		s.progs = append(s.progs, prog)
		s.needsSegments = append(s.needsSegments, usesSegs)
	}
	return s, nil
}

// ruleVisitor rewrites a rule for null-safe, numeric-string-aware comparisons and checks the
// names it reads.
type ruleVisitor struct {
	rule     string
	s        *Set
	known    map[string]bool
	usesSegs bool
	err      *ruleErr
}

type ruleErr struct {
	from      int
	msg, hint string
}

var compareFuncs = map[string]string{"<": "_lt", ">": "_gt", "<=": "_le", ">=": "_ge"}

func (v *ruleVisitor) Visit(n *ast.Node) {
	if v.err != nil {
		return
	}
	switch x := (*n).(type) {
	case *ast.BinaryNode:
		if f, ok := nullSafeOps[x.Operator]; ok {
			ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: f}, Arguments: []ast.Node{x.Left, x.Right}})
			return
		}
		fn, ok := compareFuncs[x.Operator]
		if !ok {
			return
		}
		// days_since(x) < n is one call: no float result to box, one argument list
		if call, isCall := x.Left.(*ast.CallNode); isCall && len(call.Arguments) == 1 {
			if id, isID := call.Callee.(*ast.IdentifierNode); isID && (id.Value == "days_since" || id.Value == "days_until") {
				ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: "_days"}, Arguments: []ast.Node{
					call.Arguments[0], x.Right, &ast.StringNode{Value: fn}, &ast.BoolNode{Value: id.Value == "days_since"}}})
				return
			}
		}
		ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: fn}, Arguments: []ast.Node{x.Left, x.Right}})
	case *ast.MemberNode:
		if id, ok := x.Node.(*ast.IdentifierNode); ok && id.Value == "segments" {
			prop, ok := x.Property.(*ast.StringNode)
			if !ok {
				v.err = &ruleErr{x.Location().From, "segments must be read as segments.NAME", ""}
				return
			}
			if _, defined := v.s.index[prop.Value]; !defined {
				hint := "a rule can read only segments defined above it"
				if sg := v.s.Suggest(prop.Value); sg != "" {
					hint = fmt.Sprintf("did you mean %q? (%s)", sg, hint)
				}
				v.err = &ruleErr{prop.Location().From, fmt.Sprintf("unknown segment %q", prop.Value), hint}
				return
			}
			v.usesSegs = true
		}
	case *ast.IdentifierNode:
		name := x.Value
		if to := x.Location().To; strings.HasPrefix(strings.TrimLeft(v.rule[min(max(to, 0), len(v.rule)):], " "), "(") {
			if _, isBuiltin := builtin.Index[name]; !isBuiltin && !slices.Contains(functions, name) {
				all := append(append([]string{}, functions...), builtin.Names...)
				hint := "functions: days_since, days_until, now and expr's builtins"
				if sg := diag.Suggest(name, all); sg != "" {
					hint = fmt.Sprintf("did you mean %s()?", sg)
				}
				v.err = &ruleErr{x.Location().From, fmt.Sprintf("unknown function %s()", name), hint}
			}
			return
		}
		if name == "segments" || strings.HasPrefix(name, "_") || len(v.known) == 0 || v.known[name] {
			return
		}
		known := make([]string, 0, len(v.known))
		for k := range v.known {
			known = append(known, k)
		}
		sort.Strings(known)
		hint := ""
		if sg := diag.Suggest(name, known); sg != "" {
			hint = fmt.Sprintf("did you mean %q?", sg)
		}
		v.err = &ruleErr{x.Location().From, fmt.Sprintf("unknown field %q: no sample profile has it", name), hint}
	}
}

func compileRule(filename string, d def, s *Set, opt Options, now func() time.Time) (*vm.Program, bool, error) {
	known := map[string]bool{}
	for _, f := range opt.KnownFields {
		known[f] = true
	}
	if len(known) > 0 {
		for _, f := range functions {
			known[f] = true
		}
		known["segment"] = true
	}
	vis := &ruleVisitor{rule: d.When, s: s, known: known}
	opts := []expr.Option{
		expr.Env(map[string]any{}),
		expr.AllowUndefinedVariables(),
		expr.AsBool(),
		expr.Patch(vis),
		expr.Function("days_since", func(p ...any) (any, error) { return days(now(), p[0], true), nil }),
		expr.Function("days_until", func(p ...any) (any, error) { return days(now(), p[0], false), nil }),
		expr.Function("now", func(p ...any) (any, error) { return now().UTC().Format(time.RFC3339), nil }),
		expr.Function("_days", func(p ...any) (any, error) {
			d, ok := daysF(now(), p[0], p[3] == true)
			n, nok := number(p[1])
			if !ok || !nok {
				return false, nil
			}
			c := 0
			if d < n {
				c = -1
			} else if d > n {
				c = 1
			}
			return holds(p[2].(string), c), nil
		}),
		expr.Function("_contains", func(p ...any) (any, error) { return containsValue(p[0], p[1]), nil }),
		expr.Function("_startsWith", func(p ...any) (any, error) { return affix(p[0], p[1], strings.HasPrefix), nil }),
		expr.Function("_endsWith", func(p ...any) (any, error) { return affix(p[0], p[1], strings.HasSuffix), nil }),
		expr.Function("_lt", func(p ...any) (any, error) { c, ok := compare(p[0], p[1]); return ok && c < 0, nil }),
		expr.Function("_gt", func(p ...any) (any, error) { c, ok := compare(p[0], p[1]); return ok && c > 0, nil }),
		expr.Function("_le", func(p ...any) (any, error) { c, ok := compare(p[0], p[1]); return ok && c <= 0, nil }),
		expr.Function("_ge", func(p ...any) (any, error) { c, ok := compare(p[0], p[1]); return ok && c >= 0, nil }),
	}
	prog, err := expr.Compile(d.When, opts...)
	if vis.err != nil {
		l, c := d.at(vis.err.from)
		return nil, false, &Error{filename, l, c, vis.err.msg, vis.err.hint}
	}
	if err != nil {
		var fe *file.Error
		msg, from := err.Error(), 0
		if errors.As(err, &fe) {
			msg, from = fe.Message, fe.From
			if from == 0 && fe.Column > 0 {
				from = fe.Column
			}
		}
		hint := ""
		if strings.HasPrefix(msg, "unknown func") || strings.Contains(msg, "is not callable") {
			name := strings.Trim(strings.TrimPrefix(msg, "unknown func "), " ()")
			if sg := diag.Suggest(name, functions); sg != "" {
				hint = fmt.Sprintf("did you mean %s()?", sg)
			}
		}
		l, c := d.at(from)
		return nil, false, &Error{filename, l, c, "in rule of segment " + strconv.Quote(d.Name) + ": " + msg, hint}
	}
	return prog, vis.usesSegs, nil
}

// Evaluate fills match (len(Names())) with the segments profile belongs to and returns the
// index of the first, or -1. A string field `segment` naming a defined segment overrides the
// rules (for testing): the profile is a member of exactly that segment. Rules never fail on
// missing data (they are false); a rule that fails for another reason, and an override that
// names no segment, are returned as a *ProfileError (the matches are still right: a failing
// rule does not match). Any other error means match is too short.
func (s *Set) Evaluate(profile map[string]any, match []bool) (int, error) {
	if len(match) < len(s.segs) {
		return -1, fmt.Errorf("segment: match has %d slots for %d segments", len(match), len(s.segs))
	}
	var problems []Problem
	if ov, ok := profile["segment"]; ok && ov != nil && ov != "" {
		name, _ := ov.(string)
		if i, defined := s.index[name]; defined {
			clear(match[:len(s.segs)])
			match[i] = true
			return i, nil
		}
		problems = append(problems, s.unknownOverride(ov))
	}
	m := s.pool.Get().(*vm.VM)
	defer s.pool.Put(m)
	first := -1
	var env map[string]any
	for i, p := range s.progs {
		e := profile
		if s.needsSegments[i] {
			if env == nil {
				env = make(map[string]any, len(profile)+1)
				for k, v := range profile {
					env[k] = v
				}
			}
			segs := make(map[string]any, i)
			for j := 0; j < i; j++ {
				segs[s.segs[j].Name] = match[j]
			}
			env["segments"] = segs
			e = env
		}
		out, err := m.Run(p, e)
		if err != nil {
			problems = append(problems, s.runError(i, err))
		}
		match[i] = err == nil && out == true
		if match[i] && first < 0 {
			first = i
		}
	}
	if problems != nil {
		return first, &ProfileError{Problems: problems}
	}
	return first, nil
}

// Membership returns the first matching segment's name ("" when none) and the set of every
// matching name. The error is a *ProfileError when a rule failed for this profile or its
// override names no segment: the results are valid then too.
func (s *Set) Membership(profile map[string]any) (string, map[string]bool, error) {
	var buf [16]bool
	match := buf[:0]
	if len(s.segs) <= len(buf) {
		match = buf[:len(s.segs)]
	} else {
		match = make([]bool, len(s.segs))
	}
	first, err := s.Evaluate(profile, match)
	if err != nil {
		if _, isProblems := err.(*ProfileError); !isProblems {
			return "", nil, err
		}
	}
	all := make(map[string]bool, len(s.segs))
	for i, ok := range match {
		if ok {
			all[s.segs[i].Name] = true
		}
	}
	if first < 0 {
		return "", all, err
	}
	return s.segs[first].Name, all, err
}

// holds applies a comparison function name to a comparison result.
func holds(fn string, c int) bool {
	switch fn {
	case "_lt":
		return c < 0
	case "_gt":
		return c > 0
	case "_le":
		return c <= 0
	case "_ge":
		return c >= 0
	}
	return false
}

// days returns the days between now and an RFC 3339 (or YYYY-MM-DD) date, as a float;
// nil when the value is not a date.
func days(now time.Time, v any, since bool) any {
	if d, ok := daysF(now, v, since); ok {
		return d
	}
	return nil
}

// daysF is days without boxing: ok is false when v is not a date.
func daysF(now time.Time, v any, since bool) (float64, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse("2006-01-02", s); err != nil {
			return 0, false
		}
	}
	d := now.Sub(t).Hours() / 24
	if !since {
		d = -d
	}
	return d, true
}

// compare orders numbers (numeric strings included) and strings; ok is false for anything
// else, which makes the comparison false.
func compare(a, b any) (int, bool) {
	x, xok := number(a)
	y, yok := number(b)
	if xok && yok {
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.Compare(as, bs), true
	}
	return 0, false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}
