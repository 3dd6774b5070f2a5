package check

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// candidate is a value to try for a field; missing removes the field.
type candidate struct {
	v       any
	missing bool
	from    string // the sample profile it was taken from
}

// value is what setPath writes for the candidate.
func (c candidate) value() any {
	if c.missing {
		return missingField{}
	}
	return c.v
}

func (c candidate) describe() string {
	if c.missing {
		return "<missing>"
	}
	s := value.Inspect(c.v)
	if len(s) > 40 {
		switch x := c.v.(type) {
		case []any:
			s = fmt.Sprintf("[%d items]", len(x))
		case map[string]any:
			s = fmt.Sprintf("{%d fields}", len(x))
		default:
			s = s[:37] + "…"
		}
	}
	if c.from != "" {
		s += " (as in " + value.Inspect(c.from) + ")"
	}
	return s
}

// candidates lists values to try for path, most realistic first: the values other samples
// have (or their lack of it), values made from the literals the conditions compare with,
// then plain truthy and falsy values.
func (s *synthesizer) candidates(path string, lits []lit) []candidate {
	var out []candidate
	missingSeen := false
	for _, b := range s.bases[:len(s.bases)-1] {
		if v, ok := lookupPath(b.Data, path); ok {
			out = append(out, candidate{v: deepCopy(v), from: b.ID})
		} else if !missingSeen {
			missingSeen = true
			out = append(out, candidate{missing: true})
		}
	}
	firstMade := len(out)
	for _, l := range lits {
		for _, lv := range literals(l.a.expr) {
			v := lv.v
			if lv.contained {
				out = append(out, candidate{v: []any{v}})
			}
			out = append(out, candidate{v: v}, candidate{v: differentFrom(v)})
			switch n := v.(type) {
			case int:
				out = append(out, candidate{v: n + 1}, candidate{v: n - 1})
				if n >= 0 && n <= 50 {
					out = append(out, candidate{v: listOf(n)}, candidate{v: listOf(n + 1)})
				}
			case float64:
				out = append(out, candidate{v: n + 1}, candidate{v: n - 1})
			}
		}
	}
	for _, l := range lits {
		if l.a.loop {
			out = append(out, candidate{v: []any{"sample"}})
			break
		}
	}
	for _, v := range []any{"sample", true, 1, []any{"sample"}} {
		out = append(out, candidate{v: v})
	}
	out = append(out, candidate{missing: true})
	for _, v := range []any{false, "", []any{}, 0} {
		out = append(out, candidate{v: v})
	}
	// a condition on an item of the list at path (list.first.price: how loop items are
	// read) also gets lists of one item holding the values above
	made := out[firstMade:]
	for _, tail := range itemTails(path, lits) {
		for _, c := range made {
			item := c.value()
			for i := len(tail) - 1; i >= 0; i-- {
				m := map[string]any{}
				if _, del := item.(missingField); !del {
					m[tail[i]] = item
				}
				item = m
			}
			if _, del := item.(missingField); !del {
				out = append(out, candidate{v: []any{item}})
			}
		}
	}
	return out
}

// itemTails returns, for the conditions' variables that read the first or last item of
// the list at path, the field names they read in that item.
func itemTails(path string, lits []lit) [][]string {
	var out [][]string
	seen := map[string]bool{}
	depth := strings.Count(path, ".")
	for _, l := range lits {
		for _, v := range exprVars(l.a.expr) {
			if p, ok := varPath(v); !ok || p != path || len(v.Steps) <= depth {
				continue
			}
			rest := v.Steps[depth:]
			if rest[0].Name != "first" && rest[0].Name != "last" {
				continue
			}
			var tail []string
			for _, st := range rest[1:] {
				if st.Index != nil || st.Name == "size" || st.Name == "first" || st.Name == "last" {
					break
				}
				tail = append(tail, st.Name)
			}
			if k := strings.Join(tail, "."); !seen[k] {
				seen[k] = true
				out = append(out, tail)
			}
		}
	}
	return out
}

// listOf returns a list of n placeholder items (for size comparisons).
func listOf(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "sample"
	}
	return out
}

// literal is a plain constant of a condition; contained marks the right side of contains.
type literal struct {
	v         any
	contained bool
}

// literals returns the plain constants in e.
func literals(e tree.Expr) []literal {
	var out []literal
	var visit func(e tree.Expr, contained bool)
	visit = func(e tree.Expr, contained bool) {
		switch x := e.(type) {
		case *tree.Literal:
			switch x.Value.(type) {
			case nil, bool, int, float64, string:
				out = append(out, literal{x.Value, contained})
			}
		case *tree.Binary:
			visit(x.L, false)
			visit(x.R, x.Op == "contains")
		case *tree.Not:
			visit(x.X, false)
		case *tree.Filtered:
			visit(x.X, false)
			for _, f := range x.Filters {
				for _, a := range f.Args {
					visit(a, false)
				}
			}
		}
	}
	visit(e, false)
	return out
}

func differentFrom(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "sample"
		}
		return x + "-other"
	case int:
		return x + 1
	case float64:
		return x + 1
	case bool:
		return !x
	}
	return "other"
}

// lookupPath reads a dotted path from data.
func lookupPath(data map[string]any, path string) (any, bool) {
	cur := any(data)
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// setPath sets a dotted path in data (missingField{} removes it), creating maps on the way;
// false when a non-map value is in the way.
func setPath(data map[string]any, path string, v any) bool {
	parts := strings.Split(path, ".")
	cur := data
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			if x, exists := cur[p]; exists && x != nil {
				return false
			}
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	if _, del := v.(missingField); del {
		delete(cur, parts[len(parts)-1])
	} else {
		cur[parts[len(parts)-1]] = v
	}
	return true
}

// missingField as a value makes setPath remove the field.
type missingField struct{}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}
