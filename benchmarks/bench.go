package benchmarks

import (
	"context"
	"runtime"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/train"
)

// BenchW1 trains W1 for b.N epochs of W1Samples samples with the given
// number of workers and shard size (0: the default) and reports samples/s
// and GFLOP/s.
func BenchW1[T nn.Float](b *testing.B, workers, shard int) {
	m, x, y := W1Model[T](1)
	b.ResetTimer()
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: b.N, BatchSize: W1Batch,
		Parallelism: train.Parallelism{Workers: workers, ShardSize: shard}})
	if err != nil {
		b.Fatal(err)
	}
	sec := b.Elapsed().Seconds()
	samples := float64(b.N * W1Samples)
	b.ReportMetric(samples/sec, "samples/s")
	b.ReportMetric(samples*W1FlopsPerSample()/sec/1e9, "GFLOP/s")
}

// BenchGEMM measures GEMM on one core (GOMAXPROCS=1) for the products of one
// W1 step on rows samples and reports GFLOP/s; see GEMMStep for tiled.
func BenchGEMM[T nn.Float](b *testing.B, rows int, tiled bool) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	run, flops := GEMMStep[T](rows, tiled)
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
