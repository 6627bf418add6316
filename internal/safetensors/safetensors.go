package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// MaxHeader bounds the JSON header of a file, besides the file's size;
// maxDims bounds a tensor's rank. Together they bound what decoding a
// header can allocate. 256 MiB holds the header of the widest table fit
// accepts (100 000 columns, csvdata.DefaultMaxColumns) with names and
// categories of about 1 KiB each, escaped twice (in the preprocessing's
// JSON, then as a metadata string); Write refuses a larger
// header, so that every file written can be read.
const (
	MaxHeader = 256 << 20
	maxDims   = 8
)

// Tensor is one named tensor of a safetensors file.
type Tensor struct {
	Name  string
	DType string // "F32" or "F64"
	Shape []int64
	Data  []byte
}

// Info is one tensor's entry in the header.
type Info struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

func dtypeOf[T tensor.Float]() (string, int) {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return "F32", 4
	}
	return "F64", 8
}

// ElemSize returns the bytes of one element of dtype ("F32", "F64"), 0 for
// another dtype.
func ElemSize(dtype string) int64 {
	switch dtype {
	case "F32":
		return 4
	case "F64":
		return 8
	}
	return 0
}

// FloatTensor encodes v as a tensor of T's dtype.
func FloatTensor[T tensor.Float](name string, shape []int64, v []T) Tensor {
	dtype, size := dtypeOf[T]()
	b := make([]byte, len(v)*size)
	for i, x := range v {
		if size == 4 {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(x)))
		} else {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(x)))
		}
	}
	return Tensor{Name: name, DType: dtype, Shape: shape, Data: b}
}

// DecodeInto converts a tensor's data into dst (len(dst) elements).
func DecodeInto[T tensor.Float](t Tensor, dst []T) {
	for i := range dst {
		if t.DType == "F32" {
			dst[i] = T(math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:])))
		} else {
			dst[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:])))
		}
	}
}

