package nn

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

// A checkpoint is a safetensors file like a model file (see the package
// doc), with the format name CheckpointFormat. Besides the layer tensors it
// holds the optimizer's slots as "optimizer.i", and weights kept by
// callbacks as "callback.i.weights"; its "state" metadata is a
// checkpointState (checkpoint_state.go).

// CheckpointFormat identifies checkpoint files; CheckpointVersion is the
// newest version this package reads and the one it writes: 2 has the
// checksum cover the header (the state) too, 1 the data alone.
const (
	CheckpointFormat  = "densetrain-checkpoint"
	CheckpointVersion = 2
)

// fingerprint hashes the training data and the options that decide the
// run's arithmetic, so that a resume with other data or options fails
// instead of silently diverging from the uninterrupted run. The worker
// count, which changes nothing, is left out.
func (r *fitRun[T]) fingerprint() string {
	if r.print != "" {
		return r.print
	}
	h := sha256.New()
	o := r.opt
	fmt.Fprintf(h, "%d %d %v %v %v %v %v %v %d %d\n", r.batch, o.Seed, o.NoShuffle, o.ValidationSplit, o.ClipNorm,
		o.ClassWeights, o.BalanceClasses, o.SampleWeights, r.t.par.ShardSize, r.t.par.MaxLanes)
	for _, mat := range []Matrix[T]{r.t.x, r.t.y} {
		fmt.Fprintf(h, "%d×%d\n", mat.Rows, mat.Cols)
		h.Write(asBytes(mat.Data))
	}
	if r.val != nil && r.val.idx == nil { // explicit validation data
		fmt.Fprintf(h, "val %d×%d\n", r.val.x.Rows, r.val.x.Cols)
	}
	if o.ValidationRows != nil {
		fmt.Fprintf(h, "val rows %v\n", r.val.idx)
	}
	r.print = hex.EncodeToString(h.Sum(nil))
	return r.print
}

// Checkpoint implements TrainState: it writes the checkpoint now, if Fit
// has a CheckpointPath.
func (r *fitRun[T]) Checkpoint() error {
	if r.opt.CheckpointPath == "" {
		return errors.New("nn: checkpoint requested but FitOptions.CheckpointPath is empty")
	}
	if c := r.opt.Comm; c != nil && c.Rank() != 0 {
		return nil // rank 0 writes it
	}
	return atomicfile.Write(r.opt.CheckpointPath, r.writeCheckpoint)
}

func (r *fitRun[T]) writeCheckpoint(w io.Writer) error {
	m := r.m
	arch, err := m.architecture()
	if err != nil {
		return err
	}
	archJSON, err := json.Marshal(arch)
	if err != nil {
		return err
	}
	rng, err := r.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	opt := m.opt.(StatefulOptimizer[T]) // Fit checked it
	tensors := m.weightTensors(arch, m.params)
	for i, s := range opt.Slots() {
		tensors = append(tensors, floatTensor(fmt.Sprintf("optimizer.%d", i), []int64{int64(len(s))}, s))
	}
	st := checkpointState{Epoch: len(r.hist.Epochs), Stopped: r.stop, Steps: opt.Steps(), Optimizer: m.opt.Name(),
		LearningRate: learningRate(m.opt), RunRate: r.runRate, RNG: rng, Fingerprint: r.fingerprint(), History: toJSON(r.hist.Epochs)}
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
	for i, sc := range r.stateful() {
		b, wts, err := sc.MarshalState()
		if err != nil {
			return fmt.Errorf("nn: checkpoint: callback %d: %w", i, err)
		}
		st.Callbacks = append(st.Callbacks, b)
		if v, ok := wts.v.([]T); ok {
			tensors = append(tensors, floatTensor(fmt.Sprintf("callback.%d.weights", i), []int64{int64(len(v))}, v))
		}
	}
	state, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("nn: checkpoint state: %w", err)
	}
	meta := map[string]string{
		"format":         CheckpointFormat,
		"format_version": strconv.Itoa(CheckpointVersion),
		"architecture":   string(archJSON),
		"state":          string(state),
	}
	_, err = writeSafetensors(w, meta, tensors)
	return err
}

