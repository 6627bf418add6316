package nn_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// overfitCase is a tiny noisy regression problem and a wide network that
// overfits it: validation loss falls, then rises.
func overfitCase(t *testing.T) (*nn.Model[float64], nn.Matrix[float64], nn.Matrix[float64], nn.Matrix[float64], nn.Matrix[float64]) {
	rng := rand.New(rand.NewPCG(12, 12))
	gen := func(n int) (nn.Matrix[float64], nn.Matrix[float64]) {
		x := randMatrix[float64](rng, n, 2)
		y := nn.NewMatrix[float64](n, 1, nil)
		for i := range n {
			y.Data[i] = x.At(i, 0) - 0.5*x.At(i, 1) + rng.NormFloat64()
		}
		return x, y
	}
	x, y := gen(16)
	xv, yv := gen(200)
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 64, nn.Tanh, "h1"))
	m.Add(nn.NewDense[float64](64, 64, nn.Tanh, "h2"))
	m.Add(nn.NewDense[float64](64, 1, nn.Linear, "o"))
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewAdam[float64](0.001), nn.WithSeed(1)))
	return m, x, y, xv, yv
}

func TestEarlyStoppingRestoresTheBestEpoch(t *testing.T) {
	m, x, y, xv, yv := overfitCase(t)
	es := &nn.EarlyStopping{Patience: 5, RestoreBestWeights: true}
	hist, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 500, BatchSize: 16,
		ValidationData: nn.NewDataset(xv, yv), Callbacks: []nn.Callback{es}})
	require.NoError(t, err)
	val := hist.Values("val_loss")
	require.Less(t, len(val), 500, "the case did not overfit: no early stop")
	best := slices.Min(val)
	require.Greater(t, es.BestEpoch(), 1, "the best epoch should come after some learning")
	t.Logf("stopped after %d epochs; best val_loss %.6g at epoch %d (first %.6g)", len(val), best, es.BestEpoch(), val[0])
	assert.Equal(t, best, val[es.BestEpoch()-1])
	assert.Equal(t, es.BestEpoch()+5, len(val), "stops after patience epochs without improvement")
	got, err := m.Evaluate(xv, yv)
	require.NoError(t, err)
	assert.Equal(t, best, got, "restored weights give exactly the best validation loss")
}

// TestValidationRowsAreTheSplitGivenOnce: the rows SplitRows draws, given
// as ValidationRows (in any order), train exactly as ValidationSplit.
func TestValidationRowsAreTheSplitGivenOnce(t *testing.T) {
	fit := func(opt nn.FitOptions) *nn.History {
		m, x, y, _, _ := overfitCase(t)
		opt.Epochs, opt.Seed = 3, 9
		h, err := m.Fit(context.Background(), x, y, opt)
		require.NoError(t, err)
		return h
	}
	_, x, _, _, _ := overfitCase(t)
	_, val, err := nn.SplitRows(x.Rows, 0.25, 9)
	require.NoError(t, err)
	slices.Reverse(val)
	a, b := fit(nn.FitOptions{ValidationSplit: 0.25}), fit(nn.FitOptions{ValidationRows: val})
	for i := range a.Epochs {
		assert.Equal(t, a.Epochs[i].Loss, b.Epochs[i].Loss)
		assert.Equal(t, a.Epochs[i].ValLoss, b.Epochs[i].ValLoss)
	}
}

func TestValidationSplitIsSeededAndDisjoint(t *testing.T) {
	m, x, y, _, _ := overfitCase(t)
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 1.5})
	assert.ErrorContains(t, err, "validation split 1.5")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 0.97})
	assert.ErrorContains(t, err, "empty side")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 0.2, ValidationData: nn.NewDataset(x, y)})
	assert.ErrorContains(t, err, "give one of")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationSplit: 0.2, ValidationRows: []int{1}})
	assert.ErrorContains(t, err, "give one of")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationRows: []int{1, 1}})
	assert.ErrorContains(t, err, "out of range or repeated")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationRows: []int{x.Rows}})
	assert.ErrorContains(t, err, "out of range or repeated")
	_, err = m.Fit(context.Background(), x, y, nn.FitOptions{ValidationData: nn.NewDataset(nn.NewMatrix[float32](1, 2, nil), nn.NewMatrix[float32](1, 1, nil))})
	assert.ErrorContains(t, err, "another precision")

	run := func(seed uint64) []float64 {
		m, x, y, _, _ := overfitCase(t)
		h, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 3, ValidationSplit: 0.25, Seed: seed})
		require.NoError(t, err)
		return h.Values("val_loss")
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

// TestMetricsMatchDefinitions checks the reported metrics against formulas
// applied to Predict's output.
func TestMetricsMatchDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	t.Run("regression", func(t *testing.T) {
		x := randMatrix[float64](rng, 300, 3) // more than one evaluation shard
		y := randMatrix[float64](rng, 300, 2)
		m := nn.NewModel[float64]()
		m.Add(nn.NewDense[float64](3, 2, nn.Linear, "o"))
		require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)))
		loss, met, err := m.EvaluateMetrics(x, y)
		require.NoError(t, err)
		p, err := m.Predict(x)
		require.NoError(t, err)
		var sse, sae, r2 float64
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
		}
		assert.InDelta(t, sse/600, loss, 1e-12)
		assert.InDelta(t, math.Sqrt(sse/600), met["rmse"], 1e-12)
		assert.InDelta(t, sae/600, met["mae"], 1e-12)
		assert.InDelta(t, r2, met["r2"], 1e-10)
	})
	t.Run("classification", func(t *testing.T) {
		x := randMatrix[float64](rng, 300, 3)
		y := randLabels[float64](rng, 300, 4)
		m := nn.NewModel[float64]()
		m.Add(nn.NewDense[float64](3, 4, nn.Softmax, "o"))
		require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1)))
		_, met, err := m.EvaluateMetrics(x, y)
		require.NoError(t, err)
		p, err := m.Predict(x)
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

