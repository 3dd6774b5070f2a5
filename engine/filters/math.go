package filters

import (
	"bytes"
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/mailmold/mailmold/engine/value"
)

// The math filters. Operands convert with value.ToNumber (numeric text parses, anything else
// is 0). Two ints give an int; with a float involved the operation is done on the decimal
// values as written (Ruby Liquid's BigDecimal), so 10.1 | minus: 2.2 is 7.9, not
// 7.8999999999999995.
func init() {
	register("plus", 1, 1, arith("plus", opPlus),
		Example{In: 10, Args: []any{2}, Want: 12}, Example{In: 10, Args: []any{2.0}, Want: 12.0},
		Example{In: 10.1, Args: []any{2.2}, Want: 12.3}, Example{In: "10.1", Args: []any{"2.2"}, Want: 12.3},
		Example{In: "foo", Args: []any{"2.0"}, Want: 2.0}, Example{In: "10", Args: []any{"foo"}, Want: 10},
		Example{In: nil, Args: []any{2}, Want: 2}, Example{In: map[string]any{}, Args: []any{1}, Want: 1},
		Example{In: 0.1, Args: []any{0.2}, Want: 0.3}, Example{In: math.MaxInt, Args: []any{1}, Want: 9223372036854775808.0},
		Example{In: 5, Args: []any{1, "5"}, Err: true})
	register("minus", 1, 1, arith("minus", opMinus),
		Example{In: 10, Args: []any{2}, Want: 8}, Example{In: 10, Args: []any{2.0}, Want: 8.0},
		Example{In: 10.1, Args: []any{2.2}, Want: 7.9}, Example{In: "10.1", Args: []any{"2.2"}, Want: 7.9},
		Example{In: "foo", Args: []any{"2.0"}, Want: -2.0}, Example{In: nil, Args: []any{2}, Want: -2},
		Example{In: 10, Args: []any{nil}, Want: 10})
	register("times", 1, 1, arith("times", opTimes),
		Example{In: 5, Args: []any{2}, Want: 10}, Example{In: 5, Args: []any{2.1}, Want: 10.5},
		Example{In: "5.0", Args: []any{"2.1"}, Want: 10.5}, Example{In: -5, Args: []any{2}, Want: -10},
		Example{In: 5, Args: []any{nil}, Want: 0}, Example{In: 3, Args: []any{1.1}, Want: 3.3},
		Example{In: 5, Err: true})
	register("divided_by", 1, 1, arith("divided_by", opDivide),
		Example{In: 9, Args: []any{2}, Want: 4}, Example{In: -9, Args: []any{2}, Want: -5},
		Example{In: 20, Args: []any{7.0}, Want: 2.857142857142857}, Example{In: 9.0, Args: []any{2}, Want: 4.5},
		Example{In: 10, Args: []any{2.0}, Want: 5.0}, Example{In: "10", Args: []any{"2"}, Want: 5},
		Example{In: "", Args: []any{2}, Want: 0}, Example{In: 0, Args: []any{1.1}, Want: 0.0},
		Example{In: 10, Args: []any{0}, Err: true}, Example{In: 10, Args: []any{0.0}, Err: true},
		Example{In: "10", Args: []any{"foo"}, Err: true}, Example{In: 10, Args: []any{nil}, Err: true},
		Example{In: math.MinInt, Args: []any{-1}, Want: 9223372036854775808.0})
	register("modulo", 1, 1, arith("modulo", opModulo),
		Example{In: 10, Args: []any{3}, Want: 1}, Example{In: -7, Args: []any{3}, Want: 2},
		Example{In: 7, Args: []any{-3}, Want: -2}, Example{In: 10.1, Args: []any{7.0}, Want: 3.1},
		Example{In: 10, Args: []any{2.0}, Want: 0.0}, Example{In: "foo", Args: []any{"2.0"}, Want: 0.0},
		Example{In: -5.5, Args: []any{2}, Want: 0.5}, Example{In: nil, Args: []any{2}, Want: 0},
		Example{In: 5, Args: []any{nil}, Err: true}, Example{In: "10", Args: []any{"foo"}, Err: true})
	register("abs", 0, 0, func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		switch n := value.ToNumber(in).(type) {
		case int:
			if n < 0 {
				if n == math.MinInt {
					return -float64(n), nil
				}
				return -n, nil
			}
			return n, nil
		case float64:
			return math.Abs(n), nil
		}
		return 0, nil
	}, Example{In: -5, Want: 5}, Example{In: -5.4, Want: 5.4}, Example{In: "-5.1", Want: 5.1},
		Example{In: "-5", Want: 5}, Example{In: "hello", Want: 0}, Example{In: nil, Want: 0},
		Example{In: map[string]any{}, Want: 0}, Example{In: -3, Args: []any{1}, Err: true})
	register("ceil", 0, 0, rounding("ceil", math.Ceil),
		Example{In: 5.4, Want: 6}, Example{In: -5.4, Want: -5}, Example{In: "5.1", Want: 6},
		Example{In: 5, Want: 5}, Example{In: "hello", Want: 0}, Example{In: nil, Want: 0},
		Example{In: math.Inf(1), Err: true}, Example{In: 1.5, Args: []any{1}, Err: true})
	register("floor", 0, 0, rounding("floor", math.Floor),
		Example{In: 5.4, Want: 5}, Example{In: -5.4, Want: -6}, Example{In: "-5.1", Want: -6},
		Example{In: 5, Want: 5}, Example{In: map[string]any{}, Want: 0}, Example{In: math.NaN(), Err: true})
	register("round", 0, 1, round,
		Example{In: 5.666, Args: []any{1}, Want: 5.7}, Example{In: "5.666666", Args: []any{2}, Want: 5.67},
		Example{In: 5.666, Args: []any{1.2}, Want: 5.7}, Example{In: 5.666, Args: []any{"1"}, Want: 5.7},
		Example{In: 5.666, Args: []any{"foo"}, Want: 6}, Example{In: 5.666, Args: []any{nil}, Want: 6},
		Example{In: 5.666, Args: []any{-2}, Want: 0}, Example{In: 1234.5, Args: []any{-2}, Want: 1200},
		Example{In: 1250, Args: []any{-2}, Want: 1300}, Example{In: -2.5, Want: -3}, Example{In: 2.675, Args: []any{2}, Want: 2.68},
		Example{In: 5, Args: []any{2}, Want: 5}, Example{In: "5.6", Want: 6}, Example{In: nil, Args: []any{2}, Want: 0},
		Example{In: 5, Args: []any{1, 2}, Err: true})
	register("at_least", 1, 1, clamp(func(x, limit any) bool { return less(x, limit) }),
		Example{In: 5, Args: []any{8}, Want: 8}, Example{In: 8, Args: []any{5}, Want: 8},
		Example{In: 5.4, Args: []any{8.9}, Want: 8.9}, Example{In: "9", Args: []any{8}, Want: 9},
		Example{In: "abc", Args: []any{2}, Want: 2}, Example{In: -1, Args: []any{"abc"}, Want: 0},
		Example{In: 5, Args: []any{nil}, Want: 5}, Example{In: nil, Args: []any{5}, Want: 5},
		Example{In: 5, Args: []any{1, 2}, Err: true})
	register("at_most", 1, 1, clamp(func(x, limit any) bool { return less(limit, x) }),
		Example{In: 5, Args: []any{8}, Want: 5}, Example{In: 8, Args: []any{5}, Want: 5},
		Example{In: 8.4, Args: []any{5.9}, Want: 5.9}, Example{In: "9", Args: []any{8}, Want: 8},
		Example{In: "abc", Args: []any{-2}, Want: -2}, Example{In: 5, Args: []any{nil}, Want: 0},
		Example{In: nil, Args: []any{5}, Want: 0}, Example{In: 5, Err: true})
}

