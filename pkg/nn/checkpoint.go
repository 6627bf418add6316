package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

// A checkpoint is a safetensors file like a model file, with the format
// name CheckpointFormat. Besides the layer tensors it holds the optimizer's
// slots as "optimizer.i" and, in the metadata "state", the epochs done, the
// optimizer's step count and learning rate, the shuffling generator's state
// and the history so far. Resuming from it continues bit-identically.

// CheckpointFormat identifies checkpoint files; CheckpointVersion is the
// newest version this package reads and the one it writes.
const (
	CheckpointFormat  = "densetrain-checkpoint"
	CheckpointVersion = 1
)

// checkpointState is the "state" metadata of a checkpoint.
type checkpointState struct {
	Epoch        int         `json:"epoch"` // epochs completed
	Steps        int         `json:"steps"`
	Optimizer    string      `json:"optimizer"`
	LearningRate float64     `json:"learning_rate"`
	RNG          []byte      `json:"rng"`
	History      []epochJSON `json:"history"`
}

// epochJSON is an EpochLog as JSON, which has no NaN.
type epochJSON struct {
	Epoch        int                `json:"epoch"`
	Loss         float64            `json:"loss"`
	Metrics      map[string]float64 `json:"metrics"`
	ValLoss      *float64           `json:"val_loss,omitempty"`
	ValMetrics   map[string]float64 `json:"val_metrics,omitempty"`
	LearningRate float64            `json:"learning_rate"`
	Nanoseconds  int64              `json:"nanoseconds"`
}

func toJSON(logs []EpochLog) []epochJSON {
	out := make([]epochJSON, len(logs))
	for i, l := range logs {
		out[i] = epochJSON{l.Epoch, l.Loss, l.Metrics, nil, l.ValMetrics, l.LearningRate, int64(l.Duration)}
		if !math.IsNaN(l.ValLoss) {
			v := l.ValLoss
			out[i].ValLoss = &v
		}
	}
	return out
}

func fromJSON(logs []epochJSON) []EpochLog {
	out := make([]EpochLog, len(logs))
	for i, l := range logs {
		out[i] = EpochLog{l.Epoch, l.Loss, l.Metrics, math.NaN(), l.ValMetrics, l.LearningRate, time.Duration(l.Nanoseconds)}
		if l.ValLoss != nil {
			out[i].ValLoss = *l.ValLoss
		}
	}
	return out
}

// Checkpoint implements TrainState: it writes the checkpoint now, if Fit
// has a CheckpointPath.
func (r *fitRun[T]) Checkpoint() error {
	if r.opt.CheckpointPath == "" {
		return errors.New("nn: checkpoint requested but FitOptions.CheckpointPath is empty")
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
	state, err := json.Marshal(checkpointState{Epoch: len(r.hist.Epochs), Steps: m.opt.Steps(), Optimizer: m.opt.Name(),
		LearningRate: m.opt.LearningRate(), RNG: rng, History: toJSON(r.hist.Epochs)})
	if err != nil {
		return fmt.Errorf("nn: checkpoint state: %w", err)
	}
	meta := map[string]string{
		"format":         CheckpointFormat,
		"format_version": strconv.Itoa(CheckpointVersion),
		"architecture":   string(archJSON),
		"state":          string(state),
	}
	tensors := m.weightTensors(arch, m.params)
	for i, s := range m.opt.Slots() {
		tensors = append(tensors, floatTensor(fmt.Sprintf("optimizer.%d", i), []int64{int64(len(s))}, s))
	}
	_, err = writeSafetensors(w, meta, tensors)
	return err
}

// resume restores the run from the checkpoint at CheckpointPath, if the
// file exists, and returns the number of epochs it had completed.
func (r *fitRun[T]) resume() (int, error) {
	path := r.opt.CheckpointPath
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil // nothing to resume: start afresh
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	epoch, err := r.readCheckpoint(f, st.Size())
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return epoch, nil
}

func (r *fitRun[T]) readCheckpoint(rd io.Reader, size int64) (int, error) {
	m := r.m
	meta, tensors, err := readSafetensors(rd, size)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	if err := checkFormat(meta, CheckpointFormat, CheckpointVersion); err != nil {
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
	if st.Optimizer != m.opt.Name() {
		return 0, fmt.Errorf("checkpoint: it was written with optimizer %s, this run uses %s", st.Optimizer, m.opt.Name())
	}
	slots := m.opt.Slots()
	weights := make(map[string]tensor, len(tensors))
	for name, t := range tensors {
		weights[name] = t
	}
	for i, s := range slots {
		name := fmt.Sprintf("optimizer.%d", i)
		t, ok := tensors[name]
		if !ok || len(t.shape) != 1 || t.shape[0] != int64(len(s)) {
			return 0, fmt.Errorf("checkpoint: optimizer slot %s is missing or has the wrong size", name)
		}
		delete(weights, name)
	}
	if err := m.readWeights(arch, weights, m.params); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	for i, s := range slots {
		decodeInto(tensors[fmt.Sprintf("optimizer.%d", i)], s)
	}
	if err := r.pcg.UnmarshalBinary(st.RNG); err != nil {
		return 0, fmt.Errorf("checkpoint: bad generator state: %w", err)
	}
	m.opt.SetSteps(st.Steps)
	m.opt.SetLearningRate(st.LearningRate)
	r.hist.Epochs = fromJSON(st.History)
	if st.Epoch != len(r.hist.Epochs) {
		return 0, fmt.Errorf("checkpoint: %d epochs done but %d in the history", st.Epoch, len(r.hist.Epochs))
	}
	r.t.version++ // replicas must copy the restored weights
	return st.Epoch, nil
}
