package filters

import (
	"math"

	"github.com/mailmold/mailmold/engine/value"
)

func init() {
	register("plus", 1, 1, arith("plus", func(a, b int) (any, bool) { return a + b, true }, func(a, b float64) float64 { return a + b }),
		Example{1, []any{2}, 3}, Example{"1.5", []any{1}, 2.5})
	register("minus", 1, 1, arith("minus", func(a, b int) (any, bool) { return a - b, true }, func(a, b float64) float64 { return a - b }),
		Example{5, []any{2}, 3})
	register("times", 1, 1, arith("times", func(a, b int) (any, bool) { return a * b, true }, func(a, b float64) float64 { return a * b }),
		Example{3, []any{2.5}, 7.5})
	register("divided_by", 1, 1, arith("divided_by", func(a, b int) (any, bool) {
		if b == 0 {
			return nil, false
		}
		return floorDiv(a, b), true
	}, func(a, b float64) float64 { return a / b }), Example{7, []any{2}, 3}, Example{7, []any{2.0}, 3.5})
	register("modulo", 1, 1, arith("modulo", func(a, b int) (any, bool) {
		if b == 0 {
			return nil, false
		}
		m := a % b
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, true
	}, func(a, b float64) float64 {
		m := math.Mod(a, b)
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m
	}), Example{7, []any{3}, 1}, Example{-7, []any{3}, 2})
	register("abs", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		switch n := value.ToNumber(in).(type) {
		case int:
			if n < 0 {
				return -n, nil
			}
			return n, nil
		case float64:
			return math.Abs(n), nil
		}
		return 0, nil
	}, Example{-3, nil, 3}, Example{"-1.5", nil, 1.5})
	register("ceil", 0, 0, rounding(math.Ceil), Example{1.2, nil, 2})
	register("floor", 0, 0, rounding(math.Floor), Example{1.8, nil, 1})
	register("round", 0, 1, func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		n := value.ToNumber(in)
		places := 0
		switch p := value.ToNumber(arg(a, 0)).(type) {
		case int:
			places = p
		case float64:
			places = int(p)
		}
		if i, ok := n.(int); ok {
			return i, nil
		}
		f := n.(float64)
		if places <= 0 {
			if places < 0 {
				return 0, nil
			}
			return int(math.Round(f)), nil
		}
		p := math.Pow(10, float64(places))
		return math.Round(f*p) / p, nil
	}, Example{5.666, []any{1}, 5.7}, Example{5.5, nil, 6})
	register("at_least", 1, 1, clamp("at_least", func(a, b float64) bool { return a < b }), Example{3, []any{5}, 5})
	register("at_most", 1, 1, clamp("at_most", func(a, b float64) bool { return a > b }), Example{7, []any{5}, 5})
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// arith builds a binary math filter: ints stay ints, anything with a float gives a float.
func arith(name string, ints func(a, b int) (any, bool), floats func(a, b float64) float64) Func {
	return func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		x := value.ToNumber(in)
		y, err := numArg(name, a[0])
		if err != nil {
			return nil, err
		}
		xi, xInt := x.(int)
		yi, yInt := y.(int)
		if xInt && yInt {
			r, ok := ints(xi, yi)
			if !ok {
				return nil, &ArgError{name, "division by zero"}
			}
			return r, nil
		}
		yf := value.ToFloat(y)
		if yf == 0 && (name == "divided_by" || name == "modulo") {
			return nil, &ArgError{name, "division by zero"}
		}
		return floats(value.ToFloat(x), yf), nil
	}
}

func rounding(f func(float64) float64) Func {
	return func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		switch n := value.ToNumber(in).(type) {
		case int:
			return n, nil
		case float64:
			return int(f(n)), nil
		}
		return 0, nil
	}
}

func clamp(name string, replace func(a, b float64) bool) Func {
	return func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		x := value.ToNumber(in)
		y, err := numArg(name, a[0])
		if err != nil {
			return nil, err
		}
		if replace(value.ToFloat(x), value.ToFloat(y)) {
			return y, nil
		}
		return x, nil
	}
}
