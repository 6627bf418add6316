package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Sgemm computes c = alpha·op(a)·op(b) + beta·c for row-major float32
// matrices, where op(a) is m×k (a is k×m with lda ≥ m when tA is set,
// m×k with lda ≥ k otherwise), op(b) is k×n likewise, and c is m×n with
// ldc ≥ n. It panics on bad dimensions or short slices, as gonum does.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	run(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64.
func Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	run(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Implementation is gonum's native BLAS with Sgemm and Dgemm replaced by
// this package's. It satisfies blas.Float32 and blas.Float64; install it
// with blas32.Use and blas64.Use.
type Implementation struct {
	gonum.Implementation
}

var (
	_ blas.Float32 = Implementation{}
	_ blas.Float64 = Implementation{}
)

// Sgemm computes c = alpha·op(a)·op(b) + beta·c (see the package Sgemm).
// blas.ConjTrans is blas.Trans for real matrices.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	run(isTrans(tA), isTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm computes c = alpha·op(a)·op(b) + beta·c (see the package Dgemm).
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	run(isTrans(tA), isTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// isTrans maps a blas.Transpose to the transposed flag, panicking on
// values that are none of NoTrans, Trans and ConjTrans.
func isTrans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("blas: illegal transpose")
}

// run checks the arguments like gonum's Sgemm/Dgemm, handles the cases
// that read neither A nor B, and runs the blocked product.
func run[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch {
	case m < 0:
		panic("blas: m < 0")
	case n < 0:
		panic("blas: n < 0")
	case k < 0:
		panic("blas: k < 0")
	}
	rowA, colA := m, k
	if tA {
		rowA, colA = k, m
	}
	rowB, colB := k, n
	if tB {
		rowB, colB = n, k
	}
	switch {
	case lda < max(1, colA):
		panic("blas: bad leading dimension of A")
	case ldb < max(1, colB):
		panic("blas: bad leading dimension of B")
	case ldc < max(1, n):
		panic("blas: bad leading dimension of C")
	}
	if m == 0 || n == 0 {
		return
	}
	switch {
	case len(a) < lda*(rowA-1)+colA:
		panic("blas: insufficient length of a")
	case len(b) < ldb*(rowB-1)+colB:
		panic("blas: insufficient length of b")
	case len(c) < ldc*(m-1)+n:
		panic("blas: insufficient length of c")
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	blocked(pathOf[T](), tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// scale sets c = beta·c (zero when beta is 0, without reading c).
func scale[T Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
