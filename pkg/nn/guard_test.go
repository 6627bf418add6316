package nn_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
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
		_, err := o.m.Fit(context.Background(), xorX, xorY, nn.FitOptions{})
		o.errs = append(o.errs, err)
		_, err = o.m.WriteTo(io.Discard)
		o.errs = append(o.errs, err)
		_, _, err = o.m.Gradient(context.Background(), xorX, xorY, nn.Parallelism{})
		o.errs = append(o.errs, err)
		_, err = o.m.Predict(xorX)
		o.errs = append(o.errs, err)
		_, _, err = o.m.EvaluateMetrics(xorX, xorY)
		o.errs = append(o.errs, err)
	})
	o.SGD.Update(p, g, lo, hi)
}

// TestCallsDuringAStepFailWithErrBusy: a second Fit, and the calls that
// read the weights, fail while Fit may write them, instead of racing.
func TestCallsDuringAStepFailWithErrBusy(t *testing.T) {
	m := xorModel(t)
	opt := &meddlingSGD{SGD: nn.NewSGD[float64](0.1), m: m}
	require.NoError(t, m.Compile(nn.HalfMSE[float64](), opt))
	_, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 2})
	require.NoError(t, err)
	require.Len(t, opt.errs, 5)
	for i, err := range opt.errs {
		assert.ErrorIs(t, err, nn.ErrBusy, "call %d", i)
	}
	_, err = m.WriteTo(io.Discard) // the guard is lifted when Fit returns
	assert.NoError(t, err)
	_, err = m.Fit(context.Background(), xorX, xorY, nn.FitOptions{})
	assert.NoError(t, err)
}

// TestCallbacksMayReadTheModel: from a callback, and from a goroutine
// while the callback waits for it, the model can be read (the weights do
// not change then); a second Fit still fails.
func TestCallbacksMayReadTheModel(t *testing.T) {
	m := xorModel(t)
	var fitErr error
	reads := 0
	read := func() {
		_, err := m.Predict(xorX)
		require.NoError(t, err)
		_, err = m.WriteTo(io.Discard)
		require.NoError(t, err)
		_, _, err = m.Gradient(context.Background(), xorX, xorY, nn.Parallelism{Workers: 2})
		require.NoError(t, err)
		reads++
	}
	cb := nn.CallbackFuncs{
		BatchEnd: func(nn.TrainState, int, int, int, float64) error { read(); return nil },
		EpochEnd: func(s nn.TrainState, _ *nn.EpochLog) error {
			done := make(chan struct{})
			go func() { defer close(done); read() }()
			<-done
			_, fitErr = m.Fit(context.Background(), xorX, xorY, nn.FitOptions{})
			return s.RestoreWeights(s.SaveWeights())
		},
	}
	_, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{Epochs: 2, BatchSize: 2, Callbacks: []nn.Callback{cb}})
	require.NoError(t, err)
	assert.Equal(t, 6, reads, "4 batches and 2 epochs")
	assert.ErrorIs(t, fitErr, nn.ErrBusy)
}
