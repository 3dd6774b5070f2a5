package pongo

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
	"github.com/mailmold/mailmold/engine/value"
)

// guardEx renders a URL attribute value whose scheme depends on data into a buffer and
// writes it only if the whole value, as a browser parses it, is a safe URL; else BlockedURL.
type guardEx struct{ g *urlGuard }

func (x *guardEx) exec(rv run, bodies []*pongo2.NodeWrapper) error {
	r := &rv
	var buf bytes.Buffer
	if err := r.body(bodies[0], &limitWriter{w: &buf, s: r.s}); err != nil {
		return err
	}
	r.s.Output -= buf.Len() // counted once, when written below
	v := buf.String()
	if !urlValueSafe(v, x.g.srcset) {
		note(r, x.g.pos, BlockedURL, v)
		v = BlockedURL
	}
	return writeData(r.w, v)
}

// writeOutput writes an output's value for its context (see escape.go).
func writeOutput(r *run, v any, c outCtx, raw bool, pos tree.Pos) error {
	s, isSafe := rawValue(v)
	if !isSafe {
		s = value.ToString(v)
	}
	s = cleanText(s)
	out, blocked := escapeFor(s, c, raw || isSafe)
	if blocked != "" && s != "" {
		note(r, pos, blocked, s)
	}
	return writeData(r.w, out)
}

// Doc is a document buffer that also records the holes of the document written into it:
// the byte ranges that came from data (each output's value, written as its context
// needs), for htmltree.Layouts and mime.Layout. An empty value makes no hole. In a Dual
// program's render both documents can be Docs: a value is written the same to each.
type Doc struct {
	strings.Builder
	Holes [][2]int
}

// writeData writes s, which comes from data, to w, as a hole in each Doc w writes.
func writeData(w pongo2.TemplateWriter, s string) error {
	var docs [2]*Doc // the master document's, the HTML variant's
	switch w := w.(type) {
	case *limitWriter:
		docs[0], _ = w.w.(*Doc)
	case *dualWriter:
		docs[0], _ = w.m.w.(*Doc)
		docs[1], _ = w.h.(*Doc)
	case *masterWriter:
		docs[0], _ = w.w.(*Doc)
	}
	if (docs[0] == nil && docs[1] == nil) || s == "" {
		_, err := w.WriteString(s)
		return err
	}
	var starts [2]int
	for i, d := range docs {
		if d != nil {
			starts[i] = d.Len()
		}
	}
	_, err := w.WriteString(s)
	for i, d := range docs {
		if d != nil {
			d.Holes = append(d.Holes, [2]int{starts[i], d.Len()})
		}
	}
	return err
}

// notesKey holds a render's escaping notes in State.Registers.
type notesKey struct{}

// maxNotes bounds the notes one render keeps.
const maxNotes = 50

// note records that data was kept out of the document at pos.
func note(r *run, pos tree.Pos, blocked, val string) {
	if r.s.Registers == nil {
		r.s.Registers = map[any]any{}
	}
	ns, _ := r.s.Registers[notesKey{}].(*[]diag.Diagnostic)
	if ns == nil {
		ns = new([]diag.Diagnostic)
		r.s.Registers[notesKey{}] = ns
	}
	file := r.n.at.name
	for _, d := range *ns {
		if d.File == file && d.Line == pos.Line && d.Col == pos.Col {
			return
		}
	}
	if len(*ns) >= maxNotes {
		return
	}
	if len(val) > 60 {
		val = val[:57] + "..."
	}
	d := diag.Diagnostic{File: file, Line: pos.Line, Col: pos.Col, Severity: diag.SeverityWarning}
	switch blocked {
	case BlockedURL:
		d.Rule = "unsafe-url"
		d.Message = fmt.Sprintf("the URL %q is not written: its scheme could run code (only http, https, mailto, tel and relative URLs come from data)", val)
		d.Hint = "the attribute holds " + BlockedURL + " instead"
	case BlockedCSS:
		d.Rule = "unsafe-css"
		d.Message = fmt.Sprintf("the CSS value %q is not written: data in styles may only be colours, lengths and keywords", val)
		d.Hint = "the declaration holds " + BlockedCSS + " instead"
	case BlockedJS:
		d.Rule = "unsafe-js"
		d.Message = "data is never written into an event-handler attribute (on…), srcdoc or <script>: email clients do not run scripts"
		d.Hint = "the output writes " + BlockedJS + "; remove it, or put the value in a data- attribute"
	default:
		d.Rule = "unsafe-name"
		d.Message = fmt.Sprintf("%q is not written as an element or attribute name: data may only add plain attribute names", val)
	}
	*ns = append(*ns, d)
}

// Notes returns the warnings a render on s recorded about data kept out of the document
// (unsafe URLs, CSS, scripts, names), each with the position of the output.
func Notes(s *eval.State) []diag.Diagnostic {
	if ns, ok := s.Registers[notesKey{}].(*[]diag.Diagnostic); ok {
		return *ns
	}
	return nil
}

// tagCheck decides data written into an element name (<h{{ n }}>, <{{ tag }}>): letters and
// digits only, one piece of data per name, and never an element whose content is not markup
// or that can load or run code (script, style, iframe, svg, object, form…).
type tagCheck struct {
	prefix, suffix string // the static parts of the name
	multi          bool   // more than one piece of data in the name
}

var unsafeElements = map[string]bool{"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true, "template": true,
	"svg": true, "math": true, "object": true, "embed": true, "applet": true, "base": true, "meta": true,
	"link": true, "frame": true, "frameset": true, "form": true}

func (t *tagCheck) allows(s string) bool {
	if s == "" {
		return true
	}
	if t == nil || t.multi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !(c >= '0' && c <= '9') {
			return false
		}
	}
	name := strings.ToLower(t.prefix + s + t.suffix)
	return !unsafeElements[strings.TrimPrefix(name, "/")]
}
