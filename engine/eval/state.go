// Package eval evaluates mailmold expressions with Liquid semantics. Expressions from
// engine/tree are compiled once into closures (Fn); all per-render state lives in a State
// created for each render, so one compiled expression serves every goroutine.
package eval

import (
	"context"
	"errors"
	"strconv"

	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"

	"github.com/mailmold/mailmold/engine/filters"
)

// Undefined records one output of a variable that renders blank: missing from the data, or
// null or empty.
type Undefined struct {
	File string
	Pos  tree.Pos
	Name string
	// Blank is set when the variable exists but is null or an empty string (it renders blank
	// all the same); unset when it does not exist at all.
	Blank bool
}

// Limits bounds what one render may do.
type Limits struct {
	MaxIterations int // total loop iterations per render
	MaxDepth      int // include/render nesting
	// MaxOutput bounds the bytes of output, and with them what a template may build: every
	// value a filter returns (its filters.Footprint) and the values held in variables
	// together (see AssignBuilt).
	MaxOutput int
}

// DefaultLimits are the limits used when none are given.
var DefaultLimits = Limits{MaxIterations: 100_000, MaxDepth: 16, MaxOutput: 4 << 20}

// HardLimits are the most a template's front matter may ask for when the operator set no
// limit of their own.
var HardLimits = Limits{MaxIterations: 10_000_000, MaxDepth: 64, MaxOutput: 64 << 20}

type binding struct {
	name string
	val  any
}

// scope is the variable scope of a template or an isolated partial render.
type scope struct {
	assigns  map[string]any
	counters map[string]int
	frames   []binding
	// held maps the variables holding a built value of heldMin bytes or more to its
	// footprint; heldSum is their total (see AssignBuilt).
	held    map[string]int
	heldSum int
}

// heldMin is the smallest built value AssignBuilt keeps account of: smaller ones cost
// nothing to track, and a template can name only so many variables.
const heldMin = 1 << 10

// State is the per-render state: the data, the variable scopes, loop and cycle state, the
// recorded undefined variables and the limits.
type State struct {
	Ctx     context.Context
	Data    map[string]any // the profile
	Globals map[string]any // engine-provided names (segment, segments, preheader…), before Data
	Env     filters.Env
	Limits  Limits
	// Segments reports segment membership by index for segment blocks; nil means none.
	Segment func(name string) bool

	sc *scope
	// Undefined lists the outputs of variables that rendered blank, each place once for
	// missing and once for blank values (a loop does not repeat them).
	Undefined  []Undefined
	Iterations int
	Depth      int
	// Registers holds tag state that lives for the whole render (cycle positions, offset
	// continue, ifchanged), keyed by the tag's identity.
	Registers map[any]any
	Output    int // bytes written so far, maintained by the writer
	// Held is the footprint of the built values held in variables (see AssignBuilt) plus
	// what Hold added.
	Held int
	// seenUndefined indexes Undefined once it grows past a few records (see record).
	seenUndefined map[undefinedKey]bool
	// Trace, when set, receives the output of every conditional branch and loop body as it
	// renders (mailmold check's empty-branch rule).
	Trace func(b BranchHit)
	// Omitted lists variants this render cannot produce while the render itself goes on.
	Omitted []Omission
	// args is a stack of filter arguments: each filter call pushes its own and pops them
	// after the call (see compileFiltered), so a render allocates them once
	args []any
}

// Omission is a variant one render cannot produce, and why: a live block whose src, taken
// from the data, is not a live-data URL costs the AMP part (HTML and text show its
// fallback). File and Pos are the tag's.
type Omission struct {
	File    string
	Pos     tree.Pos
	Variant string // "amp"
	Rule    string
	Message string
}

// BranchHit is one rendering of a conditional branch or loop body.
type BranchHit struct {
	File   string
	Pos    tree.Pos // the branch's opening tag
	Tag    string   // if, elsif, else, unless, when, segment, section, inverted, for, each…
	Output string
}

// NewState returns a State over data.
func NewState(ctx context.Context, data map[string]any) *State {
	if ctx == nil {
		ctx = context.Background()
	}
	return &State{Ctx: ctx, Data: data, Limits: DefaultLimits, sc: &scope{}}
}

