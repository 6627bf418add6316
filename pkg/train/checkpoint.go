package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/internal/floatslice"
	"github.com/densetrain/densetrain/pkg/nn"
)

// A checkpoint is nn's checkpoint file (nn.Model.WriteCheckpoint): the
// model's weights and optimizer slots, weights kept by callbacks as
// "callback.i.weights", and as its state a checkpointState
// (checkpoint_state.go).

// fingerprint hashes the training data and the options that decide the
// run's arithmetic, so that a resume with other data or options fails
// instead of silently diverging from the uninterrupted run. The worker
// count, which changes nothing, is left out.
func (r *fitRun[T]) fingerprint() (string, error) {
	if r.print != "" {
		return r.print, nil
	}
	// Of rows spread over the ranks, rank 0 hashes them all and tells the
	// others: no rank but rank 0 receives every row.
	c := r.opt.Comm
	ld, spread := r.t.src.(Loader)
	if spread = spread && c != nil && c.Size() > 1; spread && c.Rank() != 0 {
		for lo := 0; lo < r.t.src.Len(); lo += hashRows {
			if err := ld.Load(nil); err != nil {
				return "", err
			}
		}
		b := make([]byte, 2*sha256.Size)
		if err := c.Bcast(b, 0); err != nil {
			return "", err
		}
		r.print = string(b)
		return r.print, nil
	}
	h := sha256.New()
	o := r.opt
	if o.ShuffleWindow > 0 { // (a line of its own: the fingerprints of runs without it do not change)
		fmt.Fprintf(h, "window %d×%d\n", o.ShuffleWindow, ShuffleBlock)
	}
	fmt.Fprintf(h, "%d %d %v %v %v %v %v %v %d %d\n", r.batch, o.Seed, o.NoShuffle, o.ValidationSplit, o.ClipNorm,
		o.ClassWeights, o.BalanceClasses, o.SampleWeights, r.t.par.ShardSize, r.t.par.MaxLanes)
	if err := hashInputs(h, r.t.src); err != nil {
		return "", err
	}
	y := r.t.y
	fmt.Fprintf(h, "%d×%d\n", y.Rows, y.Cols)
	h.Write(floatslice.AsBytes(y.Data))
	if r.val != nil && r.val.idx == nil { // explicit validation data
		fmt.Fprintf(h, "val %d×%d\n", r.val.src.Len(), r.val.src.Width())
		if d, ok := r.val.src.(*Matrices[T]); ok { // its rows too: another file's would be compared with this one's best
			fmt.Fprintf(h, "val rows %d×%d\n", d.Y.Rows, d.Y.Cols)
			h.Write(floatslice.AsBytes(d.X.Data))
			h.Write(floatslice.AsBytes(d.Y.Data))
		}
	}
	if o.ValidationRows != nil {
		fmt.Fprintf(h, "val rows %v\n", r.val.idx)
	}
	r.print = hex.EncodeToString(h.Sum(nil))
	if spread {
		if err := c.Bcast([]byte(r.print), 0); err != nil {
			return "", err
		}
	}
	return r.print, nil
}

// hashRows is the rows hashInputs gathers at a time.
const hashRows = 4096

// hashInputs writes the shape and the bytes of src's inputs to h, as
// those of one matrix, gathering blocks of rows.
func hashInputs[T nn.Float](h io.Writer, src Source[T]) error {
	fmt.Fprintf(h, "%d×%d\n", src.Len(), src.Width())
	if d, ok := src.(*Matrices[T]); ok {
		h.Write(floatslice.AsBytes(d.X.Data))
		return nil
	}
	const block = hashRows
	buf := nn.NewMatrix[T](min(block, src.Len()), src.Width(), nil)
	rows := make([]int, buf.Rows)
	for lo := 0; lo < src.Len(); lo += block {
		n := min(block, src.Len()-lo)
		for i := range n {
			rows[i] = lo + i
		}
		x := buf.SliceRows(0, n)
		if ld, ok := src.(Loader); ok {
			if err := ld.Load(rows[:n]); err != nil {
				return err
			}
		}
		if err := src.Gather(rows[:n], x); err != nil {
			return err
		}
		h.Write(floatslice.AsBytes(x.Data))
	}
	return nil
}

