package train_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testResume[T nn.Float](t *testing.T, optimizer string) {
	opts := train.Options{Epochs: 6, BatchSize: 16, Seed: 3, ValidationSplit: 0.2, Parallelism: train.Parallelism{Workers: 2}}
	straight, x, y := nntest.ResumeCase[T](t, optimizer)
	want, err := train.Fit(context.Background(), straight, train.InMemory(x, y), opts)
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "run.ckpt")
	first, _, _ := nntest.ResumeCase[T](t, optimizer)
	part := opts
	part.Epochs, part.CheckpointPath = 3, path
	_, err = train.Fit(context.Background(), first, train.InMemory(x, y), part)
	require.NoError(t, err)

	second, _, _ := nntest.ResumeCase[T](t, optimizer) // a fresh process would start from here
	rest := opts
	rest.CheckpointPath, rest.Resume = path, true
	got, err := train.Fit(context.Background(), second, train.InMemory(x, y), rest)
	require.NoError(t, err)
	assert.Equal(t, straight.Params(), second.Params(), "weights after 6 epochs vs 3 + resume 3")
	assert.Equal(t, want.Loss(), got.Loss())
	assert.Equal(t, want.Values("val_loss"), got.Values("val_loss"))
}

func TestResumeIsBitIdentical(t *testing.T) {
	for _, o := range []string{"momentum", "adam"} {
		t.Run(o+"/float32", func(t *testing.T) { testResume[float32](t, o) })
		t.Run(o+"/float64", func(t *testing.T) { testResume[float64](t, o) })
	}
}

func TestResumeRejectsAnotherModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := nntest.ResumeCase[float32](t, "adam")
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, CheckpointPath: path})
	require.NoError(t, err)

	other := nntest.Classifier(t, nn.NewAdam[float32](0.01), 0, 6, 13, 3)
	_, err = train.Fit(context.Background(), other, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true})
	assert.ErrorContains(t, err, "another architecture")

	sgd, _, _ := nntest.ResumeCase[float32](t, "momentum")
	_, err = train.Fit(context.Background(), sgd, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true})
	assert.ErrorContains(t, err, "optimizer adam")

	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 1
	require.NoError(t, os.WriteFile(path, b, 0o644))
	m2, _, _ := nntest.ResumeCase[float32](t, "adam")
	_, err = train.Fit(context.Background(), m2, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true})
	assert.ErrorContains(t, err, "checksum")
}

func TestResumeWithoutCheckpointStartsAfresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.ckpt")
	a, x, y := nntest.ResumeCase[float64](t, "adam")
	b, _, _ := nntest.ResumeCase[float64](t, "adam")
	_, err := train.Fit(context.Background(), a, train.InMemory(x, y), train.Options{Epochs: 2})
	require.NoError(t, err)
	h, err := train.Fit(context.Background(), b, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true})
	require.NoError(t, err)
	assert.Len(t, h.Epochs, 2)
	assert.Equal(t, a.Params(), b.Params())
	_, err = os.Stat(path)
	assert.NoError(t, err, "the checkpoint was written")
}

// cancelAt cancels the context at a given point of training and can ask
// training to stop.
type cancelAt struct {
	e, b         int // cancel after batch b of epoch e; b = 0: when epoch e begins; −1: and fail there
	stopE, stopB int // call StopTraining after this batch

	cancel context.CancelFunc
	last   int
}

// OnEpochEnd implements train.Callback.
func (*cancelAt) OnEpochEnd(train.TrainState, *train.EpochLog) error { return nil }

func (c *cancelAt) OnEpochBegin(_ train.TrainState, e int) error {
	if e == c.e && c.b <= 0 {
		c.cancel()
		if c.b < 0 { // the callback itself fails with the cancellation
			return context.Canceled
		}
	}
	return nil
}

func (c *cancelAt) OnBatchEnd(s train.TrainState, e, b, _ int, _ float64) error {
	c.last = b
	if e == c.stopE && b == c.stopB {
		s.StopTraining()
	}
	if e == c.e && b == c.b && b != 0 {
		c.cancel()
	}
	return nil
}

