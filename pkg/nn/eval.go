package nn

import (
	"context"
	"errors"
	"fmt"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// evalShard is the number of rows one evaluation task pushes through the
// layers. It is fixed, so evaluation sums in the same order whatever the
// worker count or the training shard size.
const evalShard = 256

// evaluator runs the training layers forward over rows of x with the
// master parameters, in shards spread over a pool's workers. It serves
// Predict, Evaluate and Fit's validation. The parameters must not change
// while it runs.
type evaluator[T Float] struct {
	m       *Model[T]
	x, y    Matrix[T] // y is unused by predict
	idx     []int     // rows of x to use, or nil for all
	metrics metrics

	bufs [][2][]T // per worker ping-pong buffers
	rows [][]T    // per worker gathered input rows
	loss []float64
	acc  [][]float64 // per shard metric counts
	out  Matrix[T]   // predictions, when predicting
}

func newEvaluator[T Float](m *Model[T], workers int, x, y Matrix[T], idx []int) *evaluator[T] {
	e := &evaluator[T]{m: m, x: x, y: y, idx: idx}
	if y.Data != nil {
		e.metrics = newMetrics(m.loss, y, listed(idx))
	}
	e.bufs = make([][2][]T, workers)
	e.rows = make([][]T, workers)
	return e
}

func (e *evaluator[T]) n() int {
	if e.idx != nil {
		return len(e.idx)
	}
	return e.x.Rows
}

func (e *evaluator[T]) shards() int { return (e.n() + evalShard - 1) / evalShard }

// forward runs shard i on worker w and returns its output (logits for a
// fused loss) and the shard's first row.
func (e *evaluator[T]) forward(w, i int) (Matrix[T], int) {
	lo := i * evalShard
	hi := min(lo+evalShard, e.n())
	if e.bufs[w][0] == nil {
		rows := min(evalShard, e.n())
		b := alignedBuffers[T](rows*e.m.maxWidth(), rows*e.m.maxWidth(), rows*e.x.Cols)
		e.bufs[w], e.rows[w] = [2][]T{b[0], b[1]}, b[2]
	}
	var a Matrix[T]
	if e.idx == nil {
		a = e.x.SliceRows(lo, hi)
	} else {
		a = reshape(e.rows[w], hi-lo, e.x.Cols)
		for r, s := range e.idx[lo:hi] {
			copy(a.Row(r), e.x.Row(s))
		}
	}
	for k, l := range e.m.train {
		out := reshape(e.bufs[w][k%2], hi-lo, l.OutputSize())
		l.Forward(Pass{Layer: k}, e.m.layerView(e.m.params, k), a, out)
		a = out
	}
	return a, lo
}

// target returns the target rows of shard i, gathered into dst if needed.
func (e *evaluator[T]) target(lo, rows int, dst []T) Matrix[T] {
	if e.idx == nil {
		return e.y.SliceRows(lo, lo+rows)
	}
	t := reshape(dst, rows, e.y.Cols)
	for r, s := range e.idx[lo : lo+rows] {
		copy(t.Row(r), e.y.Row(s))
	}
	return t
}

// evaluate returns the mean loss (with the layers' penalties) and the
// metrics over the rows.
func (e *evaluator[T]) evaluate(p *parallel.Pool) (float64, map[string]float64, error) {
	s := e.shards()
	e.loss = make([]float64, s)
	e.acc = make([][]float64, s)
	for i := range e.acc {
		e.acc[i] = make([]float64, e.metrics.len(e.m.OutputSize()))
	}
	tgt := make([][]T, p.Workers())
	err := p.Do(s, func(w, i int) error {
		out, lo := e.forward(w, i)
		if tgt[w] == nil {
			tgt[w] = make([]T, evalShard*e.y.Cols)
		}
		y := e.target(lo, out.Rows, tgt[w])
		e.loss[i] = e.m.loss.Eval(out, y, nil, 1, Matrix[T]{})
		accumulate(e.metrics, out, y, e.acc[i])
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	parallel.TreeSumInto(e.acc, 0, len(e.acc[0]))
	loss := parallel.TreeSum(e.loss)/float64(e.n()) + e.m.penalty(e.m.params, nil)
	return loss, finish(e.metrics, e.acc[0]), nil
}

// predict writes the model's outputs, with the fused head applied, into e.out.
func (e *evaluator[T]) predict(p *parallel.Pool) error {
	e.out = NewMatrix[T](e.n(), e.m.OutputSize(), nil)
	return p.Do(e.shards(), func(w, i int) error {
		e.predictShard(w, i)
		return nil
	})
}

// predictSerial is predict on the calling goroutine, as worker 0, checking
// ctx before each shard.
func (e *evaluator[T]) predictSerial(ctx context.Context) error {
	e.out = NewMatrix[T](e.n(), e.m.OutputSize(), nil)
	for i := range e.shards() {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.predictShard(0, i)
	}
	return nil
}

// predictShard runs shard i on worker w and writes its outputs into e.out.
func (e *evaluator[T]) predictShard(w, i int) {
	out, lo := e.forward(w, i)
	dst := e.out.SliceRows(lo, lo+out.Rows)
	copy(dst.Data, out.Data)
	activateRows(e.m.head, dst)
}

// Predict returns the model's outputs for the rows of x, computed in
// parallel over GOMAXPROCS workers. With a fused loss the output activation
// is applied (probabilities), see Compile. Predict may be called from
// several goroutines at once; while Fit runs on the model it fails with
// ErrBusy, except while Fit's callbacks run, when the weights stand still
// (from any goroutine: see Model).
func (m *Model[T]) Predict(x Matrix[T]) (Matrix[T], error) {
	return m.PredictContext(context.Background(), x)
}

// PredictContext is Predict stopped early, with the context's error, when
// ctx is cancelled: the rows are done in blocks of 256, ctx is checked
// between them.
func (m *Model[T]) PredictContext(ctx context.Context, x Matrix[T]) (Matrix[T], error) {
	return m.PredictWorkers(ctx, x, 0)
}

// PredictWorkers is PredictContext over the given number of workers (0:
// GOMAXPROCS). The outputs do not depend on the number. With one worker, or
// rows for one block, it runs on the calling goroutine — the cheap path for
// a server's small requests.
func (m *Model[T]) PredictWorkers(ctx context.Context, x Matrix[T], workers int) (Matrix[T], error) {
	if err := m.acquire(); err != nil {
		return Matrix[T]{}, err
	}
	defer m.release()
	if err := m.checkCompiled(); err != nil {
		return Matrix[T]{}, err
	}
	if err := m.checkInput(x); err != nil {
		return Matrix[T]{}, err
	}
	if workers < 0 {
		return Matrix[T]{}, fmt.Errorf("nn: predict: %d workers, want at least 1 (or 0 for GOMAXPROCS)", workers)
	}
	if workers == 1 || x.Rows <= evalShard {
		e := newEvaluator(m, 1, x, Matrix[T]{}, nil)
		if err := e.predictSerial(ctx); err != nil {
			return Matrix[T]{}, err
		}
		return e.out, nil
	}
	var e *evaluator[T]
	err := parallel.Run(ctx, workers, func(p *parallel.Pool) error {
		e = newEvaluator(m, p.Workers(), x, Matrix[T]{}, nil)
		return e.predict(p)
	})
	if err != nil {
		return Matrix[T]{}, err
	}
	return e.out, nil
}

// Evaluate returns the mean loss of the model on (x, y), including the
// layers' regularization penalties, as Keras reports it.
func (m *Model[T]) Evaluate(x, y Matrix[T]) (float64, error) {
	loss, _, err := m.EvaluateMetrics(x, y)
	return loss, err
}

// EvaluateMetrics returns the mean loss and the task's metrics on (x, y):
// "accuracy" for cross-entropy losses; "rmse", "mae" and "r2" (the mean
// over outputs of R²) otherwise. It runs in parallel over GOMAXPROCS
// workers, with results that do not depend on their number, and may be
// called from several goroutines at once; while Fit runs on the model it
// fails with ErrBusy, except while Fit's callbacks run (see Model).
func (m *Model[T]) EvaluateMetrics(x, y Matrix[T]) (float64, map[string]float64, error) {
	return m.EvaluateMetricsContext(context.Background(), x, y)
}

// EvaluateMetricsContext is EvaluateMetrics stopped early, with the
// context's error, when ctx is cancelled.
func (m *Model[T]) EvaluateMetricsContext(ctx context.Context, x, y Matrix[T]) (float64, map[string]float64, error) {
	return m.EvaluateWorkers(ctx, x, y, 0)
}

// EvaluateWorkers is EvaluateMetricsContext over the given number of
// workers (0: GOMAXPROCS). The loss and metrics do not depend on the
// number.
func (m *Model[T]) EvaluateWorkers(ctx context.Context, x, y Matrix[T], workers int) (float64, map[string]float64, error) {
	if err := m.acquire(); err != nil {
		return 0, nil, err
	}
	defer m.release()
	if err := m.checkData(x, y); err != nil {
		return 0, nil, err
	}
	if x.Rows == 0 {
		return 0, nil, errors.New("nn: evaluate: no rows")
	}
	if workers < 0 {
		return 0, nil, fmt.Errorf("nn: evaluate: %d workers, want at least 1 (or 0 for GOMAXPROCS)", workers)
	}
	var (
		loss    float64
		metrics map[string]float64
	)
	err := parallel.Run(ctx, workers, func(p *parallel.Pool) (err error) {
		loss, metrics, err = newEvaluator(m, p.Workers(), x, y, nil).evaluate(p)
		return err
	})
	return loss, metrics, err
}
