package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
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

// TestReusedCallbacksStartAfresh: a callback reused after a failed Fit
// carries nothing over, even into a model of the other precision.
func TestReusedCallbacksStartAfresh(t *testing.T) {
	es := &nn.EarlyStopping{Monitor: "loss", Patience: 3, RestoreBestWeights: true}
	m, x, y := divergingCase[float32](t, 1e8)
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 50, BatchSize: 64, Callbacks: []nn.Callback{es}})
	require.Error(t, err)

	fresh := xorModel(t)
	before := append([]float64(nil), fresh.Params()...)
	_, err = fresh.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 1, Callbacks: []nn.Callback{es}})
	require.NoError(t, err)
	assert.Equal(t, 1, es.BestEpoch())
	assert.NotEqual(t, before, fresh.Params(), "weights restored from another model")
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

func (fixedLoss) OnEpochEnd(_ nn.TrainState, l *nn.EpochLog) error { l.Loss = 1; return nil }

func TestReduceLROnPlateau(t *testing.T) {
	m := xorModel(t)
	hist, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 8,
		Callbacks: []nn.Callback{fixedLoss{}, &nn.ReduceLROnPlateau{Patience: 2, Factor: 0.5, MinLR: 0.03}}})
	require.NoError(t, err)
	// Epoch 1 sets the best; epochs 2 and 3 do not improve: halve after 3, and so on.
	assert.Equal(t, []float64{0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03}, hist.Values("lr"))
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

func TestBatchCallbacksSeeEveryBatch(t *testing.T) {
	m := xorModel(t)
	bc := &batchCounter{}
	hist, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 2, BatchSize: 3, Callbacks: []nn.Callback{bc}})
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4, 3, 4}, bc.samples)
	assert.Len(t, hist.Epochs, 2)
}

// TestCallbackHooksRunInOrder: each callback is called for the hooks it
// has, in the order of FitOptions.Callbacks; a callback with none is
// refused.
func TestCallbackHooksRunInOrder(t *testing.T) {
	var got []string
	rec := func(name string) nn.CallbackFuncs {
		return nn.CallbackFuncs{
			TrainBegin: func(nn.TrainState) error { got = append(got, name+" begin"); return nil },
			EpochBegin: func(_ nn.TrainState, e int) error { got = append(got, fmt.Sprint(name, " epoch ", e)); return nil },
			BatchEnd: func(_ nn.TrainState, e, b, _ int, _ float64) error {
				got = append(got, fmt.Sprint(name, " batch ", e, ".", b))
				return nil
			},
			EpochEnd: func(_ nn.TrainState, l *nn.EpochLog) error {
				got = append(got, fmt.Sprint(name, " end ", l.Epoch))
				return nil
			},
			TrainEnd: func(nn.TrainState) error { got = append(got, name+" done"); return nil },
		}
	}
	m := xorModel(t)
	_, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 1, BatchSize: 2,
		Callbacks: []nn.Callback{rec("a"), nn.CallbackFuncs{}, rec("b")}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a begin", "b begin", "a epoch 1", "b epoch 1", "a batch 1.1", "b batch 1.1",
		"a batch 1.2", "b batch 1.2", "a end 1", "b end 1", "a done", "b done"}, got)

	for _, bad := range []nn.Callback{nil, struct{}{}, &batchCounterWithTypo{}} {
		_, err = m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Callbacks: []nn.Callback{bad}})
		assert.ErrorContains(t, err, "has no hook", "%T", bad)
	}
}

// batchCounterWithTypo has no hook: OnBatchEnded is not OnBatchEnd.
type batchCounterWithTypo struct{}

func (*batchCounterWithTypo) OnBatchEnded(nn.TrainState, int, int, int, float64) error { return nil }
