package benchmarks

import (
	"context"
	"fmt"
	"testing"

	"github.com/densetrain/densetrain/pkg/train"
)

// BenchmarkW1Layout is W1 in float32 at several batch sizes and shard sizes
// on 1 and 2 workers, the measurements behind Parallelism's default
// ShardSize (⌈batch/2⌉ clamped to [32, 128]). Sub-benchmarks run in turn, so -count
// interleaves them:
//
//	go test -run '^$' -bench W1Layout -count 5 -benchtime 8x ./benchmarks/
func BenchmarkW1Layout(b *testing.B) {
	for _, c := range []struct{ batch, shard int }{
		{32, 8}, {32, 16}, {32, 32},
		{64, 16}, {64, 32}, {64, 64},
		{128, 32}, {128, 64}, {128, 128},
		{256, 32}, {256, 64}, {256, 128}, {256, 256},
		{512, 64}, {512, 128}, {512, 256},
	} {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("batch=%d/shard=%d/workers=%d", c.batch, c.shard, w), func(b *testing.B) {
				benchW1Batch(b, c.batch, w, c.shard)
			})
		}
	}
}

func benchW1Batch(b *testing.B, batch, workers, shard int) {
	m, x, y := W1Model[float32](1)
	b.ResetTimer()
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: b.N, BatchSize: batch,
		Parallelism: train.Parallelism{Workers: workers, ShardSize: shard}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*W1Samples)/b.Elapsed().Seconds(), "samples/s")
}
