package nn

import (
	"unsafe"

	dt "github.com/densetrain/densetrain/pkg/tensor"
)

// Float is the set of element types the engine is generic over (an alias
// of tensor.Float).
type Float = dt.Float

// Matrix is a dense row-major matrix: element (i, j) is Data[i*Cols+j].
// Rows are samples, columns are features. It is tensor.Matrix.
type Matrix[T Float] = dt.Matrix[T]

// NewMatrix returns a rows×cols Matrix backed by data, or by a new zeroed
// slice when data is nil (tensor.NewMatrix).
func NewMatrix[T Float](rows, cols int, data []T) Matrix[T] {
	return dt.NewMatrix(rows, cols, data)
}

// reshape returns a rows×cols Matrix over the first rows*cols elements of buf.
func reshape[T Float](buf []T, rows, cols int) Matrix[T] {
	return Matrix[T]{Rows: rows, Cols: cols, Data: buf[:rows*cols]}
}

// alignBytes is the alignment of every buffer a replica computes in. gonum's
// float32 dot kernel peels leading elements until its operand is 16-byte
// aligned, so the order of its sums depends on addresses; giving every
// replica identically aligned buffers makes the bits independent of which
// replica ran a lane.
const alignBytes = 64

// alignedBuffers returns one zeroed slice per size, carved from a single
// allocation so that each starts on an alignBytes boundary.
func alignedBuffers[T Float](sizes ...int) [][]T {
	var z T
	per := alignBytes / int(unsafe.Sizeof(z))
	round := func(n int) int { return (n + per - 1) / per * per }
	total := per // slack to align the base
	for _, n := range sizes {
		total += round(n)
	}
	raw := make([]T, total)
	off := 0
	if addr := uintptr(unsafe.Pointer(&raw[0])); addr%alignBytes != 0 {
		off = int(alignBytes-addr%alignBytes) / int(unsafe.Sizeof(z))
	}
	out := make([][]T, len(sizes))
	for i, n := range sizes {
		out[i] = raw[off : off+n : off+n]
		off += round(n)
	}
	return out
}
