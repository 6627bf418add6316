package tensor

import "fmt"

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
		panic(fmt.Sprintf("tensor: negative matrix size %d×%d", rows, cols))
	}
	if data == nil {
		data = make([]T, rows*cols)
	}
	if len(data) != rows*cols {
		panic(fmt.Sprintf("tensor: matrix data has %d elements, want %d×%d", len(data), rows, cols))
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
