package cli

import (
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/spf13/pflag"
)

// limitFlags are the runaway-template limits a command can set (front matter overrides
// them per template; zero keeps the default).
type limitFlags struct {
	timeout                            time.Duration
	maxIterations, maxDepth, maxOutput int
}

func (l *limitFlags) add(fl *pflag.FlagSet) {
	fl.DurationVar(&l.timeout, "timeout", 0, "per-message render deadline (default 10s)")
	fl.IntVar(&l.maxIterations, "max-iterations", 0, "loop iterations per message (default 100000)")
	fl.IntVar(&l.maxDepth, "max-include-depth", 0, "include/render nesting (default 16)")
	fl.IntVar(&l.maxOutput, "max-output-bytes", 0, "rendered bytes per message (default 4 MiB)")
}

func (l *limitFlags) apply(o *engine.Options) {
	o.Timeout = l.timeout
	o.Limits.MaxIterations, o.Limits.MaxDepth, o.Limits.MaxOutput = l.maxIterations, l.maxDepth, l.maxOutput
}
