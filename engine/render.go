package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/filters"
	"github.com/mailmold/mailmold/engine/mime"
	"github.com/mailmold/mailmold/engine/pongo"
	"github.com/mailmold/mailmold/engine/value"
)

// Message is one rendered email: the headers that come from the template and profile, and
// the variants. AMP and Text are nil when that variant was not produced.
type Message struct {
	Template    string
	ProfileID   string
	Segment     string
	Segments    map[string]bool
	Subject     string
	Preheader   string
	From        string
	ReplyTo     string
	To          string // the profile's email
	ToName      string
	Unsubscribe string
	Date        time.Time // when it was rendered, by the template's clock
	// Master is the rendered document before the variant passes (markers still in); empty
	// when the HTML variant alone was asked for and came straight from its compiled program.
	Master      string
	HTML        string
	AMP         *string
	Text        *string
	Diagnostics []diag.Diagnostic
	// Blanks lists every output of a variable that rendered blank (missing, null or empty),
	// for mailmold check.
	Blanks []eval.Undefined
	// omitted are the variants the master render found it cannot produce (see eval.Omission)
	omitted []eval.Omission
	// holes are the byte ranges of Master written from data (see pongo.Doc)
	holes [][2]int
	// htmlHoles and ampHoles are those of HTML and AMP, with where their layout's MIME
	// encodings are kept (see mime.Holes); zero when not known
	htmlHoles, ampHoles mime.Holes
	// from and replyTo are From and ReplyTo parsed, when they are the template's
	from, replyTo address
}

// RenderOptions are per-call render settings.
type RenderOptions struct {
	// Trace receives the output of every conditional branch and loop body.
	Trace func(eval.BranchHit)
	// twoRenders renders the master document and the HTML variant apart (after a dual render
	// met a place where it cannot write them apart)
	twoRenders bool
}

// RenderWith renders the template for one profile with per-call options.
func (t *Template) RenderWith(ctx context.Context, profile map[string]any, ro RenderOptions) (*Message, error) {
	return t.render(ctx, profile, ro)
}

// render runs the templated fields and the body, then the variant passes.
func (t *Template) render(ctx context.Context, profile map[string]any, ro RenderOptions) (*Message, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	m := &Message{Template: t.Name, Segments: map[string]bool{}, Date: t.now()}
	if id, ok := profile["id"]; ok {
		m.ProfileID = value.ToString(id)
	}
	if e, ok := profile["email"].(string); ok {
		m.To = e
	}
	m.ToName = strings.TrimSpace(value.ToString(profile["first_name"]) + " " + value.ToString(profile["last_name"]))
	if t.opt.Segments != nil {
		seg, segs, err := t.opt.Segments.Membership(profile)
		if err != nil {
			var problems interface{ Diagnostics() []diag.Diagnostic }
			if !errors.As(err, &problems) {
				return nil, fmt.Errorf("%s: segments: %w", t.Name, err)
			}
			// a rule that failed for this profile, an unknown override: reported, not fatal
			for _, d := range problems.Diagnostics() {
				d.Profile = m.ProfileID
				m.Diagnostics = append(m.Diagnostics, d)
			}
		}
		m.Segment, m.Segments = seg, segs
	} else if s, ok := profile["segment"].(string); ok {
		m.Segment = s
		m.Segments[s] = true
	}
	segs := make(map[string]any, len(m.Segments))
	for k, v := range m.Segments {
		segs[k] = v
	}
	globals := map[string]any{"segment": m.Segment, "segments": segs}
	newState := func() *eval.State {
		st := eval.NewState(ctx, profile)
		st.Globals = globals
		st.Limits = t.limits
		st.Env = filters.Env{Now: m.Date}
		st.Segment = func(name string) bool { return m.Segments[name] }
		return st
	}
	st := newState()
	st.Trace = ro.Trace

	var err error
	field := func(p *pongo.Program) (string, error) {
		if p == nil {
			return "", nil
		}
		var b strings.Builder
		if err := p.Render(st, &b); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	}
	if m.Subject, err = field(t.subject); err != nil {
		return nil, err
	}
	if m.Preheader, err = field(t.preheader); err != nil {
		return nil, err
	}
	if m.Unsubscribe, err = field(t.unsubscribe); err != nil {
		return nil, err
	}
	if hasBidi(m.Subject) {
		m.Diagnostics = append(m.Diagnostics, diag.Diagnostic{File: t.Name, Line: t.Front.Subject.Line, Col: t.Front.Subject.Col,
			Severity: diag.SeverityWarning, Rule: "subject", Profile: m.ProfileID,
			Message: "the subject contains Unicode bidi control characters (a sender-spoofing trick)"})
	}
	m.From, m.from = t.Front.From.Value, t.from
	m.ReplyTo, m.replyTo = t.Front.ReplyTo.Value, t.replyTo
	globals["subject"] = m.Subject
	globals["preheader"] = m.Preheader
	globals["unsubscribe_url"] = m.Unsubscribe

	v := t.post.variants()
	if v.HTML && !v.AMP && !v.Text && ro.Trace == nil {
		// the HTML variant alone: its compiled program is the only render
		var b strings.Builder
		b.Grow(t.htmlSize.hint(len(t.Source)))
		if err := t.html.Render(st, &b); err != nil {
			return nil, err
		}
		t.htmlSize.seen(b.Len())
		m.Blanks = st.Undefined
		if err := t.undefined(st, m); err != nil {
			return nil, err
		}
		t.escapeNotes(st, m)
		if err := t.post.run(m, b.String(), nil); err != nil {
			return nil, err
		}
		return m, nil
	}
	var b pongo.Doc  // the master document, with its holes for the parse (see htmltree.Layouts)
	var hb pongo.Doc // the HTML variant, with its holes for the MIME message (see mime.Holes)
	dual := t.dual != nil && ro.Trace == nil && v.HTML && !ro.twoRenders
	b.Holes = make([][2]int, 0, t.masterHoles.count(16))
	if dual {
		// one evaluation writes the master document and the HTML variant (see dual.go)
		b.Grow(t.masterSize.hint(len(t.Source)))
		hb.Grow(t.htmlSize.hint(len(t.Source)))
		hb.Holes = make([][2]int, 0, t.masterHoles.count(16))
		if err := t.dual.RenderDual(st, &b, &hb); err != nil {
			if errors.Is(err, pongo.ErrNotDual) {
				// a place where the two cannot be written apart: start again, rendering
				// each on its own
				ro.twoRenders = true
				return t.render(ctx, profile, ro)
			}
			return nil, err
		}
	}
	if !dual {
		master := t.body
		if t.masterMin != nil && ro.Trace == nil {
			master = t.masterMin
		}
		b.Grow(t.masterSize.hint(len(t.Source)))
		if err := master.Render(st, &b); err != nil {
			return nil, err
		}
	}
	t.masterSize.seen(b.Len())
	t.masterHoles.seen(len(b.Holes))
	m.Master, m.holes = b.String(), b.Holes
	m.Blanks = st.Undefined
	m.omitted = st.Omitted
	if err := t.undefined(st, m); err != nil {
		return nil, err
	}
	t.escapeNotes(st, m)
	var htmlDoc string
	var htmlHoles [][2]int
	if v.HTML {
		if !dual {
			hb.Grow(t.htmlSize.hint(b.Len()))
			if err := t.html.Render(newState(), &hb); err != nil {
				return nil, err
			}
		}
		t.htmlSize.seen(hb.Len())
		htmlDoc, htmlHoles = hb.String(), hb.Holes
	}
	if err := t.post.run(m, htmlDoc, htmlHoles); err != nil {
		return nil, err
	}
	return m, nil
}

