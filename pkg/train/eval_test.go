package train_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPredictAndEvaluateStopOnCancel: a cancelled context stops Predict
// and EvaluateMetrics with its error; an open one gives Predict's result.
func TestPredictAndEvaluateStopOnCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := nntest.RandMatrix[float32](rng, 1000, 10)
	y := nntest.RandLabels[float32](rng, 1000, 3)
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](10, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01), nn.WithSeed(5)))
	ctx, cancel := context.WithCancel(context.Background())
	want, err := m.Predict(context.Background(), x)
	require.NoError(t, err)
	got, err := m.Predict(ctx, x)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	cancel()
	_, err = m.Predict(ctx, x)
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = train.Evaluate(ctx, m, x, y, train.EvalOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestPredictWorkers: any worker count gives Predict's (and Evaluate's)
// bits — one worker on the calling goroutine, several in a pool — and a
// cancelled context stops the serial path too.
func TestPredictWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := nntest.RandMatrix[float64](rng, 1000, 10)
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](10, 16, nn.Tanh, "h"))
	m.Add(nn.NewDense[float64](16, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewAdam[float64](0.01), nn.WithSeed(5)))
	want, err := m.Predict(context.Background(), x)
	require.NoError(t, err)
	for _, w := range []int{1, 2, 3, 8} {
		got, err := train.Predict(context.Background(), m, x, train.EvalOptions{Workers: w})
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d workers", w)
	}
	_, err = train.Predict(context.Background(), m, x, train.EvalOptions{Workers: -1})
	assert.ErrorContains(t, err, "-1 workers")
	y := nntest.RandLabels[float64](rng, 1000, 3)
	loss, metrics, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	for _, w := range []int{1, 2, 3} {
		l, mt, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{Workers: w})
		require.NoError(t, err)
		assert.Equal(t, loss, l, "%d workers", w)
		assert.Equal(t, metrics, mt, "%d workers", w)
	}
	_, _, err = train.Evaluate(context.Background(), m, x, y, train.EvalOptions{Workers: -2})
	assert.ErrorContains(t, err, "-2 workers")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = train.Predict(ctx, m, x, train.EvalOptions{Workers: 1})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestPredictConcurrently calls Predict and Evaluate from 8 goroutines on
// one model (run with -race).
func TestPredictConcurrently(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	x := nntest.RandMatrix[float32](rng, 700, 6)
	y := nntest.RandLabels[float32](rng, 700, 3)
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](6, 16, nn.ReLU, "h"))
	m.Add(nn.NewDense[float32](16, 3, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01)))
	want, err := m.Predict(context.Background(), x)
	require.NoError(t, err)
	wantLoss, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := m.Predict(context.Background(), x)
			assert.NoError(t, err)
			assert.Equal(t, want.Data, got.Data)
			loss, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
			assert.NoError(t, err)
			assert.Equal(t, wantLoss, loss)
		})
	}
	wg.Wait()
}
