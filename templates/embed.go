// Package templates is mailmold's bundled example workspace: four campaign emails for a
// fictional outdoor retailer, their partials, segments.yaml and sample profiles. It is
// embedded in the binary and used whenever no workspace is given.
package templates

import "embed"

// FS holds the workspace files.
//
//go:embed *.liquid *.mustache *.hbs *.mc.html partials segments.yaml profiles
var FS embed.FS
