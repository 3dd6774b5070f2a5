package filters

import (
	"strconv"

	"github.com/mailmold/mailmold/engine/value"
)

// SlotBytes is what one item of a list (or one entry of an object) counts for in a value's
// Footprint: the memory a list slot takes, so a list of a million empty strings is not free.
const SlotBytes = 16

// Footprint measures a value for the value size limit: the bytes of a text, and for lists and
// objects SlotBytes per item plus the footprint of every item, however deeply nested (a list
// holding the same object a thousand times counts it a thousand times, as writing the list out
// would). Numbers, booleans, nil, ranges and engine objects count 0. The walk stops as soon as
// the total passes limit (when limit > 0), so measuring costs at most limit/SlotBytes steps;
// the result is then some value above limit.
func Footprint(v any, limit int) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case value.SafeHTML:
		return len(x)
	case []any:
		return listFootprint(x, limit)
	case map[string]any:
		n := 0
		for _, e := range x {
			n += SlotBytes
			if n += Footprint(e, rest(limit, n)); limit > 0 && n > limit {
				return n
			}
		}
		return n
	}
	return 0
}

func listFootprint(list []any, limit int) int {
	n := len(list) * SlotBytes
	if limit > 0 && n > limit {
		return n
	}
	for _, e := range list {
		switch x := e.(type) {
		case string:
			n += len(x)
		case int, float64, bool, nil:
		default:
			n += Footprint(x, rest(limit, n))
		}
		if limit > 0 && n > limit {
			return n
		}
	}
	return n
}

// rest is the budget left for the next item (0, no bound, stays 0).
func rest(limit, used int) int {
	if limit <= 0 {
		return 0
	}
	return max(limit-used, 1)
}

// SizeError reports that a filter would build a value larger than Env.MaxBytes. The filter
// stops before it allocates the value.
type SizeError struct {
	Filter      string
	Size, Limit int // Size is a lower bound when the filter stopped counting early
}

// Error reads "filter <name>: the result would take at least N bytes, over the limit of M".
func (e *SizeError) Error() string {
	return "filter " + e.Filter + ": the result would take at least " + strconv.Itoa(e.Size) + " bytes, over the limit of " + strconv.Itoa(e.Limit)
}

// fits reports a *SizeError when a result of n bytes would pass the env's MaxBytes.
func (e *Env) fits(name string, n int) error {
	if e == nil || e.MaxBytes <= 0 || n <= e.MaxBytes {
		return nil
	}
	return &SizeError{Filter: name, Size: n, Limit: e.MaxBytes}
}

// pace counts the steps of a filter's work and, every paceSteps steps, reports the error of
// the render's context (Env.Ctx), so one long filter call stops at the render deadline.
type pace struct {
	env   *Env
	steps int
}

const paceSteps = 1 << 14

func (p *pace) step(n int) error {
	if p.steps += n; p.steps < paceSteps || p.env == nil || p.env.Ctx == nil {
		return nil
	}
	p.steps = 0
	return p.env.Ctx.Err()
}

// maxItems is the most items a list built by a filter may have under the env's MaxBytes (and
// never more than maxRangeItems when a range is expanded).
func (e *Env) maxItems() int {
	if e == nil || e.MaxBytes <= 0 {
		return maxRangeItems
	}
	return min(e.MaxBytes/SlotBytes, maxRangeItems)
}
