package nn

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"unsafe"

	"github.com/densetrain/densetrain/internal/atomicfile"
)

// The model file is a safetensors file: an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte offsets
// (relative to the data section) plus a "__metadata__" map of strings, then
// the raw little-endian tensor data. densetrain writes layer i's weights as
// "layers.i.weight" (In × Units) and its biases as "layers.i.bias", in
// order, so the data section is exactly the flat parameter slice. The
// metadata holds the format name and version, the architecture and loss
// (JSON), the preprocessing slot and a SHA-256 of the data section. The
// file holds no time and no worker count: the same weights give the same
// bytes.

// Format identifies densetrain model files; FormatVersion is the newest
// version this package reads and the one it writes.
const (
	Format        = "densetrain"
	FormatVersion = 1
)

// maxHeader bounds the JSON header read from a file.
const maxHeader = 16 << 20

// architecture is the model description stored in the metadata.
type architecture struct {
	Layers []LayerSpec `json:"layers"`
	Loss   string      `json:"loss"`
	Delta  float64     `json:"loss_delta,omitempty"`
}

// tensorInfo is one tensor's entry in the header.
type tensorInfo struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

func dtypeOf[T Float]() (string, int) {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return "F32", 4
	}
	return "F64", 8
}

// WriteTo writes the model file to w. The model must be compiled and made
// of layers that implement Specced.
func (m *Model[T]) WriteTo(w io.Writer) (int64, error) {
	if err := m.checkCompiled(); err != nil {
		return 0, err
	}
	arch := architecture{Loss: m.loss.Name(), Delta: lossDelta(m.loss)}
	dtype, size := dtypeOf[T]()
	header := map[string]any{}
	for i, l := range m.layers {
		sp, ok := l.(Specced)
		if !ok {
			return 0, fmt.Errorf("nn: save: layer %d (%q) cannot describe itself (no Spec method)", i, l.Name())
		}
		spec := sp.Spec()
		arch.Layers = append(arch.Layers, spec)
		off := int64(m.offsets[i] * size)
		nw := int64(spec.Inputs * spec.Units * size)
		header[fmt.Sprintf("layers.%d.weight", i)] = tensorInfo{dtype, []int64{int64(spec.Inputs), int64(spec.Units)}, [2]int64{off, off + nw}}
		header[fmt.Sprintf("layers.%d.bias", i)] = tensorInfo{dtype, []int64{int64(spec.Units)}, [2]int64{off + nw, off + nw + int64(spec.Units*size)}}
	}
	data := paramBytes(m.params)
	archJSON, err := json.Marshal(arch)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	meta := map[string]string{
		"format":         Format,
		"format_version": strconv.Itoa(FormatVersion),
		"architecture":   string(archJSON),
		"checksum":       "sha256:" + hex.EncodeToString(sum[:]),
	}
	if m.Preprocessing != nil {
		meta["preprocessing"] = string(m.Preprocessing)
	}
	header["__metadata__"] = meta
	h, err := json.Marshal(header) // map keys are sorted: deterministic
	if err != nil {
		return 0, err
	}
	if pad := len(h) % 8; pad != 0 {
		h = append(h, bytes.Repeat([]byte(" "), 8-pad)...)
	}
	var n int64
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(h)))
	for _, b := range [][]byte{lenBuf[:], h, data} {
		k, err := w.Write(b)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// paramBytes returns the little-endian bytes of params.
func paramBytes[T Float](params []T) []byte {
	_, size := dtypeOf[T]()
	b := make([]byte, len(params)*size)
	for i, v := range params {
		if size == 4 {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(v)))
		} else {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(v)))
		}
	}
	return b
}

// SaveFile writes the model file to path atomically: a temporary file in
// the same directory, synced, then renamed.
func (m *Model[T]) SaveFile(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := m.WriteTo(w)
		return err
	})
}

