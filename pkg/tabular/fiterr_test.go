package tabular

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancelAfter cancels a context at the end of an epoch.
type cancelAfter struct {
	epoch  int
	cancel context.CancelFunc
}

func (c cancelAfter) OnEpochEnd(_ train.TrainState, l *train.EpochLog) error {
	if l.Epoch == c.epoch {
		c.cancel()
	}
	return nil
}

// TestFitErrorMeansNoModel: when Fit fails — divergence, cancellation, a
// checkpoint it cannot write — it returns no model with its error, never
// one that panics in Summary, Save or Predict.
func TestFitErrorMeansNoModel(t *testing.T) {
	iris := File("../../testdata/iris.csv")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		c    Config
		is   func(error) bool
	}{
		{"divergence", context.Background(), Config{Epochs: 5, LR: 1e30, Seed: 1}, func(err error) bool { return errors.As(err, new(*train.DivergenceError)) }},
		{"cancelled", ctx, Config{Epochs: 50, Seed: 1, Callbacks: []train.Callback{cancelAfter{2, cancel}}}, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"checkpoint not writable", context.Background(), Config{Epochs: 3, Seed: 1, CheckpointPath: filepath.Join(dir, "no", "such", "dir", "c.ckpt"), CheckpointEvery: 1},
			func(err error) bool { return errors.Is(err, os.ErrNotExist) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(tc.ctx, iris, tc.c)
			require.Error(t, err)
			assert.True(t, tc.is(err), "%v", err)
			assert.Nil(t, m, "a model with the error %v", err)
			if m != nil { // what a caller who ignores the rule would do: no panic
				assert.NotPanics(t, func() { m.Summary() })
				assert.NotPanics(t, func() { _ = m.Save(filepath.Join(dir, "m.safetensors")) })
				assert.NotPanics(t, func() { _, _ = m.Predict(context.Background(), iris, PredictOptions{}) })
			}
		})
	}
}

// TestCancelledFitResumes: a cancelled Fit with a checkpoint path returns
// no model but has written its checkpoint, from which Fit with Resume
// gives a usable model.
func TestCancelledFitResumes(t *testing.T) {
	iris := File("../../testdata/iris.csv")
	ckpt := filepath.Join(t.TempDir(), "run.ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := Config{Epochs: 4, Seed: 1, CheckpointPath: ckpt, Callbacks: []train.Callback{cancelAfter{2, cancel}}}
	m, err := Fit(ctx, iris, c)
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, m)
	require.FileExists(t, ckpt)
	c.Callbacks, c.Resume = nil, true
	m, err = Fit(context.Background(), iris, c)
	require.NoError(t, err)
	assert.Len(t, m.History.Epochs, 4)
	_, err = m.Predict(context.Background(), iris, PredictOptions{})
	assert.NoError(t, err)
}
