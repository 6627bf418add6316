package nn

// Finite reports whether every element of v is finite. x−x is 0 for a
// finite x and NaN for NaN and ±Inf; summing those differences needs one
// subtraction and one addition per element and no branch.
// Four independent sums keep the additions from waiting on each other.
func Finite[T Float](v []T) bool {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		s0 += w[0] - w[0]
		s1 += w[1] - w[1]
		s2 += w[2] - w[2]
		s3 += w[3] - w[3]
	}
	for _, x := range v[i:] {
		s0 += x - x
	}
	return s0+s1+s2+s3 == 0
}

// SumSquares returns Σv² in float64. Element i of each block of eight goes
// to partial sum i%8 (a SIMD kernel where there is one), the tail goes to
// the first, and the eight are combined by a fixed tree, so the result
// depends only on v.
func SumSquares[T Float](v []T) float64 {
	var s [8]float64
	for _, x := range v[sumSquaresPartial(v, &s):] {
		s[0] += float64(float64(x) * float64(x))
	}
	return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
}
