package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// operands holds one product's inputs, with C's initial value.
type operands[T Float] struct {
	tA, tB        bool
	m, n, k       int
	alpha, beta   T
	a, b, c       []T
	lda, ldb, ldc int
}

// newOperands draws random operands: off elements before each matrix (to
// misalign it) and pad extra elements at the end of each row.
func newOperands[T Float](rng *rand.Rand, tA, tB bool, m, n, k, off, pad int, alpha, beta T) *operands[T] {
	o := &operands[T]{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	rowA, colA := m, k
	if tA {
		rowA, colA = k, m
	}
	rowB, colB := k, n
	if tB {
		rowB, colB = n, k
	}
	o.lda, o.ldb, o.ldc = max(1, colA+pad), max(1, colB+pad), n+pad
	o.a = randSlice[T](rng, off, rowA*o.lda)
	o.b = randSlice[T](rng, off, rowB*o.ldb)
	o.c = randSlice[T](rng, off, m*o.ldc)
	return o
}

// randSlice returns n values uniform in [-1, 1), starting off elements into
// a larger slice.
func randSlice[T Float](rng *rand.Rand, off, n int) []T {
	s := make([]T, off+n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s[off:]
}

// at returns op(x)[i][j] for a matrix stored with stride ld.
func at[T Float](x []T, ld int, trans bool, i, j int) float64 {
	if trans {
		return float64(x[j*ld+i])
	}
	return float64(x[i*ld+j])
}

// run computes the product into a copy of C and returns it.
func (o *operands[T]) run() []T {
	c := append([]T(nil), o.c...)
	run(o.tA, o.tB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb, o.beta, c, o.ldc)
	return c
}

// check compares got (a computed C) with a float64 reference. An element
// may differ by (k+4)·eps·(|alpha|·Σ|a||b| + |beta·c|) (twice that for
// float64, whose reference rounds as often): every term is one fused
// multiply-add rounding of the running sum, plus the fold into C. Elements
// of C outside the m×n matrix must be untouched.
func (o *operands[T]) check(t testing.TB, got []T) {
	t.Helper()
	var z T
	eps, refErr := 0x1p-23, 0.0
	if _, ok := any(z).(float64); ok {
		eps, refErr = 0x1p-52, 1
	}
	for i := range o.m {
		for j := range o.n {
			var sum, mag float64
			for p := range o.k {
				x := at(o.a, o.lda, o.tA, i, p) * at(o.b, o.ldb, o.tB, p, j)
				sum += x
				mag += math.Abs(x)
			}
			c0 := float64(o.c[i*o.ldc+j])
			want := float64(o.alpha) * sum
			mag *= math.Abs(float64(o.alpha))
			if o.beta != 0 {
				want += float64(o.beta) * c0
				mag += math.Abs(float64(o.beta) * c0)
			}
			tol := float64(o.k+4) * eps * mag * (1 + refErr)
			if d := math.Abs(float64(got[i*o.ldc+j]) - want); !(d <= tol) {
				t.Fatalf("%s: c[%d][%d] = %v, want %v (diff %.3g > tol %.3g)", o, i, j, got[i*o.ldc+j], want, d, tol)
			}
		}
		for j := o.n; j < o.ldc && i*o.ldc+j < len(got); j++ {
			if math.Float64bits(float64(got[i*o.ldc+j])) != math.Float64bits(float64(o.c[i*o.ldc+j])) {
				t.Fatalf("%s: c[%d][%d] outside the matrix changed", o, i, j)
			}
		}
	}
}

func (o *operands[T]) String() string {
	var z T
	return fmtShape(any(z), o.tA, o.tB, o.m, o.n, o.k, float64(o.alpha), float64(o.beta), o.lda, o.ldb, o.ldc, Path())
}

// sameBits reports whether the m×n matrices x and y (strides lx, ly) are
// bitwise equal.
func sameBits[T Float](m, n int, x []T, lx int, y []T, ly int) bool {
	for i := range m {
		for j := range n {
			if math.Float64bits(float64(x[i*lx+j])) != math.Float64bits(float64(y[i*ly+j])) {
				return false
			}
		}
	}
	return true
}

// withPath runs f on each path this CPU and build have, and restores the
// best one.
func withPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer usePath(bestPath())
	for _, name := range []string{"portable", "avx2", "avx512"} {
		if !usePath(name) {
			continue
		}
		t.Run(name, f)
	}
}
