package train_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// meddlingSGD is SGD that, while Fit applies a step, tries the calls that
// would race with it on the same model and records their errors.
type meddlingSGD struct {
	*nn.SGD[float64]
	m    *nn.Model[float64]
	once sync.Once
	errs []error
}

func (o *meddlingSGD) Update(p, g []float64, lo, hi int) {
	o.once.Do(func() {
		_, err := train.Fit(context.Background(), o.m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{})
		o.errs = append(o.errs, err)
		_, err = o.m.WriteTo(io.Discard)
		o.errs = append(o.errs, err)
		_, _, err = train.Gradient(context.Background(), o.m, nntest.XORX, nntest.XORY, train.Parallelism{})
		o.errs = append(o.errs, err)
		_, err = o.m.Predict(context.Background(), nntest.XORX)
		o.errs = append(o.errs, err)
		_, _, err = train.Evaluate(context.Background(), o.m, nntest.XORX, nntest.XORY, train.EvalOptions{})
		o.errs = append(o.errs, err)
	})
	o.SGD.Update(p, g, lo, hi)
}

// TestCallsDuringAStepFailWithErrBusy: a second Fit, and the calls that
// read the weights, fail while Fit may write them, instead of racing.
func TestCallsDuringAStepFailWithErrBusy(t *testing.T) {
	m := nntest.XORModel(t)
	opt := &meddlingSGD{SGD: nn.NewSGD[float64](0.1), m: m}
	require.NoError(t, m.Compile(nn.HalfMSE[float64](), opt))
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 2})
	require.NoError(t, err)
	require.Len(t, opt.errs, 5)
	for i, err := range opt.errs {
		assert.ErrorIs(t, err, nn.ErrBusy, "call %d", i)
	}
	_, err = m.WriteTo(io.Discard) // the guard is lifted when Fit returns
	assert.NoError(t, err)
	_, err = train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{})
	assert.NoError(t, err)
}

// TestCallbacksMayReadTheModel: from a callback, and from a goroutine
// while the callback waits for it, the model can be read (the weights do
// not change then); a second Fit still fails.
func TestCallbacksMayReadTheModel(t *testing.T) {
	m := nntest.XORModel(t)
	var fitErr error
	reads := 0
	read := func() {
		_, err := m.Predict(context.Background(), nntest.XORX)
		require.NoError(t, err)
		_, err = m.WriteTo(io.Discard)
		require.NoError(t, err)
		_, _, err = train.Gradient(context.Background(), m, nntest.XORX, nntest.XORY, train.Parallelism{Workers: 2})
		require.NoError(t, err)
		reads++
	}
	cb := train.CallbackFuncs{
		BatchEnd: func(train.TrainState, int, int, int, float64) error { read(); return nil },
		EpochEnd: func(s train.TrainState, _ *train.EpochLog) error {
			done := make(chan struct{})
			go func() { defer close(done); read() }()
			<-done
			_, fitErr = train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{})
			return s.RestoreWeights(s.SaveWeights())
		},
	}
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 2, BatchSize: 2, Callbacks: []train.Callback{cb}})
	require.NoError(t, err)
	assert.Equal(t, 6, reads, "4 batches and 2 epochs")
	assert.ErrorIs(t, fitErr, nn.ErrBusy)
}
