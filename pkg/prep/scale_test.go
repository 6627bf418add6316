package prep

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScaleInputsHasTheBitsOfOneValueAtATime: the scaling of rows of any
// width, four values at a time, gives the bits of (v − mean)/scale taken
// one value at a time, and a value out of range, in a group of four or in
// the tail, is reported as it was, at its row and column, the values
// before it scaled (as one at a time leaves them).
func TestScaleInputsHasTheBitsOfOneValueAtATime(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for cols := 1; cols <= 11; cols++ {
		p := &Preprocessing{Offset: make([]float64, cols), Scale: make([]float64, cols)}
		for j := range cols {
			p.Offset[j], p.Scale[j] = rng.NormFloat64()*100, math.Exp(rng.NormFloat64()*3)
		}
		x := tensor.NewMatrix[float32](13, cols, nil)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64() * 1e3)
		}
		want := make([]float32, len(x.Data))
		for i, v := range x.Data {
			j := i % cols
			want[i] = float32((float64(v) - p.Offset[j]) / p.Scale[j])
		}
		require.NoError(t, ScaleInputs(context.Background(), p, x))
		for i := range want {
			require.Equal(t, math.Float32bits(want[i]), math.Float32bits(x.Data[i]), "%d columns, element %d", cols, i)
		}
	}
	for _, col := range []int{1, 9} { // in a group of four; in the tail
		p := &Preprocessing{Offset: make([]float64, 10), Scale: make([]float64, 10)}
		for j := range p.Scale {
			p.Offset[j], p.Scale[j] = 0.5, 1
		}
		p.Scale[col] = 1e-40
		x := tensor.NewMatrix[float32](3, 10, nil)
		for i := range x.Data {
			x.Data[i] = 1
		}
		x.Row(0)[col] = 0.5 // scales to 0 in row 0
		err := ScaleInputs(context.Background(), p, x)
		var re *RowError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 1, re.Row, "column %d", col)
		assert.ErrorIs(t, err, ErrScaledRange)
		assert.Contains(t, err.Error(), "1 in column")
		assert.Equal(t, float32(1), x.Row(1)[col], "the bad value is left as it was")
		assert.Equal(t, float32(0.5), x.Row(1)[col-1], "the values before it are scaled, as one at a time")
	}
}

// TestWelfordHasTheBitsOfOneColumnAtATime: the running means and sums of
// squared deviations, four columns at a time, are those of one column at
// a time, for rows of any width.
func TestWelfordHasTheBitsOfOneColumnAtATime(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for cols := 1; cols <= 9; cols++ {
		mean, m2 := make([]float64, cols), make([]float64, cols)
		wantMean, wantM2 := make([]float64, cols), make([]float64, cols)
		for n := 1; n <= 50; n++ {
			row := make([]float32, cols)
			for j := range row {
				row[j] = float32(rng.NormFloat64()*10 + 1e4)
			}
			welford(row, mean, m2, float64(n))
			for j, v := range row {
				d := float64(v) - wantMean[j]
				wantMean[j] += d / float64(n)
				wantM2[j] += d * (float64(v) - wantMean[j])
			}
		}
		for j := range cols {
			assert.Equal(t, math.Float64bits(wantMean[j]), math.Float64bits(mean[j]), "%d columns, mean %d", cols, j)
			assert.Equal(t, math.Float64bits(wantM2[j]), math.Float64bits(m2[j]), "%d columns, m2 %d", cols, j)
		}
	}
}
