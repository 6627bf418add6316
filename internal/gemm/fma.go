package gemm

import "math"

// fma32 returns x·y + z rounded once to float32, as VFMADD231PS does.
//
// The product of two float32 values is exact in float64, so s below is the
// exact sum rounded once to float64; rounding s again to float32 gives the
// correctly rounded result unless s lies exactly halfway between two
// float32 values (the rounding to float64 may have moved it there), or is
// subnormal as a float32, or zero. Those rare cases go to fma32Slow.
func fma32(x, y, z float32) float32 {
	if r, ok := fast32(x, y, z); ok {
		return r
	}
	return fma32Slow(x, y, z)
}

// fast32 returns float32(s) for s = x·y + z rounded to float64, and
// whether it is the correctly rounded fma (s neither a tie between two
// float32 values nor a nonzero float32 subnormal).
func fast32(x, y, z float32) (float32, bool) {
	s := float64(float64(x)*float64(y)) + float64(z)
	b := math.Float64bits(s)
	return float32(s), b&(1<<29-1) != 1<<28 && b<<1-1 >= (1023-126)<<53-1
}

// fma32Slow is fma32 for the cases that need the rounding error of s.
func fma32Slow(x, y, z float32) float32 {
	p := float64(float64(x) * float64(y)) // exact
	zz := float64(z)
	s := p + zz
	r := float32(s)
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return r
	}
	// TwoSum: p + zz = s + e exactly.
	bv := s - p
	e := (p - (s - bv)) + (zz - bv)
	if e == 0 || float64(r) == s {
		return r // s exact, or a float32 itself: e cannot move it to a tie
	}
	// n is r's neighbour on the side of s; mid the point halfway.
	var n, mid float64
	up := s > float64(r)
	switch {
	case math.IsInf(float64(r), 0): // s rounds past MaxFloat32
		n = math.Copysign(math.MaxFloat32, s)
		mid = math.Copysign(math.MaxFloat32+0x1p103, s)
		up = s < 0
	case up:
		n = float64(math.Nextafter32(r, float32(math.Inf(1))))
		mid = (float64(r) + n) / 2
	default:
		n = float64(math.Nextafter32(r, float32(math.Inf(-1))))
		mid = (float64(r) + n) / 2
	}
	if s == mid && (e > 0) == up {
		return float32(n) // the exact sum is past the tie, towards n
	}
	return r
}
