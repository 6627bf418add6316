package nn_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancellingSGD cancels the context inside its first Update call.
type cancellingSGD struct {
	*nn.SGD[float32]
	cancel context.CancelFunc
}

func (c cancellingSGD) Update(p, g []float32, lo, hi int) {
	c.cancel()
	c.SGD.Update(p, g, lo, hi)
}

// TestCancelDuringUpdateFinishesTheStep: a cancel that arrives while the
// optimizer is applying a step (here with two parameter chunks) must not
// leave the step half applied.
func TestCancelDuringUpdateFinishesTheStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := randMatrix[float32](rng, 20, 200)
	y := randLabels[float32](rng, 20, 2)
	build := func(opt nn.Optimizer[float32]) *nn.Model[float32] {
		m := nn.NewModel[float32]()
		m.Add(nn.NewDense[float32](200, 100, nn.Tanh, "h")) // 20 100 parameters: two update chunks
		m.Add(nn.NewDense[float32](100, 2, nn.Softmax, "o"))
		require.NoError(t, m.Compile(nn.CrossEntropy[float32](), opt))
		return m
	}
	opts := nn.FitOptions{BatchSize: 10, NoShuffle: true, Parallelism: nn.Parallelism{Workers: 1}}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := build(cancellingSGD{nn.NewSGD[float32](0.5), cancel})
	_, err := got.Fit(ctx, x, y, opts)
	require.ErrorIs(t, err, context.Canceled)

	want := build(nn.NewSGD[float32](0.5)) // exactly one step: the first batch
	_, err = want.Fit(context.Background(), x.SliceRows(0, 10), y.SliceRows(0, 10), opts)
	require.NoError(t, err)
	assert.Equal(t, want.Params(), got.Params())
}

func TestCrossEntropyRejectsHugeLabels(t *testing.T) {
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 3, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1)))
	for _, bad := range []float64{1e20, math.Inf(1), math.Inf(-1), math.NaN(), -1, 2.5, 3} {
		y := nn.NewMatrix(4, 1, []float64{0, 1, bad, 2})
		_, err := m.Fit(context.Background(), xorX, y, nn.FitOptions{})
		assert.ErrorContains(t, err, "row 2", "label %v", bad)
		_, err = m.Evaluate(xorX, y)
		assert.Error(t, err, "label %v", bad)
	}
}

// TestBinaryCrossEntropyValue compares the loss with the textbook formula
// −[t·log σ(z) + (1−t)·log(1−σ(z))], averaged over outputs and samples.
func TestBinaryCrossEntropyValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](3, 2, nn.Linear, "logits"))
	require.NoError(t, m.Compile(nn.BinaryCrossEntropy[float64](), nn.NewSGD[float64](0.1)))
	x := randMatrix[float64](rng, 9, 3)
	y := randUnit[float64](rng, 9, 2)
	logits, err := m.Predict(x) // linear output: Predict returns the logits
	require.NoError(t, err)
	var want float64
	for i, z := range logits.Data {
		s := 1 / (1 + math.Exp(-z))
		want -= y.Data[i]*math.Log(s) + (1-y.Data[i])*math.Log(1-s)
	}
	want /= float64(len(logits.Data))
	got, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.InDelta(t, want, got, 1e-12)
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
			x := randMatrix[float32](rng, s.rows, 67)
			y := randLabels[float32](rng, s.rows, 5)
			m := nn.NewModel[float32]()
			m.Add(nn.NewDense[float32](67, 259, nn.ReLU, "h1"))
			m.Add(nn.NewDense[float32](259, 130, nn.Sigmoid, "h2"))
			m.Add(nn.NewDense[float32](130, 5, nn.Softmax, "o"))
			require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01), nn.WithSeed(2)))
			_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 2, BatchSize: s.batch, Seed: 3,
				Parallelism: nn.Parallelism{Workers: workers, ShardSize: s.shard, MaxLanes: s.lanes}})
			require.NoError(t, err)
			return m.Params()
		}
		want := train(1)
		for _, w := range []int{1, 2, 3, 8, 64, 2} {
			assert.Equal(t, want, train(w), "setup %+v, workers %d", s, w)
		}
	}
}

func TestRecompileKeepsWeights(t *testing.T) {
	m := xorModel(t)
	_, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 50})
	require.NoError(t, err)
	trained := append([]float64(nil), m.Params()...)
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewAdam[float64](0.01), nn.WithSeed(99)))
	assert.Equal(t, trained, m.Params())
}

// countingReducer wraps the default tree and counts its calls.
type countingReducer struct {
	parallel.Tree[float64]
	calls int
}

func (c *countingReducer) Reduce(p *parallel.Pool, parts [][]float64, losses []float64) (float64, error) {
	c.calls++
	return c.Tree.Reduce(p, parts, losses)
}

func TestSetReducerIsUsedEveryStep(t *testing.T) {
	plain, custom := xorModel(t), xorModel(t)
	r := &countingReducer{}
	custom.SetReducer(r)
	opts := nn.FitOptions{Epochs: 5, BatchSize: 2, Parallelism: nn.Parallelism{Workers: 2, ShardSize: 1}}
	_, err := plain.Fit(context.Background(), xorX, xorY, opts)
	require.NoError(t, err)
	_, err = custom.Fit(context.Background(), xorX, xorY, opts)
	require.NoError(t, err)
	assert.Equal(t, 10, r.calls)
	assert.Equal(t, plain.Params(), custom.Params())
}
