package filters

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRoundDecimal compares roundDecimal with the big-number rounding it stands in for, on
// halves, carries, tiny and huge values and random ones.
func TestRoundDecimal(t *testing.T) {
	values := []float64{0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.125, 0.045, 1.005, 2.675, 9.995, 99.5, -99.5, 0.0001, -0.4,
		1e-9, 123456789.987654321, 1e21, -1e300, 5e-324, math.MaxFloat64, 19.99, 1234.5678, math.Copysign(0, -1)}
	r := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		values = append(values, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(12)-4)))
	}
	for _, v := range values {
		for places := 0; places <= 8; places++ {
			got, ok := roundDecimal(v, places)
			if !ok {
				t.Fatalf("%v, %d places: not rounded", v, places)
			}
			want, _ := roundRat(decimal(v), places).Float64()
			if got != want || math.Signbit(got) != math.Signbit(want) {
				t.Fatalf("%v, %d places: %v, want %v", v, places, got, want)
			}
		}
	}
}