func TestSchedulesSetTheLearningRate(t *testing.T) {
	m := xorModel(t)
	hist, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 6,
		Callbacks: []nn.Callback{nn.LearningRateScheduler{Schedule: nn.StepDecay(0.1, 0.5, 2)}}})
	require.NoError(t, err)
	assert.Equal(t, []float64{0.1, 0.1, 0.05, 0.05, 0.025, 0.025}, hist.Values("lr"))

	exp := nn.ExponentialDecay(1, 0.9)
	assert.InDelta(t, 0.81, exp(3), 1e-15)
	cos := nn.CosineDecay(1, 4, 0.1)
	assert.InDelta(t, 1, cos(1), 1e-15)
	assert.InDelta(t, 0.55, cos(3), 1e-15)
	assert.InDelta(t, 0.1, cos(5), 1e-15)
	assert.InDelta(t, 0.1, cos(9), 1e-15)
}

// fixedLoss makes every epoch log the same loss.
type fixedLoss struct{}

func (fixedLoss) OnTrainBegin(nn.TrainState) error                 { return nil }
func (fixedLoss) OnEpochBegin(nn.TrainState, int) error            { return nil }
func (fixedLoss) OnTrainEnd(nn.TrainState) error                   { return nil }
func (fixedLoss) OnEpochEnd(_ nn.TrainState, l *nn.EpochLog) error { l.Loss = 1; return nil }

func TestReduceLROnPlateau(t *testing.T) {
	m := xorModel(t)
	hist, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 8,
		Callbacks: []nn.Callback{fixedLoss{}, &nn.ReduceLROnPlateau{Patience: 2, Factor: 0.5, MinLR: 0.03}}})
	require.NoError(t, err)
	// Epoch 1 sets the best; epochs 2 and 3 do not improve: halve after 3, and so on.
	assert.Equal(t, []float64{0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03}, hist.Values("lr"))
}

func TestDivergenceNamesEpochBatchAndLayer(t *testing.T) {
	m, x, y := divergingCase[float64](t, 1e6)
	hist, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 50, BatchSize: 16})
	var div *nn.DivergenceError
	require.True(t, errors.As(err, &div), "err = %v", err)
	assert.GreaterOrEqual(t, div.Layer, 0)
	assert.Equal(t, len(hist.Epochs)+1, div.Epoch)
	assert.GreaterOrEqual(t, div.Batch, 1)
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"epoch", "batch", "layer", "learning rate (now 1e+06)", "standardized inputs"} {
		assert.Contains(t, msg, want)
	}
	for _, p := range m.Params() {
		require.False(t, math.IsNaN(p), "the diverging step was applied")
	}
}

func TestLogLineCarriesMetrics(t *testing.T) {
	m, x, y, xv, yv := overfitCase(t)
	var b strings.Builder
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 2, Log: &b, ValidationData: nn.NewDataset(xv, yv)})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 2)
	for _, f := range []string{"epoch 2/2 loss ", " mae ", " r2 ", " rmse ", " val_loss ", " val_r2 "} {
		assert.Contains(t, lines[1], f)
	}
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

// TestR2IsStable: R² of a constant prediction is 0 for a large-offset
// target and for a constant target (1 when the prediction is exact), as
// scikit-learn reports it.
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
	_, met, err := m.EvaluateMetrics(x, y)
	require.NoError(t, err)
	assert.InDelta(t, 0, met["r2"], 1e-6)

	for i := range y.Data {
		y.Data[i] = 0.1
	}
	copy(m.Params(), []float64{0, 0.2})
	_, met, err = m.EvaluateMetrics(x.SliceRows(0, 7), y.SliceRows(0, 7))
	require.NoError(t, err)
	assert.Equal(t, 0.0, met["r2"])
	copy(m.Params(), []float64{0, 0.1})
	_, met, err = m.EvaluateMetrics(x.SliceRows(0, 7), y.SliceRows(0, 7))
	require.NoError(t, err)
	assert.Equal(t, 1.0, met["r2"])
}

// batchCounter records OnBatchEnd calls.
type batchCounter struct {
	fixedLoss
	samples []int
}

func (b *batchCounter) OnBatchEnd(_ nn.TrainState, epoch, batch, samples int, loss float64) error {
	b.samples = append(b.samples, samples)
	return nil
}

func (b *batchCounter) OnEpochEnd(nn.TrainState, *nn.EpochLog) error { return nil }

func TestBatchCallbacksSeeEveryBatch(t *testing.T) {
	m := xorModel(t)
	bc := &batchCounter{}
	hist, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 2, BatchSize: 3, Callbacks: []nn.Callback{bc}})
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4, 3, 4}, bc.samples)
	assert.Len(t, hist.Epochs, 2)
}