// LoadFile reads a model file. The weights are converted to T if the file
// holds the other precision. Errors name the file.
func LoadFile[T Float](path string) (*Model[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m, err := ReadModel[T](f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadModel reads a model file of size bytes from r. It validates the whole
// header against the file size and the architecture before it allocates the
// parameters, then checks the data's checksum. The model it returns can
// Predict and Evaluate; Compile it with an optimizer to train it further.
func ReadModel[T Float](r io.Reader, size int64) (*Model[T], error) {
	if size < 8 {
		return nil, fmt.Errorf("model file: %d bytes is too short for a header", size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("model file: reading the header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen > maxHeader || hlen > uint64(size-8) {
		return nil, fmt.Errorf("model file: header length %d exceeds the file (%d bytes) or the %d-byte limit", hlen, size, maxHeader)
	}
	hbuf := make([]byte, hlen)
	if _, err := io.ReadFull(r, hbuf); err != nil {
		return nil, fmt.Errorf("model file: reading the header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hbuf, &raw); err != nil {
		return nil, fmt.Errorf("model file: header is not valid JSON: %w", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(raw["__metadata__"], &meta); err != nil || meta == nil {
		return nil, errors.New("model file: header has no valid __metadata__")
	}
	delete(raw, "__metadata__")
	if meta["format"] != Format {
		return nil, fmt.Errorf("model file: format %q, want %q", meta["format"], Format)
	}
	version, err := strconv.Atoi(meta["format_version"])
	if err != nil || version < 1 {
		return nil, fmt.Errorf("model file: bad format version %q", meta["format_version"])
	}
	if version > FormatVersion {
		return nil, fmt.Errorf("model file: format version %d is newer than this program reads (%d): upgrade densetrain", version, FormatVersion)
	}
	var arch architecture
	if err := json.Unmarshal([]byte(meta["architecture"]), &arch); err != nil {
		return nil, fmt.Errorf("model file: bad architecture: %w", err)
	}
	m, err := modelFromArchitecture[T](arch)
	if err != nil {
		return nil, err
	}
	dataLen := size - 8 - int64(hlen)
	elem, err := checkTensors(raw, arch, dataLen)
	if err != nil {
		return nil, err
	}
	data := make([]byte, dataLen) // bounded by the file's real size
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("model file: reading %d bytes of tensor data: %w", dataLen, err)
	}
	sum := sha256.Sum256(data)
	if meta["checksum"] != "sha256:"+hex.EncodeToString(sum[:]) {
		return nil, errors.New("model file: checksum mismatch: the tensor data is damaged")
	}
	params := m.params
	for i := range params {
		if elem == 4 {
			params[i] = T(math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))
		} else {
			params[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:])))
		}
	}
	if p, ok := meta["preprocessing"]; ok {
		m.Preprocessing = []byte(p)
	}
	return m, nil
}

// modelFromArchitecture checks an architecture and builds its model with
// zeroed parameters. Layer sizes are checked against a bound before any
// allocation.
func modelFromArchitecture[T Float](arch architecture) (*Model[T], error) {
	if len(arch.Layers) == 0 {
		return nil, errors.New("model file: the architecture has no layers")
	}
	loss, err := LossByName[T](arch.Loss, arch.Delta)
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	m := NewModel[T]()
	var total int64
	for i, sp := range arch.Layers {
		if sp.Kind != "dense" {
			return nil, fmt.Errorf("model file: layer %d has unknown kind %q", i, sp.Kind)
		}
		act, err := ParseActivation(sp.Activation)
		if err != nil {
			return nil, fmt.Errorf("model file: layer %d: %w", i, err)
		}
		const maxSide = 1 << 24
		if sp.Inputs < 1 || sp.Units < 1 || sp.Inputs > maxSide || sp.Units > maxSide {
			return nil, fmt.Errorf("model file: layer %d has %d inputs and %d units", i, sp.Inputs, sp.Units)
		}
		total += int64(sp.Inputs)*int64(sp.Units) + int64(sp.Units)
		if total > 1<<31 {
			return nil, fmt.Errorf("model file: the architecture claims more than 2^31 parameters")
		}
		d := NewDense[T](sp.Inputs, sp.Units, act, sp.Name)
		d.L2 = sp.L2
		m.Add(d)
	}
	if err := m.build(loss); err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	return m, nil
}

// checkTensors validates the tensor entries against the architecture and
// the data length, and returns the element size of their dtype.
func checkTensors(raw map[string]json.RawMessage, arch architecture, dataLen int64) (int64, error) {
	var dtype string
	var elem, off int64
	want := 0
	for i, sp := range arch.Layers {
		for _, part := range []struct {
			suffix string
			shape  []int64
		}{{"weight", []int64{int64(sp.Inputs), int64(sp.Units)}}, {"bias", []int64{int64(sp.Units)}}} {
			name := fmt.Sprintf("layers.%d.%s", i, part.suffix)
			want++
			r, ok := raw[name]
			if !ok {
				return 0, fmt.Errorf("model file: tensor %s is missing", name)
			}
			var t tensorInfo
			if err := json.Unmarshal(r, &t); err != nil {
				return 0, fmt.Errorf("model file: tensor %s: %w", name, err)
			}
			switch {
			case dtype == "" && (t.DType == "F32" || t.DType == "F64"):
				dtype, elem = t.DType, 4
				if dtype == "F64" {
					elem = 8
				}
			case t.DType != dtype:
				return 0, fmt.Errorf("model file: tensor %s has dtype %q, want F32 or F64 like the others", name, t.DType)
			}
			if fmt.Sprint(t.Shape) != fmt.Sprint(part.shape) {
				return 0, fmt.Errorf("model file: tensor %s has shape %v, the architecture says %v", name, t.Shape, part.shape)
			}
			n := part.shape[0]
			if len(part.shape) == 2 {
				n *= part.shape[1]
			}
			if t.Offsets[0] != off || t.Offsets[1] != off+n*elem {
				return 0, fmt.Errorf("model file: tensor %s has byte offsets %v, want [%d %d]", name, t.Offsets, off, off+n*elem)
			}
			off += n * elem
		}
	}
	if len(raw) != want {
		return 0, fmt.Errorf("model file: %d tensors, the architecture has %d", len(raw), want)
	}
	if off != dataLen {
		return 0, fmt.Errorf("model file: the tensors need %d bytes of data, the file has %d", off, dataLen)
	}
	return elem, nil
}