// TestInterruptedMidEpochResumesBitIdentically: cancelling Fit writes a
// checkpoint of the exact state, in the middle of an epoch, and a resume
// from it ends with the uninterrupted run's weights and losses.
func TestInterruptedMidEpochResumesBitIdentically(t *testing.T) {
	opts := train.Options{Epochs: 4, BatchSize: 16, Seed: 3, ValidationSplit: 0.2, Parallelism: train.Parallelism{Workers: 2}}
	straight, x, y := nntest.ResumeCase[float32](t, "adam")
	want, err := train.Fit(context.Background(), straight, train.InMemory(x, y), opts)
	require.NoError(t, err)
	for _, at := range []struct{ e, b int }{{2, 3}, {1, 1}, {3, 5}} { // 5 = the last batch of 80 rows
		path := filepath.Join(t.TempDir(), "run.ckpt")
		first, _, _ := nntest.ResumeCase[float32](t, "adam")
		ctx, cancel := context.WithCancel(context.Background())
		part := opts
		part.CheckpointPath, part.CheckpointEvery = path, 100 // no epoch-end checkpoints: only the interruption's
		part.Callbacks = []train.Callback{&cancelAt{e: at.e, b: at.b, cancel: cancel}}
		_, err = train.Fit(ctx, first, train.InMemory(x, y), part)
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		assert.ErrorContains(t, err, "checkpoint "+path+" written")
		assert.ErrorContains(t, err, "epoch", "where it stopped")

		second, _, _ := nntest.ResumeCase[float32](t, "adam")
		rest := opts
		rest.CheckpointPath, rest.Resume = path, true
		got, err := train.Fit(context.Background(), second, train.InMemory(x, y), rest)
		require.NoError(t, err)
		assert.Equal(t, straight.Params(), second.Params(), "interrupted at %v", at)
		assert.Equal(t, want.Loss(), got.Loss(), "interrupted at %v", at)
		assert.Equal(t, want.Values("val_loss"), got.Values("val_loss"))
		assert.Equal(t, want.Values("accuracy"), got.Values("accuracy"))
	}
}

// interruptAndResume trains with cancellations at the given points, each
// followed by a resume from the checkpoint, and returns the final model and
// history.
func interruptAndResume(t *testing.T, opts train.Options, stopE, stopB int, cuts ...[2]int) (*nn.Model[float32], *train.History) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	_, x, y := nntest.ResumeCase[float32](t, "adam")
	opts.CheckpointPath, opts.CheckpointEvery = path, 100
	for i := 0; ; i++ {
		m, _, _ := nntest.ResumeCase[float32](t, "adam")
		ctx, cancel := context.WithCancel(context.Background())
		c := &cancelAt{stopE: stopE, stopB: stopB, cancel: cancel, e: -1}
		if i < len(cuts) {
			c.e, c.b = cuts[i][0], cuts[i][1]
		}
		o := opts
		o.Callbacks, o.Resume = []train.Callback{c}, i > 0
		h, err := train.Fit(ctx, m, train.InMemory(x, y), o)
		cancel()
		if i == len(cuts) {
			require.NoError(t, err)
			return m, h
		}
		require.ErrorIs(t, err, context.Canceled, "cut %d at %v", i, cuts[i])
	}
}

// TestInterruptionsAtAwkwardPoints (found in review): an interruption as an
// epoch begins, a second interruption right after resuming mid-epoch, and
// an interruption after a callback asked to stop, all end like the run that
// was never interrupted — weights and every epoch's loss.
func TestInterruptionsAtAwkwardPoints(t *testing.T) {
	opts := train.Options{Epochs: 4, BatchSize: 16, Seed: 3, Parallelism: train.Parallelism{Workers: 2}}
	for _, c := range []struct {
		name         string
		stopE, stopB int
		cuts         [][2]int
	}{
		{"as epoch 2 begins", 0, 0, [][2]int{{2, 0}}},
		{"mid-epoch, then again at once", 0, 0, [][2]int{{2, 3}, {2, 0}}},
		{"mid-epoch twice in the same epoch", 0, 0, [][2]int{{3, 2}, {3, 4}}},
		{"mid-epoch, then in a callback before the epoch restarts", 0, 0, [][2]int{{2, 3}, {2, -1}}},
		{"after a stop request", 2, 2, [][2]int{{2, 3}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, wantH := interruptAndResume(t, opts, c.stopE, c.stopB)
			got, gotH := interruptAndResume(t, opts, c.stopE, c.stopB, c.cuts...)
			assert.Equal(t, want.Params(), got.Params())
			assert.Equal(t, wantH.Loss(), gotH.Loss())
			assert.Equal(t, wantH.Values("accuracy"), gotH.Values("accuracy"))
		})
	}
}

