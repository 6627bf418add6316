package benchmarks

import (
	"math/rand/v2"

	"github.com/densetrain/densetrain/pkg/nn"
	"gonum.org/v1/gonum/blas"
)

// GEMMOp is one matrix product C (M×N) = op(A)·op(B) with inner dimension
// K, all row-major: op(A) is A, M×K, or with TA its transpose (A is then
// K×M); op(B) is B, K×N, or with TB its transpose (B is then N×K).
type GEMMOp struct {
	TA, TB  bool
	M, N, K int
}

// Strides returns the row strides of A and B as stored.
func (o GEMMOp) Strides() (lda, ldb int) {
	lda, ldb = o.K, o.N
	if o.TA {
		lda = o.M
	}
	if o.TB {
		ldb = o.K
	}
	return lda, ldb
}

// Flops returns the floating-point operations of the product, 2·M·N·K.
func (o GEMMOp) Flops() float64 {
	return 2 * float64(o.M) * float64(o.N) * float64(o.K)
}

// RandomOperands returns A, B and C for o, filled in that order with
// values drawn uniformly from [-0.5, 0.5) by rng.
func RandomOperands[T nn.Float](o GEMMOp, rng *rand.Rand) (a, b, c []T) {
	fill := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.Float64() - 0.5)
		}
		return s
	}
	return fill(o.M * o.K), fill(o.K * o.N), fill(o.M * o.N)
}

// Trans returns t as a BLAS transposition: blas.Trans or blas.NoTrans.
func Trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
