// Package workspace loads a mailmold workspace: a folder of templates (*.liquid, *.mustache,
// *.hbs, *.mc.html) with partials/, segments.yaml and sample profiles (profiles/*.json or
// profiles.jsonl). The bundled example workspace is embedded in the binary.
package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/segment"
	"github.com/mailmold/mailmold/engine/value"
	"github.com/mailmold/mailmold/templates"
)

// Profile is one sample recipient.
type Profile struct {
	ID   string
	Data map[string]any
	File string // where it came from
	Line int    // line in a .jsonl file, 0 for one-file profiles
}

// Workspace is a loaded workspace. Templates are compiled on demand with Compile.
type Workspace struct {
	FS        fs.FS
	Dir       string // the folder as the user named it; "" for the bundled workspace
	Templates []string
	Segments  *segment.Set
	Profiles  []Profile
	// Now is the clock for segment rules and date filters.
	Now func() time.Time
}

// BundledName is how the embedded workspace is named in messages.
const BundledName = "templates"

// Open loads the workspace in dir, or the bundled one when dir is "".
func Open(dir string, now func() time.Time) (*Workspace, error) {
	if dir == "" {
		return Load(templates.FS, "", now)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("workspace %s: not a directory", dir)
	}
	return Load(os.DirFS(dir), dir, now)
}

// TemplateExts are the file endings of templates.
var TemplateExts = []string{".liquid", ".mustache", ".hbs", ".handlebars", ".mc.html"}

// IsTemplate reports whether a file name is a template.
func IsTemplate(name string) bool {
	for _, e := range TemplateExts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// Load loads a workspace from fsys. dir is used to name files in messages.
func Load(fsys fs.FS, dir string, now func() time.Time) (*Workspace, error) {
	if now == nil {
		now = time.Now
	}
	w := &Workspace{FS: fsys, Dir: dir, Now: now}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", w.display(), err)
	}
	for _, e := range entries {
		if !e.IsDir() && IsTemplate(e.Name()) {
			w.Templates = append(w.Templates, e.Name())
		}
	}
	sort.Strings(w.Templates)
	if err := w.loadProfiles(); err != nil {
		return nil, err
	}
	if err := w.loadSegments(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Workspace) display() string {
	if w.Dir == "" {
		return BundledName
	}
	return w.Dir
}

// Path names a workspace file in messages.
func (w *Workspace) Path(name string) string {
	if w.Dir == "" {
		return path.Join(BundledName, name)
	}
	return path.Join(filepathToSlash(w.Dir), name)
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }

func (w *Workspace) loadSegments() error {
	src, err := fs.ReadFile(w.FS, "segments.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		w.Segments = segment.Empty()
		return nil
	}
	if err != nil {
		return err
	}
	fields := map[string]bool{}
	for _, p := range w.Profiles {
		for k := range p.Data {
			fields[k] = true
		}
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	samples := make([]map[string]any, len(w.Profiles))
	for i, p := range w.Profiles {
		samples[i] = p.Data
	}
	set, err := segment.Parse(w.Path("segments.yaml"), src, segment.Options{KnownFields: known, Samples: samples, Now: w.Now})
	if err != nil {
		var se *segment.Error
		if errors.As(err, &se) {
			return &diag.Error{File: se.File, Line: se.Line, Col: se.Col, Msg: se.Msg, Hint: se.Hint, Source: string(src), Rule: "segments", Err: err}
		}
		return err
	}
	w.Segments = set
	return nil
}

// loadProfiles reads profiles/*.json and profiles.jsonl.
func (w *Workspace) loadProfiles() error {
	if files, err := fs.Glob(w.FS, "profiles/*.json"); err == nil {
		sort.Strings(files)
		for _, f := range files {
			raw, err := fs.ReadFile(w.FS, f)
			if err != nil {
				return err
			}
			p, err := DecodeProfile(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", w.Path(f), err)
			}
			p.File = w.Path(f)
			w.Profiles = append(w.Profiles, p)
		}
	}
	if f, err := w.FS.Open("profiles.jsonl"); err == nil {
		defer f.Close()
		ps, err := ReadJSONL(f, w.Path("profiles.jsonl"))
		if err != nil {
			return err
		}
		w.Profiles = append(w.Profiles, ps...)
	}
	seen := map[string]string{}
	for _, p := range w.Profiles {
		if prev, dup := seen[p.ID]; dup {
			return fmt.Errorf("%s: profile id %q is also used in %s", p.File, p.ID, prev)
		}
		seen[p.ID] = p.File
	}
	return nil
}

// DecodeProfile decodes one profile JSON object with a string id. Numbers keep their kind
// (int or float64).
func DecodeProfile(raw []byte) (Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Profile{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return Profile{}, errors.New("invalid JSON: more than one value")
	}
	m, ok := value.FromJSON(v).(map[string]any)
	if !ok {
		return Profile{}, errors.New("a profile must be a JSON object")
	}
	id, ok := m["id"].(string)
	if !ok || id == "" {
		return Profile{}, errors.New(`a profile needs a non-empty string "id"`)
	}
	return Profile{ID: id, Data: m}, nil
}

// ReadJSONL reads one profile per line (blank lines skipped).
func ReadJSONL(r io.Reader, file string) ([]Profile, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out []Profile
	for i, line := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		p, err := DecodeProfile([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, i+1, err)
		}
		p.File, p.Line = file, i+1
		out = append(out, p)
	}
	return out, nil
}

// Profile returns the sample profile with the given id.
func (w *Workspace) Profile(id string) (Profile, bool) {
	for _, p := range w.Profiles {
		if p.ID == id {
			return p, true
		}
	}
	return Profile{}, false
}

// Options returns the engine options for templates of this workspace.
func (w *Workspace) Options() engine.Options {
	return engine.Options{Partial: w.partial, Segments: w.Segments, Now: w.Now}
}

// partial finds partials/NAME with any template extension (or NAME as given).
func (w *Workspace) partial(name string) (string, string, error) {
	if strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return "", "", fmt.Errorf("partial name %q may not leave the partials folder", name)
	}
	cands := []string{path.Join("partials", name)}
	for _, e := range TemplateExts {
		cands = append(cands, path.Join("partials", name+e))
	}
	for _, c := range cands {
		if src, err := fs.ReadFile(w.FS, c); err == nil {
			return w.Path(c), string(src), nil
		}
	}
	return "", "", fmt.Errorf("partial %q not found in %s", name, w.Path("partials"))
}

// Compile compiles the workspace template name with opt applied over the workspace options.
func (w *Workspace) Compile(name string, tweak func(*engine.Options)) (*engine.Template, error) {
	src, err := fs.ReadFile(w.FS, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.Path(name), err)
	}
	opt := w.Options()
	if tweak != nil {
		tweak(&opt)
	}
	return engine.Compile(w.Path(name), string(src), opt)
}
