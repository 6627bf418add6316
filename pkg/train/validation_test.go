package train_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationRowsAreTheSplitGivenOnce: the rows SplitRows draws, given
// as ValidationRows (in any order), train exactly as ValidationSplit.
func TestValidationRowsAreTheSplitGivenOnce(t *testing.T) {
	fit := func(opt train.Options) *train.History {
		m, x, y, _, _ := overfitCase(t)
		opt.Epochs, opt.Seed = 3, 9
		h, err := train.Fit(context.Background(), m, train.InMemory(x, y), opt)
		require.NoError(t, err)
		return h
	}
	_, x, _, _, _ := overfitCase(t)
	_, val, err := train.SplitRows(context.Background(), x.Rows, 0.25, 9)
	require.NoError(t, err)
	slices.Reverse(val)
	a, b := fit(train.Options{ValidationSplit: 0.25}), fit(train.Options{ValidationRows: val})
	for i := range a.Epochs {
		assert.Equal(t, a.Epochs[i].Loss, b.Epochs[i].Loss)
		assert.Equal(t, a.Epochs[i].ValLoss, b.Epochs[i].ValLoss)
	}
}

func TestValidationSplitIsSeededAndDisjoint(t *testing.T) {
	m, x, y, _, _ := overfitCase(t)
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationSplit: 1.5})
	assert.ErrorContains(t, err, "ValidationSplit 1.5")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationSplit: 0.97})
	assert.ErrorContains(t, err, "empty side")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationSplit: 0.2, ValidationData: train.InMemory(x, y)})
	assert.ErrorContains(t, err, "give one of")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationSplit: 0.2, ValidationRows: []int{1}})
	assert.ErrorContains(t, err, "give one of")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationRows: []int{1, 1}})
	assert.ErrorContains(t, err, "out of range or repeated")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationRows: []int{x.Rows}})
	assert.ErrorContains(t, err, "out of range or repeated")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ValidationData: train.InMemory(nn.NewMatrix[float32](1, 2, nil), nn.NewMatrix[float32](1, 1, nil))})
	assert.ErrorContains(t, err, "another precision")

	run := func(seed uint64) []float64 {
		m, x, y, _, _ := overfitCase(t)
		h, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 3, ValidationSplit: 0.25, Seed: seed})
		require.NoError(t, err)
		return h.Values("val_loss")
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

// MetricScale multiplies the per-epoch rmse and mae (training and
// validation) by the output's factor, leaving the loss, R² and the
// weights as they were.
func TestMetricScaleReportsTargetUnits(t *testing.T) {
	fit := func(scale []float64) *train.History {
		m, x, y, _, _ := overfitCase(t)
		h, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, Seed: 3, ValidationSplit: 0.25, MetricScale: scale})
		require.NoError(t, err)
		return h
	}
	a, b := fit(nil), fit([]float64{250})
	for i := range a.Epochs {
		ea, eb := a.Epochs[i], b.Epochs[i]
		assert.Equal(t, ea.Loss, eb.Loss)
		assert.Equal(t, ea.ValLoss, eb.ValLoss)
		for _, m := range []map[string]float64{ea.Metrics, ea.ValMetrics} {
			require.Contains(t, m, "rmse")
		}
		assert.InDelta(t, 250*ea.Metrics["rmse"], eb.Metrics["rmse"], 1e-9*eb.Metrics["rmse"])
		assert.InDelta(t, 250*ea.Metrics["mae"], eb.Metrics["mae"], 1e-9*eb.Metrics["mae"])
		assert.InDelta(t, 250*ea.ValMetrics["rmse"], eb.ValMetrics["rmse"], 1e-9*eb.ValMetrics["rmse"])
		assert.InDelta(t, 250*ea.ValMetrics["mae"], eb.ValMetrics["mae"], 1e-9*eb.ValMetrics["mae"])
		assert.Equal(t, ea.Metrics["r2"], eb.Metrics["r2"])
		assert.Equal(t, ea.ValMetrics["r2"], eb.ValMetrics["r2"])
	}
}

// SplitRows draws the split it drew before it could be stopped (shuffle
// by rand.Shuffle, parts sorted), so that model files do not change; a
// cancelled context stops it.
func TestSplitRowsIsTheSameAsBefore(t *testing.T) {
	for _, n := range []int{10, 1000, 300_000} {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		rng := rand.New(rand.NewPCG(uint64(n), 3)) // the validation stream
		rng.Shuffle(n, func(i, j int) { all[i], all[j] = all[j], all[i] })
		nTrain := int(float64(n) * 0.8)
		wantTrain, wantVal := slices.Sorted(slices.Values(all[:nTrain])), slices.Sorted(slices.Values(all[nTrain:]))
		train, val, err := train.SplitRows(context.Background(), n, 0.2, uint64(n))
		require.NoError(t, err)
		assert.Equal(t, wantTrain, train)
		assert.Equal(t, wantVal, val)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := train.SplitRows(ctx, 300_000, 0.2, 1)
	assert.ErrorIs(t, err, context.Canceled)
}

// The regression metrics of targets near float64's limits (1e200) and of
// float32 errors beyond float32 (targets of ±3.3e38) are finite: the sums
// are normalized by a power of two, and an error is taken in float64.
func TestMetricsNearTheLimits(t *testing.T) {
	x := nn.NewMatrix[float64](4, 1, []float64{0, 1, 2, 3})
	y := nn.NewMatrix[float64](4, 1, []float64{0, 1e200, 2e200, 3e200})
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](1, 1, nn.Linear, "o"))
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(1)))
	w := m.Params()
	w[0], w[1] = 1.1e200, 0 // predictions 0, 1.1e200, 2.2e200, 3.3e200
	_, metrics, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	// errors 0, 1e199, 2e199, 3e199: rmse √(14/4)·1e199, mae 1.5e199
	assert.InDelta(t, math.Sqrt(3.5)*1e199, metrics["rmse"], 1e186)
	assert.InDelta(t, 1.5e199, metrics["mae"], 1e186)
	assert.InDelta(t, 1-14.0/500, metrics["r2"], 1e-12) // Σd² 14e398 over Σ(y−ȳ)² 5e400

	x32 := nn.NewMatrix[float32](2, 1, []float32{0, 1})
	y32 := nn.NewMatrix[float32](2, 1, []float32{-3.3e38, 3.3e38})
	m32 := nn.NewModel[float32]()
	m32.Add(nn.NewDense[float32](1, 1, nn.Linear, "o"))
	require.NoError(t, m32.Compile(nn.MSE[float32](), nn.NewSGD[float32](0.1), nn.WithSeed(1)))
	w32 := m32.Params()
	w32[0], w32[1] = -6.6e38/2, 3.3e38/2 // predictions 1.65e38 and 0: errors beyond float32 from −3.3e38
	_, metrics, err = train.Evaluate(context.Background(), m32, x32, y32, train.EvalOptions{})
	require.NoError(t, err)
	for _, k := range []string{"rmse", "mae", "r2"} {
		assert.False(t, math.IsInf(metrics[k], 0) || math.IsNaN(metrics[k]), "%s %v", k, metrics[k])
	}
}
