// Package filters holds the standard Liquid filters with Shopify/Ruby semantics, plus
// mailmold's `raw`/`safe` opt-out of auto-escaping. Every filter is a Func registered by name
// with input/expected examples that a test runs.
package filters

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/mailmold/mailmold/engine/value"
)

// Env is what filters may read besides their arguments.
type Env struct {
	Now      time.Time      // "now"/"today" in date; zero means time.Now()
	Location *time.Location // nil means UTC
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
// arguments (nil when there are none).
type Func func(env *Env, in any, args []any, kw map[string]any) (any, error)

// ArgError reports wrong arguments to a filter.
type ArgError struct{ Filter, Msg string }

func (e *ArgError) Error() string { return "filter " + e.Filter + ": " + e.Msg }

// Example is one input/expected pair a test runs for a filter.
type Example struct {
	In   any
	Args []any
	Want any
}

type entry struct {
	fn       Func
	min, max int // positional argument counts
	examples []Example
}

var registry = map[string]*entry{}

// register adds a filter taking between min and max positional arguments.
func register(name string, min, max int, fn Func, examples ...Example) {
	registry[name] = &entry{fn: fn, min: min, max: max, examples: examples}
}

// Lookup returns the filter called name. The returned Func checks the argument count.
func Lookup(name string) (Func, bool) {
	e, ok := registry[name]
	if !ok {
		return nil, false
	}
	return e.call(name), true
}

func (e *entry) call(name string) Func {
	return func(env *Env, in any, args []any, kw map[string]any) (any, error) {
		if len(args) < e.min {
			return nil, &ArgError{name, fmt.Sprintf("expects at least %d argument(s), got %d", e.min, len(args))}
		}
		if e.max >= 0 && len(args) > e.max {
			return nil, &ArgError{name, fmt.Sprintf("expects at most %d argument(s), got %d", e.max, len(args))}
		}
		return e.fn(env, in, args, kw)
	}
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

// Examples returns the examples registered for a filter.
func Examples(name string) []Example {
	if e, ok := registry[name]; ok {
		return e.examples
	}
	return nil
}

// arg returns args[i] or nil.
func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// intArg converts an integer argument: ints, integral strings; floats and other strings are
// errors. nil gives def.
func intArg(name string, v any, def int) (int, error) {
	switch x := v.(type) {
	case nil:
		return def, nil
	case int:
		return x, nil
	case float64:
		return 0, &ArgError{name, "expected an integer, got " + value.FormatFloat(x)}
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n, nil
		}
	}
	return 0, &ArgError{name, "expected an integer, got " + value.Inspect(v)}
}

// numArg converts a numeric argument (numbers and numeric strings); others are errors.
func numArg(name string, v any) (any, error) {
	switch x := v.(type) {
	case int, float64:
		return x, nil
	case nil, bool:
		return 0, nil // as Shopify Liquid: true and false count as 0
	case string:
		if n := value.ParseNumber(x); n != nil {
			return n, nil
		}
	}
	return nil, &ArgError{name, "expected a number, got " + value.Inspect(v)}
}

// str converts a value piped into a string filter.
func str(v any) string { return value.ToString(v) }
