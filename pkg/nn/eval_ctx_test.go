package nn_test

import (
	"context"
	"math/rand/v2"
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
