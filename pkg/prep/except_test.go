package prep

import (
	"fmt"
	"slices"
	"testing"

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
