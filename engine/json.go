package engine

// RenderJSON is the JSON form of a rendered message that `mailmold render --variant json`
// prints and every line of `mailmold batch` carries (a contract: keep the field names).
// A variant that was not produced is null.
type RenderJSON struct {
	Template    string           `json:"template"`
	ProfileID   string           `json:"profile_id"`
	Segment     string           `json:"segment"`
	Segments    map[string]bool  `json:"segments"`
	Subject     string           `json:"subject"`
	Preheader   string           `json:"preheader"`
	HTML        *string          `json:"html"`
	AMP         *string          `json:"amp"`
	Text        *string          `json:"text"`
	Diagnostics []DiagnosticJSON `json:"diagnostics"`
}

// DiagnosticJSON is one diagnostic in RenderJSON.
type DiagnosticJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

// JSON returns the message in its JSON form; html is left out (null) when withHTML is false.
func (m *Message) JSON(withHTML bool) RenderJSON {
	r := RenderJSON{Template: m.Template, ProfileID: m.ProfileID, Segment: m.Segment, Segments: m.Segments,
		Subject: m.Subject, Preheader: m.Preheader, AMP: m.AMP, Text: m.Text, Diagnostics: []DiagnosticJSON{}}
	if withHTML {
		r.HTML = &m.HTML
	}
	if r.Segments == nil {
		r.Segments = map[string]bool{}
	}
	for _, d := range m.Diagnostics {
		r.Diagnostics = append(r.Diagnostics, DiagnosticJSON{d.File, d.Line, d.Col, d.Severity, d.Rule, d.Message})
	}
	return r
}
