package train_test

import (
	"context"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run keeps rows [lo, hi) of x, and counts the rows it reads.
type run struct {
	x      nn.Matrix[float32]
	lo, hi int
	reads  int
}

func (k *run) Owned() (int, int) { return k.lo, k.hi }

func (k *run) ReadRows(rows []int, dst nn.Matrix[float32]) error {
	for i, r := range rows {
		if r < k.lo || r >= k.hi {
			panic("a row another rank keeps")
		}
		copy(dst.Row(i), k.x.Row(r))
	}
	k.reads += len(rows)
	return nil
}

// spreadSource is a Source whose rows are spread over ranks.
type spreadSource struct {
	*train.Spread[float32]
	rows, cols int
	y          nn.Matrix[float32]
}

func (s *spreadSource) Len() int                                        { return s.rows }
func (s *spreadSource) Width() int                                      { return s.cols }
func (s *spreadSource) Targets() nn.Matrix[float32]                     { return s.y }
func (s *spreadSource) Gather(rows []int, dst nn.Matrix[float32]) error { return s.ReadRows(rows, dst) }

// TestSpreadRowsTrainLikeOneProcess: rows spread over 2 and 3 ranks in
// runs of any length (a rank may keep none), each rank reading only its
// own, train the single process's weights and history, bit for bit, with
// a validation split and a checkpoint's fingerprint; each rank reads its
// rows once an epoch.
func TestSpreadRowsTrainLikeOneProcess(t *testing.T) {
	opts := train.Options{Epochs: 3, BatchSize: 32, Seed: 5, ValidationRows: []int{1, 4, 9, 10, 30, 31, 50, 77, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99},
		Parallelism: train.Parallelism{Workers: 2, ShardSize: 4}}
	one, x, y := nntest.ResumeCase[float32](t, "adam")
	want, err := train.Fit(context.Background(), one, train.InMemory(x, y), opts)
	require.NoError(t, err)
	for _, cuts := range [][]int{{0, 57, x.Rows}, {0, 10, 10, x.Rows}, {0, 40, 81, x.Rows}} {
		size := len(cuts) - 1
		comms := parallelGroup(size)
		params := make([][]float32, size)
		hists := make([]*train.History, size)
		keeps := make([]*run, size)
		errs := make([]error, size)
		var wg sync.WaitGroup
		for r := range size {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, x, y := nntest.ResumeCase[float32](t, "adam")
				keeps[r] = &run{x: x, lo: cuts[r], hi: cuts[r+1]}
				sp, err := train.NewSpread(comms[r], keeps[r], x.Rows, x.Cols)
				if err != nil {
					errs[r] = err
					return
				}
				o := opts
				o.Comm = comms[r]
				o.CheckpointPath = t.TempDir() + "/ck"
				o.CheckpointEvery = 1000
				hists[r], errs[r] = train.Fit(context.Background(), m, &spreadSource{sp, x.Rows, x.Cols, y}, o)
				params[r] = m.Params()
			}()
		}
		wg.Wait()
		for r := range size {
			require.NoError(t, errs[r], "rank %d of %v", r, cuts)
			assert.Equal(t, one.Params(), params[r], "rank %d of %v", r, cuts)
			rows := cuts[r+1] - cuts[r]
			// Each epoch reads the rank's rows once (training and
			// validation); the fingerprint, on rank 0, once more.
			assert.Equal(t, (opts.Epochs+1)*rows, keeps[r].reads, "rank %d of %v", r, cuts)
		}
		assert.Equal(t, want.Loss(), hists[0].Loss())
		assert.Equal(t, want.Values("val_loss"), hists[0].Values("val_loss"))
	}
}

func parallelGroup(size int) []parallel.Communicator { return newMemGroup(size) }
