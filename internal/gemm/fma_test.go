package gemm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA32 is x·y + z rounded once to float32, with math/big.
func exactFMA32(x, y, z float32) float32 {
	for _, v := range []float32{x, y, z} {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return float32(float64(x)*float64(y) + float64(z)) // not rounded
		}
	}
	p := new(big.Float).SetPrec(1200).SetFloat64(float64(x))
	p.Mul(p, new(big.Float).SetFloat64(float64(y)))
	p.Add(p, new(big.Float).SetFloat64(float64(z)))
	f, _ := p.Float32()
	return f
}

// shortFloat32 draws a float32 with few significant bits over a wide
// exponent range, so that sums land on float32 ties and subnormals often.
func shortFloat32(rng *rand.Rand) float32 {
	m := float64(rng.IntN(1<<rng.IntN(25)) + 1)
	if rng.IntN(2) == 0 {
		m = -m
	}
	return float32(math.Ldexp(m, rng.IntN(120)-100-rng.IntN(60)))
}

// TestFMA32 compares fma32 with the exact rounding, on values built to hit
// the double-rounding ties, subnormals and overflow.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 300000
	if testing.Short() {
		n = 30000
	}
	max32 := float32(math.MaxFloat32)
	cases := [][3]float32{
		{1 + 0x1p-23, 1 - 0x1p-23, 0},                  // product 1 − 2⁻⁴⁶: ties break on the tail
		{max32, 1, max32 * 0x1p-24},                    // exactly halfway to 2¹²⁸: overflows
		{max32, 1 - 0x1p-24, max32 * 0x1p-24},          // just below halfway
		{0x1p-75, 0x1p-75, 0},                          // below the smallest subnormal
		{0x1p-75, 0x1.8p-75, 0x1p-149},                 // subnormal tie
		{1, 1, float32(math.Inf(-1))},                  // infinite addend
		{float32(math.NaN()), 1, 1},                    // NaN
		{1 + 0x1p-12, 1 + 0x1p-12, -(1 + 0x1p-11)},     // exact cancellation
		{0x1.000002p0, 0x1.fffffep-1, -0x1.000002p-25}, // tie after rounding to float64
	}
	for i := range n {
		var x, y, z float32
		if i < len(cases) {
			x, y, z = cases[i][0], cases[i][1], cases[i][2]
		} else {
			x, y, z = shortFloat32(rng), shortFloat32(rng), shortFloat32(rng)
			if i%3 == 0 { // make z cancel most of the product
				z = -float32(float64(x) * float64(y))
				z = math.Nextafter32(z, float32(rng.NormFloat64()))
			}
		}
		got, want := fma32(x, y, z), exactFMA32(x, y, z)
		if math.Float32bits(got) != math.Float32bits(want) && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", x, y, z, got, want)
		}
	}
}
