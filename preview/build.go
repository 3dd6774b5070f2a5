package preview

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/check"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
)

// build is one immutable snapshot of the workspace: loaded, every template compiled, and
// (once checked is true) checked. The snapshot is the compile cache: a template is compiled
// once per build, and a build is made only when a watched file's content changed. When only
// top-level template files changed, the new build compiles and checks just those and takes
// every other template over from the build before (a template reads no other template:
// partials come from partials/ only); any other change (a partial, which is compiled into
// the templates that include it, segments.yaml, a profile, a file added or removed)
// rebuilds everything.
type build struct {
	version  int64
	checked  bool
	ws       *workspace.Workspace // nil when err is set
	err      error                // the workspace did not load
	names    []string
	entries  map[string]*entry
	columns  []column // one per segment (in segments.yaml order), then "no segment"
	took     time.Duration
	compiled int // templates compiled for this build; the others were taken over from the last
}

// entry is one template of a build.
type entry struct {
	name       string
	tpl        *engine.Template // nil when err is set
	err        error            // does not compile
	subject    string           // rendered for the first sample profile
	rawSubject string           // as written in the front matter
	source     string
	diags      []diag.Diagnostic
	checked    bool // diags hold the Checker's findings (or the compile error)
}

// column is one column of the template page's grid: a segment and the first sample profile
// in it ("" when no sample profile is in that segment).
type column struct {
	Segment string `json:"segment"`
	Profile string `json:"profile"`
}