// undefined turns the recorded undefined-variable outputs into diagnostics (errors in
// strict mode).
func (t *Template) undefined(st *eval.State, m *Message) error {
	type at struct {
		file      string
		line, col int
	}
	seen := map[at]bool{}
	for _, u := range st.Undefined {
		if u.Blank {
			continue
		}
		k := at{u.File, u.Pos.Line, u.Pos.Col}
		if seen[k] {
			continue
		}
		seen[k] = true
		msg := fmt.Sprintf("'%s' is not defined for this profile and renders empty", u.Name)
		if t.opt.Strict {
			return &diag.Error{File: u.File, Line: u.Pos.Line, Col: u.Pos.Col, Msg: fmt.Sprintf("'%s' is not defined", u.Name),
				Hint: "give it a fallback: {{ " + u.Name + " | default: \"…\" }}", Source: t.sourceOf(u.File), Rule: "undefined"}
		}
		m.Diagnostics = append(m.Diagnostics, diag.Diagnostic{File: u.File, Line: u.Pos.Line, Col: u.Pos.Col,
			Severity: diag.SeverityWarning, Rule: "undefined", Message: msg, Profile: m.ProfileID})
	}
	return nil
}

// escapeNotes adds the warnings about data the escaper kept out of the document.
func (t *Template) escapeNotes(st *eval.State, m *Message) {
	for _, d := range pongo.Notes(st) {
		d.Profile = m.ProfileID
		m.Diagnostics = append(m.Diagnostics, d)
	}
}

// hasBidi reports Unicode bidirectional control characters.
func hasBidi(s string) bool {
	for _, r := range s {
		if r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c' {
			return true
		}
	}
	return false
}

// sourceOf returns the text of the template file or of a partial it includes, for code
// frames.
func (t *Template) sourceOf(file string) string {
	if file == t.Name {
		return t.Source
	}
	for _, p := range []*pongo.Program{t.body, t.html} {
		if p != nil {
			if src := p.SourceOf(file); src != "" {
				return src
			}
		}
	}
	return ""
}

// sizeHint remembers how long a program's output was last time, so the next render's buffer
// is allocated once at about the right size: not a multiple of the source (the master
// document is minified, often shorter than the template), and not grown by doubling,
// copying the text each time. It is a cache only: any value gives the same output.
type sizeHint struct{ last atomic.Int64 }

// hint is the capacity to start a buffer with: a little more than the last output, or
// guess when there was none yet.
func (h *sizeHint) hint(guess int) int {
	if n := int(h.last.Load()); n > 0 {
		return n + n/16 + 256
	}
	return guess
}

// count is hint for a number of items (no byte slack): a little more than last time.
func (h *sizeHint) count(guess int) int {
	if n := int(h.last.Load()); n > 0 {
		return n + n/8 + 4
	}
	return guess
}

// seen records an output's length.
func (h *sizeHint) seen(n int) { h.last.Store(int64(n)) }
