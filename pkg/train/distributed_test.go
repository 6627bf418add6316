package train_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/internal/memcomm"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newMemGroup returns the communicators of size ranks that are goroutines.
func newMemGroup(size int) []parallel.Communicator {
	var cs []parallel.Communicator
	for _, c := range memcomm.New(size) {
		cs = append(cs, c)
	}
	return cs
}

// fitRanks trains nntest.ResumeCase's model on every rank of a group of the given
// size, each with its own model (rank r's weights shifted by r, so that only
// the broadcast of rank 0's makes them agree), and returns rank 0's weights
// and history.
func fitRanks(t *testing.T, size int, opts train.Options, setup ...func(r int, o *train.Options) context.Context) ([]float32, *train.History, []error) {
	return fitRanksOf(t, func() (*nn.Model[float32], nn.Matrix[float32], nn.Matrix[float32]) {
		return nntest.ResumeCase[float32](t, "adam")
	},
		size, opts, setup...)
}

// fitRanksOf is fitRanks with the model and data that build returns.
func fitRanksOf(t *testing.T, build func() (*nn.Model[float32], nn.Matrix[float32], nn.Matrix[float32]), size int, opts train.Options,
	setup ...func(r int, o *train.Options) context.Context) ([]float32, *train.History, []error) {
	comms := newMemGroup(size)
	params := make([][]float32, size)
	hists := make([]*train.History, size)
	errs := make([]error, size)
	var wg sync.WaitGroup
	for r := range size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, x, y := build()
			for i := range m.Params() { // other initial weights: only the broadcast makes them agree
				m.Params()[i] += float32(r)
			}
			o := opts
			o.Comm = comms[r]
			ctx := context.Background()
			for _, f := range setup {
				ctx = f(r, &o)
			}
			hists[r], errs[r] = train.Fit(ctx, m, train.InMemory(x, y), o)
			params[r] = m.Params()
		}()
	}
	wg.Wait()
	for r := 1; r < size; r++ {
		if errs[0] == nil {
			assert.Equal(t, params[0], params[r], "rank %d's weights", r)
		}
	}
	return params[0], hists[0], errs
}

// TestRanksTrainLikeOneProcess: 2, 3 and 5 ranks with 1 or 2 workers each
// end with the single process's weights and losses, bit for bit.
func TestRanksTrainLikeOneProcess(t *testing.T) {
	opts := train.Options{Epochs: 3, BatchSize: 32, Seed: 3, ValidationSplit: 0.2, Parallelism: train.Parallelism{Workers: 2, ShardSize: 4}}
	one, x, y := nntest.ResumeCase[float32](t, "adam")
	want, err := train.Fit(context.Background(), one, train.InMemory(x, y), opts)
	require.NoError(t, err)
	for _, size := range []int{2, 3, 5} {
		for _, workers := range []int{1, 2} {
			o := opts
			o.Workers = workers
			got, hist, errs := fitRanks(t, size, o)
			for r, err := range errs {
				require.NoError(t, err, "rank %d", r)
			}
			assert.Equal(t, one.Params(), got, "%d ranks × %d workers", size, workers)
			assert.Equal(t, want.Loss(), hist.Loss())
			assert.Equal(t, want.Values("val_loss"), hist.Values("val_loss"))
		}
	}
}

// TestRanksStopTogether: a cancellation on one rank stops every rank at
// the same step; rank 0's checkpoint resumes to the uninterrupted weights.
func TestRanksStopTogether(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	opts := train.Options{Epochs: 4, BatchSize: 16, Seed: 3, Parallelism: train.Parallelism{Workers: 1},
		CheckpointPath: path, CheckpointEvery: 100}
	want, _, errs := fitRanks(t, 3, opts)
	require.NoError(t, errs[0])

	ctx, cancelCause := context.WithCancelCause(context.Background())
	defer cancelCause(nil)
	cancel := func() { cancelCause(exitCause(143)) }
	// Only rank 1 is cancelled, after batch 2 of epoch 2.
	_, _, errs = fitRanks(t, 3, opts, func(r int, o *train.Options) context.Context {
		if r != 1 {
			o.Callbacks = []train.Callback{&cancelAt{e: -1}} // every rank has the same callbacks
			return context.Background()
		}
		o.Callbacks = []train.Callback{&cancelAt{e: 2, b: 2, cancel: cancel}}
		return ctx
	})
	o := opts
	for r, err := range errs {
		require.ErrorIs(t, err, context.Canceled, "rank %d", r)
		assert.ErrorContains(t, err, "in epoch 2 after 2 batches;", "rank %d stopped elsewhere", r)
		var ec interface{ ExitCode() int }
		if r != 1 { // the others learn how rank 1 was stopped
			require.ErrorAs(t, err, &ec, "rank %d", r)
			assert.Equal(t, 143, ec.ExitCode(), "rank %d", r)
		}
	}
	o.Resume = true
	got, _, errs := fitRanks(t, 3, o)
	require.NoError(t, errs[0])
	assert.Equal(t, want, got)
}

