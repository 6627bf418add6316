package train_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// overfitCase is a tiny noisy regression problem and a wide network that
// overfits it: validation loss falls, then rises.
func overfitCase(t *testing.T) (*nn.Model[float64], nn.Matrix[float64], nn.Matrix[float64], nn.Matrix[float64], nn.Matrix[float64]) {
	rng := rand.New(rand.NewPCG(12, 12))
	gen := func(n int) (nn.Matrix[float64], nn.Matrix[float64]) {
		x := nntest.RandMatrix[float64](rng, n, 2)
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
	es := &train.EarlyStopping{Patience: 5, RestoreBestWeights: true}
	hist, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 500, BatchSize: 16,
		ValidationData: train.InMemory(xv, yv), Callbacks: []train.Callback{es}})
	require.NoError(t, err)
	val := hist.Values("val_loss")
	require.Less(t, len(val), 500, "the case did not overfit: no early stop")
	best := slices.Min(val)
	require.Greater(t, es.BestEpoch(), 1, "the best epoch should come after some learning")
	t.Logf("stopped after %d epochs; best val_loss %.6g at epoch %d (first %.6g)", len(val), best, es.BestEpoch(), val[0])
	assert.Equal(t, best, val[es.BestEpoch()-1])
	assert.Equal(t, es.BestEpoch()+5, len(val), "stops after patience epochs without improvement")
	got, _, err := train.Evaluate(context.Background(), m, xv, yv, train.EvalOptions{})
	require.NoError(t, err)
	assert.Equal(t, best, got, "restored weights give exactly the best validation loss")
}

// TestReusedCallbacksStartAfresh: a callback reused after a failed Fit
// carries nothing over, even into a model of the other precision.
func TestReusedCallbacksStartAfresh(t *testing.T) {
	es := &train.EarlyStopping{Monitor: "loss", Patience: 3, RestoreBestWeights: true}
	m, x, y := divergingCase[float32](t, 1e8)
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 50, BatchSize: 64, Callbacks: []train.Callback{es}})
	require.Error(t, err)

	fresh := nntest.XORModel(t)
	before := append([]float64(nil), fresh.Params()...)
	_, err = train.Fit(context.Background(), fresh, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 1, Callbacks: []train.Callback{es}})
	require.NoError(t, err)
	assert.Equal(t, 1, es.BestEpoch())
	assert.NotEqual(t, before, fresh.Params(), "weights restored from another model")
}

func TestSchedulesSetTheLearningRate(t *testing.T) {
	m := nntest.XORModel(t)
	hist, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 6,
		Callbacks: []train.Callback{train.LearningRateScheduler{Schedule: train.StepDecay(0.1, 0.5, 2)}}})
	require.NoError(t, err)
	assert.Equal(t, []float64{0.1, 0.1, 0.05, 0.05, 0.025, 0.025}, hist.Values("lr"))

	exp := train.ExponentialDecay(1, 0.9)
	assert.InDelta(t, 0.81, exp(3), 1e-15)
	cos := train.CosineDecay(1, 4, 0.1)
	assert.InDelta(t, 1, cos(1), 1e-15)
	assert.InDelta(t, 0.55, cos(3), 1e-15)
	assert.InDelta(t, 0.1, cos(5), 1e-15)
	assert.InDelta(t, 0.1, cos(9), 1e-15)
}

// fixedLoss makes every epoch log the same loss.
type fixedLoss struct{}

func (fixedLoss) OnEpochEnd(_ train.TrainState, l *train.EpochLog) error { l.Loss = 1; return nil }

func TestReduceLROnPlateau(t *testing.T) {
	m := nntest.XORModel(t)
	hist, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 8,
		Callbacks: []train.Callback{fixedLoss{}, &train.ReduceLROnPlateau{Patience: 2, Factor: 0.5, MinLR: 0.03}}})
	require.NoError(t, err)
	// Epoch 1 sets the best; epochs 2 and 3 do not improve: halve after 3, and so on.
	assert.Equal(t, []float64{0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03}, hist.Values("lr"))
}

// batchCounter records OnBatchEnd calls.
type batchCounter struct {
	fixedLoss
	samples []int
}

func (b *batchCounter) OnBatchEnd(_ train.TrainState, epoch, batch, samples int, loss float64) error {
	b.samples = append(b.samples, samples)
	return nil
}

