package preview

import (
	"encoding/json"
	"io/fs"
	"net/http"

	"github.com/mailmold/mailmold/engine/diag"
)

// templateView is what the template page's script shows: GET /api/t/{template}.
type templateView struct {
	Version   int64  `json:"version"`
	Checked   bool   `json:"checked"`
	Workspace string `json:"workspace"`
	// WorkspaceError is set when the workspace does not load; nothing else is then.
	WorkspaceError string `json:"workspace_error,omitempty"`
	Name           string `json:"name"`
	Subject        string `json:"subject"`
	// Error is the compile error with its code frame; the page shows it in an overlay.
	Error       string            `json:"error,omitempty"`
	Errors      int               `json:"errors"`
	Warnings    int               `json:"warnings"`
	Diagnostics []diagView        `json:"diagnostics"`
	File        string            `json:"file"`    // the template's workspace path, a key of Sources
	Sources     map[string]string `json:"sources"` // the template and every workspace file a diagnostic points into
	Profiles    []profileView     `json:"profiles"`
	Columns     []column          `json:"columns"`
}

// diagView is a diagnostic with the workspace path of its file ("" when outside the
// workspace), so the page can show the line in the source view.
type diagView struct {
	diag.Diagnostic
	Source string `json:"source"`
}

type profileView struct {
	ID      string         `json:"id"`
	Segment string         `json:"segment"`
	Data    map[string]any `json:"data"`
}

// apiTemplate serves GET /api/t/{template}: 404 for a template the workspace does not have,
// otherwise the build's view of it, with the workspace or compile error when there is one.
func (s *Server) apiTemplate(w http.ResponseWriter, r *http.Request) {
	b := s.state.Load()
	name := r.PathValue("template")
	v := templateView{Version: b.version, Checked: b.checked, Workspace: s.workspaceName(), Name: name,
		Diagnostics: []diagView{}, Sources: map[string]string{}, Profiles: []profileView{}, Columns: []column{}}
	status := http.StatusOK
	switch e, ok := b.entries[name]; {
	case b.err != nil:
		v.WorkspaceError = errorText(b.err)
	case !ok:
		status = http.StatusNotFound
	default:
		v.Subject, v.File = e.subject, name
		v.Sources[name] = e.source
		if e.err != nil {
			v.Error = errorText(e.err)
		}
		v.Errors, v.Warnings = e.counts()
		for _, d := range e.diags {
			rel := relName(b.ws, d.File)
			if rel != "" {
				if _, seen := v.Sources[rel]; !seen {
					if src, err := fs.ReadFile(b.ws.FS, rel); err == nil {
						v.Sources[rel] = string(src)
					} else {
						rel = ""
					}
				}
			}
			v.Diagnostics = append(v.Diagnostics, diagView{Diagnostic: d, Source: rel})
		}
		for _, p := range b.ws.Profiles {
			seg, _, _ := b.ws.Segments.Membership(p.Data)
			v.Profiles = append(v.Profiles, profileView{p.ID, seg, p.Data})
		}
		v.Columns = b.columns
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
