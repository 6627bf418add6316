package tabular

import (
	"context"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// inPlaceRows is the least number of rows whose targets are made in place.
const inPlaceRows = 1 << 20

// modelTargets makes the model's targets from the table's (see
// prep.Targets). For a float32 model with one numeric target column of
// many rows, it makes them in place: in the first half of the column's
// float64 storage, whose second half goes back to the operating system —
// so that they cost no memory next to the table's, which the table then
// no longer has (its Targets are nil after the call). A narrow table's
// peak memory is the matrix and the float64 targets, not those and the
// model's targets.
func modelTargets[T tensor.Float](ctx context.Context, p *prep.Preprocessing, tab *csvdata.Table[T]) (tensor.Matrix[T], error) {
	defer func() { tab.Targets = nil }()
	var z T
	if len(tab.Targets) != 1 || tab.Targets[0].Numbers == nil || unsafe.Sizeof(z) != 4 || tab.X.Rows < inPlaceRows {
		return prep.Targets[T](ctx, p, tab.Targets)
	}
	nums := tab.Targets[0].Numbers
	data := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(nums))), len(nums))
	y := tensor.NewMatrix(len(nums), 1, data)
	if err := prep.TargetsInto(ctx, p, tab.Targets, y); err != nil {
		return tensor.Matrix[T]{}, err
	}
	release(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(nums))), 8*len(nums))[4*len(nums):])
	return y, nil
}

// unsafeAddr returns the address of b's first byte.
func unsafeAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
