package engine_test

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/workspace"
	"golang.org/x/net/html"
)

// dangerous finds what must never come out of profile data in an HTML or AMP document:
// script elements, event-handler attributes, script/data/vbscript URLs and CSS expressions.
func dangerous(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, more := z.TagName()
		switch string(name) {
		case "script":
			if !bytes.Contains(z.Raw(), []byte("cdn.ampproject.org")) {
				out = append(out, "script element: "+string(z.Raw()))
			}
		case "iframe", "svg", "object", "embed":
			out = append(out, "element from data: "+string(z.Raw()))
		}
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			key, val := string(k), browserURL(string(v))
			if strings.HasPrefix(key, "on") && string(v) != "track('mailmold_blocked_js')" && string(v) != "track('')" {
				out = append(out, "event handler attribute "+key+"="+string(v))
			}
			for _, scheme := range []string{"javascript:", "data:", "vbscript:"} {
				if strings.HasPrefix(val, scheme) {
					out = append(out, key+" with "+scheme+" URL")
				}
			}
			if strings.Contains(val, "expression(") {
				out = append(out, "CSS expression in "+key)
			}
		}
	}
	return out
}

// browserURL is an attribute value (entities already decoded by the tokenizer) as the URL
// parser reads it: leading controls and spaces dropped, tabs and newlines removed, lower case.
func browserURL(v string) string {
	v = strings.TrimLeft(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	return strings.ToLower(v)
}

var extraHeader = regexp.MustCompile(`(?m)^(Bcc|X-Injected|X-Evil):`)

var ampTemplate = regexp.MustCompile(`(?s)<template[^>]*>.*?</template>`)

// TestHostileProfiles renders every bundled template with every hostile profile in every
// variant and checks that nothing dangerous gets through.
func TestHostileProfiles(t *testing.T) {
	ws, err := workspace.Open("", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../fixtures/hostile/*.json")
	if len(files) < 8 {
		t.Fatalf("%d hostile profiles", len(files))
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		p, err := workspace.DecodeProfile(raw)
		if strings.Contains(f, "h-deep") {
			if err == nil || !strings.Contains(err.Error(), "depth") {
				t.Errorf("10,000-deep nesting: want a clear depth error, got %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, n := range ws.Templates {
			m := renderHostile(t, ws, n, p)
			if m == nil {
				continue
			}
			where := n + "/" + p.ID
			for _, d := range dangerous(m.HTML) {
				t.Errorf("%s HTML: %s", where, d)
			}
			if m.AMP != nil {
				for _, d := range dangerous(*m.AMP) {
					t.Errorf("%s AMP: %s", where, d)
				}
				// amp-mustache evaluates <template> at open time: no profile data may be there
				for _, tm := range ampTemplate.FindAllString(*m.AMP, -1) {
					for _, v := range []string{"secret", "EVALUATED", "FNAME", "alert"} {
						if strings.Contains(tm, v) {
							t.Errorf("%s: profile data inside an AMP template: %s", where, tm)
						}
					}
				}
			}
			for _, doc := range []string{m.HTML, *m.Text, m.Subject} {
				if strings.ContainsRune(doc, 0) {
					t.Errorf("%s: a NUL byte got through", where)
				}
				if strings.Contains(doc, "EVALUATED") {
					t.Errorf("%s: template syntax from data was evaluated", where)
				}
			}
			if p.ID == "h-template-syntax" && strings.Contains(m.Subject, "secret") && m.Subject != "We miss you, {{ secret }}" && !strings.Contains(m.Subject, "{{ secret }}") {
				t.Errorf("%s: template syntax in data did not render literally in the subject: %q", where, m.Subject)
			}
			if p.ID == "h-template-syntax" && strings.Contains(strings.ToLower(*m.Text), "secret") && !strings.Contains(strings.ToLower(*m.Text), "{{ secret }}") {
				t.Errorf("%s: template syntax in data did not render literally:\n%.300s", where, *m.Text)
			}
			eml, err := m.EML()
			if err != nil {
				t.Errorf("%s: eml: %v", where, err)
				continue
			}
			head := string(eml[:bytes.Index(eml, []byte("\r\n\r\n"))])
			if extraHeader.MatchString(head) {
				t.Errorf("%s: data created a header:\n%s", where, head)
			}
			if _, err := mail.ReadMessage(bytes.NewReader(eml)); err != nil {
				t.Errorf("%s: the message does not parse: %v", where, err)
			}
			if p.ID == "h-bidi" && strings.Contains(m.Subject, "\u202e") {
				found := false
				for _, d := range m.Diagnostics {
					found = found || d.Rule == "subject" && strings.Contains(d.Message, "bidi")
				}
				if !found {
					t.Errorf("%s: no bidi warning", where)
				}
			}
		}
	}
}

// renderHostile renders template n of ws for a hostile profile in every variant; nil when it
// stopped (a clear limit error is a correct outcome for h-huge; anything else is reported).
func renderHostile(t *testing.T, ws *workspace.Workspace, n string, p workspace.Profile) *engine.Message {
	t.Helper()
	tpl, err := ws.Compile(n, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := tpl.Render(context.Background(), p.Data)
	if err != nil {
		if p.ID != "h-huge" || !strings.Contains(err.Error(), "limit") {
			t.Errorf("%s/%s: %v", n, p.ID, err)
		}
		return nil
	}
	return m
}

// TestHostileTemplates renders the hostile templates (fixtures/hostile/templates: data in
// every HTML context, in every dialect) with every hostile profile in every variant: nothing
// dangerous gets through, and the attacks of h-url are reported as unsafe-url warnings.
func TestHostileTemplates(t *testing.T) {
	ws, err := workspace.Open("../fixtures/hostile/templates", benchNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Templates) < 4 {
		t.Fatalf("%d hostile templates, want one per dialect", len(ws.Templates))
	}
	files, _ := filepath.Glob("../fixtures/hostile/*.json")
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		p, err := workspace.DecodeProfile(raw)
		if err != nil {
			continue // h-deep: TestHostileProfiles
		}
		for _, n := range ws.Templates {
			m := renderHostile(t, ws, n, p)
			if m == nil {
				continue
			}
			where := n + "/" + p.ID
			docs := map[string]string{"HTML": m.HTML, "master": m.Master}
			if m.AMP != nil {
				docs["AMP"] = *m.AMP
			}
			for k, doc := range docs {
				for _, d := range dangerous(doc) {
					t.Errorf("%s %s: %s", where, k, d)
				}
			}
			if p.ID != "h-url" {
				continue
			}
			if !strings.Contains(m.HTML, "about:invalid#mailmold-blocked-url") {
				t.Errorf("%s: no URL was blocked:\n%s", where, m.HTML)
			}
			if !strings.Contains(m.HTML, "mailmold-blocked-css") || !strings.Contains(m.HTML, "mailmold_blocked_js") {
				t.Errorf("%s: the CSS and script values were not neutralised:\n%s", where, m.HTML)
			}
			rules := map[string]bool{}
			for _, d := range m.Diagnostics {
				if strings.HasPrefix(d.Rule, "unsafe-") && d.Line > 4 && d.Col > 0 && strings.HasSuffix(d.File, "/"+n) {
					rules[d.Rule] = true
				}
			}
			if !rules["unsafe-url"] || !rules["unsafe-css"] || !rules["unsafe-js"] {
				t.Errorf("%s: want unsafe-url, unsafe-css and unsafe-js warnings with positions, got %v", where, m.Diagnostics)
			}
		}
	}
}

// TestRunawayTemplates proves each limit stops a runaway template with a clear error naming
// the position and the limit, and that front matter can set them.
func TestRunawayTemplates(t *testing.T) {
	ws := workspaceOf(t, map[string]string{
		"partials/self.liquid": "x{% include 'self' %}",
		"loop.liquid":          "---\nsubject: s\nmax_iterations: 50\n---\n{% for i in (1..100) %}{{ i }}{% endfor %}",
		"out.liquid":           "---\nsubject: s\nmax_output_bytes: 1000\n---\n{% for i in (1..500) %}0123456789{% endfor %}",
		"depth.liquid":         "---\nsubject: s\n---\n\n{% include 'self' %}",
		"slow.liquid":          "---\nsubject: s\ntimeout_ms: 50\nmax_iterations: 100000000\n---\n{% for i in (1..100000000) %}{% endfor %}",
	})
	for name, want := range map[string]string{
		"loop.liquid":  "loop iterations limit exceeded (limit 50)",
		"out.liquid":   "output size (bytes) limit exceeded (limit 1000)",
		"depth.liquid": "include depth limit exceeded (limit 16)",
		"slow.liquid":  "render time (deadline) exceeded",
	} {
		tpl, err := ws.Compile(name, func(o *engine.Options) { o.Variants = &engine.Variants{} })
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = tpl.Render(context.Background(), map[string]any{})
		t.Logf("%s stopped after %v", name, time.Since(start).Round(time.Millisecond))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
	}
}
