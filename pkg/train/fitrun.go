package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// PCG stream identifiers: each use of the seed draws from its own stream
// (nn's initial weights draw from stream 1).
const (
	shuffleStream    = 2 // the per-epoch shuffle
	validationStream = 3 // the validation split
)

// valSet is the validation data: rows idx of src, or all rows when idx is
// nil.
type valSet[T nn.Float] struct {
	src Source[T]
	idx []int
}

// validation returns the training rows and the validation set, if any.
func validation[T nn.Float](ctx context.Context, m *nn.Model[T], src Source[T], opt Options) (rowSet, *valSet[T], error) {
	rows := src.Len()
	all := rowSet{n: rows}
	split := opt.ValidationSplit
	given := 0
	for _, b := range []bool{opt.ValidationData != nil, split != 0, opt.ValidationRows != nil} {
		if b {
			given++
		}
	}
	switch {
	case given > 1:
		return all, nil, errors.New("train: give one of ValidationSplit, ValidationData and ValidationRows")
	case opt.ValidationRows != nil:
		return validationRows(src, opt.ValidationRows)
	case opt.ValidationData != nil:
		d, err := sourceOf[T](opt.ValidationData)
		if err != nil {
			return all, nil, err
		}
		if err := checkSource(m, d); err != nil {
			return all, nil, fmt.Errorf("train: ValidationData: %w", err)
		}
		if d.Len() == 0 {
			return all, nil, errors.New("train: ValidationData has no rows")
		}
		return all, &valSet[T]{src: d}, nil
	case split == 0:
		return all, nil, nil
	}
	val, err := SplitValidation(ctx, rows, split, opt.Seed)
	if err != nil {
		return all, nil, err
	}
	return rowSet{n: rows, held: val}, &valSet[T]{src: src, idx: val}, nil
}

// validationRows holds out the given rows of (x, y).
func validationRows[T nn.Float](src Source[T], rows []int) (rowSet, *valSet[T], error) {
	n := src.Len()
	val := slices.Clone(rows)
	slices.Sort(val)
	for i, r := range val {
		if r < 0 || r >= n || i > 0 && val[i-1] == r {
			return rowSet{}, nil, fmt.Errorf("train: ValidationRows: row %d is out of range or repeated (%d rows)", r, n)
		}
	}
	if len(val) == 0 || len(val) == n {
		return rowSet{}, nil, errors.New("train: ValidationRows leave an empty side")
	}
	return rowSet{n: n, held: val}, &valSet[T]{src: src, idx: val}, nil
}

// SplitRows splits rows 0…rows−1 into training and validation rows, as
// Options.ValidationSplit does with the same seed: a seeded shuffle,
// the last fraction of it for validation (Keras' rounding), each part
// sorted. Code that must fit preprocessing on the training rows only calls
// it with Fit's seed. It stops with ctx's error when ctx ends (a shuffle
// of millions of rows takes a while).
func SplitRows(ctx context.Context, rows int, fraction float64, seed uint64) (train, val []int, err error) {
	if val, err = SplitValidation(ctx, rows, fraction, seed); err != nil {
		return nil, nil, err
	}
	train = make([]int, 0, rows-len(val))
	for r := range (rowSet{n: rows, held: val}).all {
		train = append(train, r)
	}
	return train, val, nil
}

// fitRun is one call of Fit: the loop over epochs, and the TrainState that
// callbacks see.
type fitRun[T nn.Float] struct {
	m             *nn.Model[T]
	opt           Options
	epochs, batch int
	first         int    // epochs already done (when resuming)
	train         rowSet // training rows
	perm          *order // training rows, in this epoch's order
	ahead         []int  // the rows of a batch to come, for a Prefetcher
	val           *valSet[T]
	t             *trainer[T]
	pcg           *rand.PCG // the shuffle's source, saved in checkpoints
	rng           *rand.Rand
	hist          History
	stop          bool
	print         string     // fingerprint, once computed
	runRate       float64    // the optimizer's rate when Fit began
	rateChange    [2]float64 // on resume with another rate: the checkpoint's run rate and its rate then

	hooks  hooks // the callbacks, by hook
	inHook bool  // callbacks are running: the model is open to reads

	// the epoch in progress, for a checkpoint written when Fit is
	// interrupted; epoch is 0 between epochs
	cur struct {
		epoch, batches int
		sum            float64
		start          time.Time
		pcg            rand.PCG // the generator before the epoch's shuffle
	}
	resumeAt *partialEpoch // from a checkpoint written mid-epoch

	// saved states of the callbacks, from a resumed checkpoint
	callbackStates  []json.RawMessage
	callbackWeights []Weights
}