// TestResumeWithAnotherLearningRate: a resumed run given another rate than
// the checkpointed run trains on at the new rate from the resumed point and
// says so once on Warn; given the same rate it keeps the checkpoint's
// (where a plateau callback may have lowered it) and says nothing.
func TestResumeWithAnotherLearningRate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := nntest.ResumeCase[float32](t, "adam") // rate 0.01
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path})
	require.NoError(t, err)

	resume := func(lr float64, epochs int) (*train.History, string) {
		m := nntest.Classifier(t, nn.NewAdam[float32](lr), 8, 6, 12, 3)
		var warn strings.Builder
		h, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: epochs, CheckpointPath: path, Resume: true, Warn: &warn})
		require.NoError(t, err)
		return h, warn.String()
	}
	h, warn := resume(0.002, 3)
	assert.Equal(t, []float64{0.01, 0.01, 0.002}, h.Values("lr"))
	assert.Equal(t, "resuming after epoch 2 with learning rate 0.002: the checkpoint's run was given 0.01 (and was at 0.01)\n", warn)

	h, warn = resume(0.002, 4) // the same rate again: no notice
	assert.Equal(t, []float64{0.01, 0.01, 0.002, 0.002}, h.Values("lr"))
	assert.Empty(t, warn)
}

// TestCheckpointErrors: a checkpoint that cannot be resumed from is a
// *CheckpointError naming its path, including a directory in its place.
func TestCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	m, x, y := nntest.ResumeCase[float32](t, "adam")
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: dir, Resume: true})
	var ce *train.CheckpointError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, dir, ce.Path)
	assert.Equal(t, "open "+dir+": is a directory", err.Error())

	path := filepath.Join(dir, "cut.ckpt")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, CheckpointPath: path})
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b[:len(b)/2], 0o644))
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true})
	require.ErrorAs(t, err, &ce)
	assert.True(t, strings.HasPrefix(err.Error(), path+": checkpoint: "), err.Error())
}

// TestBatchLargerThanTheData: any batch size at or above the number of
// training rows is one batch of all of them, up to the largest int.
func TestBatchLargerThanTheData(t *testing.T) {
	var params [][]float32
	for _, b := range []int{1 << 20, math.MaxInt} {
		m, x, y := nntest.ResumeCase[float32](t, "adam")
		_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 2, BatchSize: b, Parallelism: train.Parallelism{Workers: 3}})
		require.NoError(t, err, "batch %d", b)
		params = append(params, m.Params())
	}
	assert.Equal(t, params[0], params[1])
}

// TestResumeWithStatefulCallbacks: early stopping and reduce-on-plateau
// keep their state across a resume, and a finished or early-stopped run
// resumes to its final weights.
func TestResumeWithStatefulCallbacks(t *testing.T) {
	callbacks := func() []train.Callback {
		return []train.Callback{
			&train.EarlyStopping{Patience: 2, MinDelta: 0.05, RestoreBestWeights: true},
			&train.ReduceLROnPlateau{Factor: 0.5, Patience: 1, MinDelta: 0.01},
		}
	}
	opts := train.Options{Epochs: 12, BatchSize: 16, Seed: 3, ValidationSplit: 0.2}
	straight, x, y := nntest.ResumeCase[float64](t, "adam")
	o := opts
	o.Callbacks = callbacks()
	want, err := train.Fit(context.Background(), straight, train.InMemory(x, y), o)
	require.NoError(t, err)
	require.Less(t, len(want.Epochs), 12, "the case should stop early")

	path := filepath.Join(t.TempDir(), "run.ckpt")
	for _, cut := range []int{2, 3, 4} {
		first, _, _ := nntest.ResumeCase[float64](t, "adam")
		o := opts
		o.Epochs, o.CheckpointPath, o.Callbacks = cut, path, callbacks()
		_, err := train.Fit(context.Background(), first, train.InMemory(x, y), o)
		require.NoError(t, err)
		second, _, _ := nntest.ResumeCase[float64](t, "adam")
		o.Epochs, o.Resume, o.Callbacks = 12, true, callbacks()
		got, err := train.Fit(context.Background(), second, train.InMemory(x, y), o)
		require.NoError(t, err)
		assert.Equal(t, want.Values("lr"), got.Values("lr"), "cut %d", cut)
		assert.Equal(t, straight.Params(), second.Params(), "cut %d", cut)

		again, _, _ := nntest.ResumeCase[float64](t, "adam") // resuming a finished run changes nothing
		_, err = train.Fit(context.Background(), again, train.InMemory(x, y), o)
		require.NoError(t, err)
		assert.Equal(t, straight.Params(), again.Params(), "cut %d, resumed twice", cut)
	}
}

func TestResumeRejectsOtherOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := nntest.ResumeCase[float32](t, "adam")
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, BatchSize: 16, CheckpointPath: path})
	require.NoError(t, err)
	m2, _, _ := nntest.ResumeCase[float32](t, "adam")
	_, err = train.Fit(context.Background(), m2, train.InMemory(x, y), train.Options{Epochs: 2, BatchSize: 32, CheckpointPath: path, Resume: true})
	assert.ErrorContains(t, err, "other training options")
	m3, _, _ := nntest.ResumeCase[float32](t, "adam")
	_, err = train.Fit(context.Background(), m3, train.InMemory(x, y), train.Options{Epochs: 2, BatchSize: 16, CheckpointPath: path, Resume: true,
		Parallelism: train.Parallelism{Workers: 3}})
	assert.NoError(t, err, "the worker count is not part of the fingerprint")
}

