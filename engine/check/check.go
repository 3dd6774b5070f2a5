// Package check proves templates before they ship: it compiles every template of a
// workspace, renders it for every sample profile and for profiles it synthesizes to reach
// branches the samples miss, and reports diagnostics like a compiler. Each rule has a stable
// id: empty-branch, segment-fallback, unreached-branch, missing-fallback, empty-output,
// amp-invalid, size, links, images, subject (plus syntax for compile errors).
package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/workspace"
)

// Options control a check.
type Options struct {
	// Profiles replaces the workspace's sample profiles when non-nil.
	Profiles []workspace.Profile
	// Validate runs the official AMP validator over the AMP outputs; nil skips amp-invalid.
	Validate func(ctx context.Context, docs []string) ([][]string, error)
}

// Result holds the diagnostics of a check, sorted by file, line, column and rule.
type Result struct {
	Diagnostics []diag.Diagnostic
	// Sources maps file names to their text, for code frames.
	Sources map[string]string
	// Renders counts the renders the check made (sample and synthesized profiles).
	Renders int
}

// Errors counts the error diagnostics.
func (r *Result) Errors() int { return r.count(diag.SeverityError) }

// Warnings counts the warning diagnostics.
func (r *Result) Warnings() int { return r.count(diag.SeverityWarning) }

func (r *Result) count(sev string) int {
	n := 0
	for _, d := range r.Diagnostics {
		if d.Severity == sev {
			n++
		}
	}
	return n
}

// Workspace checks every template of ws (or only names, when given).
func Workspace(ctx context.Context, ws *workspace.Workspace, names []string, opt Options) *Result {
	if len(names) == 0 {
		names = ws.Templates
	}
	res := &Result{Sources: map[string]string{}}
	var amps []ampDoc
	for _, n := range names {
		amps = append(amps, checkTemplate(ctx, ws, n, opt, res)...)
	}
	if opt.Validate != nil && len(amps) > 0 {
		validateAMP(ctx, amps, opt, res)
	}
	res.sort()
	return res
}

// Template checks one template of ws.
func Template(ctx context.Context, ws *workspace.Workspace, name string, opt Options) *Result {
	return Workspace(ctx, ws, []string{name}, opt)
}

func (r *Result) add(d diag.Diagnostic) { r.Diagnostics = append(r.Diagnostics, d) }

