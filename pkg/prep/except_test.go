package prep

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Start, Targets and FitExcept with the held-out rows give what Fit gives
// with the list of the others, and fill the matrix alike.
func TestFitExceptIsFit(t *testing.T) {
	const data = "a,b,c,y\n1,,x,0.5\n2,7,y,1.5\n,9,x,2\n4,1,z,8\n5,2,y,3\n6,,x,-1\n7,3,z,4\n"
	for _, o := range []Options{
		{Task: Regress, ScaleTarget: true, MissingIndicator: true},
		{Task: Regress, Impute: Median, Scaler: MinMax},
		{Task: Regress, Scaler: Robust, MissingIndicator: true},
		{Task: Classify, Impute: Mean},
	} {
		for _, held := range [][]int{nil, {1, 4}, {0, 6}} {
			var train []int
			for r := range 7 {
				if !slices.Contains(held, r) {
					train = append(train, r)
				}
			}
			if held == nil {
				train = nil
			}
			tab := table(t, data)
			want, err := Fit(ctx, tab, train, o)
			require.NoError(t, err)
			tab2 := table(t, data)
			p, err := Start(ctx, tab2, o.Task)
			require.NoError(t, err)
			y, err := Targets[float64](ctx, p, tab2.Targets)
			require.NoError(t, err)
			require.NoError(t, FitExcept(ctx, p, tab2.X, y, held, o))
			assert.Equal(t, want, p, "%+v, held %v", o, held)
			assert.Equal(t, fmt.Sprint(tab.X.Data), fmt.Sprint(tab2.X.Data)) // NaN where Fit leaves a NaN
		}
	}
}

// TestStatisticsDoNotDependOnWorkers: the fills, scales and indicators
// fitted by 1 to 7 workers (a range of columns each) are the same bits,
// on a matrix with missing values, one-hot columns and held-out rows, in
// memory and over blocks.
func TestStatisticsDoNotDependOnWorkers(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c,d,e,f,g,h,i,j,k,y\n")
	rng := rand.New(rand.NewPCG(9, 9))
	for r := range 3000 {
		for j := range 11 {
			switch {
			case j == 3:
				fmt.Fprintf(&b, "%c,", 'p'+rune(rng.IntN(4)))
			case rng.IntN(9) == 0:
				b.WriteString(",")
			default:
				fmt.Fprintf(&b, "%g,", rng.NormFloat64()*float64(j+1)*1e3+float64(j))
			}
		}
		fmt.Fprintf(&b, "%d\n", r%3)
	}
	tab, err := csvdata.ReadBytes[float32](context.Background(), "t.csv", []byte(b.String()), csvdata.Options{})
	require.NoError(t, err)
	held := []int{0, 5, 17, 1023, 1024, 2999}
	defer func(r int) { robustRows = r }(robustRows)
	for i, o := range []Options{{Task: Classify, MissingIndicator: true}, {Task: Classify, Scaler: MinMax}, {Task: Classify, Impute: Median},
		{Task: Classify, Scaler: Robust, MissingIndicator: true}, {Task: Classify, Scaler: Robust}} {
		if i == 4 { // the quantiles of every 5th training row
			robustRows = 700
		}
		var want []byte
		for _, w := range []int{1, 2, 3, 7} {
			x := clone(tab.X)
			p, err := Start(context.Background(), tab, Classify)
			require.NoError(t, err)
			y, err := Targets[float32](context.Background(), p, tab.Targets)
			require.NoError(t, err)
			o.Workers = w
			require.NoError(t, FitExcept(context.Background(), p, x, y, held, o))
			got, err := p.Marshal()
			require.NoError(t, err)
			if want == nil {
				want = got
			}
			assert.Equal(t, string(want), string(got), "%+v", o)
			p2, _ := Start(context.Background(), tab, Classify)
			require.NoError(t, FitBlocks(context.Background(), p2, blocksOf(tab.X, 256), y, held, o))
			got2, _ := p2.Marshal()
			assert.Equal(t, string(want), string(got2), "over blocks, %+v", o)
		}
	}
}

// blocks is a matrix as Blocks of n rows.
type blocks struct {
	x tensor.Matrix[float32]
	n int
}

func blocksOf(x tensor.Matrix[float32], n int) blocks { return blocks{x, n} }
func (b blocks) Rows() int                            { return b.x.Rows }
func (b blocks) Each(ctx context.Context, f func(int, tensor.Matrix[float32]) error) error {
	for lo := 0; lo < b.x.Rows; lo += b.n {
		if err := f(lo, clone(b.x.SliceRows(lo, min(lo+b.n, b.x.Rows)))); err != nil {
			return err
		}
	}
	return nil
}

func clone(x tensor.Matrix[float32]) tensor.Matrix[float32] {
	return tensor.NewMatrix(x.Rows, x.Cols, slices.Clone(x.Data))
}

// TestCompleteColumnsTakeStatisticsInTheFillPass: on a table with no
// missing value, the scaling the fill pass takes (no second pass) is the
// one a pass over the model's inputs takes (NewScaled's), bit for bit.
func TestCompleteColumnsTakeStatisticsInTheFillPass(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c,d,e,y\n")
	rng := rand.New(rand.NewPCG(2, 9))
	for r := range 2000 {
		fmt.Fprintf(&b, "%g,%g,%c,%g,%g,%d\n", rng.NormFloat64()*1e4+3, rng.Float64(), 'p'+rune(rng.IntN(3)), float64(r%7), 1e6+rng.NormFloat64(), r%2)
	}
	tab, err := csvdata.ReadBytes[float32](context.Background(), "t.csv", []byte(b.String()), csvdata.Options{})
	require.NoError(t, err)
	held := []int{3, 999, 1500}
	var train []int
	for r := range tab.X.Rows {
		if !slices.Contains(held, r) {
			train = append(train, r)
		}
	}
	want, err := NewScaled(context.Background(), tab, Classify, train, Standard)
	require.NoError(t, err)
	for _, w := range []int{1, 2} {
		p, err := Start(context.Background(), tab, Classify)
		require.NoError(t, err)
		y, err := Targets[float32](context.Background(), p, tab.Targets)
		require.NoError(t, err)
		require.NoError(t, FitExcept(context.Background(), p, clone(tab.X), y, held, Options{Task: Classify, Workers: w}))
		assert.Equal(t, want.Offset, p.Offset)
		assert.Equal(t, want.Scale, p.Scale)
	}
}
