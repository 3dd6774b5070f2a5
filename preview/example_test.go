package preview_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/mailmold/mailmold/preview"
)

// Example serves a one-template workspace and asks for the plain-text variant of it for one
// sample profile, as the template page's frames do.
func Example() {
	dir, _ := os.MkdirTemp("", "workspace")
	defer os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(dir, "profiles"), 0o755)
	os.WriteFile(filepath.Join(dir, "profiles", "ann.json"), []byte(`{"id": "ann", "first_name": "Ann"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "hi.liquid"), []byte("---\nsubject: \"Hi {{ first_name }}\"\n---\n"+
		"<html><body><p>Hello {{ first_name }}!</p></body></html>\n"), 0o644)

	s, err := preview.New(preview.Options{Dir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	req := httptest.NewRequest("GET", "/render/hi.liquid?profile=ann&variant=text", nil)
	req.Host = "127.0.0.1:8025" // the preview answers only to its own address
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Print(w.Body.String())
	// Output:
	// 200 text/plain; charset=utf-8
	// Hello Ann!
}
