package train_test

import (
	"context"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outsider is a goroutine unrelated to Fit that predicts with the model
// when asked and answers with the outputs or the error.
type outsider struct {
	ask  chan struct{}
	got  chan outsiderResult
	done chan struct{}
}

type outsiderResult struct {
	out []float64
	err error
}

func startOutsider(m *nn.Model[float64]) *outsider {
	o := &outsider{ask: make(chan struct{}), got: make(chan outsiderResult), done: make(chan struct{})}
	go func() {
		defer close(o.done)
		for range o.ask {
			out, err := m.Predict(context.Background(), nntest.XORX)
			o.got <- outsiderResult{out.Data, err}
		}
	}()
	return o
}

func (o *outsider) predict() outsiderResult { o.ask <- struct{}{}; return <-o.got }

// askingSGD is SGD that, during its first step, has the outsider predict.
type askingSGD struct {
	*nn.SGD[float64]
	o      *outsider
	once   sync.Once
	inStep outsiderResult
}

func (s *askingSGD) Update(p, g []float64, lo, hi int) {
	s.once.Do(func() { s.inStep = s.o.predict() })
	s.SGD.Update(p, g, lo, hi)
}

// TestOtherGoroutinesDuringFit pins down what the Model doc promises to a
// goroutine unrelated to Fit: while Fit steps, its Predict fails with
// ErrBusy; while a callback runs it is let in, as the callback's own calls
// are, and reads the weights as they stand between two steps (the same
// answers as the callback's). Run with -race: no data race either way.
func TestOtherGoroutinesDuringFit(t *testing.T) {
	m := nntest.XORModel(t)
	o := startOutsider(m)
	opt := &askingSGD{SGD: nn.NewSGD[float64](0.1), o: o}
	require.NoError(t, m.Compile(nn.HalfMSE[float64](), opt))
	var inCallback outsiderResult
	var own []float64
	cb := train.CallbackFuncs{BatchEnd: func(s train.TrainState, e, b, _ int, _ float64) error {
		if e == 1 && b == 2 {
			inCallback = o.predict()
			p, err := m.Predict(context.Background(), nntest.XORX)
			own = p.Data
			if err != nil {
				return err
			}
			return s.RestoreWeights(s.SaveWeights()) // waits for reads in flight: none left
		}
		return nil
	}}
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 2, BatchSize: 2, Callbacks: []train.Callback{cb}})
	require.NoError(t, err)
	close(o.ask)
	<-o.done

	assert.ErrorIs(t, opt.inStep.err, nn.ErrBusy, "another goroutine, while Fit steps")
	require.NoError(t, inCallback.err, "another goroutine, while a callback runs")
	assert.Equal(t, own, inCallback.out, "the weights between two steps, as the callback sees them")
}
