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

	"github.com/densetrain/densetrain/internal/gemm"
	vek64 "github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// shape is one product C (m×n) = op(A)·op(B) with inner dimension k.
type shape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

var shapes = []shape{
	{"A·B 128×256, k 784", false, false, 128, 256, 784},
	{"Aᵀ·B 784×256, k 128", true, false, 784, 256, 128},
	{"A·Bᵀ 128×784, k 256", false, true, 128, 784, 256},
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
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "product\ttype\tinternal/gemm\tgonum\tvek\t")
	for _, s := range shapes {
		row32 := measureAll[float32](s, *rounds, *minTime)
		row64 := measureAll[float64](s, *rounds, *minTime)
		fmt.Fprintf(w, "%s\tfloat32\t%s\t\n", s.name, row32)
		fmt.Fprintf(w, "%s\tfloat64\t%s\t\n", s.name, row64)
	}
	w.Flush()
}

// measureAll returns the tab-separated figures of one shape and type.
func measureAll[T float32 | float64](s shape, rounds int, minTime time.Duration) string {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(rng.Float64() - 0.5)
		}
		return x
	}
	a, b, c := fill(s.m*s.k), fill(s.k*s.n), fill(s.m*s.n)
	lda, ldb := s.k, s.n
	if s.tA {
		lda = s.m
	}
	if s.tB {
		ldb = s.k
	}
	var g gonum.Implementation
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	var ours, native, vek func()
	switch x := any(a).(type) {
	case []float32:
		y, z := any(b).([]float32), any(c).([]float32)
		ours = func() { gemm.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n) }
		native = func() { g.Sgemm(tr(s.tA), tr(s.tB), s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n) }
		if !s.tA && !s.tB {
			vek = func() { vek32.MatMul_Into(z, x, y, s.k) }
		}
	case []float64:
		y, z := any(b).([]float64), any(c).([]float64)
		ours = func() { gemm.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n) }
		native = func() { g.Dgemm(tr(s.tA), tr(s.tB), s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n) }
		if !s.tA && !s.tB {
			vek = func() { vek64.MatMul_Into(z, x, y, s.k) }
		}
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	out := ""
	for _, f := range []func(){ours, native, vek} {
		if f == nil {
			out += "n/a\t"
			continue
		}
		out += fmt.Sprintf("%.1f\t", measure(f, flops, rounds, minTime))
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
