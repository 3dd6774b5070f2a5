package preview

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkRender serves GET /render for the bundled newsletter (HTML variant).
func BenchmarkRender(b *testing.B) {
	s, err := New(Options{Now: testNow, Checker: RenderCheck})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		w := serve(h, httptest.NewRequest("GET", "/render/newsletter.liquid?profile=p-high-value&variant=html", nil))
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}

// BenchmarkAPITemplate serves the template page's data for the bundled newsletter.
func BenchmarkAPITemplate(b *testing.B) {
	s, err := New(Options{Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		if w := serve(h, httptest.NewRequest("GET", "/api/t/newsletter.liquid", nil)); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkRebuild measures one rebuild of the bundled workspace: load, compile every
// template (the part a save waits for), then the default check.
func BenchmarkRebuild(b *testing.B) {
	for _, c := range []struct {
		name    string
		checker Checker
	}{{"FullCheck", FullCheck}, {"RenderCheck", RenderCheck}} {
		b.Run(c.name, func(b *testing.B) {
			s, err := New(Options{Now: testNow, Checker: c.checker})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.ReportAllocs()
			for b.Loop() {
				s.rebuild(true, nil)
			}
		})
	}
}

// BenchmarkCompile measures the part of a rebuild the open pages wait for: after a change
// to anything (every template compiled), and after a save of the newsletter alone (the other
// templates taken over from the build before).
func BenchmarkCompile(b *testing.B) {
	for _, c := range []struct {
		name    string
		changed []string
	}{{"all", nil}, {"newsletter-saved", []string{"newsletter.liquid"}}} {
		b.Run(c.name, func(b *testing.B) {
			s, err := New(Options{Now: testNow, Checker: RenderCheck})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			prev := s.state.Load()
			b.ReportAllocs()
			for b.Loop() {
				if nb := s.compile(2, prev, c.changed); nb.compiled == 0 {
					b.Fatal("nothing compiled")
				}
			}
		})
	}
}