// Checkpoint implements TrainState: it writes the checkpoint now, if Fit
// has a CheckpointPath.
func (r *fitRun[T]) Checkpoint() error {
	if r.opt.CheckpointPath == "" {
		return errors.New("train: checkpoint requested but Options.CheckpointPath is empty")
	}
	if c := r.opt.Comm; c != nil && c.Rank() != 0 {
		return nil // rank 0 writes it
	}
	return atomicfile.Write(r.opt.CheckpointPath, r.writeCheckpoint)
}

func (r *fitRun[T]) writeCheckpoint(w io.Writer) error {
	m := r.m
	rng, err := r.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	fp, err := r.fingerprint()
	if err != nil {
		return err
	}
	st := checkpointState{Epoch: len(r.hist.Epochs), Stopped: r.stop, Steps: nn.Steps(m.Optimizer()), Optimizer: m.Optimizer().Name(),
		LearningRate: nn.LearningRate(m.Optimizer()), RunRate: r.runRate, RNG: rng, Fingerprint: fp, History: toJSON(r.hist.Epochs)}
	switch {
	case r.cur.epoch != 0: // written mid-epoch, on an interruption
		erng, err := r.cur.pcg.MarshalBinary()
		if err != nil {
			return err
		}
		pe := partialEpoch{Batches: r.cur.batches, Sum: r.cur.sum, Acc: r.t.epochAcc, Train: time.Since(r.cur.start)}
		st.Partial = pe.toJSON(erng)
	case r.resumeAt != nil: // resumed mid-epoch, and that epoch has not started again yet
		st.Partial = r.resumeAt.toJSON(rng) // the generator is at the epoch's pre-shuffle state
	}
	var vecs []nn.Vector[T]
	for i, sc := range r.stateful() {
		b, wts, err := sc.MarshalState()
		if err != nil {
			return fmt.Errorf("train: checkpoint: callback %d: %w", i, err)
		}
		st.Callbacks = append(st.Callbacks, b)
		if n := wts.Len(); n > 0 {
			if !fits[T](wts, n) {
				return fmt.Errorf("train: checkpoint: callback %d keeps weights of another precision", i)
			}
			v := make([]T, n)
			copyWeights(v, wts)
			vecs = append(vecs, nn.Vector[T]{Name: callbackWeights(i), Data: v})
		}
	}
	state, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("train: checkpoint state: %w", err)
	}
	return m.WriteCheckpoint(w, state, vecs)
}

// callbackWeights is the name of the weights callback i keeps in a
// checkpoint.
func callbackWeights(i int) string { return fmt.Sprintf("callback.%d.weights", i) }

// resume restores the run from the checkpoint at CheckpointPath, if the
// file exists, and returns the number of epochs it had completed.
func (r *fitRun[T]) resume() (int, error) {
	path := r.opt.CheckpointPath
	names := make([]string, len(r.stateful()))
	for i := range names {
		names[i] = callbackWeights(i)
	}
	var st checkpointState
	c, err := r.m.ReadCheckpoint(path, names, func(state []byte) error { return r.check(state, &st) })
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil // nothing to resume: start afresh
	}
	if err != nil {
		return 0, &CheckpointError{path, err}
	}
	epoch, err := r.restore(c, &st)
	if err != nil {
		return 0, &CheckpointError{path, err}
	}
	if epoch > r.epochs && r.opt.Warn != nil {
		fmt.Fprintf(r.opt.Warn, "the checkpoint's run trained %d epochs, more than this run's %d: nothing more to train, the checkpoint's weights are kept\n", epoch, r.epochs)
	}
	if was := r.rateChange; was[0] != 0 && r.opt.Warn != nil {
		fmt.Fprintf(r.opt.Warn, "resuming after epoch %d with learning rate %g: the checkpoint's run was given %g (and was at %g)\n",
			epoch, r.runRate, was[0], was[1])
	}
	return epoch, nil
}

// A CheckpointError is a checkpoint that Fit cannot resume from: it cannot
// be read, is damaged, or was written for another architecture, other data
// or other options. Path is the checkpoint's.
type CheckpointError struct {
	Path string
	Err  error
}

// Error implements error.
func (e *CheckpointError) Error() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) && pe.Path == e.Path { // the path once
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *CheckpointError) Unwrap() error { return e.Err }

