package nn_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeriodicGradient checks Periodic's analytic gradient (frequencies,
// phases, linear maps, biases and its input: a Dense layer before it)
// against central differences, for one and two groups, learning-rate
// factors 1 and 0.1, batch sizes 1, 7 and 32.
func TestPeriodicGradient(t *testing.T) {
	const h, tol = 1e-5, 1e-6
	for _, groups := range []int{1, 2} {
		for _, factor := range []float64{1, 0.1} {
			for _, batch := range []int{1, 7, 32} {
				rng := rand.New(rand.NewPCG(uint64(batch), uint64(groups)))
				m := nn.NewModel[float64]()
				m.Add(nn.NewDense[float64](3, 4, nn.Tanh, "pre"))
				p := nn.NewPeriodicGroups[float64](groups, 4, []int{0, 2, 3}, 5, 3, 0.5, factor, "p")
				m.Add(p)
				m.Add(nn.NewDense[float64](p.OutputSize(), 3, nn.Softmax, "out"))
				require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(uint64(batch))))
				x := nntest.RandMatrix[float64](rng, batch, 3)
				y := nntest.RandLabels[float64](rng, batch, 3)
				assert.Less(t, gradientError(t, m, x, y, h), tol, "groups %d, factor %v, batch %d", groups, factor, batch)
			}
		}
	}
}

// TestPeriodicComputesPBLD: a one-group layer's output is its input, then
// for each embedded input L·cos(2π(w·x + b)) + c (computed here with the
// stored parameters times the factor); a two-group layer is two one-group
// layers side by side; both go through a model file unchanged.
func TestPeriodicComputesPBLD(t *testing.T) {
	const in, m, d, rows, factor = 3, 4, 3, 5, 0.5
	embed := []int{0, 2}
	rng := rand.New(rand.NewPCG(5, 6))
	x := nntest.RandMatrix[float64](rng, rows, in)

	two := nn.NewModel[float64]()
	p2 := nn.NewPeriodicGroups[float64](2, in, embed, m, d, 0.3, factor, "p")
	two.Add(p2)
	require.NoError(t, two.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(1)))
	got, err := two.Predict(context.Background(), x)
	require.NoError(t, err)
	width := in + len(embed)*(d-1)
	require.Equal(t, 2*width, got.Cols)
	for r := range rows {
		for g := range 2 {
			row := got.Row(r)[g*width : (g+1)*width]
			assert.Equal(t, x.Row(r), row[:in])
			for e, j := range embed {
				w, b, l, c := p2.Views(two.Params(), g, e)
				for q := range d - 1 {
					want := factor * c[q]
					for k := range m {
						want += factor * l[k*(d-1)+q] * cos2pi(factor*w[k]*x.Row(r)[j]+factor*b[k])
					}
					assert.InDelta(t, want, row[in+e*(d-1)+q], 1e-12, "row %d, group %d, input %d, value %d", r, g, j, q)
				}
			}
		}
	}

	back := reread(t, two)
	assert.Equal(t, "periodic", back.Summary().Layers[0].Kind)
	again, err := back.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, got.Data, again.Data)

	for _, bad := range []func(){
		func() { nn.NewPeriodic[float64](3, nil, 4, 3, 0.1, 0.1, "p") },
		func() { nn.NewPeriodic[float64](3, []int{2, 1}, 4, 3, 0.1, 0.1, "p") },
		func() { nn.NewPeriodic[float64](3, []int{3}, 4, 3, 0.1, 0.1, "p") },
		func() { nn.NewPeriodic[float64](3, []int{0}, 4, 1, 0.1, 0.1, "p") },
		func() { nn.NewPeriodic[float64](3, []int{0}, 4, 3, 0.1, 0, "p") },
	} {
		assert.Panics(t, bad)
	}
}

func cos2pi(a float64) float64 { return math.Cos(2 * math.Pi * a) }
