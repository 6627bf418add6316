package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// validationStream is the PCG stream of the validation split.
const validationStream = 3

// valSet is the validation data: rows idx of (x, y), or all rows when idx
// is nil.
type valSet[T Float] struct {
	x, y Matrix[T]
	idx  []int
}

// validation returns the training rows and the validation set, if any.
func (m *Model[T]) validation(x, y Matrix[T], opt FitOptions) ([]int, *valSet[T], error) {
	all := make([]int, x.Rows)
	for i := range all {
		all[i] = i
	}
	split := opt.ValidationSplit
	switch {
	case opt.ValidationData.v != nil && split != 0:
		return nil, nil, errors.New("nn: fit: give a validation split or validation data, not both")
	case opt.ValidationData.v != nil:
		d, ok := opt.ValidationData.v.([2]Matrix[T])
		if !ok {
			return nil, nil, errors.New("nn: fit: the validation data has another precision than the model")
		}
		if err := m.checkData(d[0], d[1]); err != nil {
			return nil, nil, fmt.Errorf("validation data: %w", err)
		}
		if d[0].Rows == 0 {
			return nil, nil, errors.New("nn: fit: the validation data has no rows")
		}
		return all, &valSet[T]{x: d[0], y: d[1]}, nil
	case split == 0:
		return all, nil, nil
	case !(split > 0 && split < 1):
		return nil, nil, fmt.Errorf("nn: fit: validation split %v, want a fraction in (0, 1)", split)
	}
	nTrain := int(float64(x.Rows) * (1 - split)) // as Keras splits
	if nTrain == 0 || nTrain == x.Rows {
		return nil, nil, fmt.Errorf("nn: fit: validation split %v of %d rows leaves an empty side", split, x.Rows)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, validationStream))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	train, val := all[:nTrain], all[nTrain:]
	slices.Sort(train)
	slices.Sort(val)
	return train, &valSet[T]{x: x, y: y, idx: val}, nil
}

// fitRun is one call of Fit: the loop over epochs, and the TrainState that
// callbacks see.
type fitRun[T Float] struct {
	m             *Model[T]
	opt           FitOptions
	epochs, batch int
	first         int   // epochs already done (when resuming)
	train         []int // training rows, in order
	perm          []int // training rows, in this epoch's order
	val           *valSet[T]
	t             *trainer[T]
	pcg           *rand.PCG // the shuffle's source, saved in checkpoints
	rng           *rand.Rand
	hist          History
	stop          bool
}

func (r *fitRun[T]) run(p *parallel.Pool) error {
	var ev *evaluator[T]
	if r.val != nil {
		ev = newEvaluator(r.m, p.Workers(), r.val.x, r.val.y, r.val.idx)
	}
	n := len(r.perm)
	for e := r.first + 1; e <= r.epochs && !r.stop; e++ {
		for _, c := range r.opt.Callbacks {
			if err := c.OnEpochBegin(r, e); err != nil {
				return err
			}
		}
		start := time.Now()
		if !r.opt.NoShuffle { // a fresh permutation every epoch: the generator's state is all a resume needs
			copy(r.perm, r.train)
			r.rng.Shuffle(n, func(i, j int) { r.perm[i], r.perm[j] = r.perm[j], r.perm[i] })
		}
		log := EpochLog{Epoch: e, LearningRate: r.m.opt.LearningRate(), ValLoss: math.NaN()}
		clear(r.t.epochAcc)
		var sum float64
		for b, lo := 1, 0; lo < n; b, lo = b+1, lo+r.batch {
			s, err := r.t.gradient(p, r.perm[lo:min(lo+r.batch, n)])
			if err != nil {
				return err
			}
			if math.IsNaN(s) || math.IsInf(s, 0) {
				return r.t.diverged(e, b, s, r.perm[lo:min(lo+r.batch, n)])
			}
			if r.opt.ClipNorm > 0 {
				if err := r.t.clip(p, r.opt.ClipNorm); err != nil {
					return err
				}
			}
			if err := r.t.apply(p); err != nil {
				return err
			}
			sum += s
		}
		log.Loss = sum / float64(n)
		log.Metrics = finish(r.t.metrics, r.t.epochAcc)
		if ev != nil {
			var err error
			if log.ValLoss, log.ValMetrics, err = ev.evaluate(p); err != nil {
				return err
			}
		}
		log.Duration = time.Since(start)
		r.hist.Epochs = append(r.hist.Epochs, log)
		if r.opt.Log != nil {
			fmt.Fprintf(r.opt.Log, "epoch %d/%d %s\n", e, r.epochs, log)
		}
		for _, c := range r.opt.Callbacks {
			if err := c.OnEpochEnd(r, &r.hist.Epochs[len(r.hist.Epochs)-1]); err != nil {
				return err
			}
		}
		if r.opt.CheckpointPath != "" && (e%max(r.opt.CheckpointEvery, 1) == 0 || e == r.epochs || r.stop) {
			if err := r.Checkpoint(); err != nil {
				return err
			}
		}
	}
	for _, c := range r.opt.Callbacks {
		if err := c.OnTrainEnd(r); err != nil {
			return err
		}
	}
	return nil
}

