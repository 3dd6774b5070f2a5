package check

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/segment"
	"github.com/mailmold/mailmold/engine/value"
	"github.com/mailmold/mailmold/engine/workspace"
)

// synthetic is a profile made to reach a branch, and how it was made.
type synthetic struct {
	data map[string]any
	desc string
}

// synthesizer makes profiles that satisfy reach formulas. It starts from each sample profile
// (and an empty one), keeps the fields that already satisfy the formula and sets the others
// to values from other samples, from the literals the conditions compare with, or to plain
// truthy and falsy values. Segment membership goes through the profile's `segment` field,
// which makes the profile a member of the named segment (see segment.Set.Evaluate), as for
// segment blocks; profiles that must stay out of a segment start from a base the segment's
// rule does not match.
type synthesizer struct {
	ctx     context.Context
	file    string
	source  string
	segs    *segment.Set
	bases   []workspace.Profile
	env     filters.Env
	compile map[*atom]eval.Fn
}

func newSynthesizer(ctx context.Context, file, source string, segs *segment.Set, samples []workspace.Profile, now func() time.Time) *synthesizer {
	if segs == nil {
		segs = segment.Empty()
	}
	bases := append(append([]workspace.Profile(nil), samples...), workspace.Profile{ID: "", Data: map[string]any{}})
	s := &synthesizer{ctx: ctx, file: file, source: source, segs: segs, bases: bases, compile: map[*atom]eval.Fn{}}
	if now != nil {
		s.env.Now = now()
	}
	return s
}

// lit is an atom that must evaluate to want.
type lit struct {
	a    *atom
	want bool
}

// maxConjunctions bounds the disjunctive normal form of one reach formula.
const maxConjunctions = 32

// dnf returns the alternatives (each a list of literals that must all hold) that make f
// evaluate to want.
func dnf(f formula, want bool) [][]lit {
	switch x := f.(type) {
	case nil:
		if want {
			return [][]lit{nil}
		}
		return nil
	case fAtom:
		return [][]lit{{{x.a, want}}}
	case fNot:
		return dnf(x.x, !want)
	case fAnd:
		if want {
			return product(x, true)
		}
		return union(x, false)
	case fOr:
		if want {
			return union(x, true)
		}
		return product(x, false)
	}
	return nil
}

func union(fs []formula, want bool) [][]lit {
	var out [][]lit
	for _, f := range fs {
		out = append(out, dnf(f, want)...)
		if len(out) >= maxConjunctions {
			return out[:maxConjunctions]
		}
	}
	return out
}

func product(fs []formula, want bool) [][]lit {
	out := [][]lit{nil}
	for _, f := range fs {
		alts := dnf(f, want)
		var next [][]lit
		for _, a := range out {
			for _, b := range alts {
				if len(next) == maxConjunctions {
					break
				}
				next = append(next, append(append([]lit(nil), a...), b...))
			}
		}
		out = next
	}
	return out
}

