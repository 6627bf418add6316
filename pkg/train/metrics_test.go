package train_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricsMatchDefinitions checks the reported metrics against formulas
// applied to Predict's output.
func TestMetricsMatchDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	t.Run("regression", func(t *testing.T) {
		x := nntest.RandMatrix[float64](rng, 300, 3) // more than one evaluation shard
		y := nntest.RandMatrix[float64](rng, 300, 2)
		m := nn.NewModel[float64]()
		m.Add(nn.NewDense[float64](3, 2, nn.Linear, "o"))
		require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)))
		loss, met, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
		require.NoError(t, err)
		p, err := m.Predict(context.Background(), x)
		require.NoError(t, err)
		var sse, sae, r2, rmse float64 // rmse and r2: the mean of each output's (scikit-learn's uniform average)
		for j := range 2 {
			var mean, sst, ssej float64
			for i := range 300 {
				mean += y.At(i, j) / 300
			}
			for i := range 300 {
				d := p.At(i, j) - y.At(i, j)
				sse += d * d
				ssej += d * d
				sae += math.Abs(d)
				sst += (y.At(i, j) - mean) * (y.At(i, j) - mean)
			}
			r2 += (1 - ssej/sst) / 2
			rmse += math.Sqrt(ssej/300) / 2
		}
		assert.InDelta(t, sse/600, loss, 1e-12)
		assert.InDelta(t, rmse, met["rmse"], 1e-12)
		assert.Greater(t, math.Abs(rmse-math.Sqrt(sse/600)), 1e-6, "the case tells the mean of roots from the root of the pooled mean")
		assert.InDelta(t, sae/600, met["mae"], 1e-12)
		assert.InDelta(t, r2, met["r2"], 1e-10)
	})
	t.Run("classification", func(t *testing.T) {
		x := nntest.RandMatrix[float64](rng, 300, 3)
		y := nntest.RandLabels[float64](rng, 300, 4)
		m := nn.NewModel[float64]()
		m.Add(nn.NewDense[float64](3, 4, nn.Softmax, "o"))
		require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1)))
		_, met, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
		require.NoError(t, err)
		p, err := m.Predict(context.Background(), x)
		require.NoError(t, err)
		correct := 0
		for i := range 300 {
			row := p.Row(i)
			if slices.Index(row, slices.Max(row)) == int(y.Data[i]) {
				correct++
			}
		}
		assert.Equal(t, float64(correct)/300, met["accuracy"])
	})
}

// TestR2IsStable: R² of a constant prediction is 0 for a large-offset
// target and for a constant target (1 when the prediction is exact), as
// scikit-learn reports it, and NaN for a single sample.
func TestR2IsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](1, 1, nn.Linear, "o"))
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)))
	x := nn.NewMatrix[float64](500, 1, nil)
	y := nn.NewMatrix[float64](500, 1, nil)
	var mean float64
	for i := range y.Data {
		y.Data[i] = 1e8 + rng.Float64()
		mean += y.Data[i] / 500
	}
	copy(m.Params(), []float64{0, mean}) // predicts the mean
	_, met, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	assert.InDelta(t, 0, met["r2"], 1e-6)

	for i := range y.Data {
		y.Data[i] = 0.1
	}
	copy(m.Params(), []float64{0, 0.2})
	_, met, err = train.Evaluate(context.Background(), m, x.SliceRows(0, 7), y.SliceRows(0, 7), train.EvalOptions{})
	require.NoError(t, err)
	assert.Equal(t, 0.0, met["r2"])
	copy(m.Params(), []float64{0, 0.1})
	_, met, err = train.Evaluate(context.Background(), m, x.SliceRows(0, 7), y.SliceRows(0, 7), train.EvalOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1.0, met["r2"])
	// One sample: not defined (scikit-learn's r2_score answers NaN).
	_, met, err = train.Evaluate(context.Background(), m, x.SliceRows(0, 1), y.SliceRows(0, 1), train.EvalOptions{})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(met["r2"]), "r2 of one sample: %v", met["r2"])
}

func TestLogLineCarriesMetrics(t *testing.T) {
	m, x, y, xv, yv := overfitCase(t)
	var b strings.Builder
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, Log: &b, ValidationData: train.InMemory(xv, yv)})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 2)
	for _, f := range []string{"epoch 2/2 loss ", " mae ", " r2 ", " rmse ", " val_loss ", " val_r2 "} {
		assert.Contains(t, lines[1], f)
	}
}