// Write writes meta and the tensors, in order, adding the
// checksum of both to meta: meta's format_version must be one whose
// checksum covers the header. Map keys are sorted by encoding/json, so the same
// content gives the same bytes.
func Write(w io.Writer, meta map[string]string, tensors []Tensor) (int64, error) {
	header := map[string]any{}
	infos := make(map[string]Info, len(tensors))
	data := make([][]byte, len(tensors))
	var off int64
	for i, t := range tensors {
		infos[t.Name] = Info{t.DType, t.Shape, [2]int64{off, off + int64(len(t.Data))}}
		header[t.Name] = infos[t.Name]
		off += int64(len(t.Data))
		data[i] = t.Data
	}
	delete(meta, "checksum")
	meta["checksum"] = headerChecksum(meta, infos, data...)
	header["__metadata__"] = meta
	h, err := json.Marshal(header)
	if err != nil {
		return 0, err
	}
	if len(h) > MaxHeader {
		return 0, fmt.Errorf("nn: the file's header would be %d bytes, more than the %d bytes a reader accepts (column names or categories too long?)", len(h), MaxHeader)
	}
	if pad := len(h) % 8; pad != 0 {
		h = append(h, bytes.Repeat([]byte(" "), 8-pad)...)
	}
	chunks := [][]byte{binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h}
	for _, t := range tensors {
		chunks = append(chunks, t.Data)
	}
	var n int64
	for _, c := range chunks {
		k, err := w.Write(c)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Read reads a file said to be size bytes long. It checks the
// header against that size — dtypes, shapes against byte ranges, ranges
// that tile the data exactly — and calls check, if not nil, with the
// metadata and the tensor entries, all before reading the data, after it
// checked the format name and version against ff. The data is read in
// growing chunks, so a false size costs no more memory than the bytes
// really there. Last, it verifies the checksum: of the header and the
// data, or of the data alone in a version older than ff.Covers.
func Read(r io.Reader, size int64, ff Format, check func(map[string]string, map[string]Info) error) (map[string]string, map[string]Tensor, error) {
	raw, hlen, err := ReadHeader(r, size)
	if err != nil {
		return nil, nil, err
	}
	var meta map[string]string
	if err := json.Unmarshal(raw["__metadata__"], &meta); err != nil || meta == nil {
		return nil, nil, errors.New("header has no valid __metadata__")
	}
	version, err := CheckFormat(meta, ff)
	if err != nil {
		return nil, nil, err
	}
	delete(raw, "__metadata__")
	dataLen := size - 8 - hlen
	type entry struct {
		Name string
		Info
	}
	var entries []entry
	for name, msg := range raw {
		var t Info
		if err := json.Unmarshal(msg, &t); err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		es := ElemSize(t.DType)
		if len(t.Shape) > maxDims {
			return nil, nil, fmt.Errorf("tensor %s has %d dimensions, at most %d are supported", name, len(t.Shape), maxDims)
		}
		if es == 0 {
			return nil, nil, fmt.Errorf("tensor %s has dtype %q, want F32 or F64", name, t.DType)
		}
		n := es
		for _, d := range t.Shape {
			if d < 0 {
				return nil, nil, fmt.Errorf("tensor %s has shape %v, with a negative dimension", name, t.Shape)
			}
			if d > 0 && n > dataLen/d {
				return nil, nil, fmt.Errorf("tensor %s has shape %v, larger than the file", name, t.Shape)
			}
			n *= d
		}
		if t.Offsets[1]-t.Offsets[0] != n {
			return nil, nil, fmt.Errorf("tensor %s has shape %v but byte offsets %v", name, t.Shape, t.Offsets)
		}
		entries = append(entries, entry{name, t})
	}
	slices.SortFunc(entries, func(a, b entry) int { return int(a.Offsets[0] - b.Offsets[0]) })
	var off int64
	for i, e := range entries {
		if e.Offsets[0] != off {
			prev := "the start of the data"
			if i > 0 {
				prev = "tensor " + entries[i-1].Name
			}
			return nil, nil, fmt.Errorf("tensors overlap or leave a gap: %s has byte offsets %v after %s", e.Name, e.Offsets, prev)
		}
		off = e.Offsets[1]
	}
	if off != dataLen {
		return nil, nil, fmt.Errorf("the tensors need %d bytes of data, the file has %d", off, dataLen)
	}
	infos := make(map[string]Info, len(entries))
	for _, e := range entries {
		infos[e.Name] = e.Info
	}
	if check != nil {
		if err := check(meta, infos); err != nil {
			return nil, nil, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, dataLen))
	if err != nil || int64(len(data)) != dataLen {
		return nil, nil, fmt.Errorf("reading tensor data: got %d of %d bytes (%v)", len(data), dataLen, err)
	}
	if err := verifyChecksum(meta, infos, data, version >= ff.Covers); err != nil {
		return nil, nil, err
	}
	tensors := make(map[string]Tensor, len(entries))
	for _, e := range entries {
		tensors[e.Name] = Tensor{Name: e.Name, DType: e.DType, Shape: e.Shape, Data: data[e.Offsets[0]:e.Offsets[1]]}
	}
	return meta, tensors, nil
}

// ErrNotSafetensors is a file that does not start as a safetensors file:
// 8 bytes of length, then a JSON object.
var ErrNotSafetensors = errors.New("not a safetensors file")

// ReadHeader reads the header length and the JSON header of a file of
// size bytes, in growing chunks, so that a false size costs no more memory
// than the bytes really there. It returns the header's entries and length.
func ReadHeader(r io.Reader, size int64) (map[string]json.RawMessage, int64, error) {
	if size < 8 {
		return nil, 0, fmt.Errorf("%d bytes is too short for a header", size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, 0, fmt.Errorf("reading the header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	var first [1]byte // a header is a JSON object
	if size > 8 {
		if _, err := io.ReadFull(r, first[:]); err != nil {
			return nil, 0, fmt.Errorf("reading the header: %w", err)
		}
		if first[0] != '{' {
			return nil, 0, ErrNotSafetensors
		}
	}
	if hlen > MaxHeader {
		return nil, 0, fmt.Errorf("header length %d exceeds the %d-byte limit", hlen, MaxHeader)
	}
	if hlen > uint64(size-8) {
		return nil, 0, fmt.Errorf("truncated: a header of %d bytes, the file has %d after its length", hlen, size-8)
	}
	hbuf := first[:min(hlen, 1)]
	if hlen > 1 {
		rest, err := io.ReadAll(io.LimitReader(r, int64(hlen-1)))
		if err != nil || uint64(len(rest)) != hlen-1 {
			return nil, 0, fmt.Errorf("reading the header: truncated, got %d of %d bytes (%v)", len(rest)+1, hlen, err)
		}
		hbuf = append(hbuf, rest...)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hbuf, &raw); err != nil {
		return nil, 0, fmt.Errorf("header is not valid JSON: %w", err)
	}
	return raw, int64(hlen), nil
}
