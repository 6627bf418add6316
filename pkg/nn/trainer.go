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

	version  uint64        // bumped after every update of m.params
	replicas []*replica[T] // one per worker, created on first use
	lanes    [][]T         // one gradient buffer per lane
	laneLoss []float64
	reducer  parallel.Reducer[T]
	metrics  metrics
	laneAcc  [][]float64 // per-lane metric counts
	epochAcc []float64   // metric counts of the epoch so far

	norms    []float64 // per-chunk squared norms of the gradient
	overflow []bool    // per chunk: the last update made a weight non-finite
	clipBy   T

	laneTask, updateTask, normTask, scaleTask func(worker, i int) error
	ctxErr                                    func() error
}

// newTrainer prepares buffers for global batches of at most maxBatch rows
// drawn from trainRows of (x, y) (all rows when nil).
func newTrainer[T Float](m *Model[T], x, y Matrix[T], trainRows []int, w []T, maxBatch int, par Parallelism) *trainer[T] {
	t := &trainer[T]{m: m, x: x, y: y, w: w, par: par, maxBatch: maxBatch, reducer: m.reducer}
	if t.reducer == nil {
		t.reducer = &parallel.Tree[T]{}
	}
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
	t.laneTask, t.updateTask, t.normTask, t.scaleTask = t.lane, t.update, t.norm, t.rescale
	return t
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
	if err := p.Do(n, t.laneTask); err != nil {
		return 0, err
	}
	sum, err := t.reducer.Reduce(p, t.lanes[:n], t.laneLoss[:n])
	if err != nil {
		return 0, err
	}
	parallel.TreeSumInto(t.laneAcc[:n], 0, len(t.epochAcc))
	for k, v := range t.laneAcc[0] {
		t.epochAcc[k] += v
	}
	return sum + float64(len(idx))*t.m.penalty(t.m.params, t.lanes[0]), nil
}

// gradNorm returns the global L2 norm of the gradient in t.lanes[0],
// summed per chunk and then by a fixed tree, so that it does not depend on
// the worker count.
func (t *trainer[T]) gradNorm(p *parallel.Pool) (float64, error) {
	if err := p.Do(len(t.norms), t.normTask); err != nil {
		return 0, err
	}
	return math.Sqrt(parallel.TreeSum(t.norms)), nil
}

// scaleGrad multiplies the gradient in t.lanes[0] by f.
func (t *trainer[T]) scaleGrad(p *parallel.Pool, f float64) error {
	t.clipBy = T(f)
	return p.Do(len(t.norms), t.scaleTask)
}

func (t *trainer[T]) norm(_, i int) error {
	lo, hi := parallel.Chunk(len(t.m.params), i)
	var s float64
	for _, v := range t.lanes[0][lo:hi] {
		s += float64(v) * float64(v)
	}
	t.norms[i] = s
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
	t.version++
	return err
}

// lane is the task for lane i: its shards, in order, on worker w's replica.
func (t *trainer[T]) lane(w, i int) error {
	r := t.replicas[w]
	if r == nil {
		r = newReplica(t.m, min(t.par.ShardSize, t.maxBatch), t.y.Cols)
		t.replicas[w] = r
	}
	if r.version != t.version {
		copy(r.params, t.m.params)
		r.version = t.version
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
	t.m.opt.Update(t.m.params, t.lanes[0], lo, hi)
	t.overflow[i] = !finite(t.m.params[lo:hi])
	return nil
}

// updateOverflowed reports whether the last update made a weight non-finite.
func (t *trainer[T]) updateOverflowed() bool { return slices.Contains(t.overflow, true) }