// run trains; when the context is cancelled it writes a checkpoint of the
// exact state (mid-epoch if need be), if Fit has a CheckpointPath.
func (r *fitRun[T]) run(p *parallel.Pool) error {
	err := r.loop(p)
	if err == nil || !(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	where := fmt.Sprintf("after epoch %d", len(r.hist.Epochs))
	if r.cur.epoch != 0 {
		where = fmt.Sprintf("in epoch %d after %d batches", r.cur.epoch, r.cur.batches)
	}
	if r.opt.CheckpointPath == "" {
		return fmt.Errorf("train: interrupted %s: %w", where, err)
	}
	if cerr := r.Checkpoint(); cerr != nil {
		return fmt.Errorf("train: interrupted %s; writing the checkpoint failed (%v): %w", where, cerr, err)
	}
	return fmt.Errorf("train: interrupted %s; checkpoint %s written: %w", where, r.opt.CheckpointPath, err)
}

func (r *fitRun[T]) loop(p *parallel.Pool) error {
	var ev *evaluator[T]
	if r.val != nil {
		ev = newEvaluator(r.m, p.Workers(), r.val.src, r.val.idx)
		ev.metrics.Scale = r.opt.MetricScale
		ev.comm = r.opt.Comm
	}
	if err := runHooks(r, r.hooks.trainBegin, func(c TrainBeginner) error { return c.OnTrainBegin(r) }); err != nil {
		return err
	}
	if err := r.restoreCallbacks(); err != nil {
		return err
	}
	// An epoch interrupted midway is finished even if training was asked to
	// stop during it: stopping takes effect at an epoch's end.
	for e := r.first + 1; e <= r.epochs && (!r.stop || r.resumeAt != nil); e++ {
		if err := r.epoch(p, ev, e); err != nil {
			return err
		}
		if r.opt.CheckpointPath != "" && e%max(r.opt.CheckpointEvery, 1) == 0 && e < r.epochs && !r.stop {
			if err := r.Checkpoint(); err != nil {
				return err
			}
		}
	}
	if err := runHooks(r, r.hooks.trainEnd, func(c TrainEnder) error { return c.OnTrainEnd(r) }); err != nil {
		return err
	}
	for _, c := range r.opt.Callbacks {
		if es, ok := c.(*EarlyStopping); ok && es.restored() {
			r.hist.Restored = es.BestEpoch()
		}
	}
	if r.opt.CheckpointPath != "" { // after OnTrainEnd, which may restore the best weights
		return r.Checkpoint()
	}
	return nil
}

// prefetcher returns a function that tells the source, if it is a
// Prefetcher, of the rows of batch b (from 1) of this epoch's n rows in
// batches of size that this process will gather (its lanes' rows, under
// a Comm; every row of the batch, of a Loader, since each rank reads the
// rows it keeps of any lane); nothing past the epoch's end.
func (r *fitRun[T]) prefetcher(n, size int) func(b int) {
	pf, ok := r.t.src.(Prefetcher)
	if !ok {
		return func(int) {}
	}
	_, whole := r.t.src.(Loader)
	if len(r.ahead) < size {
		r.ahead = make([]int, size)
	}
	return func(b int) {
		lo := (b - 1) * size
		if lo >= n {
			return
		}
		rows := r.perm.rows(lo, min(lo+size, n), r.ahead)
		if whole {
			pf.Prefetch(rows)
			return
		}
		if l, err := parallel.NewLayout(len(rows), r.t.par.ShardSize, r.t.par.MaxLanes); err == nil {
			a, z := r.t.sum.owned(l.Lanes()) // this process's lanes, a run of the batch's rows
			if a >= z {
				return // none this step
			}
			first, _ := l.LaneShards(a)
			_, end := l.LaneShards(z - 1)
			from, _ := l.Shard(first)
			_, to := l.Shard(end - 1)
			rows = rows[from:to]
		}
		pf.Prefetch(rows)
	}
}

// epoch trains epoch e, evaluates, logs and runs the epoch-end callbacks.
func (r *fitRun[T]) epoch(p *parallel.Pool, ev *evaluator[T], e int) error {
	if err := runHooks(r, r.hooks.epochBegin, func(c EpochBeginner) error { return c.OnEpochBegin(r, e) }); err != nil {
		return err
	}
	start := time.Now()
	n := r.perm.len()
	r.cur.epoch, r.cur.batches, r.cur.sum, r.cur.pcg = e, 0, 0, *r.pcg
	switch {
	case r.opt.NoShuffle:
	case r.opt.ShuffleWindow > 0: // a function of the seed and the epoch
		r.perm.windows(r.train, r.opt.Seed, e, r.opt.ShuffleWindow)
	default: // a fresh permutation every epoch: the generator's state is all a resume needs
		r.perm.reset(r.train)
		if err := r.perm.shuffle(p.Context(), r.rng); err != nil { // never cancelled across MPI ranks
			return err
		}
	}
	log := EpochLog{Epoch: e, LearningRate: nn.LearningRate(r.m.Optimizer()), ValLoss: math.NaN()}
	clear(r.t.epochAcc)
	var sum float64
	if pe := r.resumeAt; pe != nil { // the part of this epoch done before the interruption
		r.resumeAt = nil
		r.cur.batches, sum, start = pe.Batches, pe.Sum, start.Add(-pe.Train)
		r.cur.sum = sum
		copy(r.t.epochAcc, pe.Acc)
	}
	r.cur.start = start
	size := min(r.batch, n) // a batch larger than the data is all of it
	prefetch := r.prefetcher(n, size)
	for b := r.cur.batches + 1; b < r.cur.batches+1+PrefetchBatches; b++ {
		prefetch(b)
	}
	for b, lo := r.cur.batches+1, r.cur.batches*size; lo < n; b, lo = b+1, lo+size {
		prefetch(b + PrefetchBatches)
		batch := r.perm.batch(lo, min(lo+size, n))
		if err := r.step(p, e, b, batch, &sum); err != nil {
			return err
		}
		r.cur.batches, r.cur.sum = b, sum
		if err := r.batchEnd(e, b, lo+len(batch), sum); err != nil {
			return err
		}
	}
	log.TrainTime = time.Since(start)
	log.Loss = sum / float64(n)
	log.Metrics = r.t.metrics.Finish(r.t.epochAcc)
	if ev != nil {
		var err error
		if log.ValLoss, log.ValMetrics, err = ev.evaluate(p); err != nil {
			return err
		}
		if !finiteScalar(log.ValLoss) {
			return &DivergenceError{Epoch: e, Loss: log.ValLoss, Layer: -1, LearningRate: nn.LearningRate(r.m.Optimizer())}
		}
	}
	log.Duration = time.Since(start)
	r.hist.Epochs = append(r.hist.Epochs, log)
	r.cur.epoch = 0
	if r.opt.Log != nil {
		fmt.Fprintln(r.opt.Log, log.Line(r.epochs))
	}
	last := &r.hist.Epochs[len(r.hist.Epochs)-1]
	return runHooks(r, r.hooks.epochEnd, func(c Callback) error { return c.OnEpochEnd(r, last) })
}

// runHooks calls call on every callback of list, in order, with the model
// open to reads (see enter); it stops at the first error.
func runHooks[H any, T nn.Float](r *fitRun[T], list []H, call func(H) error) error {
	if len(list) == 0 {
		return nil
	}
	r.enter()
	defer r.leave()
	for _, c := range list {
		if err := call(c); err != nil {
			return err
		}
	}
	return nil
}

// batchEnd runs the OnBatchEnd hooks after batch b of epoch e, samples
// into the epoch, their losses summing to sum.
func (r *fitRun[T]) batchEnd(e, b, samples int, sum float64) error {
	if len(r.hooks.batchEnd) == 0 {
		return nil
	}
	r.enter()
	defer r.leave()
	for _, c := range r.hooks.batchEnd {
		if err := c.OnBatchEnd(r, e, b, samples, sum/float64(samples)); err != nil {
			return err
		}
	}
	return nil
}

// enter opens the model to Predict and Evaluate while callbacks run (the
// weights do not change then, but by RestoreWeights); leave waits for the
// reads let in to end.
func (r *fitRun[T]) enter() { r.m.Guard().Open(); r.inHook = true }
func (r *fitRun[T]) leave() { r.inHook = false; r.m.Guard().Close() }

// step makes the optimizer step for batch b of epoch e, adding its loss
// (times its rows) to sum. A non-finite loss or gradient stops it before
// the update; an update that makes weights non-finite is reported after.
func (r *fitRun[T]) step(p *parallel.Pool, e, b int, batch []int, sum *float64) error {
	r.t.epoch, r.t.step = uint64(e), uint64(b)
	s, err := r.t.gradient(p, batch)
	if err != nil {
		return err
	}
	if !finiteScalar(s) {
		return r.t.diverged(e, b, s, batch, false)
	}
	norm, err := r.t.gradNorm(p)
	if err != nil {
		return err
	}
	if !finiteScalar(norm) {
		return r.t.diverged(e, b, s, batch, false)
	}
	if c := r.opt.ClipNorm; c > 0 && norm > c {
		if err := r.t.scaleGrad(p, c/norm); err != nil {
			return err
		}
	}
	if err := r.t.apply(p); err != nil {
		return err
	}
	r.m.Constrain()
	if r.t.updateOverflowed() {
		return r.t.diverged(e, b, s, batch, true)
	}
	r.t.commitMetrics()
	*sum += s
	return nil
}

// LearningRate implements TrainState.
func (r *fitRun[T]) LearningRate() float64 { return nn.LearningRate(r.m.Optimizer()) }

// SetLearningRate implements TrainState.
func (r *fitRun[T]) SetLearningRate(lr float64) { nn.SetLearningRate(r.m.Optimizer(), lr) }

// SaveWeights implements TrainState.
func (r *fitRun[T]) SaveWeights() Weights { return weightsOf(r.m.Params()) }

// RestoreWeights implements TrainState.
func (r *fitRun[T]) RestoreWeights(w Weights) error {
	if !fits[T](w, len(r.m.Params())) {
		return errors.New("train: restore weights: they were saved from another model")
	}
	if r.inHook { // wait for the reads on other goroutines
		r.m.Guard().Close()
		defer r.m.Guard().Open()
	}
	copyWeights(r.m.Params(), w)
	return nil
}

// StopTraining implements TrainState.
func (r *fitRun[T]) StopTraining() { r.stop = true }

// Samples implements TrainState.
func (r *fitRun[T]) Samples() int { return r.train.len() }

// finiteScalar reports whether x is neither NaN nor ±Inf.
func finiteScalar(x float64) bool { return x-x == 0 }
