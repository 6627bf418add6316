package nn_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scaleModel is Scale(4) → Dense(4, 5) → Scale(5) → Dense(5, 3, softmax):
// the second Scale's input gradient goes to a Dense layer, so that the
// gradient check covers dIn as well as the scales.
func scaleModel(t *testing.T, factor float64, seed uint64) *nn.Model[float64] {
	m := nn.NewModel[float64]()
	m.Add(nn.NewScale[float64](4, factor, "s1"))
	m.Add(nn.NewDense[float64](4, 5, nn.Tanh, "h"))
	m.Add(nn.NewScale[float64](5, factor, "s2"))
	m.Add(nn.NewDense[float64](5, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(seed)))
	return m
}

// TestScaleGradient checks Scale's analytic gradient (its scales and its
// input) against central differences, with learning-rate factors 1 and 6,
// at batch sizes 1, 7 and 32, under the data-parallel machinery.
func TestScaleGradient(t *testing.T) {
	const h, tol = 1e-5, 1e-6
	for _, factor := range []float64{1, 6} {
		for _, batch := range []int{1, 7, 32} {
			rng := rand.New(rand.NewPCG(uint64(batch), uint64(factor)))
			m := scaleModel(t, factor, uint64(batch))
			for i, p := range m.Params() { // scales away from 1, biases away from 0
				m.Params()[i] = p + 0.1*rng.NormFloat64()
			}
			x := nntest.RandMatrix[float64](rng, batch, 4)
			y := nntest.RandLabels[float64](rng, batch, 3)
			assert.Less(t, gradientError(t, m, x, y, h), tol, "factor %v, batch %d", factor, batch)
		}
	}
}

// TestScaleStartsAsIdentity: a fresh Scale passes its input through
// (every scale 1, whatever the factor), and its scales are Factor·u.
func TestScaleStartsAsIdentity(t *testing.T) {
	m := nn.NewModel[float64]()
	s := nn.NewScale[float64](3, 6, "s")
	m.Add(s)
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(1)))
	x := nntest.RandMatrix[float64](rand.New(rand.NewPCG(1, 1)), 4, 3)
	got, err := m.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.InDeltaSlice(t, x.Data, got.Data, 1e-15)
	m.Params()[1] = 0.5
	scales := make([]float64, 3)
	s.Scales(m.Params(), scales)
	assert.InDeltaSlice(t, []float64{1, 3, 1}, scales, 1e-15)
	assert.Panics(t, func() { nn.NewScale[float64](3, 0, "s") })
	assert.Panics(t, func() { nn.NewScale[float64](0, 1, "s") })
	assert.Panics(t, func() { nn.NewScale[float64](3, 1e-300, "s") })
	assert.Panics(t, func() { nn.NewScale[float64](3, 1e300, "s") })
}

// TestFoldScale: a trained Scale folded into the Dense layer after it
// gives the network without the Scale the same answers (to rounding); and
// a network with a Scale goes through a model file unchanged.
func TestFoldScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	x := nntest.RandMatrix[float64](rng, 40, 4)
	y := nntest.RandLabels[float64](rng, 40, 3)
	m := scaleModel(t, 6, 3)
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 3, BatchSize: 8, Seed: 1})
	require.NoError(t, err)
	want, err := m.Predict(context.Background(), x)
	require.NoError(t, err)

	back := reread(t, m)
	assert.Equal(t, "scale", back.Summary().Layers[0].Kind)
	same, err := back.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, want.Data, same.Data)

	folded := nn.NewModel[float64]()
	folded.Add(nn.NewDense[float64](4, 5, nn.Tanh, "h"))
	folded.Add(nn.NewDense[float64](5, 3, nn.Softmax, "out"))
	require.NoError(t, folded.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0)))
	ls := m.Layers()
	copy(folded.LayerParams(0), m.LayerParams(1))
	copy(folded.LayerParams(1), m.LayerParams(3))
	nn.FoldScale(ls[0].(*nn.Scale[float64]), m.LayerParams(0), ls[1].(*nn.Dense[float64]), folded.LayerParams(0))
	nn.FoldScale(ls[2].(*nn.Scale[float64]), m.LayerParams(2), ls[3].(*nn.Dense[float64]), folded.LayerParams(1))
	got, err := folded.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.InDeltaSlice(t, want.Data, got.Data, 1e-12)
	assert.NotEqual(t, []float64{1, 1, 1, 1}, func() []float64 { // the scales did train
		s := make([]float64, 4)
		ls[0].(*nn.Scale[float64]).Scales(m.LayerParams(0), s)
		return s
	}())
}

// TestScaleFactorSpeedsAdam: under Adam, whose steps do not depend on the
// gradient's size, the scales move about Factor times as far in a step as
// with factor 1.
func TestScaleFactorSpeedsAdam(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x := nntest.RandMatrix[float64](rng, 16, 4)
	y := nntest.RandMatrix[float64](rng, 16, 2)
	moved := func(factor float64) float64 {
		m := nn.NewModel[float64]()
		s := nn.NewScale[float64](4, factor, "s")
		m.Add(s)
		m.Add(nn.NewDense[float64](4, 2, nn.Linear, "out"))
		require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewAdam[float64](1e-3), nn.WithSeed(2)))
		_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, BatchSize: 16, Seed: 1})
		require.NoError(t, err)
		sc := make([]float64, 4)
		s.Scales(m.LayerParams(0), sc)
		return sc[0] - 1
	}
	one, six := moved(1), moved(6)
	assert.InDelta(t, 6, six/one, 0.01, "a step of %v against %v", six, one)
}

// reread writes m as a model file and reads it back.
func reread(t *testing.T, m *nn.Model[float64]) *nn.Model[float64] {
	t.Helper()
	var buf bytes.Buffer
	_, err := m.WriteTo(&buf)
	require.NoError(t, err)
	back, err := nn.ReadModel[float64](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	return back
}
