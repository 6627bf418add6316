package parallel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLayoutCoversRowsInOrder(t *testing.T) {
	for _, tc := range []struct{ rows, shard, lanes, wantShards, wantLanes int }{
		{0, 32, 16, 0, 0},
		{1, 32, 16, 1, 1},
		{128, 32, 16, 4, 4},
		{130, 32, 16, 5, 5},
		{1000, 7, 16, 143, 16},
		{97, 1, 3, 97, 3},
	} {
		l, err := NewLayout(tc.rows, tc.shard, tc.lanes)
		require.NoError(t, err)
		assert.Equal(t, tc.wantShards, l.Shards(), "%+v", tc)
		assert.Equal(t, tc.wantLanes, l.Lanes(), "%+v", tc)
		next, row := 0, 0
		for i := range l.Lanes() {
			first, end := l.LaneShards(i)
			assert.Equal(t, next, first, "lanes must be contiguous")
			assert.Greater(t, end, first, "no empty lane")
			for j := first; j < end; j++ {
				lo, hi := l.Shard(j)
				assert.Equal(t, row, lo)
				assert.LessOrEqual(t, hi-lo, tc.shard)
				row = hi
			}
			next = end
		}
		assert.Equal(t, l.Shards(), next)
		assert.Equal(t, tc.rows, row)
	}
}

func TestNewLayoutRejectsBadSettings(t *testing.T) {
	for _, c := range [][3]int{{-1, 1, 1}, {1, 0, 1}, {1, 1, 0}} {
		_, err := NewLayout(c[0], c[1], c[2])
		assert.Error(t, err, "%v", c)
	}
}

// Values whose sum depends on the order of additions, so that a different
// tree shape shows up in the bits.
func orderSensitive(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Pow(10, float64(i%7)*3) * (1 + float64(i)/3)
		if i%2 == 1 {
			v[i] = -v[i] * 0.999
		}
	}
	return v
}

func TestTreeSumMatchesTreeSumInto(t *testing.T) {
	for n := 1; n <= 40; n++ {
		v := orderSensitive(n)
		parts := make([][]float64, n)
		for i := range parts {
			parts[i] = []float64{v[i]}
		}
		want := TreeSum(v)
		TreeSumInto(parts, 0, 1)
		assert.Equal(t, math.Float64bits(want), math.Float64bits(parts[0][0]), "n=%d", n)
	}
	// The fixed tree is not the left-to-right sum: the test above can fail.
	v := []float64{1e16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	var seq float64
	for _, x := range v {
		seq += x
	}
	assert.NotEqual(t, seq, TreeSum(v))
}

// TestChunkedTreeSumIsWorkerIndependent: summing parts chunk by chunk
// across a pool's workers, as the trainer sums its lanes, gives the same
// bits for any worker count.
func TestChunkedTreeSumIsWorkerIndependent(t *testing.T) {
	const n, size = 11, 3*chunkSize + 5
	var want []float32
	for _, workers := range []int{1, 2, 3, 8} {
		parts := make([][]float32, n)
		for i := range parts {
			parts[i] = make([]float32, size)
			for k := range parts[i] {
				parts[i][k] = float32(math.Sin(float64(i*size+k))) * float32(math.Pow(10, float64(i%5)))
			}
		}
		require.NoError(t, Run(context.Background(), workers, func(p *Pool) error {
			return p.Do(Chunks(size), func(_, i int) error {
				lo, hi := Chunk(size, i)
				TreeSumInto(parts, lo, hi)
				return nil
			})
		}))
		if want == nil {
			want = parts[0]
			continue
		}
		assert.Equal(t, want, parts[0], "workers=%d", workers)
	}
}

func TestDoRunsEveryTaskOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 5} {
		var seen [100]atomic.Int32
		err := Run(context.Background(), workers, func(p *Pool) error {
			assert.Equal(t, workers, p.Workers())
			for _, n := range []int{0, 1, 3, 100} {
				if err := p.Do(n, func(w, i int) error {
					assert.Less(t, w, workers)
					seen[i].Add(1)
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, err)
		assert.EqualValues(t, 3, seen[0].Load())
		assert.EqualValues(t, 2, seen[2].Load())
		assert.EqualValues(t, 1, seen[99].Load())
	}
}

func TestDoReturnsTaskError(t *testing.T) {
	boom := errors.New("boom")
	err := Run(context.Background(), 3, func(p *Pool) error {
		return p.Do(10, func(_, i int) error {
			if i == 4 {
				return boom
			}
			return nil
		})
	})
	assert.ErrorIs(t, err, boom)
}

func TestTaskErrorStopsHandingOutTasks(t *testing.T) {
	var ran atomic.Int32
	err := Run(context.Background(), 1, func(p *Pool) error {
		return p.Do(100, func(_, i int) error {
			ran.Add(1)
			if i == 2 {
				return errors.New("stop")
			}
			return nil
		})
	})
	assert.EqualError(t, err, "stop")
	assert.EqualValues(t, 3, ran.Load())
}

func TestTaskPanicIsRaisedOnTheCaller(t *testing.T) {
	var recovered any
	err := Run(context.Background(), 2, func(p *Pool) error {
		defer func() { recovered = recover() }()
		return p.Do(4, func(_, i int) error {
			if i == 3 {
				panic("kaboom")
			}
			return nil
		})
	})
	require.NoError(t, err)
	require.NotNil(t, recovered)
	assert.Contains(t, recovered, "kaboom")
	// The pool still works after a panic.
	require.NoError(t, Run(context.Background(), 2, func(p *Pool) error {
		return p.Do(4, func(int, int) error { return nil })
	}))
}

func TestFinishRunsEveryTaskDespiteCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran atomic.Int32
	err := Run(ctx, 2, func(p *Pool) error {
		if err := p.Finish(50, func(_, i int) error {
			if ran.Add(1) == 3 {
				cancel()
			}
			return nil
		}); err != nil {
			return err
		}
		return p.Do(5, func(int, int) error { return nil })
	})
	assert.EqualValues(t, 50, ran.Load())
	assert.ErrorIs(t, err, context.Canceled, "the next Do sees the cancel")
}

func TestCancelStopsPromptly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	err := Run(ctx, 2, func(p *Pool) error {
		return p.Do(1000, func(_, i int) error {
			ran.Add(1)
			switch {
			case i == 4:
				cancel()
			case i > 4: // a task handed out before the cancel reached the pool waits for it
				<-p.Context().Done()
			}
			return nil
		})
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, ran.Load(), int32(10), "tasks kept running after cancel")
}

func TestRunRejectsNegativeWorkers(t *testing.T) {
	assert.Error(t, Run(context.Background(), -1, func(*Pool) error { return nil }))
}

func TestRunDefaultsToGOMAXPROCS(t *testing.T) {
	require.NoError(t, Run(context.Background(), 0, func(p *Pool) error {
		assert.GreaterOrEqual(t, p.Workers(), 1)
		return nil
	}))
}

func TestDoAllocatesNothing(t *testing.T) {
	require.NoError(t, Run(context.Background(), 2, func(p *Pool) error {
		task := func(int, int) error { return nil }
		allocs := testing.AllocsPerRun(100, func() {
			_ = p.Do(8, task)
		})
		assert.Zero(t, allocs)
		return nil
	}))
}

// BenchmarkBarrier is the cost of one Do that hands each worker one empty
// task: the synchronization a training step pays three times.
func BenchmarkBarrier(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			task := func(int, int) error { return nil }
			err := Run(context.Background(), w, func(p *Pool) error {
				for b.Loop() {
					if err := p.Do(w, task); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
