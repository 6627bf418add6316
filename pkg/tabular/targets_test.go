package tabular

import (
	"context"
	"testing"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modelTargets gives what prep.Targets gives — in place, in the table's
// target storage, for a large float32 table with one numeric target —
// and leaves the table without targets.
func TestModelTargetsInPlace(t *testing.T) {
	ctx := context.Background()
	for _, task := range []prep.Task{prep.Classify, prep.Regress} {
		for _, rows := range []int{1000, inPlaceRows + 3} {
			nums := make([]float64, rows)
			for i := range nums {
				nums[i] = float64(i % 3)
				if task == prep.Regress {
					nums[i] = float64(i%1000)/7 - 50
				}
			}
			col := csvdata.Column{Name: "y", Numbers: nums, FirstText: -1}
			tab := &csvdata.Table[float32]{X: tensor.NewMatrix[float32](rows, 1, nil), Targets: []csvdata.Column{col}}
			p, err := prep.Start(ctx, tab, task)
			require.NoError(t, err)
			want, err := prep.Targets[float32](ctx, p, tab.Targets)
			require.NoError(t, err)
			y, err := modelTargets(ctx, p, tab)
			require.NoError(t, err)
			assert.Equal(t, want, y, "%s, %d rows", task, rows)
			assert.Nil(t, tab.Targets)
			inPlace := unsafe.Pointer(unsafe.SliceData(y.Data)) == unsafe.Pointer(unsafe.SliceData(nums))
			assert.Equal(t, rows >= inPlaceRows, inPlace, "%s, %d rows: in place", task, rows)
		}
	}
}
