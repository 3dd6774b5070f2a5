// Package templates is mailmold's bundled example workspace: campaign emails for the
// fictional outdoor retailer Northwind Outfitters (welcome, cart abandonment, monthly
// newsletter, post-purchase follow-up and a win-back campaign written in every dialect),
// the header and footer partials they render, segments.yaml with the four bundled segments
// and eight sample profiles. It is embedded in the binary and used whenever no workspace is
// given; the sample profiles are meant to be read with the clock at 2026-11-24T12:00:00Z.
package templates

import "embed"

// FS holds the workspace files at their workspace paths: the templates at the root,
// partials/, segments.yaml and profiles/*.json.
//
//go:embed *.liquid *.mustache *.hbs *.mc.html partials segments.yaml profiles
var FS embed.FS