type op int

const (
	opPlus op = iota
	opMinus
	opTimes
	opDivide
	opModulo
)

// arith builds a binary math filter.
func arith(name string, o op) Func {
	return func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		x, y := value.ToNumber(in), value.ToNumber(a[0])
		if (o == opDivide || o == opModulo) && isZero(y) {
			return nil, &ArgError{name, "divided by 0"}
		}
		xi, xInt := x.(int)
		yi, yInt := y.(int)
		if xInt && yInt {
			if r, ok := intOp(o, xi, yi); ok {
				return r, nil
			}
		}
		return floatOp(o, toFloat(x), toFloat(y)), nil
	}
}

func isZero(n any) bool {
	switch x := n.(type) {
	case int:
		return x == 0
	case float64:
		return x == 0
	}
	return true
}

func toFloat(n any) float64 {
	switch x := n.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// intOp computes o on ints as Ruby does (division and modulo floor); ok is false on overflow,
// where the caller falls back to floats (Ruby would switch to a bignum).
func intOp(o op, a, b int) (r int, ok bool) {
	switch o {
	case opPlus:
		r = a + b
		return r, (r > a) == (b > 0)
	case opMinus:
		r = a - b
		return r, (r < a) == (b > 0)
	case opTimes:
		hi, lo := bits.Mul64(uint64(absInt(a)), uint64(absInt(b)))
		if hi != 0 || lo > math.MaxInt64 || a == math.MinInt || b == math.MinInt {
			return 0, a == 0 || b == 0
		}
		return a * b, true
	case opDivide:
		if a == math.MinInt && b == -1 {
			return 0, false
		}
		q := a / b
		if a%b != 0 && (a < 0) != (b < 0) {
			q--
		}
		return q, true
	case opModulo:
		if b == -1 {
			return 0, true
		}
		m := a % b
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, true
	}
	return 0, false
}

func absInt(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// floatOp computes o on the decimal values of a and b (their shortest decimal writing) and
// rounds the exact result to the nearest float64. NaN and infinities use float arithmetic.
func floatOp(o op, a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		switch o {
		case opPlus:
			return a + b
		case opMinus:
			return a - b
		case opTimes:
			return a * b
		case opDivide:
			return a / b
		}
		return a - b*math.Floor(a/b)
	}
	if r, ok := fastDecimalOp(o, a, b); ok {
		return r
	}
	x, y := decimal(a), decimal(b)
	r := new(big.Rat)
	switch o {
	case opPlus:
		r.Add(x, y)
	case opMinus:
		r.Sub(x, y)
	case opTimes:
		r.Mul(x, y)
	case opDivide:
		r.Quo(x, y)
	case opModulo: // a - b*floor(a/b)
		q := new(big.Rat).Quo(x, y)
		fl := new(big.Int).Div(q.Num(), q.Denom()) // Euclidean: floor, as Denom > 0
		r.Sub(x, new(big.Rat).Mul(y, new(big.Rat).SetInt(fl)))
	}
	f, _ := r.Float64()
	return f
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// scaled returns f's shortest decimal writing as an integer m and a number of decimal places p
// (f = m / 10^p), when m is below 2^53 and p at most 22, so both are exact in a float64.
func scaled(f float64) (m int64, p int, ok bool) {
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.ddddde±xx
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	exp := 0
	i := len(e) - 1
	for e[i] != 'e' {
		i--
	}
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[i+1] == '-' {
		exp = -exp
	}
	digits := 0
	for _, c := range e[:i] {
		if c != '.' {
			m = m*10 + int64(c-'0')
			digits++
		}
	}
	p = digits - 1 - exp
	for ; p < 0; p++ {
		if m >= 1<<53/10 {
			return 0, 0, false
		}
		m *= 10
	}
	if p > 22 || m >= 1<<53 {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	return m, p, true
}

// fastDecimalOp computes plus, minus, times and divided_by on decimal values that scale to
// exact integers: the result is the exact value correctly rounded, as with big.Rat, without
// allocating. ok is false when the operands or the result do not fit.
func fastDecimalOp(o op, a, b float64) (float64, bool) {
	ma, pa, ok1 := scaled(a)
	mb, pb, ok2 := scaled(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	const exact = 1 << 53
	switch o {
	case opPlus, opMinus:
		p := max(pa, pb)
		if p-pa > 15 || p-pb > 15 {
			return 0, false
		}
		x, y := ma*int64(pow10[p-pa]), mb*int64(pow10[p-pb])
		if x >= exact || x <= -exact || y >= exact || y <= -exact {
			return 0, false
		}
		if o == opMinus {
			y = -y
		}
		if r := x + y; r < exact && r > -exact {
			return float64(r) / pow10[p], true // exact integer, one correctly rounded division
		}
		return 0, false
	case opTimes:
		p := pa + pb
		hi, lo := bits.Mul64(uint64(absInt64(ma)), uint64(absInt64(mb)))
		if hi != 0 || lo >= exact || p > 22 {
			return 0, false
		}
		r := float64(lo) / pow10[p]
		if (ma < 0) != (mb < 0) {
			r = -r
		}
		return r, true
	case opDivide:
		// (ma/10^pa) / (mb/10^pb) = ma*10^pb / (mb*10^pa)
		num, den := float64(ma), float64(mb)
		if pb > 15 || pa > 15 || absInt64(ma) >= exact/int64(pow10[pb]) || absInt64(mb) >= exact/int64(pow10[pa]) {
			return 0, false
		}
		return (num * pow10[pb]) / (den * pow10[pa]), true
	}
	return 0, false
}

func absInt64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// decimal returns the exact value of f's shortest decimal writing (what Ruby's
// BigDecimal(f.to_s) holds).
func decimal(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return new(big.Rat).SetFloat64(f)
	}
	return r
}

// rounding builds ceil and floor: the result is an int; NaN and infinities are errors.
func rounding(name string, f func(float64) float64) Func {
	return func(_ *Env, in any, _ []any, _ map[string]any) (any, error) {
		switch n := value.ToNumber(in).(type) {
		case int:
			return n, nil
		case float64:
			return floatToInt(name, f(n))
		}
		return 0, nil
	}
}

// floatToInt converts an integral float to int: NaN and infinities are errors (Ruby's
// FloatDomainError); values beyond the int range stay floats.
func floatToInt(name string, f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &ArgError{name, value.FormatFloat(f)}
	}
	if f >= -(1<<63) && f < 1<<63 {
		return int(f), nil
	}
	return f, nil
}

// round rounds half away from zero on the decimal value; with places <= 0 (also a missing,
// non-numeric or nil argument) the result is an int.
func round(_ *Env, in any, a []any, _ map[string]any) (any, error) {
	places := 0
	switch p := value.ToNumber(arg(a, 0)).(type) {
	case int:
		places = p
	case float64:
		if !math.IsNaN(p) && !math.IsInf(p, 0) {
			places = int(max(min(p, 400), -400))
		}
	}
	places = max(min(places, 400), -400)
	switch n := value.ToNumber(in).(type) {
	case int:
		if places >= 0 {
			return n, nil
		}
		r := roundRat(new(big.Rat).SetInt64(int64(n)), places)
		if f, _ := r.Float64(); f >= -(1<<63) && f < 1<<63 && r.IsInt() {
			return int(r.Num().Int64()), nil
		} else {
			return f, nil
		}
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			if places > 0 {
				return n, nil
			}
			return nil, &ArgError{"round", value.FormatFloat(n)}
		}
		f, ok := roundDecimal(n, places)
		if !ok {
			f, _ = roundRat(decimal(n), places).Float64()
		}
		if places > 0 {
			return f, nil
		}
		return floatToInt("round", f)
	}
	return 0, nil
}

// roundDecimal rounds the decimal value of n (its shortest representation, as decimal
// reads it) to places >= 0 decimal places, half away from zero, on its digits: the digits
// after the place are dropped, and the kept ones go up by one when the first dropped digit
// is 5 or more (a half or more). The result is what roundRat gives, without big numbers;
// false for places < 0 or a value strconv does not write in plain digits.
func roundDecimal(n float64, places int) (float64, bool) {
	if places < 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	if n == 0 {
		return 0, true // minus zero too
	}
	var buf [64]byte
	s := strconv.AppendFloat(buf[:0], n, 'f', -1, 64)
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	point := bytes.IndexByte(s, '.')
	if point < 0 || len(s)-point-1 <= places {
		return n, true // no more decimals than asked for
	}
	up := s[point+1+places] >= '5'
	s = s[:point+1+places]
	// the digits kept, without the point, and where it goes back
	digits := make([]byte, 0, len(s)+1)
	digits = append(digits, s[:point]...)
	digits = append(digits, s[point+1:]...)
	if up {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
			point++
		} else {
			digits[i]++
		}
	}
	if bytes.Count(digits, []byte{'0'}) == len(digits) {
		return 0, true // no minus zero
	}
	out := make([]byte, 0, len(digits)+2)
	if neg {
		out = append(out, '-')
	}
	out = append(out, digits[:point]...)
	out = append(out, '.')
	out = append(out, digits[point:]...)
	f, err := strconv.ParseFloat(string(out), 64)
	return f, err == nil
}