// LearningRate implements TrainState.
func (r *fitRun[T]) LearningRate() float64 { return r.m.opt.LearningRate() }

// SetLearningRate implements TrainState.
func (r *fitRun[T]) SetLearningRate(lr float64) { r.m.opt.SetLearningRate(lr) }

// SaveWeights implements TrainState.
func (r *fitRun[T]) SaveWeights() Weights { return Weights{slices.Clone(r.m.params)} }

// RestoreWeights implements TrainState.
func (r *fitRun[T]) RestoreWeights(w Weights) {
	copy(r.m.params, w.v.([]T))
	r.t.version++ // replicas must copy the restored weights
}

// StopTraining implements TrainState.
func (r *fitRun[T]) StopTraining() { r.stop = true }

// DivergenceError reports a batch whose loss was not finite. The step was
// not applied: the model keeps the weights from before it.
type DivergenceError struct {
	Epoch, Batch int     // 1-based
	Loss         float64 // the batch's loss (NaN or ±Inf)
	Layer        int     // 0-based index of the first layer with non-finite values, -1 if none was found
	LayerName    string
	Where        string // "weights", "outputs", "gradient" or "loss" (finite outputs, overflowing loss)
	LearningRate float64
}

func (e *DivergenceError) Error() string {
	var where string
	switch {
	case e.Layer < 0:
		where = "the batch's inputs or targets hold NaN or Inf"
	case e.Where == "loss":
		where = fmt.Sprintf("the outputs of the last layer %d (%q) are finite but too large for the loss", e.Layer, e.LayerName)
	default:
		where = fmt.Sprintf("the first non-finite values are in the %s of layer %d (%q)", e.Where, e.Layer, e.LayerName)
	}
	return fmt.Sprintf("nn: training diverged at epoch %d, batch %d: the loss is %v; %s; "+
		"try a lower learning rate (now %g) or standardized inputs", e.Epoch, e.Batch, e.Loss, where, e.LearningRate)
}

// diverged diagnoses a non-finite batch loss: non-finite inputs or targets,
// else the first layer whose weights, then outputs on the batch, then
// gradient hold a NaN or an Inf, else a loss that overflowed on finite
// outputs.
func (t *trainer[T]) diverged(epoch, batch int, loss float64, idx []int) error {
	m := t.m
	err := &DivergenceError{Epoch: epoch, Batch: batch, Loss: loss, Layer: -1, LearningRate: m.opt.LearningRate()}
	found := func(i int, where string) error {
		err.Layer, err.LayerName, err.Where = i, m.layers[i].Name(), where
		return err
	}
	a := NewMatrix[T](len(idx), t.x.Cols, nil)
	for r, s := range idx {
		copy(a.Row(r), t.x.Row(s))
		if !finite(t.y.Row(s)) {
			return err
		}
	}
	if !finite(a.Data) {
		return err
	}
	for i := range m.layers {
		if !finite(m.layerView(m.params, i)) {
			return found(i, "weights")
		}
	}
	for i, l := range m.train {
		out := NewMatrix[T](len(idx), l.OutputSize(), nil)
		l.Forward(m.layerView(m.params, i), a, out)
		if !finite(out.Data) {
			return found(i, "outputs")
		}
		a = out
	}
	for i := range m.layers {
		if !finite(m.layerView(t.lanes[0], i)) {
			return found(i, "gradient")
		}
	}
	return found(len(m.layers)-1, "loss")
}

func finite[T Float](v []T) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}
