package check

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/workspace"
	"golang.org/x/net/html"
)

// visible reports whether rendered HTML shows something: non-whitespace text (entities
// decoded) outside tags, comments and the elements a reader never sees (head, title, style,
// script, template), or an image.
func visible(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	hidden := 0 // depth inside unseen elements
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.TextToken:
			if hidden == 0 && strings.TrimSpace(strings.ReplaceAll(html.UnescapeString(string(z.Text())), "\u00a0", " ")) != "" {
				return true
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "img", "amp-img", "hr", "mm-live":
				if hidden == 0 {
					return true
				}
			case "head", "title", "style", "script", "template":
				hidden++
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "img", "amp-img", "hr":
				if hidden == 0 {
					return true
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "head", "title", "style", "script", "template":
				hidden = max(hidden-1, 0)
			}
		}
	}
}

// missingFallback reports outputs that rendered blank for a profile without a default.
func missingFallback(tpl *engine.Template, m *engine.Message, p workspace.Profile, res *Result) {
	seen := map[[2]int]bool{}
	for _, u := range m.Blanks {
		k := [2]int{u.Pos.Line, u.Pos.Col}
		if seen[k] {
			continue
		}
		seen[k] = true
		state := "is missing from"
		if u.Blank {
			state = "is empty in"
		}
		res.add(diag.Diagnostic{File: u.File, Line: u.Pos.Line, Col: u.Pos.Col, Severity: diag.SeverityError, Rule: "missing-fallback",
			Message: fmt.Sprintf("'%s' %s profile %q and has no default, so it renders blank", u.Name, state, p.ID),
			Hint:    fallbackHint(dialectOf(tpl, u.File), writtenName(tpl, u.File, u.Pos, u.Name)), Profile: p.ID})
	}
}

// locate finds a rendered element's place in the template by searching the source for
// the first needle found; it falls back to the body's first line. It serves when the probe
// cannot say (see locator).
func locate(tpl *engine.Template, needles ...string) (int, int) {
	for _, n := range needles {
		if n != "" && strings.Contains(tpl.Source, n) {
			return locateText(tpl, n)
		}
	}
	return locateText(tpl, "")
}

// htmlRules applies empty-output, links and images to one render.
func htmlRules(l *locator, m *engine.Message, p workspace.Profile, res *Result) {
	tpl := l.tpl
	root, err := html.Parse(strings.NewReader(engine.HTMLMarkers(m.Master)))
	if err != nil {
		return
	}
	doc := goquery.NewDocumentFromNode(root)
	var index map[*html.Node]int // the render's elements in document order, once needed
	var probe []*html.Node       // the probe's, for the same profile
	// add reports a finding at element s (nil: the needles alone place it)
	add := func(sev, rule, msg string, s *goquery.Selection, needles ...string) {
		d := diag.Diagnostic{File: tpl.Name, Severity: sev, Rule: rule, Message: msg, Profile: p.ID}
		if s != nil {
			if index == nil {
				index = map[*html.Node]int{}
				for i, n := range elements(root) {
					index[n] = i
				}
				probe = l.probeDoc(p)
			}
			if at, ok := l.element(probe, index[s.Get(0)], goquery.NodeName(s)); ok {
				d.File, d.Line, d.Col = at.file, at.line, at.col
				if src, ok := l.sources[at.file]; ok && at.file != tpl.Name {
					res.Sources[at.file] = src
				}
			}
		}
		if d.Line == 0 {
			d.Line, d.Col = locate(tpl, needles...)
		}
		res.add(d)
	}
	doc.Find("a, h1, h2, h3, h4, h5, h6, button, title").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) != "" || s.Find("img").Length() > 0 {
			return
		}
		tag := goquery.NodeName(s)
		if tag == "a" {
			if _, hasHref := s.Attr("href"); !hasHref {
				return // a named anchor
			}
		}
		href, _ := s.Attr("href")
		add(diag.SeverityError, "empty-output", fmt.Sprintf("<%s> renders empty for profile %q", tag, p.ID), s, hrefNeedle(href), "<"+tag)
	})
	doc.Find("a").Each(func(_ int, s *goquery.Selection) {
		text := strings.TrimSpace(s.Text())
		href, ok := s.Attr("href")
		if !ok {
			if _, named := s.Attr("name"); !named && !s.Is("[id]") && text != "" {
				add(diag.SeverityWarning, "links", fmt.Sprintf("link %q has no href, so it goes nowhere", text), s, "<a>")
			}
			return
		}
		h := strings.TrimSpace(href)
		switch {
		case h == "" || h == "#":
			add(diag.SeverityWarning, "links", fmt.Sprintf("link %q has no real target (placeholder href %q)", text, h), s, `href="`+h+`"`)
		case !linkScheme(h):
			add(diag.SeverityWarning, "links", fmt.Sprintf("link to %q: only http, https, mailto and tel links work in email", h), s, hrefNeedle(h))
		}
	})
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		if _, ok := s.Attr("alt"); !ok {
			add(diag.SeverityWarning, "images", fmt.Sprintf("image %q has no alt text", src), s, `src="`+src+`"`, "<img")
		}
		if !strings.HasPrefix(src, "https://") {
			add(diag.SeverityWarning, "images", fmt.Sprintf("image src %q is not an https URL", src), s, `src="`+src+`"`, "<img")
		}
	})
	// the link may come from a partial: the render has it then
	if !strings.Contains(strings.ToLower(tpl.Source), "unsubscribe") && !strings.Contains(strings.ToLower(m.Master), "unsubscribe") {
		add(diag.SeverityWarning, "links", "the template has no unsubscribe link", nil, "</body>")
	}
}

