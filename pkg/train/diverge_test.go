package train_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// divergingCase is a regression with large targets that diverges at a
// large learning rate.
func divergingCase[T nn.Float](t *testing.T, lr float64) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(14, 14))
	x := nntest.RandMatrix[T](rng, 64, 4)
	y := nntest.RandMatrix[T](rng, 64, 1)
	for i := range y.Data {
		y.Data[i] *= 1e3
	}
	m := nn.NewModel[T]()
	m.Add(nn.NewDense[T](4, 8, nn.ReLU, "hidden"))
	m.Add(nn.NewDense[T](8, 1, nn.Linear, "out"))
	require.NoError(t, m.Compile(nn.MSE[T](), nn.NewSGD[T](lr)))
	return m, x, y
}

// TestDivergenceIsReportedWhateverTheSymptom: a non-finite loss, gradient,
// weight or validation loss, with or without checkpoints, ends in a
// DivergenceError; only an update that overflowed leaves non-finite weights.
func TestDivergenceIsReportedWhateverTheSymptom(t *testing.T) {
	for _, lr := range []float64{1e2, 1e4, 1e6, 1e8, 1e30} {
		for _, split := range []float64{0, 0.25} {
			m, x, y := divergingCase[float32](t, lr)
			_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 50, BatchSize: 16, ValidationSplit: split,
				CheckpointPath: filepath.Join(t.TempDir(), "c")})
			var div *train.DivergenceError
			require.True(t, errors.As(err, &div), "lr %g split %v: %v", lr, split, err)
			finite := true
			for _, p := range m.Params() {
				finite = finite && !math.IsNaN(float64(p)) && !math.IsInf(float64(p), 0)
			}
			assert.True(t, finite || div.Where == "weights", "lr %g: non-finite weights left by %v", lr, err)
		}
	}
}

func TestDivergenceNamesEpochBatchAndLayer(t *testing.T) {
	m, x, y := divergingCase[float64](t, 1e6)
	hist, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 50, BatchSize: 16})
	var div *train.DivergenceError
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