// resume restores the run from the checkpoint at CheckpointPath, if the
// file exists, and returns the number of epochs it had completed.
func (r *fitRun[T]) resume() (int, error) {
	path := r.opt.CheckpointPath
	f, size, err := openRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil // nothing to resume: start afresh
	}
	if err != nil {
		return 0, &CheckpointError{path, err}
	}
	defer f.Close()
	epoch, err := r.readCheckpoint(f, size)
	if err != nil {
		return 0, &CheckpointError{path, err}
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

// readCheckpoint validates a checkpoint completely, then restores the
// model, the optimizer, the generator and the history from it; the
// callbacks' states wait in r.callbackStates for restoreCallbacks.
func (r *fitRun[T]) readCheckpoint(rd io.Reader, size int64) (int, error) {
	m := r.m
	meta, tensors, err := readSafetensors(rd, size, checkpointFormat, nil)
	if errors.Is(err, errNotSafetensors) {
		return 0, errors.New("not a densetrain checkpoint")
	}
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	arch, err := m.architecture()
	if err != nil {
		return 0, err
	}
	archJSON, _ := json.Marshal(arch)
	if meta["architecture"] != string(archJSON) {
		return 0, errors.New("checkpoint: it was written for another architecture or loss than this model's")
	}
	var st checkpointState
	if err := json.Unmarshal([]byte(meta["state"]), &st); err != nil {
		return 0, fmt.Errorf("checkpoint: bad state: %w", err)
	}
	switch {
	case st.Optimizer != m.opt.Name():
		return 0, fmt.Errorf("checkpoint: it was written with optimizer %s, this run uses %s", st.Optimizer, m.opt.Name())
	case st.Fingerprint != r.fingerprint():
		return 0, errors.New("checkpoint: it was written for other data or other training options (batch size, seed, shuffling, validation split, weights, clipping, shard size or lanes)")
	case st.Epoch != len(st.History):
		return 0, fmt.Errorf("checkpoint: %d epochs done but %d in the history", st.Epoch, len(st.History))
	case len(st.Callbacks) != len(r.stateful()):
		return 0, fmt.Errorf("checkpoint: it holds the states of %d callbacks (early stopping, reduce on plateau), this run has %d",
			len(st.Callbacks), len(r.stateful()))
	}
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
	weights := make(map[string]tensor, len(tensors))
	for name, t := range tensors {
		weights[name] = t
	}
	opt := m.opt.(StatefulOptimizer[T]) // Fit checked it
	slots := opt.Slots()
	for i, s := range slots {
		name := fmt.Sprintf("optimizer.%d", i)
		if t, ok := tensors[name]; !ok || len(t.shape) != 1 || t.shape[0] != int64(len(s)) {
			return 0, fmt.Errorf("checkpoint: optimizer slot %s is missing or has the wrong size", name)
		}
		delete(weights, name)
	}
	r.callbackWeights = make([]Weights, len(st.Callbacks))
	for i := range st.Callbacks {
		name := fmt.Sprintf("callback.%d.weights", i)
		if t, ok := tensors[name]; ok {
			if len(t.shape) != 1 || t.shape[0] != int64(len(m.params)) {
				return 0, fmt.Errorf("checkpoint: %s has the wrong size", name)
			}
			v := make([]T, len(m.params))
			decodeInto(t, v)
			r.callbackWeights[i] = Weights{v}
			delete(weights, name)
		}
	}
	params := make([]T, len(m.params))
	if err := m.readWeights(arch, weights, params); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	// Everything checked: restore.
	copy(m.params, params)
	for i, s := range slots {
		decodeInto(tensors[fmt.Sprintf("optimizer.%d", i)], s)
	}
	*r.pcg = pcg
	opt.SetSteps(st.Steps)
	setLearningRate(m.opt, st.LearningRate)
	if st.RunRate != 0 && st.RunRate != r.runRate { // this run was given another rate: it applies from here
		setLearningRate(m.opt, r.runRate)
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
// after their OnTrainBegin.
func (r *fitRun[T]) restoreCallbacks() error {
	for i, sc := range r.stateful() {
		if i >= len(r.callbackStates) {
			break
		}
		if err := sc.UnmarshalState(r.callbackStates[i], r.callbackWeights[i]); err != nil {
			return fmt.Errorf("nn: resume: callback %d: %w", i, err)
		}
	}
	return nil
}
