package liquid_test

import "flag"

var update = flag.Bool("update", false, "rewrite golden files and the known-failures list")
