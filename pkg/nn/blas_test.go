package nn

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveGemm is c = alpha·op(a)·op(b) + beta·c with plain loops.
func naiveGemm(tA, tB bool, alpha float64, a, b Matrix[float64], beta float64, c Matrix[float64]) {
	at := func(m Matrix[float64], t bool, i, j int) float64 {
		if t {
			return m.At(j, i)
		}
		return m.At(i, j)
	}
	k := a.Cols
	if tA {
		k = a.Rows
	}
	for i := 0; i < c.Rows; i++ {
		for j := 0; j < c.Cols; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += at(a, tA, i, l) * at(b, tB, l, j)
			}
			c.Data[i*c.Cols+j] = alpha*s + beta*c.Data[i*c.Cols+j]
		}
	}
}

func randM(rng *rand.Rand, r, c int) Matrix[float64] {
	m := NewMatrix[float64](r, c, nil)
	for i := range m.Data {
		m.Data[i] = rng.NormFloat64()
	}
	return m
}

// TestGemmTilesMatchNaive covers shapes below, at and above gonum's
// parallel threshold, for every transpose combination.
func TestGemmTilesMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1, 1, 1}, {5, 300, 7}, {200, 70, 9}, {300, 500, 3}, {33, 192, 64}, {130, 129, 65}} {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				a, b := randM(rng, m, k), randM(rng, k, n)
				if tA {
					a = randM(rng, k, m)
				}
				if tB {
					b = randM(rng, n, k)
				}
				c := randM(rng, m, n)
				want := NewMatrix(m, n, append([]float64(nil), c.Data...))
				naiveGemm(tA, tB, 0.7, a, b, 0.3, want)
				Gemm(tA, tB, 0.7, a, b, 0.3, c)
				for i := range c.Data {
					require.InDelta(t, want.Data[i], c.Data[i], 1e-10, "shape %v tA=%v tB=%v", s, tA, tB)
				}
			}
		}
	}
}

// TestGemmStaysSerial: gonum's parallel GEMM allocates (goroutines, a
// channel, a WaitGroup); the tiled product must not.
func TestGemmStaysSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a32 := NewMatrix[float32](128, 784, nil)
	w32 := NewMatrix[float32](784, 256, nil)
	for i := range a32.Data {
		a32.Data[i] = float32(rng.NormFloat64())
	}
	c32 := NewMatrix[float32](128, 256, nil)
	g32 := NewMatrix[float32](784, 256, nil)
	allocs := testing.AllocsPerRun(5, func() {
		Gemm(false, false, 1, a32, w32, 0, c32)
		Gemm(true, false, 1, a32, c32, 1, g32)
		Gemm(false, true, 1, c32, w32, 0, a32)
	})
	assert.Zero(t, allocs)
}

func TestColSums(t *testing.T) {
	a := NewMatrix(3, 2, []float32{1, 2, 3, 4, 5, 6})
	y := []float32{10, 20}
	colSums(a, []float32{1, 1, 1, 1}, 1, y)
	assert.Equal(t, []float32{19, 32}, y)
	colSums(a, []float32{1, 1, 1}, 0, y)
	assert.Equal(t, []float32{9, 12}, y)
}

func TestAlignedBuffers(t *testing.T) {
	for _, b := range alignedBuffers[float32](1, 5, 17, 0, 3) {
		if len(b) > 0 {
			assert.Zero(t, uintptrOf(b)%alignBytes)
		}
	}
}

// uintptrOf returns the address of s's first element.
func uintptrOf[T Float](s []T) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }
