package cli

import (
	"fmt"
	"time"

	"github.com/mailmold/mailmold/engine"
	"github.com/mailmold/mailmold/engine/text"
	"github.com/spf13/pflag"
)

// limitFlags are the per-template settings a rendering command can set: the
// runaway-template limits and how the text variant writes links. A limit flag is the
// operator's ceiling: front matter may lower it, never raise it (unset, front matter
// decides up to the hard maximum, else the default applies).
type limitFlags struct {
	timeout                            time.Duration
	maxIterations, maxDepth, maxOutput int
	textLinks                          linkStyleValue // front matter text_links wins
}

// linkStyleValue is a --text-links value: inline or references.
type linkStyleValue text.LinkStyle

func (v *linkStyleValue) String() string { return text.LinkStyle(*v).String() }
func (v *linkStyleValue) Type() string   { return "inline|references" }
func (v *linkStyleValue) Set(s string) error {
	st, ok := text.ParseLinkStyle(s)
	if !ok {
		return fmt.Errorf("want inline or references, not %q", s)
	}
	*v = linkStyleValue(st)
	return nil
}

func (l *limitFlags) add(fl *pflag.FlagSet) {
	fl.DurationVar(&l.timeout, "timeout", 0, "per-message render deadline (default 10s)")
	fl.IntVar(&l.maxIterations, "max-iterations", 0, "loop iterations per message (default 100000)")
	fl.IntVar(&l.maxDepth, "max-include-depth", 0, "include/render nesting (default 16)")
	fl.IntVar(&l.maxOutput, "max-output-bytes", 0, "rendered bytes per message (default 4 MiB)")
	fl.Var(&l.textLinks, "text-links", "links in the text variant: inline \"label (url)\" or numbered references listed at the end (front matter text_links wins)")
}

func (l *limitFlags) apply(o *engine.Options) {
	o.Timeout = l.timeout
	o.Limits.MaxIterations, o.Limits.MaxDepth, o.Limits.MaxOutput = l.maxIterations, l.maxDepth, l.maxOutput
	o.TextLinks = text.LinkStyle(l.textLinks)
}
