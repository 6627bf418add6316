package nn_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDenseGroupsGradient checks DenseGroups' analytic gradient (its
// weights, biases and inputs: a Dense layer before it) against central
// differences, for every element-wise activation, batch sizes 1, 7 and
// 32, under the data-parallel machinery.
func TestDenseGroupsGradient(t *testing.T) {
	const h, tol = 1e-5, 1e-6
	for _, act := range []nn.Activation{nn.Linear, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU} {
		for _, batch := range []int{1, 7, 32} {
			rng := rand.New(rand.NewPCG(uint64(batch), uint64(act)+40))
			m := nn.NewModel[float64]()
			m.Add(nn.NewDense[float64](4, 3*2, nn.Tanh, "first"))
			m.Add(nn.NewDenseGroups[float64](3, 2, 5, act, "groups"))
			m.Add(nn.NewDense[float64](15, 3, nn.Softmax, "out"))
			require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(uint64(batch))))
			for i, p := range m.Params() {
				m.Params()[i] = p + 0.1*rng.NormFloat64()
			}
			x := nntest.RandMatrix[float64](rng, batch, 4)
			y := nntest.RandLabels[float64](rng, batch, 3)
			assert.Less(t, gradientError(t, m, x, y, h), tol, "%s, batch %d", act, batch)
		}
	}
}

// TestDenseGroupsIsBlockDiagonalDense: a DenseGroups layer computes what a
// Dense layer does whose weights are its groups' on the diagonal blocks
// and zeros elsewhere; and it goes through a model file unchanged.
func TestDenseGroupsIsBlockDiagonalDense(t *testing.T) {
	const groups, in, units, rows = 3, 4, 2, 9
	rng := rand.New(rand.NewPCG(1, 2))
	g := nn.NewModel[float64]()
	g.Add(nn.NewDenseGroups[float64](groups, in, units, nn.ReLU, "g"))
	require.NoError(t, g.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(3)))
	dg := g.Layers()[0].(*nn.DenseGroups[float64])
	d := nn.NewModel[float64]()
	d.Add(nn.NewDense[float64](groups*in, groups*units, nn.ReLU, "d"))
	require.NoError(t, d.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)))
	p := d.Params()
	clear(p)
	for k := range groups {
		w := dg.Weights(g.Params(), k)
		for r := range in {
			for c := range units {
				p[(k*in+r)*groups*units+k*units+c] = w.Data[r*units+c]
			}
		}
	}
	copy(p[groups*in*groups*units:], dg.Biases(g.Params()))
	x := nntest.RandMatrix[float64](rng, rows, groups*in)
	a, err := g.Predict(context.Background(), x)
	require.NoError(t, err)
	b, err := d.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.InDeltaSlice(t, b.Data, a.Data, 1e-12)

	back := reread(t, g)
	assert.Equal(t, g.Params(), back.Params())
	assert.Equal(t, "dense_groups", back.Summary().Layers[0].Kind)
	c, err := back.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, a.Data, c.Data)
	assert.Panics(t, func() { nn.NewDenseGroups[float64](2, 3, 4, nn.Softmax, "s") })
}
