package check

import (
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// A formula says when a profile reaches a branch: an atom (one condition read with the
// dialect's truthiness), its negation, or a conjunction or disjunction. A branch is reached
// when the enclosing branches are, every earlier branch of its conditional is false and
// its own condition is true.
type formula interface{ isFormula() }

type (
	fAtom struct{ a *atom }
	fNot  struct{ x formula }
	fAnd  []formula // empty: true
	fOr   []formula
)

func (fAtom) isFormula() {}
func (fNot) isFormula()  {}
func (fAnd) isFormula()  {}
func (fOr) isFormula()   {}

// atom is one condition the synthesizer can test on a candidate profile.
type atom struct {
	expr  tree.Expr
	truth func(any) bool // the dialect's truthiness of expr's value
	// path is the one profile field expr reads ("cart.items"); "" when expr reads something
	// a profile cannot set (loop variables, assigns, several fields).
	path string
	// seg, when set, makes the atom "the profile is in segment seg" (expr is unused); first
	// makes it "seg is the profile's first segment" (`segment == "name"`).
	seg   string
	first bool
	// loop marks a loop's collection: lists are the values to try first.
	loop bool
}

// and builds a conjunction, flattening nested ones and dropping nil (true) parts.
func and(fs ...formula) formula {
	var out fAnd
	for _, f := range fs {
		switch x := f.(type) {
		case nil:
		case fAnd:
			out = append(out, x...)
		default:
			out = append(out, x)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func not(f formula) formula { return fNot{f} }

// noneOf returns ctx and the negation of every earlier branch's condition: what a later
// branch of the same conditional needs besides its own.
func noneOf(ctx formula, earlier []formula) []formula {
	parts := []formula{ctx}
	for _, e := range earlier {
		parts = append(parts, not(e))
	}
	return parts
}

// branchInfo is what the checker knows about one branch of the template.
type branchInfo struct {
	pos          tree.Pos
	tag          string
	reach        formula // when a profile reaches the branch
	reached      bool    // by a sample profile
	reachedSynth bool    // by a synthesized profile
	tried        []string
	// sideEffectOnly branches hold only assign/capture/counters: they are meant to output
	// nothing.
	sideEffectOnly bool
}

// reachBuilder walks a template and records every branch with its reach formula.
type reachBuilder struct {
	locals map[string]bool // names a template binds itself: never profile fields
	// assigned maps the names assigned once (and bound nowhere else) to their value, which
	// a condition on the name is read through
	assigned map[string]tree.Expr
	// items are the loop variables in scope, innermost last: a condition on the item is
	// read on the collection's first item (nil: a loop whose first item is not that)
	items []loopItem
	out   map[tree.Pos]*branchInfo
}

// loopItem binds a loop variable to the collection it iterates.
type loopItem struct {
	name string
	coll *tree.Var
}

// collectBranches indexes every conditional branch and loop body of t by position, with
// the formula that says when a profile reaches it.
func collectBranches(t *tree.Template) map[tree.Pos]*branchInfo {
	rb := &reachBuilder{locals: localNames(t.Body), assigned: singleAssigns(t.Body), out: map[tree.Pos]*branchInfo{}}
	rb.walk(t.Body, nil)
	return rb.out
}

func (rb *reachBuilder) add(p tree.Pos, tag string, reach formula, body []tree.Node) {
	rb.out[p] = &branchInfo{pos: p, tag: tag, reach: reach, sideEffectOnly: sideEffectOnly(body)}
	rb.walk(body, reach)
}

// walk records the branches in body, each reached under ctx and its own conditions.
func (rb *reachBuilder) walk(body []tree.Node, ctx formula) {
	for _, n := range body {
		switch x := n.(type) {
		case *tree.If:
			var earlier []formula
			for _, b := range x.Branches {
				parts := noneOf(ctx, earlier)
				if b.Cond != nil {
					own := rb.cond(b.Cond, value.Truthy)
					parts = append(parts, own)
					earlier = append(earlier, own)
				}
				rb.add(b.Pos, b.Tag, and(parts...), b.Body)
			}
		case *tree.Case:
			// every matching when renders; an else renders when no when before it matched
			var earlier []formula
			for _, w := range x.Whens {
				if w.Values == nil {
					rb.add(w.Pos, "else", and(noneOf(ctx, earlier)...), w.Body)
					continue
				}
				var match fOr
				for _, v := range w.Values {
					match = append(match, rb.cond(&tree.Binary{Pos: w.Pos, Op: "==", L: x.Subject, R: v}, value.Truthy))
				}
				earlier = append(earlier, match)
				rb.add(w.Pos, "when", and(ctx, match), w.Body)
			}
		case *tree.Segment:
			var earlier []formula
			for _, b := range x.Branches {
				var in fOr
				for _, name := range b.Names {
					in = append(in, fAtom{&atom{seg: name}})
				}
				rb.add(b.Pos, "segment", and(append(noneOf(ctx, earlier), in)...), b.Body)
				earlier = append(earlier, in)
			}
			if x.Else != nil {
				rb.add(x.Else.Pos, "else", and(noneOf(ctx, earlier)...), x.Else.Body)
			}
		case *tree.For:
			truth := iterates
			if x.Tag == "each" {
				truth = eachIterates
			}
			iter := rb.cond(x.Iter, truth)
			if a, ok := iter.(fAtom); ok {
				a.a.loop = true
			}
			item := loopItem{name: x.Var}
			if v, ok := x.Iter.(*tree.Var); ok && x.Offset == nil && !x.OffsetContinue && !x.Reversed && x.Tag != "tablerow" {
				if _, plain := varPath(v); plain && v.Depth == 0 {
					item.coll = v
				}
			}
			rb.items = append(rb.items, item)
			if x.Tag == "for" || x.Tag == "each" {
				rb.add(x.Pos, x.Tag, and(ctx, iter), x.Body)
			} else {
				rb.walk(x.Body, and(ctx, iter))
			}
			rb.items = rb.items[:len(rb.items)-1]
			if x.Else != nil && (x.Tag == "for" || x.Tag == "each") {
				rb.add(x.Else.Pos, "else", and(ctx, not(iter)), x.Else.Body)
			}
		case *tree.Section:
			own := rb.cond(x.Expr, mustacheTruthy)
			tag := "section"
			if x.Inverted {
				tag, own = "inverted", not(own)
			}
			rb.add(x.Pos, tag, and(ctx, own), x.Body)
		case *tree.With:
			own := rb.cond(x.Expr, value.HandlebarsTruthy)
			rb.add(x.Pos, "with", and(ctx, own), x.Body)
			if x.Else != nil {
				rb.add(x.Else.Pos, "else", and(ctx, not(own)), x.Else.Body)
			}
		default:
			for _, c := range tree.Children(n) {
				rb.walk(c, ctx)
			}
		}
	}
}

// cond turns a condition into a formula: not, and, or and the Handlebars truthy/falsy
// wrappers are taken apart; what remains are atoms read with truth, on profile fields where
// the template's own names can be read through (see subst).
func (rb *reachBuilder) cond(e tree.Expr, truth func(any) bool) formula {
	return rb.split(rb.subst(e, 0), truth)
}

func (rb *reachBuilder) split(e tree.Expr, truth func(any) bool) formula {
	switch x := e.(type) {
	case *tree.Not:
		return not(rb.split(x.X, value.Truthy))
	case *tree.Binary:
		switch x.Op {
		case "and":
			return fAnd{rb.split(x.L, value.Truthy), rb.split(x.R, value.Truthy)}
		case "or":
			return fOr{rb.split(x.L, value.Truthy), rb.split(x.R, value.Truthy)}
		case "==", "!=":
			// segment == "name": membership through the profile's first segment
			if v, ok := x.L.(*tree.Var); ok && v.Root == "segment" && len(v.Steps) == 0 && v.Depth <= 0 {
				if l, ok := x.R.(*tree.Literal); ok {
					if s, ok := l.Value.(string); ok && s != "" {
						f := formula(fAtom{&atom{seg: s, first: true}})
						if x.Op == "!=" {
							f = not(f)
						}
						return f
					}
				}
			}
		}
	case *tree.Filtered:
		if len(x.Filters) == 1 && len(x.Filters[0].Args) == 0 {
			switch x.Filters[0].Name {
			case "truthy":
				return rb.split(x.X, value.HandlebarsTruthy)
			case "falsy":
				return not(rb.split(x.X, value.HandlebarsTruthy))
			}
		}
	case *tree.Var:
		// segments.NAME: membership
		if x.Root == "segments" && x.Depth <= 0 && len(x.Steps) == 1 && x.Steps[0].Index == nil {
			return fAtom{&atom{seg: x.Steps[0].Name}}
		}
	}
	return fAtom{&atom{expr: e, truth: truth, path: rb.pathOf(e)}}
}

// engineNames are the variables the engine provides before the profile's own fields.
var engineNames = map[string]bool{"segment": true, "segments": true, "subject": true, "preheader": true,
	"unsubscribe_url": true, "forloop": true, "tablerowloop": true}

// pathOf returns the one profile field e reads, or "" when e reads none, several, or names
// the template binds itself.
func (rb *reachBuilder) pathOf(e tree.Expr) string {
	path := ""
	for _, v := range exprVars(e) {
		p, fine := varPath(v)
		root := strings.SplitN(p, ".", 2)[0]
		if !fine || rb.locals[root] || engineNames[root] || strings.HasPrefix(root, "@") || path != "" && path != p {
			return ""
		}
		path = p
	}
	return path
}

// exprVars returns the variables e reads, filter arguments included.
func exprVars(e tree.Expr) []*tree.Var {
	var out []*tree.Var
	var visit func(tree.Expr)
	visit = func(e tree.Expr) {
		switch x := e.(type) {
		case *tree.Var:
			out = append(out, x)
		case *tree.Binary:
			visit(x.L)
			visit(x.R)
		case *tree.Not:
			visit(x.X)
		case *tree.Filtered:
			visit(x.X)
			for _, f := range x.Filters {
				for _, a := range f.Args {
					visit(a)
				}
				for _, kv := range f.KwArgs {
					visit(kv.Value)
				}
			}
		case *tree.Range:
			visit(x.From)
			visit(x.To)
		}
	}
	visit(e)
	return out
}

// subst rewrites e so that it reads profile fields where it reads the template's own names:
// a loop variable becomes the first item of its collection (reaching the item's branch
// once is enough), a name assigned once becomes its assigned value. What cannot be read
// through stays as it is, and the render has the last word.
func (rb *reachBuilder) subst(e tree.Expr, depth int) tree.Expr {
	if depth > 4 {
		return e
	}
	switch x := e.(type) {
	case *tree.Var:
		if x.RootExpr != nil || x.Implicit || x.Depth != 0 {
			return e
		}
		for i := len(rb.items) - 1; i >= 0; i-- {
			it := rb.items[i]
			if it.name != x.Root {
				continue
			}
			if it.coll == nil {
				return e
			}
			steps := append(append(append([]tree.Step(nil), it.coll.Steps...), tree.Step{Name: "first"}), x.Steps...)
			return &tree.Var{Pos: x.Pos, Root: it.coll.Root, Steps: steps, Depth: it.coll.Depth}
		}
		if v, ok := rb.assigned[x.Root]; ok && len(x.Steps) == 0 {
			return rb.subst(v, depth+1)
		}
	case *tree.Binary:
		return &tree.Binary{Pos: x.Pos, Op: x.Op, L: rb.subst(x.L, depth), R: rb.subst(x.R, depth)}
	case *tree.Not:
		return &tree.Not{Pos: x.Pos, X: rb.subst(x.X, depth)}
	case *tree.Filtered:
		fs := make([]*tree.Filter, len(x.Filters))
		for i, f := range x.Filters {
			c := *f
			c.Args = make([]tree.Expr, len(f.Args))
			for j, a := range f.Args {
				c.Args[j] = rb.subst(a, depth)
			}
			fs[i] = &c
		}
		return &tree.Filtered{Pos: x.Pos, X: rb.subst(x.X, depth), Filters: fs}
	}
	return e
}

// singleAssigns maps the names a template assigns exactly once, and binds no other way, to
// the assigned value.
func singleAssigns(body []tree.Node) map[string]tree.Expr {
	out := map[string]tree.Expr{}
	count := map[string]int{}
	tree.Walk(body, func(n tree.Node) bool {
		switch x := n.(type) {
		case *tree.Assign:
			out[x.Name] = x.Value
			count[x.Name]++
		case *tree.For:
			count[x.Var] += 2
			count[x.IndexVar] += 2
		case *tree.With:
			count[x.Var] += 2
		case *tree.Capture:
			count[x.Name] += 2
		case *tree.Counter:
			count[x.Name] += 2
		}
		return true
	})
	for name, n := range count {
		if n != 1 {
			delete(out, name)
		}
	}
	return out
}

// varPath returns the dotted profile path of a variable made only of names (up to a size,
// first or last step).
func varPath(v *tree.Var) (string, bool) {
	if v.RootExpr != nil || v.Implicit || v.Depth > 0 || v.Root == "" {
		return "", false
	}
	parts := []string{v.Root}
	for _, s := range v.Steps {
		if s.Index != nil {
			return "", false
		}
		if s.Name == "size" || s.Name == "first" || s.Name == "last" {
			break
		}
		parts = append(parts, s.Name)
	}
	return strings.Join(parts, "."), true
}

// localNames returns the names a template binds itself: loop variables, block parameters,
// assigns, captures and counters.
func localNames(body []tree.Node) map[string]bool {
	out := map[string]bool{}
	tree.Walk(body, func(n tree.Node) bool {
		switch x := n.(type) {
		case *tree.For:
			out[x.Var] = true
			out[x.IndexVar] = true
		case *tree.With:
			out[x.Var] = true
		case *tree.Assign:
			out[x.Name] = true
		case *tree.Capture:
			out[x.Name] = true
		case *tree.Counter:
			out[x.Name] = true
		}
		return true
	})
	delete(out, "")
	return out
}

// iterates reports whether a loop over v runs its body at least once.
func iterates(v any) bool {
	switch x := v.(type) {
	case nil, bool, int, float64:
		return false
	case string:
		return x != ""
	}
	return len(value.ToList(v)) > 0
}

// eachIterates reports whether a Handlebars each over v runs its body: a list or a map with
// something in it.
func eachIterates(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case value.Range:
		return x.Len() > 0
	}
	return false
}

// mustacheTruthy is Mustache section truthiness: nil, false, "" and [] are falsy; 0 is not.
func mustacheTruthy(v any) bool {
	if value.IsNumber(v) {
		return true
	}
	return value.HandlebarsTruthy(v)
}

// sideEffectOnly reports a body that holds only assigns, captures, counters and comments.
func sideEffectOnly(body []tree.Node) bool {
	effects := false
	for _, n := range body {
		switch x := n.(type) {
		case *tree.Assign, *tree.Capture:
			effects = true
		case *tree.Text:
			if strings.TrimSpace(x.Text) != "" {
				return false
			}
		default:
			return false
		}
	}
	return effects
}
