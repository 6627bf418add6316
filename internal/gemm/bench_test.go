package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// denseShapes are the products of a Dense layer 784→256 on a batch of 128:
// forward X·W, weight gradient Xᵀ·dZ and input gradient dZ·Wᵀ.
var denseShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"NN/128x256x784", false, false, 128, 256, 784},
	{"TN/784x256x128", true, false, 784, 256, 128},
	{"NT/128x784x256", false, true, 128, 784, 256},
}

func benchGemm[T Float](b *testing.B, tA, tB bool, m, n, k int, impl func(o *operands[T], c []T)) {
	rng := rand.New(rand.NewPCG(1, 1))
	o := newOperands[T](rng, tA, tB, m, n, k, 0, 0, 1, 0)
	c := append([]T(nil), o.c...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		impl(o, c)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func tr(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// BenchmarkGemm measures this package (each path this CPU has) and gonum's
// native Sgemm/Dgemm on the Dense-layer shapes, single-threaded.
func BenchmarkGemm(b *testing.B) {
	defer usePath(bestPath())
	var g gonum.Implementation
	for _, s := range denseShapes {
		for _, name := range []string{"avx512", "avx2", "portable"} {
			if !usePath(name) {
				continue
			}
			b.Run(fmt.Sprintf("f32/%s/%s", s.name, name), func(b *testing.B) {
				benchGemm(b, s.tA, s.tB, s.m, s.n, s.k, func(o *operands[float32], c []float32) {
					Sgemm(o.tA, o.tB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc)
				})
			})
			b.Run(fmt.Sprintf("f64/%s/%s", s.name, name), func(b *testing.B) {
				benchGemm(b, s.tA, s.tB, s.m, s.n, s.k, func(o *operands[float64], c []float64) {
					Dgemm(o.tA, o.tB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc)
				})
			})
		}
		// gonum's native GEMM fans out to goroutines: its figure is
		// single-threaded only with -cpu 1.
		b.Run(fmt.Sprintf("f32/%s/gonum", s.name), func(b *testing.B) {
			benchGemm(b, s.tA, s.tB, s.m, s.n, s.k, func(o *operands[float32], c []float32) {
				g.Sgemm(tr(o.tA), tr(o.tB), o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc)
			})
		})
		b.Run(fmt.Sprintf("f64/%s/gonum", s.name), func(b *testing.B) {
			benchGemm(b, s.tA, s.tB, s.m, s.n, s.k, func(o *operands[float64], c []float64) {
				g.Dgemm(tr(o.tA), tr(o.tB), o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc)
			})
		})
	}
}
