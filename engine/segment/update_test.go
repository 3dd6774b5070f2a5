package segment_test

import "flag"

// The repo refreshes golden files with go test ./... -update; this package has none, so it
// only accepts the flag.
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")
