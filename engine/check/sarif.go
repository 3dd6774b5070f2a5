package check

import (
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
)

// Rules describes every rule id, for SARIF and documentation.
var Rules = map[string]string{
	"syntax":           "The template does not compile.",
	"render":           "The template fails to render for a profile.",
	"empty-branch":     "A conditional branch or loop body renders no visible content for a profile that reaches it.",
	"segment-fallback": "A segment block has no else branch and does not cover every segment.",
	"unreached-branch": "No sample profile reaches a branch, and none could be synthesized.",
	"missing-fallback": "An output renders blank for a profile and has no default.",
	"empty-output":     "A link, heading, button, title or the subject renders empty.",
	"amp-invalid":      "The AMP output fails the official AMP validator.",
	"size":             "The HTML is near or over Gmail's 102 KB clipping point.",
	"links":            "A link has no real target or an unsupported scheme, or there is no unsubscribe link.",
	"images":           "An image has no alt text or no https src.",
	"subject":          "The subject is empty, too long or carries bidi controls, or there is no preheader.",
	"front-matter":     "The front matter is invalid.",
	"segment":          "A segment block names an unknown segment.",
	"undefined":        "A variable is not defined for a profile.",
	"limit":            "A render went over a limit (iterations, include depth, output size or time).",
	"live":             "A live block is not written the way AMP live content needs.",
	"segments":         "segments.yaml is invalid.",
	"amp-omitted":      "The message goes without its AMP part; its HTML and text parts are complete.",
	"amp-tag":          "An element AMP for Email does not allow was removed from or replaced in the AMP part.",
	"amp-attr":         "An attribute AMP for Email does not allow was removed from the AMP part.",
	"amp-css":          "CSS that AMP for Email does not allow was left out of the AMP part.",
	"amp-img":          "An image cannot be shown as AMP requires (an absolute https src).",
	"amp-img-size":     "An image has no width or height, which AMP layout needs.",
	"amp-link":         "A link AMP for Email does not allow was removed from the AMP part.",
	"amp-live":         "A live block or live template cannot be used in the AMP part as written.",
}

// ruleText describes a rule id for SARIF: its entry in Rules, or for a rule of the AMP
// transform the table lacks, a generic sentence (SARIF wants one for every rule).
func ruleText(id string) string {
	if t := Rules[id]; t != "" {
		return t
	}
	if strings.HasPrefix(id, "amp-") {
		return "The AMP part of the message had to be changed or left out (" + id + ")."
	}
	return "mailmold check rule " + id + "."
}

// SARIF returns the result as a SARIF 2.1.0 log.
func SARIF(res *Result, version string) map[string]any {
	ruleIDs := []string{}
	seen := map[string]bool{}
	for _, d := range res.Diagnostics {
		if !seen[d.Rule] {
			seen[d.Rule] = true
			ruleIDs = append(ruleIDs, d.Rule)
		}
	}
	rules := []map[string]any{}
	for _, id := range ruleIDs {
		rules = append(rules, map[string]any{"id": id, "shortDescription": map[string]any{"text": ruleText(id)}})
	}
	results := []map[string]any{}
	for _, d := range res.Diagnostics {
		level := "warning"
		if d.Severity == diag.SeverityError {
			level = "error"
		}
		r := map[string]any{
			"ruleId":  d.Rule,
			"level":   level,
			"message": map[string]any{"text": d.Message},
			"locations": []map[string]any{{"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": d.File},
				"region":           map[string]any{"startLine": max(d.Line, 1), "startColumn": max(d.Col, 1)},
			}}},
		}
		if d.Profile != "" {
			r["properties"] = map[string]any{"profile": d.Profile}
		}
		results = append(results, r)
	}
	return map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []map[string]any{{
			"tool": map[string]any{"driver": map[string]any{
				"name": "mailmold", "version": version, "informationUri": "https://github.com/mailmold/mailmold", "rules": rules,
			}},
			"results": results,
		}},
	}
}
