package filters

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine/value"
)

// Env is what filters may read besides their arguments.
type Env struct {
	Now      time.Time      // "now"/"today" in date; zero means time.Now()
	Location *time.Location // nil means UTC
	// MaxBytes bounds the Footprint of a value a filter builds (0: no bound). The filters
	// that can build a value much larger than their input (append, prepend, replace, join,
	// split, concat, array filters on ranges) check it before they allocate and return a
	// *SizeError.
	MaxBytes int
	// Ctx is the render's context (nil: none). Filters whose work can grow faster than
	// their input (uniq over unhashable items, sort) stop with its error once it is done.
	Ctx context.Context
}

func (e *Env) now() time.Time {
	if e == nil || e.Now.IsZero() {
		return time.Now().In(e.loc())
	}
	return e.Now.In(e.loc())
}

func (e *Env) loc() *time.Location {
	if e == nil || e.Location == nil {
		return time.UTC
	}
	return e.Location
}

// Func is a filter: in is the value piped in, args the positional arguments, kw the keyword
// arguments (nil when there are none). A Func never keeps args or kw after it returns, and
// never modifies in.
type Func func(env *Env, in any, args []any, kw map[string]any) (any, error)

// ArgError reports wrong arguments to a filter (count, type, or a value the filter cannot
// work with, such as a division by zero).
type ArgError struct{ Filter, Msg string }

// Error reads "filter <name>: <msg>".
func (e *ArgError) Error() string { return "filter " + e.Filter + ": " + e.Msg }

// Example is one input/expected pair a test runs for a filter: the filter applied to In with
// Args (and keyword arguments Kw) returns Want, or an error when Err is set.
type Example struct {
	In   any
	Args []any
	Want any
	Kw   map[string]any
	Err  bool
}

type entry struct {
	fn       Func // checks the argument count, then calls the implementation
	examples []Example
}

var registry = map[string]*entry{}

// spec is the shape of a filter's arguments: between min and max positional arguments and the
// keyword arguments it accepts.
type spec struct {
	min, max int
	kw       []string
}

// register adds a filter taking between min and max positional arguments and no keywords.
func register(name string, min, max int, fn Func, examples ...Example) {
	registerSpec(name, spec{min: min, max: max}, fn, examples...)
}

// registerSpec adds a filter with the argument shape s.
func registerSpec(name string, s spec, fn Func, examples ...Example) {
	if _, dup := registry[name]; dup {
		panic("filters: " + name + " registered twice")
	}
	registry[name] = &entry{fn: s.wrap(name, fn), examples: examples}
}

// alias makes name a second name of the filter registered as target.
func alias(name, target string) {
	registry[name] = registry[target]
}

func (s spec) wrap(name string, fn Func) Func {
	return func(env *Env, in any, args []any, kw map[string]any) (any, error) {
		if len(args) < s.min {
			return nil, &ArgError{name, fmt.Sprintf("expects %s, got %d", s.count(), len(args))}
		}
		if len(args) > s.max {
			return nil, &ArgError{name, fmt.Sprintf("expects %s, got %d", s.count(), len(args))}
		}
	keys:
		for k := range kw {
			for _, ok := range s.kw {
				if k == ok {
					continue keys
				}
			}
			return nil, &ArgError{name, "unexpected keyword argument " + strconv.Quote(k)}
		}
		return fn(env, in, args, kw)
	}
}

func (s spec) count() string {
	switch {
	case s.max == 0:
		return "no arguments"
	case s.min == s.max:
		return plural(s.min)
	case s.min == 0:
		return "at most " + plural(s.max)
	}
	return fmt.Sprintf("%d to %d arguments", s.min, s.max)
}

func plural(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return strconv.Itoa(n) + " arguments"
}

// Lookup returns the filter called name. The returned Func checks the number of positional
// arguments and the keyword names before it runs.
func Lookup(name string) (Func, bool) {
	e, ok := registry[name]
	if !ok {
		return nil, false
	}
	return e.fn, true
}

// Names returns every filter name, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Examples returns the input/expected examples registered with a filter.
func Examples(name string) []Example {
	if e, ok := registry[name]; ok {
		return e.examples
	}
	return nil
}

// arg returns args[i], or nil when there are fewer arguments.
func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// str converts a value piped into (or passed to) a string filter: nil is "".
func str(v any) string { return value.ToString(v) }

// toInteger converts an integer argument the way Ruby Liquid's Utils.to_integer does: ints
// pass, anything else is written as text and must read as an integer (surrounding spaces,
// 0x/0o/0b prefixes and digit underscores allowed, as in Ruby's Integer()); floats, nil and
// other text are errors.
func toInteger(name string, v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case float64, nil, bool, []any, map[string]any:
		return 0, &ArgError{name, "invalid integer " + value.Inspect(v)}
	}
	s := strings.TrimSpace(str(v))
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return int(n), nil
	}
	return 0, &ArgError{name, "invalid integer " + strconv.Quote(s)}
}
