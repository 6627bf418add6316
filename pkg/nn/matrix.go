package nn

import (
	"fmt"
	"unsafe"
)

// Float is the set of element types the engine is generic over.
type Float interface{ ~float32 | ~float64 }

// Matrix is a dense row-major matrix: element (i, j) is Data[i*Cols+j].
// Rows are samples, columns are features.
type Matrix[T Float] struct {
	Rows, Cols int
	Data       []T
}

// NewMatrix returns a rows×cols Matrix backed by data, or by a new zeroed
// slice when data is nil. It panics if data has the wrong length, like
// gonum's mat.NewDense.
func NewMatrix[T Float](rows, cols int, data []T) Matrix[T] {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("nn: negative matrix size %d×%d", rows, cols))
	}
	if data == nil {
		data = make([]T, rows*cols)
	}
	if len(data) != rows*cols {
		panic(fmt.Sprintf("nn: matrix data has %d elements, want %d×%d", len(data), rows, cols))
	}
	return Matrix[T]{Rows: rows, Cols: cols, Data: data}
}

// At returns element (i, j).
func (m Matrix[T]) At(i, j int) T { return m.Data[i*m.Cols+j] }

// Row returns row i as a slice sharing m's storage.
func (m Matrix[T]) Row(i int) []T { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// SliceRows returns rows [lo, hi) as a Matrix sharing m's storage.
func (m Matrix[T]) SliceRows(lo, hi int) Matrix[T] {
	return Matrix[T]{Rows: hi - lo, Cols: m.Cols, Data: m.Data[lo*m.Cols : hi*m.Cols]}
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
