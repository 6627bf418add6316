package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"syscall"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/internal/safetensors"
)

// The layout of a model file, a safetensors file (see safetensors.go), is
// in the package doc's "The model file".

// Format identifies densetrain model files; FormatVersion is the newest
// version this package reads, and the one it writes. Version 1 holds Dense
// layers only, 2 any registered kind, both with a checksum of the data
// alone; 3 has the checksum cover the header too (internal/safetensors/checksum.go).
const (
	Format        = "densetrain"
	FormatVersion = 3
)

// architecture is the model description stored in the metadata.
type architecture struct {
	Layers []LayerSpec `json:"layers"`
	Loss   string      `json:"loss"`
	Delta  float64     `json:"loss_delta,omitempty"`
	// Smooth is the loss's label smoothing (LabelSmoothing), which
	// training and the reported loss use; files before it have none.
	Smooth float64 `json:"label_smoothing,omitempty"`
}

// Architecture returns the JSON form of the model's layers and loss, as
// its model file holds it: what a checkpoint or another process must agree
// on. It fails for a layer that is not Specced.
func (m *Model[T]) Architecture() ([]byte, error) {
	arch, err := m.architecture()
	if err != nil {
		return nil, err
	}
	return json.Marshal(arch)
}

// architecture describes the model for its files. It refuses layers that
// a file could not hold or that LoadFile could not build again: without a
// Spec, of a kind not registered in T, or whose spec does not match them.
func (m *Model[T]) architecture() (architecture, error) {
	arch := architecture{Loss: m.loss.Name(), Delta: lossDelta(m.loss), Smooth: LossLabelSmoothing(m.loss)}
	for i, l := range m.layers {
		sp, ok := l.(Specced)
		if !ok {
			return arch, fmt.Errorf("nn: save: layer %d (%q) cannot describe itself (no Spec method)", i, l.Name())
		}
		spec := sp.Spec()
		if _, ok := layerFactory[T](spec.Kind); !ok {
			return arch, fmt.Errorf("nn: save: layer %d (%q) has kind %q, which is not registered for float%d (nn.RegisterLayer): its file could not be loaded",
				i, l.Name(), spec.Kind, bitsOf[T]())
		}
		if err := checkLayer(i, l, spec); err != nil {
			return arch, fmt.Errorf("nn: save: %w", err)
		}
		arch.Layers = append(arch.Layers, spec)
	}
	if _, err := checkSpecs(arch); err != nil {
		return arch, fmt.Errorf("nn: save: %w", err)
	}
	return arch, nil
}

// weightShapes returns the names and shapes of the layer tensors, without data.
func weightShapes(arch architecture) []safetensors.Tensor {
	var ts []safetensors.Tensor
	for i, sp := range arch.Layers {
		switch {
		case sp.Kind == "dense":
			ts = append(ts,
				safetensors.Tensor{Name: fmt.Sprintf("layers.%d.weight", i), Shape: []int64{int64(sp.Inputs), int64(sp.Units)}},
				safetensors.Tensor{Name: fmt.Sprintf("layers.%d.bias", i), Shape: []int64{int64(sp.Units)}})
		case sp.Params > 0:
			ts = append(ts, safetensors.Tensor{Name: fmt.Sprintf("layers.%d.params", i), Shape: []int64{int64(sp.Params)}})
		}
	}
	return ts
}

// weightTensors splits a flat parameter slice into the per-layer tensors,
// named and shaped by weightShapes.
func (m *Model[T]) weightTensors(arch architecture, params []T) []safetensors.Tensor {
	ts := weightShapes(arch)
	k := 0
	for i, sp := range arch.Layers {
		v := m.layerView(params, i)
		switch {
		case sp.Kind == "dense":
			nw := sp.Inputs * sp.Units
			ts[k] = safetensors.FloatTensor(ts[k].Name, ts[k].Shape, v[:nw])
			ts[k+1] = safetensors.FloatTensor(ts[k+1].Name, ts[k+1].Shape, v[nw:])
			k += 2
		case sp.Params > 0:
			ts[k] = safetensors.FloatTensor(ts[k].Name, ts[k].Shape, v)
			k++
		}
	}
	return ts
}

// modelFormat is the model file's format: version 3 has its checksum
// cover the header.
var modelFormat = safetensors.Format{Name: Format, Newest: FormatVersion, Covers: 3}

// WriteTo writes the model file to w. The model must be compiled and made
// of layers that implement Specced.
func (m *Model[T]) WriteTo(w io.Writer) (int64, error) {
	if err := m.acquire(); err != nil {
		return 0, err
	}
	defer m.release()
	if m.params == nil {
		return 0, ErrNotCompiled
	}
	arch, err := m.architecture()
	if err != nil {
		return 0, err
	}
	archJSON, err := json.Marshal(arch)
	if err != nil {
		return 0, err
	}
	meta := map[string]string{
		"format":         Format,
		"format_version": strconv.Itoa(FormatVersion),
		"architecture":   string(archJSON),
	}
	if m.Preprocessing != nil {
		meta["preprocessing"] = string(m.Preprocessing)
	}
	return safetensors.Write(w, meta, m.weightTensors(arch, m.params))
}

// SaveFile writes the model file to path atomically: a temporary file in
// the same directory, synced, then renamed.
func (m *Model[T]) SaveFile(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := m.WriteTo(w)
		return err
	})
}

// errNotModel is a file that is not a model file at all (a CSV, say).
var errNotModel = errors.New("not a densetrain model file")

