package tensor_test

import (
	"fmt"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// A Matrix is a row-major view of one slice: rows and row ranges share it.
func ExampleNewMatrix() {
	m := tensor.NewMatrix(3, 2, []float32{1, 2, 3, 4, 5, 6})
	tail := m.SliceRows(1, 3)
	tail.Row(0)[1] = 40
	fmt.Println(m.At(1, 1), tail.Rows, m.Row(2))
	// Output: 40 2 [5 6]
}
