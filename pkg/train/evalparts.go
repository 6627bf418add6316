package train

import (
	"context"
	"errors"
	"fmt"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// PartEvaluation is Evaluate over rows given a part at a time, in order,
// for a table too large to hold: the targets of every row are given
// first (4 or 8 bytes a row), the inputs then part by part, and Result is
// Evaluate's loss and metrics on all the rows, bit for bit — the rows are
// cut into the same shards of evalShard rows, whatever the parts, and the
// shards' sums added in the same order.
type PartEvaluation[T nn.Float] struct {
	m       *nn.Model[T]
	y       nn.Matrix[T]
	workers int
	metrics nn.Metrics
	loss    []float64
	acc     [][]float64
	fw      []*nn.Forwarder[T] // per worker
	carry   nn.Matrix[T]       // the rows of an unfinished shard
	held    int                // rows in carry
	done    int                // rows given so far
}

// NewPartEvaluation starts an evaluation of m on rows whose targets are
// y, one row each.
func NewPartEvaluation[T nn.Float](m *nn.Model[T], y nn.Matrix[T], opt EvalOptions) (*PartEvaluation[T], error) {
	workers, err := opt.workers()
	if err != nil {
		return nil, err
	}
	if err := m.CheckTargets(y, y.Rows); err != nil {
		return nil, err
	}
	if y.Rows == 0 {
		return nil, errors.New("train: evaluate: no rows")
	}
	shards := (y.Rows + evalShard - 1) / evalShard
	e := &PartEvaluation[T]{m: m, y: y, workers: workers, metrics: nn.NewMetrics(m.Loss(), y, nil),
		loss: make([]float64, shards), acc: make([][]float64, shards), fw: make([]*nn.Forwarder[T], workers),
		carry: nn.NewMatrix[T](evalShard, m.InputSize(), nil)}
	for i := range e.acc {
		e.acc[i] = make([]float64, e.metrics.Len(m.OutputSize()))
	}
	return e, nil
}

// Add evaluates the next rows, x (their inputs; their targets are the
// next rows of y). A shard they leave unfinished waits for the next part.
func (e *PartEvaluation[T]) Add(ctx context.Context, x nn.Matrix[T]) error {
	if err := e.m.CheckInput(x); err != nil {
		return err
	}
	if e.done+e.held+x.Rows > e.y.Rows {
		return fmt.Errorf("train: evaluate: more rows (%d) than targets (%d)", e.done+e.held+x.Rows, e.y.Rows)
	}
	if e.held > 0 { // finish the waiting shard
		n := min(evalShard-e.held, x.Rows)
		copy(e.carry.Data[e.held*x.Cols:], x.Data[:n*x.Cols])
		e.held += n
		x = x.SliceRows(n, x.Rows)
		if e.held < evalShard {
			return nil
		}
		if err := e.run(ctx, e.carry); err != nil {
			return err
		}
		e.held = 0
	}
	whole := x.Rows / evalShard * evalShard
	if whole > 0 {
		if err := e.run(ctx, x.SliceRows(0, whole)); err != nil {
			return err
		}
	}
	e.held = copy(e.carry.Data, x.Data[whole*x.Cols:]) / x.Cols
	return nil
}

// run evaluates whole shards x, the next rows, over the workers.
func (e *PartEvaluation[T]) run(ctx context.Context, x nn.Matrix[T]) error {
	if err := e.m.Guard().BeginRead(); err != nil {
		return err
	}
	defer e.m.Guard().EndRead()
	first, shards := e.done/evalShard, (x.Rows+evalShard-1)/evalShard
	err := parallel.Run(ctx, min(e.workers, shards), func(p *parallel.Pool) error {
		return p.Do(shards, func(w, i int) error {
			if e.fw[w] == nil {
				e.fw[w] = e.m.NewForwarder(evalShard)
			}
			lo, hi := i*evalShard, min((i+1)*evalShard, x.Rows)
			y := e.y.SliceRows(e.done+lo, e.done+hi)
			e.loss[first+i] = shardResult(e.m, e.metrics, e.fw[w].Forward(x.SliceRows(lo, hi)), y, e.acc[first+i])
			return nil
		})
	})
	if err != nil {
		return err
	}
	e.done += x.Rows
	return nil
}

// Result returns the mean loss (with the layers' penalties) and the
// metrics over every row, once every row has been added.
func (e *PartEvaluation[T]) Result(ctx context.Context) (float64, map[string]float64, error) {
	if e.held > 0 { // the last shard, shorter
		if err := e.run(ctx, e.carry.SliceRows(0, e.held)); err != nil {
			return 0, nil, err
		}
		e.held = 0
	}
	if e.done != e.y.Rows {
		return 0, nil, fmt.Errorf("train: evaluate: %d rows given, %d targets", e.done, e.y.Rows)
	}
	acc := make([][]float64, len(e.acc)) // the sums go into the first: a second Result sums the shards again
	for i := range acc {
		acc[i] = append([]float64(nil), e.acc[i]...)
	}
	parallel.TreeSumInto(acc, 0, len(acc[0]))
	loss := parallel.TreeSum(append([]float64(nil), e.loss...))/float64(e.y.Rows) + e.m.Penalty(nil)
	return loss, e.metrics.Finish(acc[0]), nil
}
