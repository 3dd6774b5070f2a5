package amp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Validator runs the official AMP validator (AMP4EMAIL format) through the validate script
// of shared/tools/amp-validator, offline.
type Validator struct {
	script string
}

// Report is the validator's verdict on one document.
type Report struct {
	Pass   bool
	Errors []string // "line:col: message (CODE)"
}

// ErrNoValidator is returned when the validator or node is not installed.
var ErrNoValidator = errors.New("AMP validator not found")

// FindValidator locates the validate script: $MAILMOLD_AMP_VALIDATOR, else
// shared/tools/amp-validator/validate in the working directory or one of its parents (also as
// a sibling "shared" folder of any parent).
func FindValidator() (*Validator, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("%w: node is not installed", ErrNoValidator)
	}
	if s := os.Getenv("MAILMOLD_AMP_VALIDATOR"); s != "" {
		if _, err := os.Stat(s); err != nil {
			return nil, fmt.Errorf("%w: MAILMOLD_AMP_VALIDATOR=%s: %v", ErrNoValidator, s, err)
		}
		return &Validator{script: s}, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		for _, c := range []string{filepath.Join(dir, "shared", "tools", "amp-validator", "validate"),
			filepath.Join(filepath.Dir(dir), "shared", "tools", "amp-validator", "validate")} {
			if _, err := os.Stat(c); err == nil {
				return &Validator{script: c}, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fmt.Errorf("%w: set MAILMOLD_AMP_VALIDATOR to shared/tools/amp-validator/validate", ErrNoValidator)
		}
		dir = parent
	}
}

// Script is the path of the validate script the validator runs.
func (v *Validator) Script() string { return v.script }

// Validate validates every document in one validator run and returns one report each.
func (v *Validator) Validate(ctx context.Context, docs ...string) ([]Report, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "mailmold-amp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files := make([]string, len(docs))
	for i, d := range docs {
		files[i] = filepath.Join(dir, fmt.Sprintf("doc%05d.html", i))
		if err := os.WriteFile(files[i], []byte(d), 0o600); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, v.script, files...)
	cmd.Env = append(os.Environ(), "AMP_OUTPUT_FORMAT=json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return nil, fmt.Errorf("amp validator: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var parsed map[string]struct {
		Status string `json:"status"`
		Errors []struct {
			Severity string `json:"severity"`
			Line     int    `json:"line"`
			Col      int    `json:"col"`
			Message  string `json:"message"`
			Code     string `json:"code"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(out, &parsed); err != nil {
		return nil, fmt.Errorf("amp validator: unreadable output: %v: %.200s", err, out)
	}
	reports := make([]Report, len(docs))
	for i, f := range files {
		r, ok := parsed[f]
		if !ok {
			return nil, fmt.Errorf("amp validator: no result for %s", f)
		}
		reports[i].Pass = r.Status == "PASS"
		for _, e := range r.Errors {
			if e.Severity == "ERROR" {
				reports[i].Errors = append(reports[i].Errors, fmt.Sprintf("%d:%d: %s (%s)", e.Line, e.Col, e.Message, e.Code))
			}
		}
	}
	return reports, nil
}