// Lookup resolves a root variable name: loop and block bindings (innermost first), assigns,
// counters, engine globals, then the profile data.
func (s *State) Lookup(name string) (any, bool) {
	sc := s.sc
	for i := len(sc.frames) - 1; i >= 0; i-- {
		f := &sc.frames[i]
		if f.name == name {
			return f.val, true
		}
		if f.name == "" { // a context object (Mustache sections, Handlebars with/each)
			if v, ok := value.Property(f.val, name); ok {
				if _, isMap := f.val.(map[string]any); isMap || name != "size" && name != "first" && name != "last" {
					return v, true
				}
			}
		}
	}
	if v, ok := sc.assigns[name]; ok {
		return v, true
	}
	if v, ok := sc.counters[name]; ok {
		return v, true
	}
	if v, ok := s.Globals[name]; ok {
		return v, true
	}
	v, ok := s.Data[name]
	return v, ok
}

// PushContext pushes a context object: its keys become visible as variables (Mustache
// sections, Handlebars with/each). Pop(1) removes it.
func (s *State) PushContext(v any) { s.Push("", v) }

// Context returns the context object depth levels up from the innermost (0: `.`/`this`),
// falling back to the profile data at the bottom of the stack.
func (s *State) Context(depth int) (any, bool) {
	fr := s.sc.frames
	for i := len(fr) - 1; i >= 0; i-- {
		if fr[i].name == "" {
			if depth == 0 {
				return fr[i].val, true
			}
			depth--
		}
	}
	if depth == 0 {
		return s.Data, true
	}
	return nil, false
}

// LookupFrom resolves name skipping depth context objects (Handlebars `../name`).
func (s *State) LookupFrom(depth int, name string) (any, bool) {
	if depth == 0 {
		return s.Lookup(name)
	}
	fr := s.sc.frames
	for i := len(fr) - 1; i >= 0; i-- {
		if fr[i].name != "" {
			continue
		}
		if depth > 0 {
			depth--
			continue
		}
		if v, ok := value.Property(fr[i].val, name); ok {
			return v, true
		}
	}
	if v, ok := s.Globals[name]; ok {
		return v, true
	}
	v, ok := s.Data[name]
	return v, ok
}

// LookupRoot resolves name at the root (Handlebars `@root.name`): engine globals, then the
// profile data; bindings, contexts and assigns are not consulted.
func (s *State) LookupRoot(name string) (any, bool) {
	if v, ok := s.Globals[name]; ok {
		return v, true
	}
	v, ok := s.Data[name]
	return v, ok
}

// Assign sets a variable in the current template scope to a value that exists already (a
// variable, a literal, a partial's argument); a built value it replaces is released.
func (s *State) Assign(name string, v any) {
	if sc := s.sc; sc.held != nil {
		if n, ok := sc.held[name]; ok {
			delete(sc.held, name)
			sc.heldSum -= n
			s.Held -= n
		}
	}
	s.set(name, v)
}

func (s *State) set(name string, v any) {
	if s.sc.assigns == nil {
		s.sc.assigns = make(map[string]any, 8)
	}
	s.sc.assigns[name] = v
}

// Count applies an increment (delta 1) or decrement (delta -1) to a named counter and returns
// the value to output: the value before an increment, after a decrement.
func (s *State) Count(name string, delta int) int {
	if s.sc.counters == nil {
		s.sc.counters = map[string]int{}
	}
	v := s.sc.counters[name]
	if delta > 0 {
		s.sc.counters[name] = v + 1
		return v
	}
	s.sc.counters[name] = v - 1
	return v - 1
}

// Push binds name to v for a nested block; Pop removes the most recent binding.
func (s *State) Push(name string, v any) { s.sc.frames = append(s.sc.frames, binding{name, v}) }

// Set replaces the value of the most recent binding (the loop variable on each iteration).
func (s *State) Set(depth int, v any) { s.sc.frames[len(s.sc.frames)-1-depth].val = v }

// Pop removes the n most recent bindings.
func (s *State) Pop(n int) { s.sc.frames = s.sc.frames[:len(s.sc.frames)-n] }

// AssignBuilt sets a variable to a value the template built (an assign with filters, a
// capture) and keeps account of its footprint: the built values held in variables may
// together take at most Limits.MaxOutput bytes, however many variables a template names.
// Values under heldMin bytes are not tracked.
func (s *State) AssignBuilt(name string, v any) error {
	max := s.Limits.MaxOutput
	n := 0
	if max > 0 {
		n = filters.Footprint(v, max)
	}
	sc := s.sc
	if n >= heldMin || sc.held != nil {
		old := sc.held[name]
		if n >= heldMin {
			if sc.held == nil {
				sc.held = make(map[string]int, 4)
			}
			sc.held[name] = n
		} else {
			delete(sc.held, name)
		}
		sc.heldSum += n - old
		s.Held += n - old
		if max > 0 && s.Held > max {
			return &LimitError{What: "value size (bytes)", Limit: max,
				Detail: "the variables hold " + itoa(s.Held) + " bytes together after assigning " + name}
		}
	}
	s.set(name, v)
	return nil
}