// TestResumeIgnoresStatelessCallbacks: a progress display present in only
// one of the two runs does not stop a resume.
func TestResumeIgnoresStatelessCallbacks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := nntest.ResumeCase[float32](t, "adam")
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, CheckpointPath: path,
		Callbacks: []train.Callback{&train.EarlyStopping{Patience: 5}}})
	require.NoError(t, err)
	m2, _, _ := nntest.ResumeCase[float32](t, "adam")
	_, err = train.Fit(context.Background(), m2, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true,
		Callbacks: []train.Callback{&batchCounter{}, &train.EarlyStopping{Patience: 5}}})
	assert.NoError(t, err)
}

// TestResumeRejectsAnotherMonitor: early stopping's best value is of the
// quantity it monitored; a resumed run that monitors another would compare
// its values with that best (accuracy with a loss), so it is refused, as
// the same monitor given again, or by default, is not.
func TestResumeRejectsAnotherMonitor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	fit := func(monitor string, epochs int, resume bool) error {
		m, x, y := nntest.ResumeCase[float32](t, "adam")
		_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: epochs, BatchSize: 16, ValidationSplit: 0.2,
			CheckpointPath: path, Resume: resume, Callbacks: []train.Callback{&train.EarlyStopping{Monitor: monitor, Patience: 5}}})
		return err
	}
	require.NoError(t, fit("", 2, false))
	err := fit("val_accuracy", 4, true)
	var ce *train.CheckpointError
	require.ErrorAs(t, err, &ce)
	assert.EqualError(t, err, path+`: checkpoint: its early stopping monitored "val_loss", this run's monitors "val_accuracy"`)
	assert.NoError(t, fit("val_loss", 3, true))
	assert.NoError(t, fit("", 4, true))
}

// TestResumeRejectsOtherValidationData: a resumed run validating on other
// rows of the same shape would compare their losses with the best of the
// first rows': refused.
func TestResumeRejectsOtherValidationData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	fit := func(shift float32, epochs int, resume bool) error {
		m, x, y := nntest.ResumeCase[float32](t, "adam")
		vx := nn.NewMatrix[float32](x.Rows, x.Cols, nil)
		for i, v := range x.Data {
			vx.Data[i] = v + shift
		}
		_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: epochs, BatchSize: 16,
			ValidationData: train.InMemory(vx, y), CheckpointPath: path, Resume: resume})
		return err
	}
	require.NoError(t, fit(0, 1, false))
	assert.ErrorContains(t, fit(1, 2, true), "validation split or data")
	assert.NoError(t, fit(0, 2, true))
}

// TestHistoryRestored: History.Restored names the epoch whose weights
// early stopping put back (its best, before the last), and is 0 without
// restoring.
func TestHistoryRestored(t *testing.T) {
	for _, restore := range []bool{true, false} {
		m, x, y := nntest.ResumeCase[float64](t, "adam")
		es := &train.EarlyStopping{Patience: 2, MinDelta: 0.05, RestoreBestWeights: restore}
		h, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 12, BatchSize: 16, Seed: 3, ValidationSplit: 0.2,
			Callbacks: []train.Callback{es}})
		require.NoError(t, err)
		require.Less(t, len(h.Epochs), 12, "the case should stop early")
		require.Less(t, es.BestEpoch(), len(h.Epochs))
		if restore {
			assert.Equal(t, es.BestEpoch(), h.Restored)
		} else {
			assert.Zero(t, h.Restored)
		}
	}
}

// TestResumeWithFewerEpochsWarns: resuming a checkpoint of more epochs
// than the run asks for trains nothing more (as Keras' initial_epoch), and
// says so.
func TestResumeWithFewerEpochsWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := nntest.ResumeCase[float32](t, "adam")
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 4, BatchSize: 16, CheckpointPath: path})
	require.NoError(t, err)
	var warn strings.Builder
	m2, _, _ := nntest.ResumeCase[float32](t, "adam")
	h, err := train.Fit(context.Background(), m2, train.InMemory(x, y), train.Options{Epochs: 2, BatchSize: 16, CheckpointPath: path, Resume: true, Warn: &warn})
	require.NoError(t, err)
	assert.Len(t, h.Epochs, 4)
	assert.Equal(t, m.Params(), m2.Params())
	assert.Contains(t, warn.String(), "the checkpoint's run trained 4 epochs, more than this run's 2: nothing more to train")
}
