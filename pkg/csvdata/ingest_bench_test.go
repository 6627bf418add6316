package csvdata

import (
	"context"
	"os"
	"testing"
)

// benchFile reads a file into memory for the ingest benchmarks, which
// skip when it is absent: make them with benchmarks/synth and
// benchmarks/mnistcsv (see benchmarks/ingest).
func benchFile(b *testing.B, env, def string) []byte {
	path := os.Getenv(env)
	if path == "" {
		path = def
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("%s: %v (set %s)", path, err, env)
	}
	return data
}

func benchRead(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadBytes[float32](context.Background(), "bench.csv", data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadMixed reads a synthetic file of numbers, text columns and
// missing cells (CSVDATA_BENCH_MIXED, by default the first 100 000 rows of
// benchmarks/synth -cols 20 -text 3 -missing 0.05).
func BenchmarkReadMixed(b *testing.B) {
	benchRead(b, benchFile(b, "CSVDATA_BENCH_MIXED", "/tmp/synth/mixed100k.csv"))
}

// BenchmarkReadMNIST reads MNIST's test set as CSV (CSVDATA_BENCH_MNIST).
func BenchmarkReadMNIST(b *testing.B) {
	benchRead(b, benchFile(b, "CSVDATA_BENCH_MNIST", "/tmp/mnist/mnist_test.csv"))
}
