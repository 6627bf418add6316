package gemm

import "testing"

// BenchmarkPackA packs the 128×784 A of a forward product, row-major.
func BenchmarkPackA(b *testing.B) {
	a := make([]float32, 128*784)
	dst := make([]float32, 140*784)
	for b.Loop() {
		packA(false, a, 784, 0, 0, 128, 392, 14, dst)
		packA(false, a, 784, 0, 392, 128, 392, 14, dst)
	}
}

// BenchmarkPackBT packs the transposed 784×256 B of an input gradient.
func BenchmarkPackBT(b *testing.B) {
	a := make([]float32, 784*256)
	dst := make([]float32, 800*256)
	for b.Loop() {
		packB(true, a, 256, 0, 0, 256, 784, 32, dst)
	}
}