func hrefNeedle(h string) string {
	if h == "" {
		return ""
	}
	return `href="` + h + `"`
}

func linkScheme(h string) bool {
	l := strings.ToLower(h)
	for _, p := range []string{"http://", "https://", "mailto:", "tel:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// subjectRules applies the subject rules to the first sample render.
func subjectRules(tpl *engine.Template, res *Result) {
	if tpl.Front.Preheader.Value == "" {
		res.add(diag.Diagnostic{File: tpl.Name, Line: 1, Col: 1, Severity: diag.SeverityWarning, Rule: "subject",
			Message: "no preheader: inboxes show the first body text instead", Hint: "add `preheader: \"…\"` to the front matter"})
	}
	if tpl.Front.Subject.Value == "" {
		res.add(diag.Diagnostic{File: tpl.Name, Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "empty-output",
			Message: "the template has no subject", Hint: "add `subject: \"…\"` to the front matter"})
	}
}

// subjectRender applies the per-render subject rules: empty or too long (bidi controls are
// reported by the render itself).
func subjectRender(tpl *engine.Template, m *engine.Message, p workspace.Profile, res *Result) {
	f := tpl.Front.Subject
	if f.Value == "" {
		return
	}
	n := utf8.RuneCountInString(m.Subject)
	switch {
	case strings.TrimSpace(m.Subject) == "":
		res.add(diag.Diagnostic{File: tpl.Name, Line: f.Line, Col: f.Col, Severity: diag.SeverityError, Rule: "empty-output",
			Message: fmt.Sprintf("the subject renders empty for profile %q", p.ID), Profile: p.ID})
	case n > 78:
		res.add(diag.Diagnostic{File: tpl.Name, Line: f.Line, Col: f.Col, Severity: diag.SeverityWarning, Rule: "subject",
			Message: fmt.Sprintf("the subject is %d characters for profile %q; inboxes cut it around 78", n, p.ID), Profile: p.ID})
	}
}

// validateAMP runs every AMP output through the validator in one batch.
func validateAMP(ctx context.Context, docs []ampDoc, opt Options, res *Result) {
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.doc
	}
	reports, err := opt.Validate(ctx, texts)
	if err != nil {
		res.add(diag.Diagnostic{File: docs[0].file, Line: 1, Col: 1, Severity: diag.SeverityWarning, Rule: "amp-invalid",
			Message: "the AMP validator could not run: " + err.Error()})
		return
	}
	for i, errs := range reports {
		for _, e := range errs {
			res.add(diag.Diagnostic{File: docs[i].file, Line: 1, Col: 1, Severity: diag.SeverityError, Rule: "amp-invalid",
				Message: fmt.Sprintf("AMP output for profile %q fails the validator: %s", docs[i].profile, e), Profile: docs[i].profile})
		}
	}
}
