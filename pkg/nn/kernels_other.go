//go:build !amd64 || noasm

package nn

// adamUpdate is Adam's element update; it reports whether the updated p are
// all finite. This platform has no vector kernel.
func adamUpdate[T Float](p, g, m, v []T, c1, c2, alpha, eps T) bool {
	adamScalar(p, g, m, v, c1, c2, alpha, eps)
	return Finite(p)
}

// sumSquaresPartial stores in s the eight partial sums of squares of the
// longest prefix of v whose length is a multiple of 8, and returns that
// length (see sumSquares).
func sumSquaresPartial[T Float](v []T, s *[8]float64) int {
	*s = [8]float64{}
	n := len(v) &^ 7
	for i := 0; i < n; i += 8 {
		for j, x := range v[i : i+8] {
			s[j] += float64(float64(x) * float64(x)) // the conversion forbids fusing into an FMA
		}
	}
	return n
}
