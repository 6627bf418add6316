package train

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/densetrain/densetrain/internal/cpus"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// evalShard is the number of rows one evaluation task pushes through the
// layers. It is fixed, so evaluation sums in the same order whatever the
// worker count or the training shard size.
const evalShard = nn.PredictBlock

// evaluator runs the training layers forward over rows of a source with
// the master parameters, in shards spread over a pool's workers. It serves
// Evaluate and Fit's validation. The parameters must not change while it
// runs.
type evaluator[T nn.Float] struct {
	m       *nn.Model[T]
	src     Source[T]
	idx     []int // rows of src to use, or nil for all
	metrics nn.Metrics

	fw   []*nn.Forwarder[T] // per worker
	rows [][]int            // per worker: the row numbers of a shard
	tgt  [][]T              // per worker: gathered target rows
	loss []float64
	acc  [][]float64 // per shard metric counts

	// comm, with more than one rank, shares the shards out: each rank
	// evaluates a run of them and the ranks exchange their results
	// (evalranks.go), which are summed in the same order as one process's.
	comm parallel.Communicator
}

func newEvaluator[T nn.Float](m *nn.Model[T], workers int, src Source[T], idx []int) *evaluator[T] {
	e := &evaluator[T]{m: m, src: src, idx: idx}
	e.metrics = nn.NewMetrics(m.Loss(), src.Targets(), listed(idx))
	e.fw = make([]*nn.Forwarder[T], workers)
	e.rows = make([][]int, workers)
	e.tgt = make([][]T, workers)
	return e
}

// listed yields the rows of idx in its order; nil for nil (all rows).
func listed(idx []int) iter.Seq[int] {
	if idx == nil {
		return nil
	}
	return slices.Values(idx)
}

func (e *evaluator[T]) n() int {
	if e.idx != nil {
		return len(e.idx)
	}
	return e.src.Len()
}

func (e *evaluator[T]) shards() int { return (e.n() + evalShard - 1) / evalShard }

// shard runs shard i on worker w and returns its output (logits for a
// fused loss) and its target rows.
func (e *evaluator[T]) shard(w, i int) (out, y nn.Matrix[T], err error) {
	lo := i * evalShard
	hi := min(lo+evalShard, e.n())
	if e.fw[w] == nil {
		e.fw[w] = e.m.NewForwarder(min(evalShard, e.n()))
		e.rows[w] = make([]int, min(evalShard, e.n()))
		e.tgt[w] = make([]T, min(evalShard, e.n())*e.src.Targets().Cols)
	}
	rows := e.rows[w][:hi-lo]
	if e.idx != nil {
		copy(rows, e.idx[lo:hi])
	} else {
		for r := range rows {
			rows[r] = lo + r
		}
	}
	var x nn.Matrix[T]
	if d, ok := e.src.(*Matrices[T]); ok && e.idx == nil {
		x = d.X.SliceRows(lo, hi) // in place, as Predict reads it
	} else {
		x = e.fw[w].Gather(len(rows))
		if err := e.src.Gather(rows, x); err != nil {
			return out, y, err
		}
	}
	all := e.src.Targets()
	y = nn.Matrix[T]{Rows: len(rows), Cols: all.Cols, Data: e.tgt[w][:len(rows)*all.Cols]}
	for r, s := range rows {
		copy(y.Row(r), all.Row(s))
	}
	return e.fw[w].Forward(x), y, nil
}

// evaluate returns the mean loss (with the layers' penalties) and the
// metrics over the rows.
func (e *evaluator[T]) evaluate(p *parallel.Pool) (float64, map[string]float64, error) {
	s := e.shards()
	e.loss = make([]float64, s)
	e.acc = make([][]float64, s)
	for i := range e.acc {
		e.acc[i] = make([]float64, e.metrics.Len(e.m.OutputSize()))
	}
	task := func(w, i int) error {
		out, y, err := e.shard(w, i)
		if err != nil {
			return err
		}
		e.loss[i] = shardResult(e.m, e.metrics, out, y, e.acc[i])
		return nil
	}
	var err error
	if e.comm != nil && e.comm.Size() > 1 {
		err = e.shareShards(p, task)
	} else {
		err = p.Do(s, task)
	}
	if err != nil {
		return 0, nil, err
	}
	parallel.TreeSumInto(e.acc, 0, len(e.acc[0]))
	loss := parallel.TreeSum(e.loss)/float64(e.n()) + e.m.Penalty(nil)
	return loss, e.metrics.Finish(e.acc[0]), nil
}