// check parses a checkpoint's state into st and checks it against this
// run: the optimizer, the data and options, the callbacks.
func (r *fitRun[T]) check(state []byte, st *checkpointState) error {
	if err := json.Unmarshal(state, st); err != nil {
		return fmt.Errorf("checkpoint: bad state: %w", err)
	}
	fp, err := r.fingerprint()
	if err != nil {
		return err
	}
	switch name := r.m.Optimizer().Name(); {
	case st.Optimizer != name:
		return fmt.Errorf("checkpoint: it was written with optimizer %s, this run uses %s", st.Optimizer, name)
	case st.Fingerprint != fp:
		return errors.New("checkpoint: it was written for other data or other training options (batch size, seed, shuffling, validation split or data, weights, clipping, shard size or lanes)")
	case st.Epoch != len(st.History):
		return fmt.Errorf("checkpoint: %d epochs done but %d in the history", st.Epoch, len(st.History))
	case len(st.Callbacks) != len(r.stateful()):
		return fmt.Errorf("checkpoint: it holds the states of %d callbacks (early stopping, reduce on plateau), this run has %d",
			len(st.Callbacks), len(r.stateful()))
	}
	return nil
}

// restore restores the model, the optimizer, the generator and the
// history from a checkpoint that nn has read and checked against the
// model, whose state check has checked; the callbacks' states wait in
// r.callbackStates for restoreCallbacks.
func (r *fitRun[T]) restore(c *nn.Checkpoint[T], st *checkpointState) (int, error) {
	m := r.m
	pcg := *r.pcg
	if err := pcg.UnmarshalBinary(st.RNG); err != nil {
		return 0, fmt.Errorf("checkpoint: bad generator state: %w", err)
	}
	var partial *partialEpoch
	if pj := st.Partial; pj != nil {
		if err := pcg.UnmarshalBinary(pj.RNG); err != nil { // the epoch restarts from its shuffle
			return 0, fmt.Errorf("checkpoint: bad generator state: %w", err)
		}
		batches := (r.train.len()-1)/r.batch + 1
		if st.Epoch >= r.epochs {
			return 0, fmt.Errorf("checkpoint: it was interrupted in epoch %d, beyond this run's %d epochs", st.Epoch+1, r.epochs)
		}
		if pj.Batches < 0 || pj.Batches > batches || len(pj.Metrics) != len(r.t.epochAcc) {
			return 0, fmt.Errorf("checkpoint: bad interrupted epoch (%d of %d batches, %d metric counts)", pj.Batches, batches, len(pj.Metrics))
		}
		partial = &partialEpoch{Batches: pj.Batches, Sum: float64(pj.LossSum), Train: time.Duration(pj.TrainNanos)}
		for _, v := range pj.Metrics {
			partial.Acc = append(partial.Acc, float64(v))
		}
	}
	r.callbackWeights = make([]Weights, len(st.Callbacks))
	for i := range st.Callbacks {
		if v, ok := c.Vectors[callbackWeights(i)]; ok {
			r.callbackWeights[i] = weightsOf(v)
		}
	}
	// Everything checked: restore.
	copy(m.Params(), c.Params)
	opt := m.Optimizer().(nn.StatefulOptimizer[T]) // Fit checked it
	for i, s := range opt.Slots() {
		copy(s, c.Slots[i])
	}
	*r.pcg = pcg
	opt.SetSteps(st.Steps)
	nn.SetLearningRate(m.Optimizer(), st.LearningRate)
	if st.RunRate != 0 && st.RunRate != r.runRate { // this run was given another rate: it applies from here
		nn.SetLearningRate(m.Optimizer(), r.runRate)
		r.rateChange = [2]float64{st.RunRate, st.LearningRate}
	}
	r.hist.Epochs = fromJSON(st.History)
	r.stop = st.Stopped
	r.callbackStates = st.Callbacks
	r.resumeAt = partial
	return st.Epoch, nil
}

// stateful returns the callbacks whose state checkpoints keep, in order.
// Others, such as progress displays, may differ between a run and its
// resumption.
func (r *fitRun[T]) stateful() []StatefulCallback {
	var s []StatefulCallback
	for _, c := range r.opt.Callbacks {
		if sc, ok := c.(StatefulCallback); ok {
			s = append(s, sc)
		}
	}
	return s
}

// restoreCallbacks gives the resumed callbacks their saved states; it runs
// after their OnTrainBegin. A state a callback refuses (one of another
// monitored quantity, say) is a *CheckpointError.
func (r *fitRun[T]) restoreCallbacks() error {
	for i, sc := range r.stateful() {
		if i >= len(r.callbackStates) {
			break
		}
		if err := sc.UnmarshalState(r.callbackStates[i], r.callbackWeights[i]); err != nil {
			return &CheckpointError{r.opt.CheckpointPath, fmt.Errorf("checkpoint: %w", err)}
		}
	}
	return nil
}