// Hold counts n bytes the template keeps for the rest of the render outside its variables
// (a cycle group's name) against Limits.MaxOutput, like AssignBuilt.
func (s *State) Hold(n int, what string) error {
	s.Held += n
	if max := s.Limits.MaxOutput; max > 0 && s.Held > max {
		return &LimitError{What: "value size (bytes)", Limit: max, Detail: what + " brings what the template holds to " + itoa(s.Held) + " bytes"}
	}
	return nil
}

// Isolate starts an isolated scope (a `render` partial): assigns, counters and bindings of
// the caller are invisible until the returned function restores them, and the values the
// partial held are released.
func (s *State) Isolate() (restore func()) {
	old := s.sc
	s.sc = &scope{}
	return func() {
		s.Held -= s.sc.heldSum
		s.sc = old
	}
}

type undefinedKey struct {
	file  string
	pos   tree.Pos
	blank bool
}

// record appends u to Undefined unless the same place is recorded already with the same
// Blank: a loop records each of its outputs once, however often it runs (a loop over
// 100,000 items must not keep 100,000 records).
func (s *State) record(u Undefined) {
	if s.seenUndefined == nil {
		for i := range s.Undefined {
			if r := &s.Undefined[i]; r.Pos == u.Pos && r.Blank == u.Blank && r.File == u.File {
				return
			}
		}
		s.Undefined = append(s.Undefined, u)
		if len(s.Undefined) >= 16 {
			s.seenUndefined = make(map[undefinedKey]bool, 64)
			for _, r := range s.Undefined {
				s.seenUndefined[undefinedKey{r.File, r.Pos, r.Blank}] = true
			}
		}
		return
	}
	k := undefinedKey{u.File, u.Pos, u.Blank}
	if !s.seenUndefined[k] {
		s.seenUndefined[k] = true
		s.Undefined = append(s.Undefined, u)
	}
}

// ErrLimit is wrapped by errors for exceeded limits.
var ErrLimit = errors.New("limit exceeded")

// Tick counts one loop iteration and checks the iteration limit and the deadline.
func (s *State) Tick() error {
	s.Iterations++
	if s.Limits.MaxIterations > 0 && s.Iterations > s.Limits.MaxIterations {
		return &LimitError{What: "loop iterations", Limit: s.Limits.MaxIterations}
	}
	if s.Limits.MaxOutput > 0 && s.Output > s.Limits.MaxOutput {
		return &LimitError{What: "output size (bytes)", Limit: s.Limits.MaxOutput}
	}
	if s.Iterations&255 == 0 {
		if err := s.Ctx.Err(); err != nil {
			return &LimitError{What: "render time (deadline)", Err: err}
		}
	}
	return nil
}

// LimitError reports an exceeded render limit.
type LimitError struct {
	What   string
	Limit  int
	Detail string // what passed it, after the message
	Err    error
}

// Error reads "<what> limit exceeded (limit N): <detail>".
func (e *LimitError) Error() string {
	if e.Limit > 0 {
		msg := e.What + " limit exceeded (limit " + itoa(e.Limit) + ")"
		if e.Detail != "" {
			msg += ": " + e.Detail
		}
		return msg
	}
	if e.Err != nil {
		return e.What + " exceeded: " + e.Err.Error()
	}
	return e.What + " limit exceeded"
}

// Hint says how to get past the limit when the template is right.
func (e *LimitError) Hint() string {
	switch e.What {
	case "loop iterations":
		return "if the template is right, raise max_iterations in front matter or --max-iterations (front matter cannot go above the flag)"
	case "output size (bytes)":
		return "if the template is right, raise max_output_bytes in front matter or --max-output-bytes (front matter cannot go above the flag)"
	case "value size (bytes)":
		return "a value the template builds (append, join, replace, split, concat, capture…), and all it holds in variables together, may take at most max_output_bytes: build less, or raise max_output_bytes / --max-output-bytes"
	case "render time (deadline)":
		return "if the template is right, raise timeout_ms in front matter or --timeout (front matter cannot go above the flag)"
	case "include depth":
		return "a partial that includes itself needs a condition that ends the recursion"
	}
	return "raise the limit in front matter (max_iterations, max_output_bytes, max_include_depth, timeout_ms) or with a flag if the template is right"
}

// Unwrap returns ErrLimit so callers can test errors.Is(err, ErrLimit).
func (e *LimitError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrLimit, e.Err}
	}
	return []error{ErrLimit}
}

func itoa(n int) string { return strconv.Itoa(n) }