// shardResult returns the loss of a shard whose outputs are out (from a
// Forwarder) and targets y, and adds its metric counts to acc.
func shardResult[T nn.Float](m *nn.Model[T], metrics nn.Metrics, out, y nn.Matrix[T], acc []float64) float64 {
	loss := m.Loss().Eval(out, y, nil, 1, nn.Matrix[T]{})
	nn.AccumulateMetrics(metrics, out, y, acc)
	return loss
}

// EvalOptions configures Predict and Evaluate.
type EvalOptions struct {
	// Workers is the number of goroutines (0: GOMAXPROCS; more than
	// cpus.Max, 1024, are clamped to it). The results do not depend on it.
	Workers int
}

// workers returns the worker count of o, defaulted and checked.
func (o EvalOptions) workers() (int, error) {
	w, want := cpus.Workers(min(o.Workers, cpus.Max)) // no more goroutines than that
	if want != "" {
		return 0, fmt.Errorf("train: EvalOptions.Workers: %d workers, %s", o.Workers, want)
	}
	return w, nil
}

// Predict returns the model's outputs for the rows of x, as m.Predict
// does (the same bits), its blocks of rows spread over opt.Workers
// goroutines. With one worker, or rows for one block, it runs on the
// calling goroutine — the cheap path for a server's small requests.
func Predict[T nn.Float](ctx context.Context, m *nn.Model[T], x nn.Matrix[T], opt EvalOptions) (nn.Matrix[T], error) {
	workers, err := opt.workers()
	if err != nil {
		return nn.Matrix[T]{}, err
	}
	if workers == 1 || x.Rows <= evalShard {
		return m.Predict(ctx, x)
	}
	if err := m.Guard().BeginRead(); err != nil {
		return nn.Matrix[T]{}, err
	}
	defer m.Guard().EndRead()
	if err := m.CheckInput(x); err != nil {
		return nn.Matrix[T]{}, err
	}
	out := nn.NewMatrix[T](x.Rows, m.OutputSize(), nil)
	shards := (x.Rows + evalShard - 1) / evalShard
	err = parallel.Run(ctx, workers, func(p *parallel.Pool) error {
		fw := make([]*nn.Forwarder[T], p.Workers())
		return p.Do(shards, func(w, i int) error {
			if fw[w] == nil {
				fw[w] = m.NewForwarder(evalShard)
			}
			lo := i * evalShard
			hi := min(lo+evalShard, x.Rows)
			fw[w].Predict(x.SliceRows(lo, hi), out.SliceRows(lo, hi))
			return nil
		})
	})
	if err != nil {
		return nn.Matrix[T]{}, err
	}
	return out, nil
}

// Evaluate returns the mean loss of the model on (x, y), including the
// layers' regularization penalties, as Keras reports it, and the task's
// metrics: "accuracy" for cross-entropy losses; "rmse", "mae" and "r2"
// (the mean over outputs of R²) otherwise. Its blocks of rows are spread
// over opt.Workers goroutines, with results that do not depend on their
// number. It may be called from several goroutines at once; while Fit
// changes the model's weights it fails with nn.ErrBusy.
func Evaluate[T nn.Float](ctx context.Context, m *nn.Model[T], x, y nn.Matrix[T], opt EvalOptions) (float64, map[string]float64, error) {
	workers, err := opt.workers()
	if err != nil {
		return 0, nil, err
	}
	if err := m.Guard().BeginRead(); err != nil {
		return 0, nil, err
	}
	defer m.Guard().EndRead()
	if err := m.CheckData(x, y); err != nil {
		return 0, nil, err
	}
	if x.Rows == 0 {
		return 0, nil, errors.New("train: evaluate: no rows")
	}
	var (
		loss    float64
		metrics map[string]float64
	)
	err = parallel.Run(ctx, workers, func(p *parallel.Pool) (err error) {
		loss, metrics, err = newEvaluator(m, p.Workers(), Source[T](InMemory(x, y)), nil).evaluate(p)
		return err
	})
	return loss, metrics, err
}
