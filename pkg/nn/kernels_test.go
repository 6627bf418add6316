package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/stretchr/testify/require"
)

// adamKernelCase checks that adamUpdate (the SIMD kernel where there is one)
// gives the same bits as adamScalar, on values that include zeros, subnormals,
// values that become subnormal, infinities and NaNs.
func adamKernelCase[T Float](t *testing.T, name string, special []T) {
	rng := rand.New(rand.NewPCG(7, 7))
	tiny := smallestNormal[T]()
	draw := func() T {
		switch rng.IntN(8) {
		case 0:
			return special[rng.IntN(len(special))]
		case 1:
			return tiny * T(rng.Float64()*4-2) // near and below the normal range
		default:
			return T(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-6)))
		}
	}
	for n := 0; n < 300; n++ {
		p, g, m, v := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		for i := range p {
			p[i], g[i], m[i] = draw(), draw(), draw()
			v[i] = T(math.Abs(float64(draw())))
		}
		p2, g2, m2, v2 := slices.Clone(p), slices.Clone(g), slices.Clone(m), slices.Clone(v)
		c1, c2, alpha, eps := T(0.1), T(0.001), T(1e-3*rng.Float64()), T(1e-7)
		adamScalar(p, g, m, v, c1, c2, alpha, eps)
		if fin := adamUpdate(p2, g2, m2, v2, c1, c2, alpha, eps); fin != Finite(p) {
			t.Fatalf("%s n=%d: adamUpdate reports finite=%v, the scalar result's finiteness is %v", name, n, fin, Finite(p))
		}
		for i := range p {
			for _, pair := range [][2]T{{p[i], p2[i]}, {m[i], m2[i]}, {v[i], v2[i]}} {
				if !sameBits(pair[0], pair[1]) {
					t.Fatalf("%s n=%d i=%d: scalar %v, vector %v (p %v/%v m %v/%v v %v/%v)", name, n, i,
						pair[0], pair[1], p[i], p2[i], m[i], m2[i], v[i], v2[i])
				}
			}
		}
	}
}

func sameBits[T Float](a, b T) bool {
	switch x := any(a).(type) {
	case float32:
		return math.Float32bits(x) == math.Float32bits(any(b).(float32))
	default:
		return math.Float64bits(any(a).(float64)) == math.Float64bits(any(b).(float64))
	}
}

func TestAdamVectorMatchesScalar(t *testing.T) {
	inf32, nan32 := float32(math.Inf(1)), float32(math.NaN())
	adamKernelCase(t, "f32", []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-40, inf32, -inf32, nan32, 3e38})
	adamKernelCase(t, "f64", []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, math.Inf(1), math.Inf(-1), math.NaN(), 1e308})
}

// TestAdamTininessBeforeDenormalizing: products that Go rounds up to the
// smallest normal number but the FPU, rounding with an unbounded exponent,
// finds below it (found in review).
func TestAdamTininessBeforeDenormalizing(t *testing.T) {
	check := func(name string, got, want []float64) {
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Errorf("%s: element %d: scalar %v, kernel %v", name, i, want[i], got[i])
			}
		}
	}
	m := math.Float32frombits(0x0645c8e9)
	p, g, mm, v := []float32{0}, []float32{m}, []float32{m}, []float32{1e-20}
	p2, g2, m2, v2 := slices.Clone(p), slices.Clone(g), slices.Clone(mm), slices.Clone(v)
	adamScalar(p, g, mm, v, 0.1, 0.001, 3.16e-4, 1e-7)
	adamUpdate(p2, g2, m2, v2, 0.1, 0.001, 3.16e-4, 1e-7)
	check("float32", []float64{float64(p2[0]), float64(m2[0]), float64(v2[0])}, []float64{float64(p[0]), float64(mm[0]), float64(v[0])})

	q, h, n, w := []float64{0}, []float64{0x1p-1022}, []float64{0x1p-1022}, []float64{0}
	q2, h2, n2, w2 := slices.Clone(q), slices.Clone(h), slices.Clone(n), slices.Clone(w)
	alpha := 1 - 0x1p-53
	adamScalar(q, h, n, w, 0.1, 0.001, alpha, 1e-7)
	adamUpdate(q2, h2, n2, w2, 0.1, 0.001, alpha, 1e-7)
	check("float64", []float64{q2[0], n2[0], w2[0]}, []float64{q[0], n[0], w[0]})
}

// TestFTZProductsNearTiny compares ftzMul with the FPU through the kernel:
// with g = m = b, c1 = c2 = 1, v = 0 and ε = 1, the update is
// p' = 0 − α·b/(√(b²)… → 0 under FTZ, + 1) = 0 − α·b, for products α·b that
// land within a few ulps of the smallest normal number.
func TestFTZProductsNearTiny(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	tiny := smallestNormal[float32]()
	for range 20000 {
		a := float32(0.5 + rng.Float64()/2)
		b := tiny / a * float32(1+(rng.Float64()-0.5)*1e-6) // normal: b > tiny·0.99…/a
		p, g, m, v := []float32{0}, []float32{b}, []float32{b}, []float32{0}
		adamUpdate(p, g, m, v, 1, 1, a, 1) // m' = b, v' = b² → 0, p' = −a·b/1
		want := 0 - ftzMul(a, b, tiny)
		if math.Float32bits(p[0]) != math.Float32bits(want) {
			t.Fatalf("a=%g b=%g: FPU %g, ftzMul %g", a, b, p[0], want)
		}
		// α = 1, ε = d: p' = 0 − b/d with the quotient near tiny. (For these
		// operands the exact quotient never falls in the ambiguous half-ulp
		// below tiny, so this checks agreement, not ftzDiv's rescaling,
		// which is ftzMul's.)
		d := float32(1.01 + rng.Float64()*0.98)
		b = tiny * d * float32(1+(rng.Float64()-0.5)*1e-6)
		p, g, m, v = []float32{0}, []float32{b}, []float32{b}, []float32{0}
		adamUpdate(p, g, m, v, 1, 1, 1, d)
		if want := 0 - ftzDiv(b, d, tiny); math.Float32bits(p[0]) != math.Float32bits(want) {
			t.Fatalf("b=%g d=%g: FPU %g, ftzDiv %g", b, d, p[0], want)
		}
	}
}

