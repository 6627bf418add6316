package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

func fmtShape(z any, tA, tB bool, m, n, k int, alpha, beta float64, lda, ldb, ldc int, path string) string {
	return fmt.Sprintf("%T %s tA=%v tB=%v m=%d n=%d k=%d alpha=%v beta=%v ld=%d,%d,%d",
		z, path, tA, tB, m, n, k, alpha, beta, lda, ldb, ldc)
}

var dims = []int{1, 2, 7, 15, 16, 17, 31, 33, 64, 129, 785}

// shapes returns the (m, n, k) combinations of dims with m·n·k ≤ limit.
func shapes(limit int) [][3]int {
	var s [][3]int
	for _, m := range dims {
		for _, n := range dims {
			for _, k := range dims {
				if m*n*k <= limit {
					s = append(s, [3]int{m, n, k})
				}
			}
		}
	}
	return s
}

func shapeLimit() int {
	if testing.Short() {
		return 40000
	}
	return 1 << 20
}

// testShapes checks every transpose combination over many shapes, cycling
// through offsets (aligned or one element off), row padding and
// alpha/beta values.
func testShapes[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphas := []T{1, 0.5, -1.25}
	betas := []T{0, 1, 0.75, -2}
	v := 0
	for _, s := range shapes(shapeLimit()) {
		for tr := range 4 {
			v++
			o := newOperands(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], v%2, (v/2)%2*3,
				alphas[v%len(alphas)], betas[(v/3)%len(betas)])
			o.check(t, o.run())
		}
	}
}

func TestShapes32(t *testing.T) { withPath(t, testShapes[float32]) }
func TestShapes64(t *testing.T) { withPath(t, testShapes[float64]) }

// testDeterminism runs the same product on copies of the operands placed
// at other offsets and strides, with B packed or read in place, and on
// every path: all must agree bitwise.
func testDeterminism[T Float](t *testing.T) {
	defer usePath(bestPath())
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][3]int{{33, 129, 785}, {128, 256, 784}, {7, 64, 1}, {129, 17, 900}} {
		for tr := range 4 {
			base := newOperands[T](rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 0, 0, 0.5, 0.75)
			want := base.run()
			for _, name := range []string{"portable", "avx2", "avx512"} {
				if !usePath(name) {
					continue
				}
				for _, off := range []int{0, 1, 3} {
					o := relocate(base, off, off+2)
					inPlaceMaxRow = []int{0, 2048, 1 << 30}[off%3] // B packed or in place
					got := o.run()
					inPlaceMaxRow = 2048
					if !sameBits(o.m, o.n, got, o.ldc, want, base.ldc) {
						t.Fatalf("%s offset %d: bits differ from the first run", o, off)
					}
				}
			}
			usePath(bestPath())
		}
	}
}

func TestDeterminism32(t *testing.T) { testDeterminism[float32](t) }
func TestDeterminism64(t *testing.T) { testDeterminism[float64](t) }

// relocate copies o's matrices off elements into new slices, with pad more
// elements per row.
func relocate[T Float](o *operands[T], off, pad int) *operands[T] {
	r := *o
	move := func(x []T, ld int) ([]T, int) {
		rows := (len(x) + ld - 1) / ld
		y := make([]T, off+rows*(ld+pad))[off:]
		for i := range rows {
			copy(y[i*(ld+pad):], x[i*ld:min(len(x), i*ld+ld)])
		}
		return y, ld + pad
	}
	r.a, r.lda = move(o.a, o.lda)
	r.b, r.ldb = move(o.b, o.ldb)
	r.c, r.ldc = move(o.c, o.ldc)
	return &r
}

// TestNotRead checks the BLAS conventions: C is not read when beta is 0,
// A and B are not read when alpha is 0, and k = 0 scales C by beta.
func TestNotRead(t *testing.T) {
	withPath(t, func(t *testing.T) {
		nan := float32(math.NaN())
		a := []float32{1, 2, 3, 4, 5, 6}
		c := []float32{nan, nan, nan, nan}
		Sgemm(false, true, 2, 2, 3, 1, a, 3, a, 3, 0, c, 2)
		if want := []float32{14, 32, 32, 77}; fmt.Sprint(c) != fmt.Sprint(want) {
			t.Fatalf("beta=0: got %v, want %v", c, want)
		}
		na := []float32{nan, nan, nan, nan, nan, nan}
		Sgemm(false, false, 2, 2, 3, 0, na, 3, na, 2, 2, c, 2)
		if want := []float32{28, 64, 64, 154}; fmt.Sprint(c) != fmt.Sprint(want) {
			t.Fatalf("alpha=0: got %v, want %v", c, want)
		}
		Dgemm(false, false, 2, 2, 0, 1, []float64{0, 0}, 1, nil, 2, 0, []float64{1, 2, 3, 4}, 2)
	})
}