// roundRat rounds r to places decimal places (negative: tens, hundreds...), half away from zero.
func roundRat(r *big.Rat, places int) *big.Rat {
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(absInt(places))), nil))
	x := new(big.Rat).Set(r)
	if places >= 0 {
		x.Mul(x, scale)
	} else {
		x.Quo(x, scale)
	}
	neg := x.Sign() < 0
	x.Abs(x)
	x.Add(x, big.NewRat(1, 2))
	n := new(big.Int).Quo(x.Num(), x.Denom())
	if neg {
		n.Neg(n)
	}
	out := new(big.Rat).SetInt(n)
	if places >= 0 {
		return out.Quo(out, scale)
	}
	return out.Mul(out, scale)
}

// less orders two numbers from value.ToNumber.
func less(a, b any) bool {
	ai, aInt := a.(int)
	bi, bInt := b.(int)
	if aInt && bInt {
		return ai < bi
	}
	return toFloat(a) < toFloat(b)
}

// clamp builds at_least and at_most: both values convert to numbers and the limit replaces
// the input when replace reports so.
func clamp(replace func(x, limit any) bool) Func {
	return func(_ *Env, in any, a []any, _ map[string]any) (any, error) {
		x, limit := value.ToNumber(in), value.ToNumber(a[0])
		if replace(x, limit) {
			return limit, nil
		}
		return x, nil
	}
}