// sort orders diagnostics and collapses the ones repeated for several profiles.
func (r *Result) sort() {
	sort.SliceStable(r.Diagnostics, func(i, j int) bool {
		a, b := r.Diagnostics[i], r.Diagnostics[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Rule < b.Rule
	})
	r.collapse()
}

// collapse reports a finding made for several profiles once: the message names them all
// and Profile keeps the first.
func (r *Result) collapse() {
	type group struct {
		at       int    // index in out
		template string // the message with the profile's name cut out
		profiles []string
	}
	out := r.Diagnostics[:0]
	var groups []*group
	byKey := map[diag.Diagnostic]*group{}
	for _, d := range r.Diagnostics {
		k := d
		k.Profile = ""
		named := "profile " + strconv.Quote(d.Profile)
		if d.Profile != "" && strings.Contains(d.Message, named) {
			k.Message = strings.Replace(d.Message, named, "\x00", 1)
		}
		if g := byKey[k]; g != nil {
			if !slices.Contains(g.profiles, d.Profile) {
				g.profiles = append(g.profiles, d.Profile)
			}
			continue
		}
		g := &group{at: len(out), template: k.Message, profiles: []string{d.Profile}}
		byKey[k] = g
		groups = append(groups, g)
		out = append(out, d)
	}
	for _, g := range groups {
		if len(g.profiles) > 1 && strings.Contains(g.template, "\x00") {
			out[g.at].Message = strings.Replace(g.template, "\x00", profilesPhrase(g.profiles), 1)
		}
	}
	r.Diagnostics = out
}

// profilesPhrase names profiles in a message: profiles "a", "b" and "c", or the first three
// and how many more.
func profilesPhrase(ids []string) string {
	q := make([]string, 0, 3)
	for _, id := range ids[:min(len(ids), 3)] {
		q = append(q, strconv.Quote(id))
	}
	switch {
	case len(ids) > 3:
		return fmt.Sprintf("profiles %s (and %d more)", strings.Join(q, ", "), len(ids)-3)
	case len(ids) == 3:
		return "profiles " + q[0] + ", " + q[1] + " and " + q[2]
	}
	return "profiles " + q[0] + " and " + q[1]
}

// maxSynthPerBranch bounds the renders spent on reaching one branch.
const maxSynthPerBranch = 4

type ampDoc struct {
	file, profile, doc string
}

func checkTemplate(ctx context.Context, ws *workspace.Workspace, name string, opt Options, res *Result) []ampDoc {
	file := ws.Path(name)
	tpl, err := ws.Compile(name, nil)
	if err != nil {
		var de *diag.Error
		if errors.As(err, &de) {
			d := de.Diagnostic()
			res.add(d)
			if de.Source != "" {
				res.Sources[de.File] = de.Source
			}
		} else {
			res.add(diag.Diagnostic{File: file, Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "syntax", Message: err.Error()})
		}
		return nil
	}
	res.Sources[file] = tpl.Source
	branches := collectBranches(tpl.Tree)
	segmentFallback(tpl, ws, res)
	if sc, err := loadSchema(ws); err != nil {
		res.add(diag.Diagnostic{File: ws.Path(SchemaFile), Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "syntax", Message: err.Error()})
	} else if sc != nil {
		schemaFallbacks(tpl, sc, res)
	}

	profiles := opt.Profiles
	if profiles == nil {
		profiles = ws.Profiles
	}
	if len(profiles) == 0 {
		profiles = []workspace.Profile{{ID: "(empty profile)", Data: map[string]any{}}}
	}
	var amps []ampDoc
	loc := newLocator(ctx, ws, tpl)
	run := func(p workspace.Profile, synth string) {
		res.Renders++
		hits := map[tree.Pos]bool{}
		msg, err := tpl.RenderWith(ctx, p.Data, engine.RenderOptions{Trace: func(h eval.BranchHit) {
			b := branches[h.Pos]
			if b == nil || h.File != file {
				return
			}
			if synth != "" && b.reached {
				return // a synthesized profile reports only branches no sample reached
			}
			if synth == "" {
				b.reached = true
			} else {
				b.reachedSynth = true
			}
			if hits[h.Pos] || b.sideEffectOnly || visible(h.Output) {
				return
			}
			hits[h.Pos] = true
			m := fmt.Sprintf("this %s branch renders no visible content for profile %q", b.tag, p.ID)
			if synth != "" {
				m = fmt.Sprintf("this %s branch renders no visible content for a profile synthesized to reach it, as no sample does (%s)", b.tag, synth)
			}
			res.add(diag.Diagnostic{File: file, Line: h.Pos.Line, Col: h.Pos.Col, Severity: diag.SeverityError, Rule: "empty-branch", Message: m, Profile: p.ID})
		}})
		if err != nil {
			var de *diag.Error
			if errors.As(err, &de) {
				d := de.Diagnostic()
				d.Profile = p.ID
				d.Message += fmt.Sprintf(" (profile %q)", p.ID)
				res.add(d)
			} else {
				res.add(diag.Diagnostic{File: file, Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "render", Message: err.Error(), Profile: p.ID})
			}
			return
		}
		if synth != "" {
			return // synthesized profiles only feed empty-branch
		}
		missingFallback(tpl, msg, p, res)
		htmlRules(loc, msg, p, res)
		subjectRender(tpl, msg, p, res)
		for _, d := range msg.Diagnostics {
			if d.Rule == "undefined" {
				continue // reported as missing-fallback
			}
			d.Profile = p.ID
			res.add(d)
		}
		if msg.AMP != nil {
			amps = append(amps, ampDoc{file: file, profile: p.ID, doc: *msg.AMP})
		}
	}
	for _, p := range profiles {
		run(p, "")
	}
	// Reach the branches no sample profile reached with synthesized profiles.
	syn := newSynthesizer(ctx, file, tpl.Source, ws.Segments, profiles, ws.Now)
	for _, b := range sortedBranches(branches) {
		if b.reached || b.reachedSynth || b.sideEffectOnly {
			continue
		}
		for _, s := range syn.profiles(b.reach, maxSynthPerBranch) {
			run(workspace.Profile{ID: "synthesized", Data: s.data}, s.desc)
			b.tried = append(b.tried, s.desc)
			if b.reachedSynth {
				break
			}
		}
	}
	for _, b := range sortedBranches(branches) {
		if b.reached || b.reachedSynth || b.sideEffectOnly {
			continue
		}
		m := fmt.Sprintf("no sample profile reaches this %s branch, and no profile could be synthesized for its condition", b.tag)
		if len(b.tried) > 0 {
			m = fmt.Sprintf("no sample profile reaches this %s branch, nor did the profiles synthesized for its condition (%s)", b.tag, strings.Join(b.tried, "; "))
		}
		res.add(diag.Diagnostic{File: file, Line: b.pos.Line, Col: b.pos.Col, Severity: diag.SeverityWarning, Rule: "unreached-branch", Message: m})
	}
	subjectRules(tpl, res)
	return amps
}

func sortedBranches(m map[tree.Pos]*branchInfo) []*branchInfo {
	out := make([]*branchInfo, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos.Offset < out[j].pos.Offset })
	return out
}

// segmentFallback reports segment blocks without an else branch that do not cover every
// segment.
func segmentFallback(tpl *engine.Template, ws *workspace.Workspace, res *Result) {
	tree.Walk(tpl.Tree.Body, func(n tree.Node) bool {
		s, ok := n.(*tree.Segment)
		if !ok || s.Else != nil {
			return true
		}
		listed := map[string]bool{}
		for _, b := range s.Branches {
			for _, name := range b.Names {
				listed[name] = true
			}
		}
		var missing []string
		catchAll := false
		for _, seg := range ws.Segments.Segments() {
			if !listed[seg.Name] {
				missing = append(missing, seg.Name)
			} else if strings.TrimSpace(seg.When) == "true" {
				catchAll = true
			}
		}
		if len(missing) == 0 && catchAll {
			return true
		}
		what := "profiles in no segment"
		if len(missing) > 0 {
			what = "segments " + strings.Join(missing, ", ") + " and profiles in no segment"
		}
		res.add(diag.Diagnostic{File: tpl.Name, Line: s.Line, Col: s.Col, Severity: diag.SeverityError, Rule: "segment-fallback",
			Message: "segment block has no else branch: " + what + " get nothing here",
			Hint:    elseHint(tpl.Dialect)})
		return true
	})
}
