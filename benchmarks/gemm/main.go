// Command gemm prints single-thread GFLOP/s of SGEMM and DGEMM on the
// products of a Dense layer 784→256 at batch 128 — forward X·W
// (128×256, k 784), weight gradient Xᵀ·dZ (784×256, k 128) and input
// gradient dZ·Wᵀ (128×784, k 256) — for internal/gemm (on the path this
// CPU takes), gonum's native implementation and github.com/viterin/vek
// (which has no transposed product, so only the forward shape).
//
// GOMAXPROCS is set to 1, so gonum's GEMM, which otherwise fans out to
// goroutines, runs on one core like the others. Each figure is the median
// of -rounds measurements of at least -time each. With -clock cpu (Linux)
// the rate is taken over the CPU time of the process instead of the wall
// clock, which keeps figures steadier on a machine that other processes
// load (the wait for a core is not counted; GOMAXPROCS 1 keeps one
// goroutine running at a time, so the CPU time is that of the product).
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/densetrain/densetrain/benchmarks"
	"github.com/densetrain/densetrain/internal/gemm"
	vek64 "github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// shape is one product and its name in the table.
type shape struct {
	name string
	benchmarks.GEMMOp
}

var shapes = []shape{
	{"A·B 128×256, k 784", benchmarks.GEMMOp{M: 128, N: 256, K: 784}},
	{"Aᵀ·B 784×256, k 128", benchmarks.GEMMOp{TA: true, M: 784, N: 256, K: 128}},
	{"A·Bᵀ 128×784, k 256", benchmarks.GEMMOp{TB: true, M: 128, N: 784, K: 256}},
}

// impls are the products of one element type that the table compares.
type impls[T float32 | float64] struct {
	ours   func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)
	native func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)
	vek    func(dst, x, y []T, n int) []T // no transposed product
}

func main() {
	rounds := flag.Int("rounds", 5, "measurements per figure (the median is reported)")
	minTime := flag.Duration("time", 200*time.Millisecond, "minimum duration of a measurement")
	clock := flag.String("clock", "wall", "time the rates by the wall clock (wall) or by process CPU time (cpu)")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	if _, ok := cpuTime(); *clock == "cpu" && ok {
		now = func() time.Duration { d, _ := cpuTime(); return d }
	} else {
		*clock = "wall"
	}
	fmt.Printf("internal/gemm path %s, GOMAXPROCS 1, GFLOP/s by %s clock (median of %d)\n\n", gemm.Path(), *clock, *rounds)
	var g gonum.Implementation
	f32 := impls[float32]{gemm.Sgemm, g.Sgemm, vek32.MatMul_Into}
	f64 := impls[float64]{gemm.Dgemm, g.Dgemm, vek64.MatMul_Into}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "product\ttype\tinternal/gemm\tgonum\tvek\t")
	for _, s := range shapes {
		fmt.Fprintf(w, "%s\tfloat32\t%s\t\n", s.name, measureAll(s, f32, *rounds, *minTime))
		fmt.Fprintf(w, "%s\tfloat64\t%s\t\n", s.name, measureAll(s, f64, *rounds, *minTime))
	}
	w.Flush()
}

// measureAll returns the tab-separated figures of one shape and type.
func measureAll[T float32 | float64](s shape, f impls[T], rounds int, minTime time.Duration) string {
	a, b, c := benchmarks.RandomOperands[T](s.GEMMOp, rand.New(rand.NewPCG(1, 2)))
	lda, ldb := s.Strides()
	tA, tB := benchmarks.Trans(s.TA), benchmarks.Trans(s.TB)
	runs := []func(){
		func() { f.ours(s.TA, s.TB, s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, s.N) },
		func() { f.native(tA, tB, s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, s.N) },
		nil, // vek
	}
	if !s.TA && !s.TB {
		runs[2] = func() { f.vek(c, a, b, s.K) }
	}
	out := ""
	for _, run := range runs {
		if run == nil {
			out += "n/a\t"
			continue
		}
		out += fmt.Sprintf("%.1f\t", measure(run, s.Flops(), rounds, minTime))
	}
	return out[:len(out)-1]
}

// now is the clock of the measurements: wall time since the start, or the
// process's CPU time.
var now = func() time.Duration { return time.Since(start) }

var start = time.Now()

// measure returns the median GFLOP/s of f over rounds timings.
func measure(f func(), flops float64, rounds int, minTime time.Duration) float64 {
	f() // warm up: pack buffers, caches
	rates := make([]float64, rounds)
	for r := range rates {
		n := 0
		t0 := now()
		for now()-t0 < minTime {
			f()
			n++
		}
		rates[r] = flops * float64(n) / (now() - t0).Seconds() / 1e9
	}
	slices.Sort(rates)
	return rates[len(rates)/2]
}