// errorCount and warningCount count an entry's diagnostics (a compile error counts once).
func (e *entry) counts() (errs, warns int) {
	for _, d := range e.diags {
		if d.Severity == diag.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	if e.err != nil && errs == 0 {
		errs = 1
	}
	return errs, warns
}

// FullCheck is the default Checker: mailmold check's rules for one template (compile errors,
// render diagnostics for every sample profile, empty and unreached branches, missing
// fallbacks, links, images, size, subject), without the external AMP validator so it stays
// fast enough to run on every save.
func FullCheck(ws *workspace.Workspace, name string) []diag.Diagnostic {
	return check.Template(context.Background(), ws, name, check.Options{}).Diagnostics
}

// RenderCheck is a lighter Checker: the compile error, or else the diagnostics the engine
// reports while rendering each sample profile (a render error counts as an error diagnostic).
// The same diagnostic reported for several profiles is listed once.
func RenderCheck(ws *workspace.Workspace, name string) []diag.Diagnostic {
	tpl, err := ws.Compile(name, nil)
	if err != nil {
		return []diag.Diagnostic{errorDiagnostic(ws.Path(name), err)}
	}
	var out []diag.Diagnostic
	seen := map[diag.Diagnostic]bool{}
	add := func(d diag.Diagnostic, profile string) {
		k := d
		k.Profile = ""
		if !seen[k] {
			seen[k] = true
			d.Profile = profile
			out = append(out, d)
		}
	}
	for _, p := range ws.Profiles {
		m, err := tpl.Render(context.Background(), p.Data)
		if err != nil {
			add(errorDiagnostic(ws.Path(name), err), p.ID)
			continue
		}
		for _, d := range m.Diagnostics {
			add(d, p.ID)
		}
	}
	return out
}

// errorDiagnostic turns an error into an error diagnostic, at its position when it has one.
func errorDiagnostic(file string, err error) diag.Diagnostic {
	var de *diag.Error
	if errors.As(err, &de) {
		return de.Diagnostic()
	}
	return diag.Diagnostic{File: file, Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "syntax", Message: err.Error()}
}

// errorText is what users see for an error: the code frame and hint for a positioned one.
func errorText(err error) string {
	var de *diag.Error
	if errors.As(err, &de) {
		return de.Format()
	}
	return err.Error()
}

// rebuild loads the workspace and compiles its templates, publishes the snapshot (the pages
// update their frames), then checks the templates it compiled and publishes again (the pages
// update their diagnostics). changed lists the workspace files (slash-separated, relative to
// the workspace) that changed since the last build; nil means anything may have, and
// everything is compiled. With wait the check runs before rebuild returns; otherwise it runs
// in the background and is dropped when a newer build has been published meanwhile.
func (s *Server) rebuild(wait bool, changed []string) {
	s.mu.Lock()
	s.version++
	b := s.compile(s.version, s.state.Load(), changed)
	s.state.Store(b)
	s.mu.Unlock()
	s.hub.publish(event{kind: "rebuild", version: b.version})
	s.opt.Logf("build %d: compiled %d of %d templates in %v", b.version, b.compiled, len(b.names), b.took.Round(time.Millisecond))
	if b.err != nil {
		return
	}
	if wait {
		s.check(b)
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.check(b)
	}()
}

// compile makes a new build: the workspace loaded and its templates compiled in parallel,
// all of them or, when prev is a loaded build with the same templates and changed names only
// some of them, those (see build).
func (s *Server) compile(version int64, prev *build, changed []string) *build {
	start := time.Now()
	b := &build{version: version, entries: map[string]*entry{}}
	var ws *workspace.Workspace
	var err error
	if s.fsys != nil {
		ws, err = workspace.Load(s.fsys, s.opt.Dir, s.opt.Now)
	} else {
		ws, err = workspace.Open("", s.opt.Now)
	}
	if err != nil {
		b.err, b.checked, b.took = err, true, time.Since(start)
		return b
	}
	b.ws, b.names = ws, ws.Templates
	b.columns = columns(ws)
	keep := reusable(prev, ws, changed)
	entries := make([]*entry, len(ws.Templates))
	parallel(len(ws.Templates), func(i int) {
		if e := keep[ws.Templates[i]]; e != nil {
			entries[i] = e
			return
		}
		entries[i] = compileEntry(ws, ws.Templates[i])
	})
	b.compiled = len(ws.Templates) - len(keep)
	for _, e := range entries {
		b.entries[e.name] = e
	}
	b.took = time.Since(start)
	return b
}

// reusable returns the entries of prev that a build of ws may take over when the files in
// changed changed: every template but the changed ones when prev is a loaded build of the
// same templates and every changed file is one of them; otherwise none.
func reusable(prev *build, ws *workspace.Workspace, changed []string) map[string]*entry {
	if prev == nil || prev.err != nil || changed == nil || !slices.Equal(prev.names, ws.Templates) {
		return nil
	}
	for _, c := range changed {
		if _, ok := prev.entries[c]; !ok {
			return nil // a partial, segments.yaml, a profile, a folder: may change any template
		}
	}
	keep := make(map[string]*entry, len(prev.entries))
	for n, e := range prev.entries {
		if !slices.Contains(changed, n) {
			keep[n] = e
		}
	}
	return keep
}

// compileEntry compiles one template and renders its subject for the first sample profile.
func compileEntry(ws *workspace.Workspace, name string) *entry {
	e := &entry{name: name}
	if src, err := fs.ReadFile(ws.FS, name); err == nil {
		e.source = string(src)
	}
	e.tpl, e.err = ws.Compile(name, nil)
	if e.err != nil {
		e.tpl = nil
		e.diags = []diag.Diagnostic{errorDiagnostic(ws.Path(name), e.err)}
		e.checked = true
		return e
	}
	e.rawSubject = e.tpl.Front.Subject.Value
	e.subject = e.rawSubject
	data := map[string]any{}
	if len(ws.Profiles) > 0 {
		data = ws.Profiles[0].Data
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if m, err := e.tpl.Render(ctx, data); err == nil {
		e.subject = m.Subject
	}
	return e
}

// check runs the Checker in parallel over every template of b not checked yet (a template
// taken over from an earlier build keeps its findings) and publishes the checked snapshot,
// unless a newer build was published meanwhile.
func (s *Server) check(b *build) {
	start := time.Now()
	diags := make([][]diag.Diagnostic, len(b.names))
	parallel(len(b.names), func(i int) {
		e := b.entries[b.names[i]]
		if e.checked || s.state.Load().version != b.version {
			return
		}
		diags[i] = s.safeCheck(b.ws, e.name)
	})
	nb := *b
	nb.checked = true
	nb.entries = make(map[string]*entry, len(b.entries))
	for i, n := range b.names {
		e := *b.entries[n]
		if !e.checked {
			e.diags, e.checked = diags[i], true
		}
		nb.entries[n] = &e
	}
	if !s.state.CompareAndSwap(b, &nb) {
		return // a newer build replaced b
	}
	s.hub.publish(event{kind: "check", version: b.version})
	s.opt.Logf("build %d: checked in %v", b.version, time.Since(start).Round(time.Millisecond))
}

// safeCheck runs the Checker, turning a panic into an error diagnostic.
func (s *Server) safeCheck(ws *workspace.Workspace, name string) (out []diag.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			out = []diag.Diagnostic{{File: ws.Path(name), Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "check",
				Message: "the checker failed: " + strings.TrimSpace(strings.SplitN(toString(r), "\n", 2)[0])}}
		}
	}()
	return s.opt.Checker(ws, name)
}

func toString(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "panic"
}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// columns picks the grid's columns: for each segment the first sample profile whose first
// matching segment it is (else the first that is a member of it, else none), then the first
// profile in no segment.
func columns(ws *workspace.Workspace) []column {
	names := ws.Segments.Names()
	primary, member := map[string]string{}, map[string]string{}
	for _, p := range ws.Profiles {
		seg, all, err := ws.Segments.Membership(p.Data)
		if err != nil {
			continue
		}
		if _, ok := primary[seg]; !ok {
			primary[seg] = p.ID
		}
		for n, in := range all {
			if _, ok := member[n]; in && !ok {
				member[n] = p.ID
			}
		}
	}
	out := make([]column, 0, len(names)+1)
	for _, n := range names {
		id, ok := primary[n]
		if !ok {
			id = member[n]
		}
		out = append(out, column{Segment: n, Profile: id})
	}
	return append(out, column{Segment: "", Profile: primary[""]})
}

// relName turns a diagnostic's file name (as the workspace names it) back into a workspace
// path, or "" when the file is not in the workspace.
func relName(ws *workspace.Workspace, file string) string {
	prefix := ws.Path("")
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	rel, ok := strings.CutPrefix(file, prefix)
	if !ok || !fs.ValidPath(rel) || path.Clean(rel) != rel {
		return ""
	}
	return rel
}
