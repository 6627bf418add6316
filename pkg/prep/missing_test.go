package prep

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFitRefusesAnUnknownImputation: a direct caller's misspelt imputation
// is refused by Fit, not filled by the mean and stored under a name no
// model file can be read back with.
func TestFitRefusesAnUnknownImputation(t *testing.T) {
	x := tensor.NewMatrix(3, 1, []float64{1, math.NaN(), 3})
	var p Preprocessing
	err := FitExcept(context.Background(), &p, x, tensor.NewMatrix(3, 1, []float64{0, 1, 0}), nil, Options{Impute: "Median"})
	var ne *NameError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, "Median", ne.Name)
}

// TestMeansAreThoseOfAPassDownEachColumn: the fills of mean imputation,
// taken in one pass over the rows, have the bits of a sum down each
// column in row order, over all rows, the rows not held out, or a list.
func TestMeansAreThoseOfAPassDownEachColumn(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := tensor.NewMatrix[float32](1000, 7, nil)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64() * 1e3)
		if rng.IntN(10) == 0 {
			x.Data[i] = float32(math.NaN())
		}
	}
	oneHot := []bool{false, false, true, false, false, false, false}
	for _, rows := range []rowSel{{}, {held: []int{3, 10, 999}}, {list: []int{5, 1, 700, 2}}} {
		fill, missing, _, err := fills(context.Background(), matrixPass(context.Background(), x, rows, 3), oneHot, false)
		require.NoError(t, err)
		var wantMissing []int
		for j := range x.Cols {
			if oneHot[j] {
				assert.Zero(t, fill[j])
				continue
			}
			sum, n, nan := 0.0, 0, 0
			require.NoError(t, forRows(context.Background(), x.Rows, rows, func(r int) {
				if v := float64(x.At(r, j)); math.IsNaN(v) {
					nan++
				} else {
					sum, n = sum+v, n+1
				}
			}))
			if nan > 0 {
				wantMissing = append(wantMissing, j)
			}
			assert.Equal(t, math.Float64bits(sum/float64(n)), math.Float64bits(fill[j]), "column %d", j)
		}
		assert.Equal(t, wantMissing, missing)
	}
}

// TestInputsFillInPlace: without indicators, Inputs fills the missing
// values of x in place — in blocks of eight and in a row's tail, next to
// infinities it leaves alone — and refuses one when imputation is off,
// naming its column.
func TestInputsFillInPlace(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	x := tensor.NewMatrix(2, 11, []float32{
		1, 2, nan, 4, 5, 6, 7, 8, 9, nan, 11,
		inf, 2, 3, 4, 5, 6, 7, nan, 9, 10, inf,
	})
	names := make([]csvdata.FeatureColumn, 11)
	for j := range names {
		names[j].Name = fmt.Sprintf("c%d", j)
	}
	p := &Preprocessing{Schema: csvdata.Schema{Features: names}, Fill: []float64{0, 0, -3, 0, 0, 0, 0, -8, 0, -10, 0}}
	in, err := Inputs(context.Background(), p, x)
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 2, -3, 4, 5, 6, 7, 8, 9, -10, 11, inf, 2, 3, 4, 5, 6, 7, -8, 9, 10, inf}, in.Data)
	assert.Equal(t, &x.Data[0], &in.Data[0], "in place")

	x.Data[18] = nan
	p.Impute = NoImpute
	_, err = Inputs(context.Background(), p, x)
	var me *csvdata.MissingError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "c7", me.Column)
}
