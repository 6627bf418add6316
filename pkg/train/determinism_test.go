package train_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trainSmall trains a 10-16-8-3 classifier on 203 samples with batch 50
// (the last batch has 3 rows) and returns the flat parameters.
func trainSmall[T nn.Float](t *testing.T, workers, shard int) []T {
	rng := rand.New(rand.NewPCG(11, 11))
	x := nntest.RandMatrix[T](rng, 203, 10)
	y := nntest.RandLabels[T](rng, 203, 3)
	m := nn.NewModel[T]()
	m.Add(nn.NewDense[T](10, 16, nn.ReLU, "h1"))
	m.Add(nn.NewDense[T](16, 8, nn.Tanh, "h2"))
	m.Add(nn.NewDense[T](8, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](0.01), nn.WithSeed(5)))
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 4, BatchSize: 50, Seed: 9, ClipNorm: 0.5, BalanceClasses: true,
		Parallelism: train.Parallelism{Workers: workers, ShardSize: shard, MaxLanes: 5}})
	require.NoError(t, err)
	return append([]T(nil), m.Params()...)
}

func testDeterminism[T nn.Float](t *testing.T) {
	want := trainSmall[T](t, 1, 4)
	// 100 000 000 workers are clamped to the 5 lanes, at no cost.
	for _, w := range []int{1, 2, 3, 8, 100_000_000} {
		got := trainSmall[T](t, w, 4)
		require.Equal(t, len(want), len(got))
		diff := 0
		for i := range got {
			if got[i] != want[i] { // exact: bit-identical for finite values
				diff++
			}
		}
		assert.Zero(t, diff, "workers=%d: %d of %d parameters differ from workers=1", w, diff, len(got))
	}
}

// TestWorkersDoNotChangeBits trains with 1, 2, 3, 8 and 10⁸ workers (and 1
// twice) and requires bit-identical parameters, in float32 and float64.
func TestWorkersDoNotChangeBits(t *testing.T) {
	t.Run("float32", testDeterminism[float32])
	t.Run("float64", testDeterminism[float64])
}

// TestShardLayoutChangesBits shows the determinism test can fail: another
// shard size sums in another order, and the float32 bits move.
func TestShardLayoutChangesBits(t *testing.T) {
	assert.NotEqual(t, fmt.Sprint(trainSmall[float32](t, 2, 4)), fmt.Sprint(trainSmall[float32](t, 2, 5)))
}

// TestWideNetsDoNotDependOnWorkers repeats the determinism check on layers
// wide enough for the tiled, float32 SIMD paths, with odd shard sizes and
// lane caps, a batch larger than the data and a one-row data set; every
// worker count is run twice.
func TestWideNetsDoNotDependOnWorkers(t *testing.T) {
	type setup struct {
		rows, batch, shard, lanes int
	}
	for _, s := range []setup{{150, 64, 7, 3}, {150, 400, 0, 0}, {1, 32, 0, 1}, {150, 50, 100, 4}} {
		train := func(workers int) []float32 {
			rng := rand.New(rand.NewPCG(21, 21))
			x := nntest.RandMatrix[float32](rng, s.rows, 67)
			y := nntest.RandLabels[float32](rng, s.rows, 5)
			m := nn.NewModel[float32]()
			m.Add(nn.NewDense[float32](67, 259, nn.ReLU, "h1"))
			m.Add(nn.NewDense[float32](259, 130, nn.Sigmoid, "h2"))
			m.Add(nn.NewDense[float32](130, 5, nn.Softmax, "o"))
			require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01), nn.WithSeed(2)))
			_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, BatchSize: s.batch, Seed: 3,
				Parallelism: train.Parallelism{Workers: workers, ShardSize: s.shard, MaxLanes: s.lanes}})
			require.NoError(t, err)
			return m.Params()
		}
		want := train(1)
		for _, w := range []int{1, 2, 3, 8, 64, 2} {
			assert.Equal(t, want, train(w), "setup %+v, workers %d", s, w)
		}
	}
}

// F32 is a named float type: the engine must treat it as float32 (found in
// review: type switches on []float32 missed it).
type F32 float32

func TestNamedFloatTypeTrainsLikeFloat32(t *testing.T) {
	for _, name := range []string{"sgd", "adam"} {
		var a []float32
		var b []F32
		if name == "sgd" {
			a, b = fitSmall(t, nn.NewSGD[float32](0.1)), fitSmall(t, nn.NewSGD[F32](0.1))
		} else {
			a, b = fitSmall(t, nn.NewAdam[float32](0.01)), fitSmall(t, nn.NewAdam[F32](0.01))
		}
		require.Len(t, b, len(a))
		for i := range a {
			if float32(b[i]) != a[i] {
				t.Fatalf("%s: parameter %d: F32 %v, float32 %v", name, i, b[i], a[i])
			}
		}
	}
}

// smallCase is a small ReLU network with an L2 penalty, and its data, for
// fitSmall.
func smallCase[T nn.Float](t *testing.T, opt nn.Optimizer[T]) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	x, y := nntest.ClassData[T](4, 96, 6, 3)
	m := nn.NewModel[T]()
	h := nn.NewDense[T](6, 16, nn.ReLU, "h")
	h.L2 = 1
	m.Add(h)
	m.Add(nn.NewDense[T](16, 3, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), opt, nn.WithSeed(2)))
	return m, x, y
}

// smallOptions train smallCase with gradient clipping in steps of four
// lanes, so that the fused reduction-and-norm path, the penalty added
// after it and the clipping all matter.
var smallOptions = train.Options{Epochs: 3, BatchSize: 32, ClipNorm: 0.1, Parallelism: train.Parallelism{Workers: 2, ShardSize: 8}}

// fitSmall trains smallCase with smallOptions and returns its weights.
func fitSmall[T nn.Float](t *testing.T, opt nn.Optimizer[T]) []T {
	m, x, y := smallCase(t, opt)
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), smallOptions)
	require.NoError(t, err)
	return m.Params()
}

// TestFusedNormCountsThePenalty: one process takes the gradient norm
// during the reduction; the all-reduce across processes takes it after the
// L2 penalty's gradient is added — with two ranks of two lanes each, and
// the test communicator's sum in rank order, over the same sums as one
// process. Clipping must see the same norm either way (found in review: the
// fused norm missed the penalty).
func TestFusedNormCountsThePenalty(t *testing.T) {
	for _, name := range []string{"sgd", "adam"} {
		opt := func() nn.Optimizer[float32] {
			if name == "sgd" {
				return nn.NewSGD[float32](0.1)
			}
			return nn.NewAdam[float32](0.01)
		}
		o := smallOptions
		o.CommAllreduce = true
		unfused, _, errs := fitRanksOf(t, func() (*nn.Model[float32], nn.Matrix[float32], nn.Matrix[float32]) {
			return smallCase(t, opt())
		}, 2, o)
		require.NoError(t, errors.Join(errs...))
		assert.Equal(t, fitSmall(t, opt()), unfused, name)
	}
}