// TestPanics checks that bad arguments panic as in gonum.
func TestPanics(t *testing.T) {
	x := make([]float64, 16)
	for name, f := range map[string]func(){
		"m<0":    func() { Dgemm(false, false, -1, 2, 2, 1, x, 2, x, 2, 0, x, 2) },
		"lda":    func() { Dgemm(false, false, 2, 2, 3, 1, x, 2, x, 2, 0, x, 2) },
		"ldb":    func() { Dgemm(false, true, 2, 2, 3, 1, x, 3, x, 2, 0, x, 2) },
		"ldc":    func() { Dgemm(false, false, 2, 3, 2, 1, x, 2, x, 3, 0, x, 2) },
		"shortA": func() { Dgemm(true, false, 2, 2, 9, 1, x, 2, x, 2, 0, x, 2) },
		"shortC": func() { Dgemm(false, false, 9, 2, 2, 1, x, 2, x, 2, 0, x, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestZeroAllocs checks that a warm call allocates nothing.
func TestZeroAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	o := newOperands[float32](rng, true, false, 70, 300, 500, 0, 0, 1, 0)
	d := newOperands[float64](rng, false, true, 70, 300, 500, 0, 0, 1, 1)
	c, dc := o.run(), d.run()
	allocs := testing.AllocsPerRun(20, func() {
		Sgemm(o.tA, o.tB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb, o.beta, c, o.ldc)
		Dgemm(d.tA, d.tB, d.m, d.n, d.k, d.alpha, d.a, d.lda, d.b, d.ldb, d.beta, dc, d.ldc)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per call pair, want 0", allocs)
	}
}

// TestConcurrent runs products on several goroutines at once (for -race):
// each call has its own pack buffers.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(7, uint64(g)))
			for range 5 {
				o := newOperands[float32](rng, g&1 != 0, g&2 != 0, 40, 70, 300, 1, 1, 1, 0.5)
				o.check(t, o.run())
			}
		})
	}
	wg.Wait()
}

// TestImplementation installs Implementation behind blas32/blas64 and
// compares its products with gonum's native ones.
func TestImplementation(t *testing.T) {
	defer blas32.Use(gonum.Implementation{})
	defer blas64.Use(gonum.Implementation{})
	blas32.Use(Implementation{})
	blas64.Use(Implementation{})
	rng := rand.New(rand.NewPCG(8, 9))
	o := newOperands[float64](rng, true, false, 20, 30, 40, 0, 0, 1.5, 0.5)
	want := append([]float64(nil), o.c...)
	gonum.Implementation{}.Dgemm(blas.Trans, blas.NoTrans, 20, 30, 40, 1.5, o.a, o.lda, o.b, o.ldb, 0.5, want, o.ldc)
	got := blas64.General{Rows: 20, Cols: 30, Stride: o.ldc, Data: append([]float64(nil), o.c...)}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1.5,
		blas64.General{Rows: 40, Cols: 20, Stride: o.lda, Data: o.a},
		blas64.General{Rows: 40, Cols: 30, Stride: o.ldb, Data: o.b}, 0.5, got)
	for i := range want {
		if math.Abs(got.Data[i]-want[i]) > 1e-12 {
			t.Fatalf("c[%d] = %v, gonum %v", i, got.Data[i], want[i])
		}
	}
	x := []float32{1, 2, 3, 4}
	y := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.ConjTrans, 1, blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: x},
		blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: x}, 0, y)
	if fmt.Sprint(y.Data) != "[5 11 11 25]" {
		t.Fatalf("A·Aᴴ = %v, want [5 11 11 25]", y.Data)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("bad transpose: no panic")
		}
	}()
	Implementation{}.Sgemm('x', blas.NoTrans, 1, 1, 1, 1, x, 1, x, 1, 0, x, 1)
}
