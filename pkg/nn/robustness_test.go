package nn_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// divergingCase is a regression with large targets that diverges at a
// large learning rate.
func divergingCase[T nn.Float](t *testing.T, lr float64) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(14, 14))
	x := randMatrix[T](rng, 64, 4)
	y := randMatrix[T](rng, 64, 1)
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
			_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 50, BatchSize: 16, ValidationSplit: split,
				CheckpointPath: filepath.Join(t.TempDir(), "c")})
			var div *nn.DivergenceError
			require.True(t, errors.As(err, &div), "lr %g split %v: %v", lr, split, err)
			finite := true
			for _, p := range m.Params() {
				finite = finite && !math.IsNaN(float64(p)) && !math.IsInf(float64(p), 0)
			}
			assert.True(t, finite || div.Where == "weights", "lr %g: non-finite weights left by %v", lr, err)
		}
	}
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

// TestReadModelDoesNotTrustTheSize: a stream that claims to be huge costs
// no more memory than the bytes really there.
func TestReadModelDoesNotTrustTheSize(t *testing.T) {
	m, _ := trainedClassifier[float32](t, 1)
	b := saved(t, m)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := nn.ReadModel[float32](bytes.NewReader(b), 1<<40)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated for a %d-byte stream", len(b))
}

func TestBalanceClassesNeedsClassification(t *testing.T) {
	m := xorModel(t)
	_, err := m.Fit(context.Background(), xorX, xorY, nn.FitOptions{BalanceClasses: true})
	assert.ErrorContains(t, err, "classification loss")
}

// TestBalancedClassesCountOnlyPresentClasses: with class 2 absent from the
// data, "balanced" divides by the 2 classes present, as scikit-learn's
// compute_class_weight over np.unique(y) does.
func TestBalancedClassesCountOnlyPresentClasses(t *testing.T) {
	x := nn.NewMatrix[float64](4, 3, nil)
	y := nn.NewMatrix(4, 1, []float64{0, 0, 0, 1})
	m := smallClassifier(t, 5)
	balanced := stepDelta(t, m, x, y, nn.FitOptions{BalanceClasses: true})
	explicit := stepDelta(t, m, x, y, nn.FitOptions{ClassWeights: []float64{4.0 / 6, 2, 1}})
	for i := range balanced {
		assert.InDelta(t, explicit[i], balanced[i], 1e-15)
	}
}

// TestResumeWithStatefulCallbacks: early stopping and reduce-on-plateau
// keep their state across a resume, and a finished or early-stopped run
// resumes to its final weights.
func TestResumeWithStatefulCallbacks(t *testing.T) {
	callbacks := func() []nn.Callback {
		return []nn.Callback{
			&nn.EarlyStopping{Patience: 2, MinDelta: 0.05, RestoreBestWeights: true},
			&nn.ReduceLROnPlateau{Factor: 0.5, Patience: 1, MinDelta: 0.01},
		}
	}
	opts := nn.FitOptions{Epochs: 12, BatchSize: 16, Seed: 3, ValidationSplit: 0.2}
	straight, x, y := resumeCase[float64](t, "adam")
	o := opts
	o.Callbacks = callbacks()
	want, err := straight.Fit(context.Background(), x, y, o)
	require.NoError(t, err)
	require.Less(t, len(want.Epochs), 12, "the case should stop early")

	path := filepath.Join(t.TempDir(), "run.ckpt")
	for _, cut := range []int{2, 3, 4} {
		first, _, _ := resumeCase[float64](t, "adam")
		o := opts
		o.Epochs, o.CheckpointPath, o.Callbacks = cut, path, callbacks()
		_, err := first.Fit(context.Background(), x, y, o)
		require.NoError(t, err)
		second, _, _ := resumeCase[float64](t, "adam")
		o.Epochs, o.Resume, o.Callbacks = 12, true, callbacks()
		got, err := second.Fit(context.Background(), x, y, o)
		require.NoError(t, err)
		assert.Equal(t, want.Values("lr"), got.Values("lr"), "cut %d", cut)
		assert.Equal(t, straight.Params(), second.Params(), "cut %d", cut)

		again, _, _ := resumeCase[float64](t, "adam") // resuming a finished run changes nothing
		_, err = again.Fit(context.Background(), x, y, o)
		require.NoError(t, err)
		assert.Equal(t, straight.Params(), again.Params(), "cut %d, resumed twice", cut)
	}
}

func TestResumeRejectsOtherOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := resumeCase[float32](t, "adam")
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 1, BatchSize: 16, CheckpointPath: path})
	require.NoError(t, err)
	m2, _, _ := resumeCase[float32](t, "adam")
	_, err = m2.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 2, BatchSize: 32, CheckpointPath: path, Resume: true})
	assert.ErrorContains(t, err, "other training options")
	m3, _, _ := resumeCase[float32](t, "adam")
	_, err = m3.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 2, BatchSize: 16, CheckpointPath: path, Resume: true,
		Parallelism: nn.Parallelism{Workers: 3}})
	assert.NoError(t, err, "the worker count is not part of the fingerprint")
}

// TestResumeIgnoresStatelessCallbacks: a progress display present in only
// one of the two runs does not stop a resume.
func TestResumeIgnoresStatelessCallbacks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := resumeCase[float32](t, "adam")
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 1, CheckpointPath: path,
		Callbacks: []nn.Callback{&nn.EarlyStopping{Patience: 5}}})
	require.NoError(t, err)
	m2, _, _ := resumeCase[float32](t, "adam")
	_, err = m2.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 2, CheckpointPath: path, Resume: true,
		Callbacks: []nn.Callback{&batchCounter{}, &nn.EarlyStopping{Patience: 5}}})
	assert.NoError(t, err)
}
