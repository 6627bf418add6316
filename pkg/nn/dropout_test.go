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

// TestGradientWithDropoutL1AndMaxNorm checks the analytic gradient of a
// model with dropout (the mask fixed by its key: Gradient draws the masks
// of epoch 0, step 0, seed 0), L1 and L2 penalties and a max-norm
// constraint (which does not enter the gradient) against central
// differences of the same training-mode loss, at batch sizes 1, 7 and 32,
// with several shard layouts.
func TestGradientWithDropoutL1AndMaxNorm(t *testing.T) {
	const h, tol = 1e-5, 1e-6
	for _, batch := range []int{1, 7, 32} {
		rng := rand.New(rand.NewPCG(uint64(batch), 77))
		m := nntest.RegularizedModel[float64](t, 0.5)
		for i, p := range m.Params() {
			m.Params()[i] = p + 0.1*rng.NormFloat64()
		}
		x := nntest.RandMatrix[float64](rng, batch, 6)
		y := nntest.RandLabels[float64](rng, batch, 3)
		par := train.Parallelism{Workers: 2, ShardSize: 3, MaxLanes: 4}
		loss, grad, err := train.Gradient(context.Background(), m, x, y, par)
		require.NoError(t, err)
		ev, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{}) // inference: no dropout, another loss
		require.NoError(t, err)
		assert.NotEqual(t, ev, loss, "dropout is active in Gradient")

		lossAt := func() float64 {
			l, _, err := train.Gradient(context.Background(), m, x, y, train.Parallelism{Workers: 1, ShardSize: 5})
			require.NoError(t, err)
			return l
		}
		assert.InDelta(t, loss, lossAt(), 1e-12, "the mask does not depend on the shard layout")
		numeric := nntest.NumericGradient(m.Params(), h, lossAt)
		e := nntest.RelErr(grad, numeric)
		assert.Less(t, e, tol, "batch %d", batch)
		t.Logf("batch %d: relative error %.3g", batch, e)
	}
}

// TestDropoutMasks: the fraction dropped is the rate and the mean
// activation is preserved (over 2 000 samples × 100 units); masks differ
// between samples, between epochs and between layers, and a sample's mask
// does not depend on the rows computed with it.
func TestDropoutMasks(t *testing.T) {
	d := nn.NewDropout[float64](100, 0.3, "d")
	const rows = 2000
	in := nn.NewMatrix[float64](rows, 100, nil)
	for i := range in.Data {
		in.Data[i] = 1
	}
	samples := make([]int, rows)
	for i := range samples {
		samples[i] = 10_000 + i
	}
	out := nn.NewMatrix[float64](rows, 100, nil)
	d.Forward(nn.TrainingPass(7, 1, 3, samples, 0), nil, in, out)
	var sum float64
	dropped := 0
	for _, v := range out.Data {
		sum += v
		if v == 0 {
			dropped++
		} else {
			assert.InDelta(t, 1/0.7, v, 1e-15)
		}
	}
	n := float64(len(out.Data))
	// binomial: the standard deviation of the dropped fraction is 0.0015
	assert.InDelta(t, 0.3, float64(dropped)/n, 0.006, "fraction dropped")
	assert.InDelta(t, 1, sum/n, 0.01, "mean activation")

	mask := func(epoch, step uint64, sample, layer int, others ...int) string {
		o := nn.NewMatrix[float64](1+len(others), 100, nil)
		i := nn.NewMatrix[float64](1+len(others), 100, nil)
		for k := range i.Data {
			i.Data[k] = 1
		}
		d.Forward(nn.TrainingPass(7, epoch, step, append(append([]int(nil), others...), sample), layer), nil, i, o)
		var b bytes.Buffer
		for _, v := range o.Row(len(others)) {
			b.WriteByte('0' + byte(v))
		}
		return b.String()
	}
	base := mask(1, 3, 42, 0)
	assert.NotEqual(t, base, mask(1, 3, 43, 0), "another sample")
	assert.NotEqual(t, base, mask(2, 3, 42, 0), "another epoch")
	assert.NotEqual(t, base, mask(1, 4, 42, 0), "another step")
	assert.NotEqual(t, base, mask(1, 3, 42, 1), "another layer")
	assert.Equal(t, base, mask(1, 3, 42, 0, 5, 6, 7), "other rows beside it")

	// Outside training it is the identity.
	d.Forward(nn.Pass{}, nil, in, out)
	assert.Equal(t, in.Data, out.Data)
}
