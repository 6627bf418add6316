package benchmarks

import (
	"fmt"
	"testing"
)

func BenchmarkW1(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("f32/workers=%d", w), func(b *testing.B) { BenchW1[float32](b, w, 0) })
		b.Run(fmt.Sprintf("f64/workers=%d", w), func(b *testing.B) { BenchW1[float64](b, w, 0) })
	}
}

// BenchmarkW1Shard64 is W1 in float32 with 64-row shards set explicitly:
// the default for batch 128 since the AVX-512 kernels (it was 32). See
// BenchmarkW1Layout for other batch and shard sizes.
func BenchmarkW1Shard64(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("f32/workers=%d", w), func(b *testing.B) { BenchW1[float32](b, w, 64) })
	}
}

// BenchmarkGEMM is the single-core roofline: the products of a W1 step at
// batch 128 (the layer shapes) and at 64- and 32-row shards, through
// gonum's Sgemm/Dgemm as they are ("raw") and through nn.Gemm ("tiled").
func BenchmarkGEMM(b *testing.B) {
	for _, rows := range []int{128, 64, 32} {
		for _, tiled := range []bool{false, true} {
			kind := map[bool]string{false: "raw", true: "tiled"}[tiled]
			b.Run(fmt.Sprintf("f32/%s/rows=%d", kind, rows), func(b *testing.B) { BenchGEMM[float32](b, rows, tiled) })
			b.Run(fmt.Sprintf("f64/%s/rows=%d", kind, rows), func(b *testing.B) { BenchGEMM[float64](b, rows, tiled) })
		}
	}
}

func TestW1Flops(t *testing.T) {
	if got := W1FlopsPerSample(); got != 1007104 {
		t.Fatalf("W1 flops per sample %v, want 1007104", got)
	}
}
