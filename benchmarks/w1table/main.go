// Command w1table measures the W1 workload and prints the Markdown table
// recorded in benchmarks/README.md: training throughput for 1 and 2 workers in float32
// and float64, against the single-core gonum GEMM rate at the same layer
// shapes times the number of workers. Every figure comes from the same run;
// each configuration is measured -rounds times, interleaved, and the median
// is reported.
package main

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/densetrain/densetrain/benchmarks"
)

type key struct {
	precision string
	workers   int
}

type config struct {
	key
	bench func(*testing.B)
}

func main() {
	rounds := flag.Int("rounds", 3, "measurements per configuration (the median is reported)")
	flag.Parse()
	gemm := map[key]func(*testing.B){ // workers 0: raw gonum, 1: tiled nn.Gemm
		{"f32", 0}: func(b *testing.B) { benchmarks.BenchGEMM[float32](b, benchmarks.W1Batch, false) },
		{"f32", 1}: func(b *testing.B) { benchmarks.BenchGEMM[float32](b, benchmarks.W1Batch, true) },
		{"f64", 0}: func(b *testing.B) { benchmarks.BenchGEMM[float64](b, benchmarks.W1Batch, false) },
		{"f64", 1}: func(b *testing.B) { benchmarks.BenchGEMM[float64](b, benchmarks.W1Batch, true) },
	}
	var cfgs []config
	for _, p := range []string{"f32", "f64"} {
		for _, w := range []int{1, 2} {
			c := config{key: key{p, w}}
			if p == "f32" {
				c.bench = func(b *testing.B) { benchmarks.BenchW1[float32](b, w, 0) }
			} else {
				c.bench = func(b *testing.B) { benchmarks.BenchW1[float64](b, w, 0) }
			}
			cfgs = append(cfgs, c)
		}
	}
	train := make(map[key][]float64)
	roof := make(map[key][]float64)
	for r := 0; r < *rounds; r++ {
		for k, bench := range gemm {
			res := testing.Benchmark(bench)
			roof[k] = append(roof[k], res.Extra["GFLOP/s"])
		}
		for _, c := range cfgs {
			res := testing.Benchmark(c.bench)
			train[c.key] = append(train[c.key], res.Extra["samples/s"])
		}
	}
	median := func(v []float64) float64 {
		s := slices.Clone(v)
		slices.Sort(s)
		return s[len(s)/2]
	}
	fmt.Printf("W1 (784-256-128-10 ReLU, softmax cross-entropy, Adam, batch 128, random MNIST-shaped data), %s, GOMAXPROCS %d, %s, median of %d\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.GOMAXPROCS(0), runtime.Version(), *rounds)
	// The roofline per core is the faster of the two GEMM paths.
	core := func(p string) float64 { return max(median(roof[key{p, 0}]), median(roof[key{p, 1}])) }
	fmt.Println("| precision | workers | samples/s | GFLOP/s | roofline GFLOP/s (1-core GEMM × workers) | % of roofline | speed-up vs 1 worker |")
	fmt.Println("|---|---|---|---|---|---|---|")
	flops := benchmarks.W1FlopsPerSample()
	for _, c := range cfgs {
		sps := median(train[c.key])
		gf := sps * flops / 1e9
		rf := core(c.precision) * float64(c.workers)
		base := median(train[key{c.precision, 1}])
		fmt.Printf("| %s | %d | %.0f | %.2f | %.2f | %.0f %% | %.2f× |\n", c.precision, c.workers, sps, gf, rf, 100*gf/rf, sps/base)
	}
	fmt.Printf("\nSingle-core GEMM over the products of one W1 step at batch 128, GFLOP/s: "+
		"gonum Sgemm %.2f, nn.Gemm float32 %.2f, gonum Dgemm %.2f, nn.Gemm float64 %.2f; the roofline uses the faster per precision.\n",
		median(roof[key{"f32", 0}]), median(roof[key{"f32", 1}]), median(roof[key{"f64", 0}]), median(roof[key{"f64", 1}]))
}
