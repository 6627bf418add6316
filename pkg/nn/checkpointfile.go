package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/densetrain/densetrain/internal/safetensors"
)

// A checkpoint is a safetensors file like a model file (see the package
// doc), with the format name CheckpointFormat. Besides the layer tensors it
// holds the optimizer's slots as "optimizer.i" and named vectors of the
// parameters' length (a trainer's saved weights); its "state" metadata is
// the trainer's, an opaque JSON document.

// CheckpointFormat identifies checkpoint files; CheckpointVersion is the
// newest version this package reads and the one it writes: 2 has the
// checksum cover the header (the state) too, 1 the data alone.
const (
	CheckpointFormat  = "densetrain-checkpoint"
	CheckpointVersion = 2
)

// checkpointFormat is the checkpoint's format: version 2 has its checksum
// cover the header.
var checkpointFormat = safetensors.Format{Name: CheckpointFormat, Newest: CheckpointVersion, Covers: 2}

// Vector is a named vector of a checkpoint.
type Vector[T Float] struct {
	Name string
	Data []T
}

// Checkpoint is what a checkpoint holds for a model: its parameters, its
// optimizer's slots, named vectors and the trainer's state.
type Checkpoint[T Float] struct {
	Params  []T
	Slots   [][]T
	Vectors map[string][]T
	State   []byte
}

// WriteCheckpoint writes a checkpoint of the model's parameters and its
// optimizer's slots (the optimizer must be a StatefulOptimizer), followed
// by vecs, with state as its "state" metadata.
func (m *Model[T]) WriteCheckpoint(w io.Writer, state []byte, vecs []Vector[T]) error {
	arch, err := m.architecture()
	if err != nil {
		return err
	}
	archJSON, err := json.Marshal(arch)
	if err != nil {
		return err
	}
	opt, ok := m.opt.(StatefulOptimizer[T])
	if !ok {
		return fmt.Errorf("nn: checkpoint: optimizer %s cannot save its state", m.opt.Name())
	}
	tensors := m.weightTensors(arch, m.params)
	for i, s := range opt.Slots() {
		tensors = append(tensors, safetensors.FloatTensor(fmt.Sprintf("optimizer.%d", i), []int64{int64(len(s))}, s))
	}
	for _, v := range vecs {
		tensors = append(tensors, safetensors.FloatTensor(v.Name, []int64{int64(len(v.Data))}, v.Data))
	}
	meta := map[string]string{
		"format":         CheckpointFormat,
		"format_version": strconv.Itoa(CheckpointVersion),
		"architecture":   string(archJSON),
		"state":          string(state),
	}
	_, err = safetensors.Write(w, meta, tensors)
	return err
}

// ErrNotCheckpoint is the error of ReadCheckpoint on a file that is not a
// densetrain checkpoint.
var ErrNotCheckpoint = errors.New("not a densetrain checkpoint")

// ReadCheckpoint reads the checkpoint at path and checks it completely
// against the model — architecture, loss, the optimizer's slots — without
// changing the model. The vectors named in names, each of the parameters'
// length, may be present. A missing file gives an error that is
// fs.ErrNotExist. checkState, when not nil, checks the state once the
// architecture is checked, before the tensors: the trainer's checks (the
// optimizer, the data) come before those of the slots' sizes.
func (m *Model[T]) ReadCheckpoint(path string, names []string, checkState func(state []byte) error) (*Checkpoint[T], error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return m.readCheckpoint(f, size, names, checkState)
}

func (m *Model[T]) readCheckpoint(rd io.Reader, size int64, names []string, checkState func([]byte) error) (*Checkpoint[T], error) {
	meta, tensors, err := safetensors.Read(rd, size, checkpointFormat, nil)
	if errors.Is(err, safetensors.ErrNotSafetensors) {
		return nil, ErrNotCheckpoint
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	arch, err := m.architecture()
	if err != nil {
		return nil, err
	}
	archJSON, _ := json.Marshal(arch)
	if meta["architecture"] != string(archJSON) {
		return nil, errors.New("checkpoint: it was written for another architecture or loss (its label smoothing included) than this model's")
	}
	if checkState != nil {
		if err := checkState([]byte(meta["state"])); err != nil {
			return nil, err
		}
	}
	opt, ok := m.opt.(StatefulOptimizer[T])
	if !ok {
		return nil, fmt.Errorf("nn: checkpoint: optimizer %s cannot restore its state", m.opt.Name())
	}
	c := &Checkpoint[T]{State: []byte(meta["state"]), Vectors: map[string][]T{}}
	weights := make(map[string]safetensors.Tensor, len(tensors))
	for name, t := range tensors {
		weights[name] = t
	}
	for i, s := range opt.Slots() {
		name := fmt.Sprintf("optimizer.%d", i)
		t, ok := tensors[name]
		if !ok || len(t.Shape) != 1 || t.Shape[0] != int64(len(s)) {
			return nil, fmt.Errorf("checkpoint: optimizer slot %s is missing or has the wrong size", name)
		}
		v := make([]T, len(s))
		safetensors.DecodeInto(t, v)
		c.Slots = append(c.Slots, v)
		delete(weights, name)
	}
	for _, name := range names {
		if t, ok := tensors[name]; ok {
			if len(t.Shape) != 1 || t.Shape[0] != int64(len(m.params)) {
				return nil, fmt.Errorf("checkpoint: %s has the wrong size", name)
			}
			v := make([]T, len(m.params))
			safetensors.DecodeInto(t, v)
			c.Vectors[name] = v
			delete(weights, name)
		}
	}
	c.Params = make([]T, len(m.params))
	if err := m.readWeights(arch, weights, c.Params); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return c, nil
}
