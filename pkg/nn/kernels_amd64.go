//go:build amd64 && !noasm

package nn

import "unsafe"

//go:noescape
func adamKernel32(p, g, m, v []float32, k *[4]float32) (finite bool)

//go:noescape
func adamKernel64(p, g, m, v []float64, k *[4]float64) (finite bool)

// adamUpdate is Adam's element update (see adamScalar) with the SSE2
// kernels of adam_amd64.s; it reports whether the updated p are all finite.
// g, m and v must be at least as long as p.
func adamUpdate[T Float](p, g, m, v []T, c1, c2, alpha, eps T) bool {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if unsafe.Sizeof(c1) == 4 {
		k := [4]float32{float32(c1), float32(c2), float32(alpha), float32(eps)}
		return adamKernel32(as32(p), as32(g), as32(m), as32(v), &k)
	}
	k := [4]float64{float64(c1), float64(c2), float64(alpha), float64(eps)}
	return adamKernel64(as64(p), as64(g), as64(m), as64(v), &k)
}

//go:noescape
func sumSquaresKernel32(x []float32, s *[8]float64)

//go:noescape
func sumSquaresKernel64(x []float64, s *[8]float64)

// sumSquaresPartial stores in s the eight partial sums of squares of the
// longest prefix of v whose length is a multiple of 8, and returns that
// length (see sumSquares).
func sumSquaresPartial[T Float](v []T, s *[8]float64) int {
	var z T
	if unsafe.Sizeof(z) == 4 {
		sumSquaresKernel32(as32(v), s)
	} else {
		sumSquaresKernel64(as64(v), s)
	}
	return len(v) &^ 7
}
