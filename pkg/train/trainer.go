package train

import (
	"iter"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// stepData is what a replica reads to compute a shard of a step: the
// model, the data, the loss weights, the metrics, the step's gradient
// scale and the key of its random draws (see Pass).
type stepData[T nn.Float] struct {
	m       *nn.Model[T]
	src     Source[T]
	y       nn.Matrix[T] // src's targets
	w       []T          // per-sample loss weights, or nil
	metrics nn.Metrics
	scale   T // 1 / batch size

	// the seed, and the epoch and step being computed
	seed, epoch, step uint64
}

// pass returns the training Pass of the rows idx of this step.
func (d *stepData[T]) pass(idx []int) nn.Pass {
	return nn.TrainingPass(d.seed, d.epoch, d.step, idx, 0)
}

// trainer holds the state of one Fit: the replicas, the lanes' buffers,
// the strategy that sums them and the task functions handed to the pool
// (created once, so that a step allocates nothing).
type trainer[T nn.Float] struct {
	stepData[T]
	par      Parallelism
	maxBatch int

	// the step being computed
	layout parallel.Layout
	idx    []int // sample indices of the global batch

	replicas []*nn.Replica[T] // one per worker, created on first use
	lanes    laneSums[T]      // one gradient, loss sum and metric counts per lane
	sum      gradSum[T]       // how the lanes are summed into lane 0
	laneLo   int              // the first lane this process computes
	epochAcc []float64        // metric counts of the epoch so far

	norms    []float64 // per-chunk squared norms of the gradient
	normed   bool      // norms already hold the current gradient's
	overflow []bool    // per chunk: the last update made a weight non-finite
	clipBy   T

	laneTask, updateTask, normTask, scaleTask func(worker, i int) error
	ctxErr                                    func() error
}

// newTrainer prepares buffers for global batches of at most maxBatch rows
// drawn from trainRows of src (all rows when nil), summed by the local
// tree (Fit may choose another strategy, see newGradSum).
func newTrainer[T nn.Float](m *nn.Model[T], src Source[T], trainRows iter.Seq[int], w []T, maxBatch int, par Parallelism) *trainer[T] {
	y := src.Targets()
	t := &trainer[T]{stepData: stepData[T]{m: m, src: src, y: y, w: w, metrics: nn.NewMetrics(m.Loss(), y, trainRows)},
		par: par, maxBatch: maxBatch}
	l, _ := parallel.NewLayout(maxBatch, par.ShardSize, par.MaxLanes)
	n, counts := l.Lanes(), t.metrics.Len(m.OutputSize())
	t.lanes = laneSums[T]{
		grads: nn.AlignedBuffers[T](slices.Repeat([]int{len(m.Params())}, n)...),
		loss:  make([]float64, n),
		acc:   make([][]float64, n),
	}
	for i := range t.lanes.acc {
		t.lanes.acc[i] = make([]float64, counts)
	}
	t.epochAcc = make([]float64, counts)
	t.norms = make([]float64, parallel.Chunks(len(m.Params())))
	t.overflow = make([]bool, len(t.norms))
	t.sum = newLocalTree(t.lanes, t.norms)
	t.laneTask, t.updateTask, t.normTask, t.scaleTask = t.lane, t.update, t.norm, t.rescale
	return t
}

// grad returns the gradient a step sums into lane 0.
func (t *trainer[T]) grad() []T { return t.lanes.grads[0] }

// gradient computes the gradient of the loss of the samples idx — the
// weighted mean of their losses plus the layers' penalties — into
// t.grad(), and returns that loss times len(idx).
func (t *trainer[T]) gradient(p *parallel.Pool, idx []int) (float64, error) {
	if t.replicas == nil {
		t.replicas = make([]*nn.Replica[T], p.Workers())
		t.ctxErr = p.Context().Err
	}
	var err error
	if t.layout, err = parallel.NewLayout(len(idx), t.par.ShardSize, t.par.MaxLanes); err != nil {
		return 0, err
	}
	t.idx, t.scale = idx, 1/T(len(idx))
	n := t.layout.Lanes()
	lo, hi := t.sum.owned(n)
	t.laneLo = lo
	if ld, ok := t.src.(Loader); ok { // this rank's lanes' rows, a run of idx
		a, b := 0, 0
		if hi > lo {
			first, _ := t.layout.LaneShards(lo)
			_, end := t.layout.LaneShards(hi - 1)
			a, _ = t.layout.Shard(first)
			_, b = t.layout.Shard(end - 1)
		}
		if err := ld.Load(idx[a:b]); err != nil {
			return 0, err
		}
	}
	if err := p.Do(hi-lo, t.laneTask); err != nil {
		return 0, err
	}
	t.normed = false
	sum, normed, err := t.sum.sum(p, n)
	if err != nil {
		return 0, err
	}
	t.normed = normed
	pen := t.m.Penalty(t.grad())
	if pen != 0 {
		t.normed = false // the penalty's gradient changed the gradient after its norm
	}
	return sum + float64(len(idx))*pen, nil
}

// commitMetrics adds the metric counts of the last gradient's batch to the
// epoch's, once its step has been applied.
func (t *trainer[T]) commitMetrics() {
	for k, v := range t.lanes.acc[0] {
		t.epochAcc[k] += v
	}
}

// gradNorm returns the global L2 norm of the gradient in t.grad(),
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

// scaleGrad multiplies the gradient in t.grad() by f.
func (t *trainer[T]) scaleGrad(p *parallel.Pool, f float64) error {
	t.clipBy = T(f)
	t.normed = false
	return p.Do(len(t.norms), t.scaleTask)
}

func (t *trainer[T]) norm(_, i int) error {
	lo, hi := parallel.Chunk(len(t.grad()), i)
	t.norms[i] = nn.SumSquares(t.grad()[lo:hi])
	return nil
}

func (t *trainer[T]) rescale(_, i int) error {
	lo, hi := parallel.Chunk(len(t.grad()), i)
	g := t.grad()[lo:hi]
	for k := range g {
		g[k] *= t.clipBy
	}
	return nil
}

// apply makes one optimizer step with the gradient in t.grad(). Once
// begun, the step is completed even if the context is cancelled, so the
// parameters and the optimizer state never hold a half-applied update.
func (t *trainer[T]) apply(p *parallel.Pool) error {
	if err := t.ctxErr(); err != nil {
		return err
	}
	t.m.Optimizer().Next()
	return p.Finish(parallel.Chunks(len(t.grad())), t.updateTask)
}

// lane is the task for this process's i-th lane (lane laneLo+i of the
// step): its shards, in order, on worker w's replica.
func (t *trainer[T]) lane(w, i int) error {
	i += t.laneLo
	r := t.replicas[w]
	if r == nil {
		r = t.m.NewReplica(min(t.par.ShardSize, t.maxBatch), t.y.Cols)
		t.replicas[w] = r
	}
	first, end := t.layout.LaneShards(i)
	clear(t.lanes.acc[i])
	var loss float64
	for j := first; j < end; j++ {
		if err := t.ctxErr(); err != nil {
			return err
		}
		lo, hi := t.layout.Shard(j)
		l, err := t.shard(r, t.idx[lo:hi], t.lanes.grads[i], t.lanes.acc[i], j > first)
		if err != nil {
			return err
		}
		loss += l
	}
	t.lanes.loss[i] = loss
	return nil
}

// update is the optimizer task for one chunk of the parameters; it notes
// whether the chunk's new values are finite.
func (t *trainer[T]) update(_, i int) error {
	lo, hi := parallel.Chunk(len(t.grad()), i)
	t.overflow[i] = !nn.UpdateChunk(t.m.Optimizer(), t.m.Params(), t.grad(), lo, hi)
	return nil
}

// shard gathers the rows idx of the data into replica r — inputs from the
// source, targets and sample weights — and runs the replica's forward and
// backward passes on them, writing (or, when add is set, adding) the
// shard's part of the step's gradient into grad and its metric counts
// into acc. It returns the shard's summed weighted loss.
func (t *trainer[T]) shard(r *nn.Replica[T], idx []int, grad []T, acc []float64, add bool) (float64, error) {
	n := len(idx)
	if err := t.src.Gather(idx, r.Inputs(n)); err != nil {
		return 0, err
	}
	tgt := r.Targets(n)
	for i, s := range idx {
		copy(tgt.Row(i), t.y.Row(s))
	}
	var wts []T
	if t.w != nil {
		wts = r.SampleWeights(n)
		for i, s := range idx {
			wts[i] = t.w[s]
		}
	}
	return r.Backprop(t.pass(idx), n, wts, t.scale, grad, t.metrics, acc, add), nil
}

// updateOverflowed reports whether the last update made a weight non-finite.
func (t *trainer[T]) updateOverflowed() bool { return slices.Contains(t.overflow, true) }
