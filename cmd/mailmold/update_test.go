package main

import "flag"

// update makes the scripts under testdata/script rewrite their expected-output files from
// what the binary printed (go test ./... -update refreshes every golden file in the repo).
var update = flag.Bool("update", false, "rewrite the expected outputs of testdata/script")