// profiles returns up to limit profiles that satisfy f, one per alternative of its normal
// form, each built from the sample profile it changes least (an empty profile when no
// sample fits). Samples left unchanged are not returned: they were rendered already.
func (s *synthesizer) profiles(f formula, limit int) []synthetic {
	var out []synthetic
	for _, conj := range dnf(f, true) {
		if sy, ok := s.solve(conj); ok {
			out = append(out, sy)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// solve builds the profile for one conjunction of literals.
func (s *synthesizer) solve(conj []lit) (synthetic, bool) {
	byPath := map[string][]lit{}
	var paths []string
	sc := segConstraint{in: map[string]bool{}, out: map[string]bool{}}
	for _, l := range conj {
		switch {
		case l.a.seg != "":
			if l.want {
				sc.in[l.a.seg] = true
				if l.a.first {
					if sc.first != "" && sc.first != l.a.seg {
						return synthetic{}, false
					}
					sc.first = l.a.seg
				}
			} else {
				sc.out[l.a.seg] = true
			}
		case l.a.path != "":
			if byPath[l.a.path] == nil {
				paths = append(paths, l.a.path)
			}
			byPath[l.a.path] = append(byPath[l.a.path], l)
		}
		// other literals read what no profile sets: the render decides
	}
	if len(paths) == 0 && len(sc.in) == 0 && len(sc.out) == 0 {
		return synthetic{}, false // nothing a profile could change
	}
	for name := range sc.in {
		if sc.out[name] || !s.segs.Has(name) {
			return synthetic{}, false
		}
	}
	// deeper paths first: a field set inside a map makes the map, which its own
	// conditions then read as it is
	sort.Slice(paths, func(i, j int) bool {
		di, dj := strings.Count(paths[i], "."), strings.Count(paths[j], ".")
		if di != dj {
			return di > dj
		}
		return paths[i] < paths[j]
	})
	// the value each path takes when the base's own does not do
	fallback := map[string]candidate{}
	for _, p := range paths {
		c, ok := s.pick(p, byPath[p])
		if !ok {
			return synthetic{}, false
		}
		fallback[p] = c
	}
	best, bestChanges := synthetic{}, -1
	for i, base := range s.bases {
		empty := i == len(s.bases)-1
		data, desc, ok := s.build(base.Data, paths, byPath, fallback, sc)
		if !ok || !s.holds(conj, data, sc) || !empty && len(desc) == 0 {
			continue
		}
		if empty && bestChanges >= 0 {
			break // an empty profile only when no sample can be changed to fit
		}
		if bestChanges < 0 || len(desc) < bestChanges {
			from := "profile " + value.Inspect(base.ID)
			if empty {
				from = "an empty profile"
			}
			if len(desc) > 0 {
				from += " with " + strings.Join(desc, ", ")
			}
			best, bestChanges = synthetic{data: data, desc: from}, len(desc)
		}
	}
	return best, bestChanges >= 0
}

// segConstraint is what a conjunction asks of segment membership: segments the profile
// must be in, the one that must come first, and segments it must stay out of.
type segConstraint struct {
	in, out map[string]bool
	first   string
}

// build copies base and changes what the literals need: the fields whose value does not
// satisfy them, and the segment override when the profile is not in a segment it must be
// in (or names one it must stay out of). It returns the profile and the changes made.
func (s *synthesizer) build(base map[string]any, paths []string, byPath map[string][]lit, fallback map[string]candidate, sc segConstraint) (map[string]any, []string, bool) {
	data, _ := deepCopy(base).(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	var desc []string
	for _, p := range paths {
		if v, has := lookupPath(data, p); s.all(byPath[p], p, v, has) {
			continue
		}
		c := fallback[p]
		if !setPath(data, p, c.value()) {
			return nil, nil, false
		}
		desc = append(desc, p+" = "+c.describe())
	}
	cur, _ := data["segment"].(string)
	if sc.out[cur] {
		delete(data, "segment")
		desc = append(desc, "segment = <missing>")
	}
	if len(sc.in) == 0 {
		return data, desc, true
	}
	first, member, err := s.segs.Membership(data)
	if err != nil {
		return nil, nil, false
	}
	override := sc.first
	if first == sc.first {
		override = ""
	}
	for name := range sc.in {
		if !member[name] && name != override {
			if override != "" {
				return nil, nil, false // the override names one segment
			}
			override = name
		}
	}
	if override != "" {
		data["segment"] = override
		desc = append(desc, "segment = "+value.Inspect(override))
	}
	return data, desc, true
}

// holds checks a built profile against every literal a profile can steer: the segment
// memberships and the field conditions (which may interact through nested paths).
func (s *synthesizer) holds(conj []lit, data map[string]any, sc segConstraint) bool {
	first, member, err := s.segs.Membership(data)
	if err != nil || sc.first != "" && first != sc.first {
		return false
	}
	for name := range sc.in {
		if !member[name] {
			return false
		}
	}
	for name := range sc.out {
		if member[name] {
			return false
		}
	}
	for _, l := range conj {
		if l.a.path != "" && s.eval(l.a, data) != l.want {
			return false
		}
	}
	return true
}

// all reports whether v (present or not) at path satisfies every literal.
func (s *synthesizer) all(lits []lit, path string, v any, has bool) bool {
	data := map[string]any{}
	if has && !setPath(data, path, v) {
		return false
	}
	for _, l := range lits {
		if s.eval(l.a, data) != l.want {
			return false
		}
	}
	return true
}

// pick returns the first candidate value of path that satisfies every literal on it.
func (s *synthesizer) pick(path string, lits []lit) (candidate, bool) {
	for _, c := range s.candidates(path, lits) {
		if s.all(lits, path, c.v, !c.missing) {
			return c, true
		}
	}
	return candidate{}, false
}

// eval evaluates an atom over data with the dialect's truthiness; errors and panics count
// as false.
func (s *synthesizer) eval(a *atom, data map[string]any) (ok bool) {
	fn, seen := s.compile[a]
	if !seen {
		fn, _ = eval.Compile(a.expr, eval.Options{File: s.file, Source: s.source})
		s.compile[a] = fn
	}
	if fn == nil {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	st := eval.NewState(s.ctx, data)
	st.Env = s.env
	v, err := fn(st)
	return err == nil && a.truth(v)
}