func TestFlushZeroesSubnormalsOnly(t *testing.T) {
	tiny := smallestNormal[float32]()
	for _, c := range []struct{ in, want float32 }{
		{tiny, tiny}, {-tiny, -tiny}, {math.Nextafter32(tiny, 0), 0}, {1e-45, 0}, {-1e-45, 0}, {1, 1},
	} {
		if got := flush(c.in, tiny); got != c.want {
			t.Errorf("flush(%g) = %g, want %g", c.in, got, c.want)
		}
	}
	if got := flush(float32(math.NaN()), tiny); got == got {
		t.Errorf("flush(NaN) = %g, want NaN", got)
	}
	if smallestNormal[float64]() != 0x1p-1022 {
		t.Error("smallestNormal[float64]")
	}
}

func TestReluBackwardKeepsPositiveOnly(t *testing.T) {
	y := []float32{1, 0, float32(math.Copysign(0, -1)), -2, 1e-45, float32(math.Inf(1)), float32(math.NaN())}
	g := []float32{1, 2, 3, 4, 5, 6, 7}
	reluBackward(y, g)
	if want := []float32{1, 0, 0, 0, 5, 6, 7}; !slices.Equal(g, want) {
		t.Errorf("float32: got %v, want %v", g, want)
	}
	y64 := []float64{1, 0, math.Copysign(0, -1), -2, 5e-324, math.Inf(1), math.NaN()}
	g64 := []float64{1, 2, 3, 4, 5, 6, 7}
	reluBackward(y64, g64)
	if want := []float64{1, 0, 0, 0, 5, 6, 7}; !slices.Equal(g64, want) {
		t.Errorf("float64: got %v, want %v", g64, want)
	}
}

// TestTreeAddWithBLASMatchesScalar: the trainer's reduction adds with BLAS
// AXPY; it must give parallel.TreeSumInto's bits.
func TestTreeAddWithBLASMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, lanes := range []int{1, 2, 3, 5, 8} {
		a, b := make([][]float32, lanes), make([][]float32, lanes)
		for i := range a {
			a[i] = make([]float32, 1001)
			for k := range a[i] {
				a[i][k] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6)))
			}
			b[i] = slices.Clone(a[i])
		}
		parallel.TreeSumInto(a, 3, 1000)
		parallel.TreeAddInto(b, 3, 1000, addInto[float32])
		for k := range a[0] {
			if !sameBits(a[0][k], b[0][k]) {
				t.Fatalf("lanes %d element %d: %v vs %v", lanes, k, a[0][k], b[0][k])
			}
		}
	}
}

// TestSumSquaresKernelMatchesGo: the SIMD partial sums equal the portable
// loop's, bit for bit.
func TestSumSquaresKernelMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for n := 0; n < 100; n++ {
		v32, v64 := make([]float32, n), make([]float64, n)
		for i := range v32 {
			v32[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10)))
			v64[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
		var want32, want64 [8]float64
		for i := 0; i < n&^7; i++ {
			want32[i%8] += float64(v32[i]) * float64(v32[i])
			want64[i%8] += v64[i] * v64[i]
		}
		var got32, got64 [8]float64
		require.Equal(t, n&^7, sumSquaresPartial(v32, &got32))
		sumSquaresPartial(v64, &got64)
		require.Equal(t, want32, got32, "float32 n=%d", n)
		require.Equal(t, want64, got64, "float64 n=%d", n)
	}
	require.Equal(t, 30.0, SumSquares([]float32{1, 2, 3, 4}))
}

// TestAdamReportsEachNonFinitePosition: a NaN gradient at any position,
// vector body or tail, makes adamUpdate report a non-finite result.
func TestAdamReportsEachNonFinitePosition(t *testing.T) {
	for n := 1; n <= 9; n++ {
		for bad := 0; bad < n; bad++ {
			p32, g32 := make([]float32, n), make([]float32, n)
			p64, g64 := make([]float64, n), make([]float64, n)
			g32[bad], g64[bad] = float32(math.Inf(1)), math.NaN()
			if adamUpdate(p32, g32, make([]float32, n), make([]float32, n), 0.1, 0.001, 1e-3, 1e-7) {
				t.Errorf("float32 n=%d: Inf gradient at %d reported finite", n, bad)
			}
			if adamUpdate(p64, g64, make([]float64, n), make([]float64, n), 0.1, 0.001, 1e-3, 1e-7) {
				t.Errorf("float64 n=%d: NaN gradient at %d reported finite", n, bad)
			}
		}
		if !adamUpdate(make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), 0.1, 0.001, 1e-3, 1e-7) {
			t.Errorf("float32 n=%d: zeros reported non-finite", n)
		}
	}
}
