package prep

import (
	"fmt"
	"math"
	"testing"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRobustScaling: medians and interquartile ranges as numpy's linear
// quantiles give them (scikit-learn's RobustScaler), half the range where
// the quartiles are equal, one-hot columns left alone, and every scaled
// numeric value smoothly clipped into (−3, 3) — an outlier at predict time
// too — with the bits kept through the model file.
func TestRobustScaling(t *testing.T) {
	// x: 1 2 3 4 100 (median 3; quartiles 2 and 4); s: a sparse count (the
	// quartiles 0: half its range, 4); k constant; c one-hot.
	tab := table(t, "x,s,k,c,y\n1,0,5,a,0\n2,0,5,b,1\n3,8,5,a,0\n4,0,5,b,1\n100,0,5,a,0\n")
	p, err := Fit(ctx, tab, nil, Options{Task: Classify, Scaler: Robust})
	require.NoError(t, err)
	assert.Equal(t, []float64{3, 0, 5, 0, 0}, p.Offset)
	assert.Equal(t, []float64{2, 4, 1, 1, 1}, p.Scale)
	assert.Equal(t, 3.0, p.Clip)
	assert.Equal(t, 3, p.Version)
	x, err := Transform(ctx, p, tab.X)
	require.NoError(t, err)
	clip := func(z float64) float64 { return z / math.Sqrt(1+z*z/9) }
	want := []float64{
		clip(-1), 0, 0, 1, 0,
		clip(-0.5), 0, 0, 0, 1,
		0, clip(2), 0, 1, 0,
		clip(0.5), 0, 0, 0, 1,
		clip(48.5), 0, 0, 1, 0,
	}
	assert.InDeltaSlice(t, want, x.Data, 1e-15)
	assert.Less(t, x.Data[20], 3.0)
	assert.Greater(t, x.Data[20], 2.99)

	// Far beyond the training rows: within (−3, 3), no overflow.
	far := tensor.NewMatrix(3, 5, []float64{1e300, 0, 5, 1, 0, -1e300, 0, 5, 0, 1, 1e7, 1e9, 5, 1, 0})
	require.NoError(t, ScaleInputs(ctx, p, far))
	for _, v := range []float64{far.Data[0], far.Data[10], far.Data[11]} {
		assert.InDelta(t, 3, v, 1e-6)
	}
	assert.InDelta(t, -3, far.Data[5], 1e-6)

	b, err := p.Marshal()
	require.NoError(t, err)
	back, err := Unmarshal(b)
	require.NoError(t, err)
	assert.Equal(t, p, back)
	_, err = Unmarshal([]byte(`{"version":2,"schema":{"features":[{"name":"x"}]},"mean":[0],"scale":[1],"clip":3,"task":"regress"}`))
	assert.ErrorContains(t, err, "clip")

	// Without Robust, a model is still written as version 2.
	q, err := Fit(ctx, table(t, "x,y\n1,0\n2,1\n"), nil, Options{Task: Classify})
	require.NoError(t, err)
	assert.Equal(t, 2, q.Version)
	assert.Zero(t, q.Clip)
}

// TestRobustSubsample: beyond robustRows rows, the quantiles are those of
// every ⌈n/robustRows⌉-th training row, in memory and over blocks alike.
func TestRobustSubsample(t *testing.T) {
	defer func(r int) { robustRows = r }(robustRows)
	robustRows = 4
	// 10 rows: a stride of 3 takes rows 0, 3, 6, 9: x = 10, 40, 70, 100.
	text := "x,y\n"
	for r := range 10 {
		text += fmt.Sprintf("%d,%d\n", (r+1)*10, r%2)
	}
	tab := table(t, text)
	p, err := Fit(ctx, tab, nil, Options{Task: Classify, Scaler: Robust})
	require.NoError(t, err)
	assert.Equal(t, 55.0, p.Offset[0])     // the median of 10, 40, 70, 100
	assert.Equal(t, 77.5-32.5, p.Scale[0]) // its quartiles: 32.5 and 77.5
	// 9 training rows (row 1 held out): a stride of 3 takes the 0th, 3rd
	// and 6th of them, rows 0, 4 and 7: 10, 50, 80.
	q, err := Fit(ctx, table(t, text), []int{0, 2, 3, 4, 5, 6, 7, 8, 9}, Options{Task: Classify, Scaler: Robust})
	require.NoError(t, err)
	assert.Equal(t, 50.0, q.Offset[0])
	assert.Equal(t, 65.0-30.0, q.Scale[0])
}