func TestBatchCallbacksSeeEveryBatch(t *testing.T) {
	m := nntest.XORModel(t)
	bc := &batchCounter{}
	hist, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 2, BatchSize: 3, Callbacks: []train.Callback{bc}})
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4, 3, 4}, bc.samples)
	assert.Len(t, hist.Epochs, 2)
}

// TestCallbackHooksRunInOrder: each callback is called for the hooks it
// has, in the order of Options.Callbacks; a nil one is refused.
func TestCallbackHooksRunInOrder(t *testing.T) {
	var got []string
	rec := func(name string) train.CallbackFuncs {
		return train.CallbackFuncs{
			TrainBegin: func(train.TrainState) error { got = append(got, name+" begin"); return nil },
			EpochBegin: func(_ train.TrainState, e int) error { got = append(got, fmt.Sprint(name, " epoch ", e)); return nil },
			BatchEnd: func(_ train.TrainState, e, b, _ int, _ float64) error {
				got = append(got, fmt.Sprint(name, " batch ", e, ".", b))
				return nil
			},
			EpochEnd: func(_ train.TrainState, l *train.EpochLog) error {
				got = append(got, fmt.Sprint(name, " end ", l.Epoch))
				return nil
			},
			TrainEnd: func(train.TrainState) error { got = append(got, name+" done"); return nil },
		}
	}
	m := nntest.XORModel(t)
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 1, BatchSize: 2,
		Callbacks: []train.Callback{rec("a"), train.CallbackFuncs{}, rec("b")}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a begin", "b begin", "a epoch 1", "b epoch 1", "a batch 1.1", "b batch 1.1",
		"a batch 1.2", "b batch 1.2", "a end 1", "b end 1", "a done", "b done"}, got)

	_, err = train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Callbacks: []train.Callback{nil}})
	assert.ErrorContains(t, err, "Options.Callbacks[0] is nil")
}

// The callbacks of this package are Callbacks, and have the optional hooks
// their docs promise.
var (
	_ train.Callback         = train.LearningRateScheduler{}
	_ train.EpochBeginner    = train.LearningRateScheduler{}
	_ train.Callback         = &train.EarlyStopping{}
	_ train.TrainBeginner    = &train.EarlyStopping{}
	_ train.TrainEnder       = &train.EarlyStopping{}
	_ train.StatefulCallback = &train.EarlyStopping{}
	_ train.Callback         = &train.ReduceLROnPlateau{}
	_ train.StatefulCallback = &train.ReduceLROnPlateau{}
	_ train.BatchEnder       = train.CallbackFuncs{}
)

// TestRestoreWeightsOfAnotherModel: weights saved from one model are
// refused by a model of another precision or size, and restored by its
// own.
func TestRestoreWeightsOfAnotherModel(t *testing.T) {
	var saved train.Weights
	save := train.CallbackFuncs{EpochEnd: func(s train.TrainState, _ *train.EpochLog) error { saved = s.SaveWeights(); return nil }}
	m64 := nntest.XORModel(t)
	_, err := train.Fit(context.Background(), m64, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Callbacks: []train.Callback{save}})
	require.NoError(t, err)
	require.Equal(t, len(m64.Params()), saved.Len())

	var got []error
	restore := train.CallbackFuncs{EpochEnd: func(s train.TrainState, _ *train.EpochLog) error {
		got = append(got, s.RestoreWeights(saved))
		return nil
	}}
	x32, y32 := nntest.ClassData[float32](1, 8, 2, 2)
	m32 := nntest.Classifier(t, nn.NewAdam[float32](0.01), 1, 2, 3, 2)
	_, err = train.Fit(context.Background(), m32, train.InMemory(x32, y32), train.Options{Callbacks: []train.Callback{restore}})
	require.NoError(t, err)
	other := nntest.Classifier(t, nn.NewAdam[float64](0.01), 1, 2, 5, 2)
	x64, y64 := nntest.ClassData[float64](1, 8, 2, 2)
	_, err = train.Fit(context.Background(), other, train.InMemory(x64, y64), train.Options{Callbacks: []train.Callback{restore}})
	require.NoError(t, err)
	require.Len(t, got, 2)
	for _, err := range got {
		assert.ErrorContains(t, err, "saved from another model")
	}

	want := slices.Clone(m64.Params())
	clear(m64.Params())
	got = nil
	_, err = train.Fit(context.Background(), m64, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 1, Callbacks: []train.Callback{restore}})
	require.NoError(t, err)
	require.Equal(t, []error{nil}, got)
	assert.Equal(t, want, m64.Params())
}
