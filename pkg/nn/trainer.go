package nn

import (
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// trainer holds the state of one Fit: the replicas, the lane gradient
// buffers and the task functions handed to the pool (created once, so that a
// step allocates nothing).
type trainer[T Float] struct {
	m        *Model[T]
	x, y     Matrix[T]
	w        []T // per-sample loss weights, or nil
	par      Parallelism
	maxBatch int

	// the step being computed
	layout parallel.Layout
	idx    []int // sample indices of the global batch
	scale  T     // 1 / batch size

	replicas []*replica[T] // one per worker, created on first use
	lanes    [][]T         // one gradient buffer per lane
	laneLoss []float64
	reducer  parallel.Reducer[T]
	metrics  metrics
	laneAcc  [][]float64 // per-lane metric counts
	epochAcc []float64   // metric counts of the epoch so far

	norms    []float64 // per-chunk squared norms of the gradient
	normed   bool      // norms already hold the current gradient's
	overflow []bool    // per chunk: the last update made a weight non-finite
	clipBy   T

	// the key of the random draws of stochastic layers (see Pass): the
	// seed, and the epoch and step being computed
	seed, epoch, step uint64

	ex     *exchange[T] // across processes; nil in a single process
	laneLo int          // the first lane this process computes

	laneTask, updateTask, normTask, scaleTask, reduceTask func(worker, i int) error
	ctxErr                                                func() error
}

// newTrainer prepares buffers for global batches of at most maxBatch rows
// drawn from trainRows of (x, y) (all rows when nil).
func newTrainer[T Float](m *Model[T], x, y Matrix[T], trainRows []int, w []T, maxBatch int, par Parallelism) *trainer[T] {
	t := &trainer[T]{m: m, x: x, y: y, w: w, par: par, maxBatch: maxBatch, reducer: m.reducer}
	l, _ := parallel.NewLayout(maxBatch, par.ShardSize, par.MaxLanes)
	t.lanes = alignedBuffers[T](slices.Repeat([]int{len(m.params)}, l.Lanes())...)
	t.laneLoss = make([]float64, l.Lanes())
	t.metrics = newMetrics(m.loss, y, trainRows)
	t.laneAcc = make([][]float64, l.Lanes())
	for i := range t.laneAcc {
		t.laneAcc[i] = make([]float64, t.metrics.len(m.OutputSize()))
	}
	t.epochAcc = make([]float64, t.metrics.len(m.OutputSize()))
	t.norms = make([]float64, parallel.Chunks(len(m.params)))
	t.overflow = make([]bool, len(t.norms))
	t.laneTask, t.updateTask, t.normTask, t.scaleTask, t.reduceTask = t.lane, t.update, t.norm, t.rescale, t.reduceNorm
	return t
}

// pass returns the training Pass of the rows idx of this step.
func (t *trainer[T]) pass(idx []int) Pass {
	return Pass{Training: true, seed: t.seed, epoch: t.epoch, step: t.step, samples: idx}
}

// gradient computes the gradient of the loss of the samples idx — the
// weighted mean of their losses plus the layers' penalties — into
// t.lanes[0], and returns that loss times len(idx).
func (t *trainer[T]) gradient(p *parallel.Pool, idx []int) (float64, error) {
	if t.replicas == nil {
		t.replicas = make([]*replica[T], p.Workers())
		t.ctxErr = p.Context().Err
	}
	var err error
	if t.layout, err = parallel.NewLayout(len(idx), t.par.ShardSize, t.par.MaxLanes); err != nil {
		return 0, err
	}
	t.idx, t.scale = idx, 1/T(len(idx))
	n := t.layout.Lanes()
	lo, hi := 0, n
	if t.ex != nil {
		lo, hi = t.ex.owned(t.ex.comm.Rank(), n)
	}
	t.laneLo = lo
	if err := p.Do(hi-lo, t.laneTask); err != nil {
		return 0, err
	}
	var sum float64
	switch {
	case t.ex != nil && t.ex.fast:
		t.normed = false
		if sum, err = t.ex.allreduce(t, n); err != nil {
			return 0, err
		}
	default:
		if t.ex != nil {
			if err := t.ex.swap(t, n); err != nil {
				return 0, err
			}
		}
		if sum, err = t.reduce(p, n); err != nil {
			return 0, err
		}
		parallel.TreeSumInto(t.laneAcc[:n], 0, len(t.epochAcc))
	}
	pen := t.m.penalty(t.m.params, t.lanes[0])
	if pen != 0 {
		t.normed = false // the penalty's gradient changed lanes[0] after its norm
	}
	return sum + float64(len(idx))*pen, nil
}

// reduce sums the first n lanes' gradients into t.lanes[0] and returns the
// sum of their losses. With no custom reducer it sums each chunk with
// parallel.TreeSumInto — the same tree as parallel.Tree, so the same bits —
// (adding with BLAS, see addInto) and takes the chunk's squared norm while
// it is in cache, sparing gradNorm a pass over the gradient.
func (t *trainer[T]) reduce(p *parallel.Pool, n int) (float64, error) {
	t.normed = false
	if t.reducer != nil {
		return t.reducer.Reduce(p, t.lanes[:n], t.laneLoss[:n])
	}
	if err := p.Do(len(t.norms), t.reduceTask); err != nil {
		return 0, err
	}
	t.normed = true
	return parallel.TreeSum(t.laneLoss[:n]), nil
}

// commitMetrics adds the metric counts of the last gradient's batch to the
// epoch's, once its step has been applied.
func (t *trainer[T]) commitMetrics() {
	for k, v := range t.laneAcc[0] {
		t.epochAcc[k] += v
	}
}

// gradNorm returns the global L2 norm of the gradient in t.lanes[0],
// summed per chunk and then by a fixed tree, so that it does not depend on
// the worker count.
func (t *trainer[T]) gradNorm(p *parallel.Pool) (float64, error) {
	if !t.normed {
		if err := p.Do(len(t.norms), t.normTask); err != nil {
			return 0, err
		}
		t.normed = true
	}
	return math.Sqrt(parallel.TreeSum(t.norms)), nil
}

func (t *trainer[T]) reduceNorm(w, i int) error {
	lo, hi := parallel.Chunk(len(t.m.params), i)
	parallel.TreeAddInto(t.lanes[:t.layout.Lanes()], lo, hi, addInto[T])
	return t.norm(w, i)
}

// scaleGrad multiplies the gradient in t.lanes[0] by f.
func (t *trainer[T]) scaleGrad(p *parallel.Pool, f float64) error {
	t.clipBy = T(f)
	t.normed = false
	return p.Do(len(t.norms), t.scaleTask)
}

func (t *trainer[T]) norm(_, i int) error {
	lo, hi := parallel.Chunk(len(t.m.params), i)
	t.norms[i] = sumSquares(t.lanes[0][lo:hi])
	return nil
}

func (t *trainer[T]) rescale(_, i int) error {
	lo, hi := parallel.Chunk(len(t.m.params), i)
	g := t.lanes[0][lo:hi]
	for k := range g {
		g[k] *= t.clipBy
	}
	return nil
}

// apply makes one optimizer step with the gradient in t.lanes[0]. Once
// begun, the step is completed even if the context is cancelled, so the
// parameters and the optimizer state never hold a half-applied update.
func (t *trainer[T]) apply(p *parallel.Pool) error {
	if err := t.ctxErr(); err != nil {
		return err
	}
	t.m.opt.Next()
	err := p.Finish(parallel.Chunks(len(t.m.params)), t.updateTask)
	return err
}

// lane is the task for this process's i-th lane (lane laneLo+i of the
// step): its shards, in order, on worker w's replica.
func (t *trainer[T]) lane(w, i int) error {
	i += t.laneLo
	r := t.replicas[w]
	if r == nil {
		r = newReplica(t.m, min(t.par.ShardSize, t.maxBatch), t.y.Cols)
		t.replicas[w] = r
	}
	first, end := t.layout.LaneShards(i)
	clear(t.laneAcc[i])
	var loss float64
	for j := first; j < end; j++ {
		if err := t.ctxErr(); err != nil {
			return err
		}
		lo, hi := t.layout.Shard(j)
		loss += r.shard(t, t.idx[lo:hi], t.lanes[i], t.laneAcc[i], j > first)
	}
	t.laneLoss[i] = loss
	return nil
}

// update is the optimizer task for one chunk of the parameters; it notes
// whether the chunk's new values are finite.
func (t *trainer[T]) update(_, i int) error {
	lo, hi := parallel.Chunk(len(t.m.params), i)
	if a, ok := t.m.opt.(*Adam[T]); ok { // its kernel checks the new weights as it writes them
		t.overflow[i] = !a.updateFinite(t.m.params, t.lanes[0], lo, hi)
		return nil
	}
	t.m.opt.Update(t.m.params, t.lanes[0], lo, hi)
	t.overflow[i] = !finite(t.m.params[lo:hi])
	return nil
}

// updateOverflowed reports whether the last update made a weight non-finite.
func (t *trainer[T]) updateOverflowed() bool { return slices.Contains(t.overflow, true) }
