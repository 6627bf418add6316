package train_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rowsOnly is a Source that is not a *train.Matrices: the trainer can only
// gather its rows, as from a source on disk. It counts the rows gathered
// and fails once failAt rows have been (0: never).
type rowsOnly struct {
	d        *train.Matrices[float32]
	gathered atomic.Int64 // Gather runs on every worker at once
	failAt   int64
}

var errDisk = errors.New("disk gone")

func (s *rowsOnly) Len() int                    { return s.d.Len() }
func (s *rowsOnly) Width() int                  { return s.d.Width() }
func (s *rowsOnly) Targets() nn.Matrix[float32] { return s.d.Targets() }
func (s *rowsOnly) Gather(rows []int, dst nn.Matrix[float32]) error {
	if n := s.gathered.Add(int64(len(rows))); s.failAt > 0 && n >= s.failAt {
		return errDisk
	}
	return s.d.Gather(rows, dst)
}

// TestAnySourceTrainsTheSameBits: a Source that only gathers rows trains
// the model InMemory trains, bit for bit — with validation, dropout,
// several workers and checkpoints (whose fingerprint hashes the inputs
// through Gather) — and a Gather error ends Fit with that error.
func TestAnySourceTrainsTheSameBits(t *testing.T) {
	x, y := nntest.ClassData[float32](3, 300, 6, 3)
	dir := t.TempDir()
	fit := func(src train.Source[float32], ckpt string) (*nn.Model[float32], error) {
		m := nntest.RegularizedModel[float32](t, 2)
		_, err := train.Fit(context.Background(), m, src, train.Options{Epochs: 3, BatchSize: 40, Seed: 5, ValidationSplit: 0.2,
			Parallelism: train.Parallelism{Workers: 3, ShardSize: 8}, CheckpointPath: filepath.Join(dir, ckpt)})
		return m, err
	}
	want, err := fit(train.InMemory(x, y), "a")
	require.NoError(t, err)
	src := &rowsOnly{d: train.InMemory(x, y)}
	got, err := fit(src, "b")
	require.NoError(t, err)
	assert.Equal(t, want.Params(), got.Params())
	assert.Greater(t, src.gathered.Load(), int64(3*300), "every epoch's rows, validation and fingerprint through Gather")

	_, err = fit(&rowsOnly{d: train.InMemory(x, y), failAt: 500}, "c")
	assert.ErrorIs(t, err, errDisk)
}

// prefetching is a Source that records the rows it is told of
// (Prefetcher) and the training rows it is asked for, in order.
type prefetching struct {
	rowsOnly
	told, asked []int
	toldAtFirst int // rows told of when the first batch was gathered
}

func (s *prefetching) Prefetch(rows []int) { s.told = append(s.told, rows...) }
func (s *prefetching) Gather(rows []int, dst nn.Matrix[float32]) error {
	if s.asked == nil {
		s.toldAtFirst = len(s.told)
	}
	s.asked = append(s.asked, rows...) // one worker, no validation: the batches in order
	return s.rowsOnly.Gather(rows, dst)
}

// TestPrefetcherIsToldTheBatchesToCome: a Prefetcher is told each batch's
// rows before they are gathered, PrefetchBatches ahead, every row of every
// epoch once, and the model is the one InMemory trains.
func TestPrefetcherIsToldTheBatchesToCome(t *testing.T) {
	x, y := nntest.ClassData[float32](3, 203, 6, 3)
	fit := func(src train.Source[float32]) *nn.Model[float32] {
		m := nntest.RegularizedModel[float32](t, 2)
		_, err := train.Fit(context.Background(), m, src, train.Options{Epochs: 2, BatchSize: 20, Seed: 5,
			Parallelism: train.Parallelism{Workers: 1, ShardSize: 32}})
		require.NoError(t, err)
		return m
	}
	src := &prefetching{rowsOnly: rowsOnly{d: train.InMemory(x, y)}}
	got := fit(src)
	assert.Equal(t, fit(train.InMemory(x, y)).Params(), got.Params())
	require.Len(t, src.told, 2*203, "every row of both epochs, once")
	assert.Equal(t, src.asked, src.told, "in the order they are trained")
	assert.Equal(t, (train.PrefetchBatches+1)*20, src.toldAtFirst, "the first batch and PrefetchBatches more")
}

// stopAfter cancels a fit after n batches.
type stopAfter struct {
	n      int
	cancel context.CancelFunc
}

func (s *stopAfter) OnEpochEnd(train.TrainState, *train.EpochLog) error { return nil }
func (s *stopAfter) OnBatchEnd(train.TrainState, int, int, int, float64) error {
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return nil
}

// TestWindowShuffleBits: a windowed shuffle trains the same bits on 1 and
// 3 workers, from memory and from a source that only gathers, and
// resumed mid-epoch from a checkpoint; it is not the global shuffle's.
func TestWindowShuffleBits(t *testing.T) {
	x, y := nntest.ClassData[float32](4, 3*train.ShuffleBlock+100, 6, 3)
	dir := t.TempDir()
	fit := func(ctx context.Context, src train.Source[float32], w, window int, ckpt string, resume bool, cb ...train.Callback) (*nn.Model[float32], error) {
		m := nntest.RegularizedModel[float32](t, 2)
		o := train.Options{Epochs: 3, BatchSize: 64, Seed: 5, ValidationSplit: 0.1, ShuffleWindow: window, Callbacks: cb,
			Parallelism: train.Parallelism{Workers: w, ShardSize: 8}}
		if ckpt != "" {
			o.CheckpointPath, o.Resume = filepath.Join(dir, ckpt), resume
		}
		_, err := train.Fit(ctx, m, src, o)
		return m, err
	}
	want, err := fit(context.Background(), train.InMemory(x, y), 1, 2, "", false)
	require.NoError(t, err)
	got, err := fit(context.Background(), &rowsOnly{d: train.InMemory(x, y)}, 3, 2, "", false)
	require.NoError(t, err)
	assert.Equal(t, want.Params(), got.Params(), "workers, source")
	global, err := fit(context.Background(), train.InMemory(x, y), 1, 0, "", false)
	require.NoError(t, err)
	assert.NotEqual(t, want.Params(), global.Params())
	ctx, cancel := context.WithCancel(context.Background())
	_, err = fit(ctx, train.InMemory(x, y), 2, 2, "w", false, &stopAfter{n: 70, cancel: cancel})
	cancel()
	require.ErrorIs(t, err, context.Canceled)
	resumed, err := fit(context.Background(), train.InMemory(x, y), 3, 2, "w", true)
	require.NoError(t, err)
	assert.Equal(t, want.Params(), resumed.Params(), "resumed mid-epoch")
	_, err = fit(context.Background(), train.InMemory(x, y), 1, 3, "w", true)
	assert.Error(t, err, "another window: the checkpoint does not fit")
}