// LoadFile reads a model file. The weights are converted to T if the file
// holds the other precision. Errors name the file.
func LoadFile[T Float](path string) (*Model[T], error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadModel[T](f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadModel reads a model file of size bytes from r. It validates the
// header against the file size and the architecture before it allocates
// anything large, and checks the checksum of the header and the data. The model it returns can
// Predict and Evaluate; Compile it with an optimizer to train it further.
func ReadModel[T Float](r io.Reader, size int64) (*Model[T], error) {
	var arch architecture
	meta, tensors, err := safetensors.Read(r, size, modelFormat, func(meta map[string]string, infos map[string]safetensors.Info) error {
		if err := json.Unmarshal([]byte(meta["architecture"]), &arch); err != nil {
			return fmt.Errorf("bad architecture: %w", err)
		}
		// Compare sizes before allocating: the architecture alone could
		// claim billions of parameters, the tensors are bounded by the file.
		count, err := checkSpecs(arch)
		if err != nil {
			return err
		}
		var held int64
		for _, t := range infos {
			held += (t.Offsets[1] - t.Offsets[0]) / safetensors.ElemSize(t.DType)
		}
		if count != held {
			return fmt.Errorf("the architecture has %d parameters, the tensors hold %d", count, held)
		}
		return nil
	})
	if errors.Is(err, safetensors.ErrNotSafetensors) {
		return nil, errNotModel
	}
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	m, err := modelFromArchitecture[T](arch)
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	if err := m.readWeights(arch, tensors, m.params); err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	if p, ok := meta["preprocessing"]; ok {
		m.Preprocessing = []byte(p)
	}
	return m, nil
}

// readWeights checks that tensors are exactly the layer tensors of arch, of
// one dtype, and decodes them into params.
func (m *Model[T]) readWeights(arch architecture, tensors map[string]safetensors.Tensor, params []T) error {
	want := weightShapes(arch)
	dtype := ""
	for _, w := range want {
		t, ok := tensors[w.Name]
		if !ok {
			return fmt.Errorf("tensor %s is missing", w.Name)
		}
		if !slices.Equal(t.Shape, w.Shape) {
			return fmt.Errorf("tensor %s has shape %v, the architecture says %v", w.Name, t.Shape, w.Shape)
		}
		if dtype != "" && t.DType != dtype {
			return fmt.Errorf("tensor %s has dtype %s, the others %s", w.Name, t.DType, dtype)
		}
		dtype = t.DType
	}
	if len(tensors) != len(want) {
		return fmt.Errorf("%d tensors, the architecture has %d", len(tensors), len(want))
	}
	for i, sp := range arch.Layers {
		v := m.layerView(params, i)
		switch {
		case sp.Kind == "dense":
			nw := sp.Inputs * sp.Units
			safetensors.DecodeInto(tensors[fmt.Sprintf("layers.%d.weight", i)], v[:nw])
			safetensors.DecodeInto(tensors[fmt.Sprintf("layers.%d.bias", i)], v[nw:])
		case sp.Params > 0:
			safetensors.DecodeInto(tensors[fmt.Sprintf("layers.%d.params", i)], v)
		}
	}
	return nil
}

// modelFromArchitecture builds an architecture's model with zeroed
// parameters, each layer by its kind's factory; call checkSpecs first.
func modelFromArchitecture[T Float](arch architecture) (*Model[T], error) {
	if _, err := checkSpecs(arch); err != nil {
		return nil, err
	}
	loss, err := LossByName[T](arch.Loss, arch.Delta)
	if err != nil {
		return nil, err
	}
	if loss, err = LabelSmoothing(loss, arch.Smooth); err != nil {
		return nil, err
	}
	m := NewModel[T]()
	for i, sp := range arch.Layers {
		factory, ok := layerFactory[T](sp.Kind)
		if !ok {
			return nil, fmt.Errorf("layer %d has unknown kind %q (a custom layer? register it with nn.RegisterLayer)", i, sp.Kind)
		}
		l, err := factory(sp)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		if l == nil {
			return nil, fmt.Errorf("layer %d: the factory of kind %q gave no layer", i, sp.Kind)
		}
		if err := checkLayer(i, l, sp); err != nil {
			return nil, err
		}
		m.Add(l)
	}
	if err := m.build(loss); err != nil {
		return nil, err
	}
	return m, nil
}

// FileDType returns the dtype ("F32" or "F64") of the model file at path,
// reading only its header, so that a program can load it in its own
// precision.
func FileDType(path string) (string, error) {
	f, size, err := openRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	raw, _, err := safetensors.ReadHeader(f, size)
	if errors.Is(err, safetensors.ErrNotSafetensors) {
		return "", fmt.Errorf("%s: %w", path, errNotModel)
	}
	if err != nil {
		return "", fmt.Errorf("%s: model file: %w", path, err)
	}
	for name, msg := range raw {
		var t safetensors.Info
		if name != "__metadata__" && json.Unmarshal(msg, &t) == nil && safetensors.ElemSize(t.DType) > 0 {
			return t.DType, nil
		}
	}
	return "", fmt.Errorf("%s: model file: no F32 or F64 tensor", path)
}

// openRegular opens a model or checkpoint file and returns its size; a
// directory or another kind of file that is not a regular one is an error
// that says what it is.
func openRegular(path string) (*os.File, int64, error) {
	// O_NONBLOCK: a named pipe is refused below at once, not waited on
	// for a writer (regular files ignore the flag).
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: path, Err: errors.New("not a regular file")}
		if st.IsDir() {
			err = &fs.PathError{Op: "open", Path: path, Err: syscall.EISDIR}
		}
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}
