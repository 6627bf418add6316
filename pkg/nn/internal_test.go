package nn

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/parallel"
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

// TestTrainingStepAllocatesNothing: once the replicas exist, a step
// (gradient, reduction, optimizer) makes no allocation.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	m := NewModel[float32]()
	m.Add(NewDense[float32](20, 32, ReLU, "h"))
	m.Add(NewDense[float32](32, 5, Softmax, "o"))
	require.NoError(t, m.Compile(CrossEntropy[float32](), NewAdam[float32](1e-3)))
	x := NewMatrix[float32](256, 20, nil)
	y := NewMatrix[float32](256, 1, nil)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for i := range y.Data {
		y.Data[i] = float32(rng.IntN(5))
	}
	idx := make([]int, 256)
	for i := range idx {
		idx[i] = i
	}
	par, _ := Parallelism{Workers: 2, ShardSize: 16}.withDefaults(128)
	tr := newTrainer(m, x, y, nil, nil, 128, par)
	require.NoError(t, parallel.Run(context.Background(), 2, func(p *parallel.Pool) error {
		step := func() {
			for lo := 0; lo < len(idx); lo += 128 {
				_, err := tr.gradient(p, idx[lo:lo+128])
				require.NoError(t, err)
				require.NoError(t, tr.apply(p))
			}
		}
		step() // create the replicas
		assert.Zero(t, testing.AllocsPerRun(20, step))
		return nil
	}))
}

func TestDefaultShardSizeGivesLanes(t *testing.T) {
	// batch: shard size, lanes
	for batch, want := range map[int][2]int{1: {32, 1}, 32: {32, 1}, 33: {32, 2}, 64: {32, 2}, 65: {33, 2},
		128: {64, 2}, 255: {128, 2}, 256: {128, 2}, 257: {128, 3}, 512: {128, 4}, 4096: {128, 16}} {
		p, err := Parallelism{Workers: 64}.withDefaults(batch)
		require.NoError(t, err)
		assert.Equal(t, want[0], p.ShardSize, "batch %d", batch)
		assert.Equal(t, want[1], p.Workers, "batch %d: workers clamped to the lanes", batch)
	}
}