// exitCause is a cancellation cause that carries an exit code, as the
// CLI's signal causes do.
type exitCause int

func (e exitCause) Error() string { return fmt.Sprintf("exit %d", int(e)) }
func (e exitCause) ExitCode() int { return int(e) }

// TestRanksWithAllreduce: the fast path trains the ranks in lockstep (the
// same weights on every rank) and close to one process, not bit for bit.
func TestRanksWithAllreduce(t *testing.T) {
	opts := train.Options{Epochs: 3, BatchSize: 32, Seed: 3, Parallelism: train.Parallelism{Workers: 1, ShardSize: 4}}
	one, x, y := nntest.ResumeCase[float32](t, "adam")
	want, err := train.Fit(context.Background(), one, train.InMemory(x, y), opts)
	require.NoError(t, err)
	for _, size := range []int{2, 3, 9} { // 9 ranks: some own no lane in a step
		o := opts
		o.CommAllreduce = true
		got, hist, errs := fitRanks(t, size, o)
		for r, err := range errs {
			require.NoError(t, err, "rank %d", r)
		}
		for i, v := range one.Params() {
			assert.InDelta(t, v, got[i], 1e-4, "%d ranks, parameter %d", size, i)
		}
		assert.InDeltaSlice(t, want.Loss(), hist.Loss(), 1e-5)
	}
}

// TestTwoRanksStopTogether: two ranks cancelled at the same step with the
// same exit code pass it to the third, on both paths (found in review: the
// all-reduce path lost it).
func TestTwoRanksStopTogether(t *testing.T) {
	for _, fast := range []bool{false, true} {
		opts := train.Options{Epochs: 3, BatchSize: 16, Seed: 3, Parallelism: train.Parallelism{Workers: 1}, CommAllreduce: fast}
		ctx, cancelCause := context.WithCancelCause(context.Background())
		cancel := func() { cancelCause(exitCause(130)) }
		_, _, errs := fitRanks(t, 3, opts, func(r int, o *train.Options) context.Context {
			if r == 0 {
				o.Callbacks = []train.Callback{&cancelAt{e: -1}}
				return context.Background()
			}
			o.Callbacks = []train.Callback{&cancelAt{e: 2, b: 2, cancel: cancel}}
			return ctx
		})
		cancelCause(nil)
		var ec interface{ ExitCode() int }
		require.ErrorAs(t, errs[0], &ec, "fast %v", fast)
		assert.Equal(t, 130, ec.ExitCode(), "fast %v", fast)
	}
}

// TestRanksShareTheRows: across 3 ranks, every training and validation
// row of an epoch is gathered by one rank only (each its lanes' rows and
// a run of the validation shards), and the weights are one process's.
// (Each rank also gathers every row once before training, for the
// fingerprint the ranks agree on.)
func TestRanksShareTheRows(t *testing.T) {
	x, y := nntest.ClassData[float32](6, 2000, 6, 3)
	opts := train.Options{Epochs: 2, BatchSize: 96, Seed: 3, ValidationSplit: 0.25, Parallelism: train.Parallelism{Workers: 1, ShardSize: 16}}
	one := nntest.RegularizedModel[float32](t, 2)
	_, err := train.Fit(context.Background(), one, train.InMemory(x, y), opts)
	require.NoError(t, err)
	comms := newMemGroup(3)
	srcs := make([]*rowsOnly, 3)
	params := make([][]float32, 3)
	var wg sync.WaitGroup
	for r := range 3 {
		srcs[r] = &rowsOnly{d: train.InMemory(x, y)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := nntest.RegularizedModel[float32](t, 2)
			o := opts
			o.Comm = comms[r]
			_, err := train.Fit(context.Background(), m, srcs[r], o)
			assert.NoError(t, err)
			params[r] = m.Params()
		}()
	}
	wg.Wait()
	total := int64(0)
	for r, s := range srcs {
		assert.Equal(t, one.Params(), params[r], "rank %d", r)
		n := s.gathered.Load()
		assert.Less(t, n, int64(2000+2*2000*2/3), "rank %d gathers about a third of the rows, not all", r)
		total += n
	}
	assert.Equal(t, int64(3*2000+2*2000), total, "every row of both epochs gathered once, across the ranks")
}
