package nn_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPredictAndEvaluateStopOnCancel: a cancelled context stops Predict
// and EvaluateMetrics with its error; an open one gives Predict's result.
func TestPredictAndEvaluateStopOnCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randMatrix[float32](rng, 1000, 10)
	y := randLabels[float32](rng, 1000, 3)
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](10, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01), nn.WithSeed(5)))
	ctx, cancel := context.WithCancel(context.Background())
	want, err := m.Predict(x)
	require.NoError(t, err)
	got, err := m.PredictContext(ctx, x)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	cancel()
	_, err = m.PredictContext(ctx, x)
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = m.EvaluateMetricsContext(ctx, x, y)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestPredictWorkers: any worker count gives Predict's (and Evaluate's)
// bits — one worker on the calling goroutine, several in a pool — and a
// cancelled context stops the serial path too.
func TestPredictWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randMatrix[float64](rng, 1000, 10)
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](10, 16, nn.Tanh, "h"))
	m.Add(nn.NewDense[float64](16, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewAdam[float64](0.01), nn.WithSeed(5)))
	want, err := m.Predict(x)
	require.NoError(t, err)
	for _, w := range []int{1, 2, 3, 8} {
		got, err := m.PredictWorkers(context.Background(), x, w)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d workers", w)
	}
	_, err = m.PredictWorkers(context.Background(), x, -1)
	assert.ErrorContains(t, err, "-1 workers")
	y := randLabels[float64](rng, 1000, 3)
	loss, metrics, err := m.EvaluateMetrics(x, y)
	require.NoError(t, err)
	for _, w := range []int{1, 2, 3} {
		l, mt, err := m.EvaluateWorkers(context.Background(), x, y, w)
		require.NoError(t, err)
		assert.Equal(t, loss, l, "%d workers", w)
		assert.Equal(t, metrics, mt, "%d workers", w)
	}
	_, _, err = m.EvaluateWorkers(context.Background(), x, y, -2)
	assert.ErrorContains(t, err, "-2 workers")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = m.PredictWorkers(ctx, x, 1)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestPredictConcurrently calls Predict and Evaluate from 8 goroutines on
// one model (run with -race).
func TestPredictConcurrently(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	x := randMatrix[float32](rng, 700, 6)
	y := randLabels[float32](rng, 700, 3)
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](6, 16, nn.ReLU, "h"))
	m.Add(nn.NewDense[float32](16, 3, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01)))
	want, err := m.Predict(x)
	require.NoError(t, err)
	wantLoss, err := m.Evaluate(x, y)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := m.Predict(x)
			assert.NoError(t, err)
			assert.Equal(t, want.Data, got.Data)
			loss, err := m.Evaluate(x, y)
			assert.NoError(t, err)
			assert.Equal(t, wantLoss, loss)
		})
	}
	wg.Wait()
}
