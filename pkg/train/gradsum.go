package train

import (
	"context"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// laneSums are a step's per-lane partial results, one of each per lane:
// the gradient sum, the loss sum and the metric counts of the lane's
// shards. Summing a step leaves the totals in lane 0.
type laneSums[T nn.Float] struct {
	grads [][]T
	loss  []float64
	acc   [][]float64
}

// gradSum is how the lanes of a step are summed: by the local tree in one
// process, or, across processes, by the lane exchange or the communicator's
// all-reduce. Fit chooses one at its start (newGradSum); each works on the
// trainer's laneSums and norms, given when it is made. ctx is the caller's:
// the ranks agree on its cancellation at every step.
type gradSum[T nn.Float] interface {
	// owned returns the lanes [lo, hi) of a step of n lanes that this
	// process computes.
	owned(n int) (lo, hi int)
	// sum combines the n lanes of a step into lane 0 and returns their
	// loss sum; normed reports whether it also left the per-chunk squared
	// norms of the summed gradient in the norms slice.
	sum(p *parallel.Pool, n int) (loss float64, normed bool, err error)
}

// newGradSum returns the strategy for a Fit over comm: the local tree
// when comm is nil or has one rank, else the lane exchange, or the
// all-reduce when allreduce is set (Options.CommAllreduce).
func newGradSum[T nn.Float](ctx context.Context, s laneSums[T], norms []float64, comm parallel.Communicator, allreduce bool) gradSum[T] {
	tree := newLocalTree(s, norms)
	switch {
	case comm == nil || comm.Size() == 1:
		return tree
	case allreduce:
		return newAllreduceSum(ctx, s, comm)
	}
	return newLaneExchange(ctx, tree, comm)
}

// localTree sums the lanes of a step in this process: each chunk of the
// parameters with parallel.TreeAddInto, the same tree as
// parallel.TreeSumInto and so the same bits (adding with BLAS, see
// addInto), taking the chunk's squared norm while it is in cache, which
// spares gradNorm a pass over the gradient.
type localTree[T nn.Float] struct {
	s     laneSums[T]
	norms []float64 // per chunk of the parameters
	n     int       // lanes of the step being summed
	task  func(worker, i int) error
}

func newLocalTree[T nn.Float](s laneSums[T], norms []float64) *localTree[T] {
	t := &localTree[T]{s: s, norms: norms}
	t.task = t.chunk
	return t
}

func (t *localTree[T]) owned(n int) (lo, hi int) { return 0, n }

func (t *localTree[T]) sum(p *parallel.Pool, n int) (float64, bool, error) {
	t.n = n
	if err := p.Do(len(t.norms), t.task); err != nil {
		return 0, false, err
	}
	parallel.TreeSumInto(t.s.acc[:n], 0, len(t.s.acc[0]))
	return parallel.TreeSum(t.s.loss[:n]), true, nil
}

// chunk sums chunk i of the lanes' gradients and takes its squared norm.
func (t *localTree[T]) chunk(_, i int) error {
	g := t.s.grads
	lo, hi := parallel.Chunk(len(g[0]), i)
	parallel.TreeAddInto(g[:t.n], lo, hi, nn.AddInto[T])
	t.norms[i] = nn.SumSquares(g[0][lo:hi])
	return nil
}
