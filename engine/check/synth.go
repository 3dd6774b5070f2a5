package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// synthetic is a profile made to reach a branch, and how it was made.
type synthetic struct {
	data map[string]any
	desc string
}

// synthesize returns profiles derived from base that make cond true, for conditions simple
// enough to invert: truthiness of a field, comparisons of a field with a literal, contains,
// segment membership, negations and and/or of those. Each result says which values it set.
func synthesize(cond tree.Expr, base map[string]any) []synthetic {
	var out []synthetic
	for _, asg := range assignments(cond, true) {
		data, _ := deepCopy(base).(map[string]any)
		if data == nil {
			data = map[string]any{}
		}
		var desc []string
		keys := make([]string, 0, len(asg))
		for k := range asg {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ok := true
		for _, k := range keys {
			v := asg[k]
			if !setPath(data, k, v) {
				ok = false
				break
			}
			desc = append(desc, fmt.Sprintf("%s = %s", k, describe(v)))
		}
		if ok {
			out = append(out, synthetic{data: data, desc: strings.Join(desc, ", ")})
		}
	}
	return out
}

// missing stands for "remove this field" in an assignment.
type missing struct{}

func describe(v any) string {
	if _, ok := v.(missing); ok {
		return "<missing>"
	}
	return value.Inspect(v)
}

// assignments returns alternative field settings that make e evaluate to want.
func assignments(e tree.Expr, want bool) []map[string]any {
	switch x := e.(type) {
	case *tree.Not:
		return assignments(x.X, !want)
	case *tree.Var:
		p, ok := varPath(x)
		if !ok {
			return nil
		}
		if p == "segment" || strings.HasPrefix(p, "segments.") {
			return nil
		}
		if want {
			return []map[string]any{{p: "sample"}}
		}
		return []map[string]any{{p: missing{}}, {p: false}}
	case *tree.Filtered:
		// `x | size > 0` style: treat the filtered value as its source field.
		return assignments(x.X, want)
	case *tree.Binary:
		switch x.Op {
		case "and", "or":
			l, r := assignments(x.L, want), assignments(x.R, want)
			if (x.Op == "and") == want {
				var out []map[string]any
				for _, a := range l {
					for _, b := range r {
						out = append(out, merge(a, b))
					}
				}
				return out
			}
			return append(l, r...)
		}
		return compare(x, want)
	}
	return nil
}

func compare(x *tree.Binary, want bool) []map[string]any {
	v, isVar := x.L.(*tree.Var)
	lit, isLit := x.R.(*tree.Literal)
	op := x.Op
	if !isVar || !isLit {
		// literal on the left: flip
		if l2, ok := x.L.(*tree.Literal); ok {
			if v2, ok := x.R.(*tree.Var); ok {
				v, lit, isVar, isLit = v2, l2, true, true
				op = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}[op]
			}
		}
	}
	if !isVar || !isLit || op == "" {
		return nil
	}
	p, ok := varPath(v)
	if !ok {
		return nil
	}
	if p == "segment" {
		if s, ok := lit.Value.(string); ok && (op == "==") == want {
			return []map[string]any{{"segment": s}}
		}
		return []map[string]any{{"segment": "(none)"}}
	}
	if strings.HasPrefix(p, "segments.") {
		return nil
	}
	if !want {
		op = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">": "<=", "<=": ">", ">=": "<", "contains": "!contains"}[op]
	}
	lv := lit.Value
	switch op {
	case "==":
		return []map[string]any{{p: lv}}
	case "!=":
		return []map[string]any{{p: missing{}}, {p: differentFrom(lv)}}
	case "contains":
		return []map[string]any{{p: []any{lv}}, {p: "x " + value.ToString(lv) + " x"}}
	case "!contains":
		return []map[string]any{{p: []any{}}}
	}
	n, isNum := value.ToNumber(lv).(int)
	f := value.ToFloat(lv)
	if !isNum {
		n = int(f)
	}
	switch op {
	case "<":
		return []map[string]any{{p: n - 1}}
	case "<=":
		return []map[string]any{{p: n}}
	case ">":
		return []map[string]any{{p: n + 1}}
	case ">=":
		return []map[string]any{{p: n}}
	}
	return nil
}

func differentFrom(v any) any {
	switch x := v.(type) {
	case string:
		return x + "-other"
	case int:
		return x + 1
	case bool:
		return !x
	}
	return "other"
}

// varPath returns a dotted path for a variable made only of names.
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

func merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// setPath sets (or with missing{} removes) a dotted path in data, creating maps on the way.
func setPath(data map[string]any, path string, v any) bool {
	parts := strings.Split(path, ".")
	cur := data
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			if _, exists := cur[p]; exists && cur[p] != nil {
				return false
			}
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	last := parts[len(parts)-1]
	if _, del := v.(missing); del {
		delete(cur, last)
	} else {
		cur[last] = v
	}
	return true
}

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
