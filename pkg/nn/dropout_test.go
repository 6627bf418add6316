package nn_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// regularizedModel is 6 → input dropout → 12 ReLU (L1, L2, max-norm) →
// dropout → 8 tanh (L1) → 3 softmax.
func regularizedModel[T nn.Float](t *testing.T, maxNorm float64) *nn.Model[T] {
	m := nn.NewModel[T]()
	m.Add(nn.NewDropout[T](6, 0.2, "in_drop"))
	h1 := nn.NewDense[T](6, 12, nn.ReLU, "h1")
	h1.L1, h1.L2, h1.MaxNorm = 0.003, 0.01, maxNorm
	m.Add(h1)
	m.Add(nn.NewDropout[T](12, 0.5, "drop1"))
	h2 := nn.NewDense[T](12, 8, nn.Tanh, "h2")
	h2.L1 = 0.002
	m.Add(h2)
	m.Add(nn.NewDense[T](8, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](0.01), nn.WithSeed(4)))
	return m
}

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
		m := regularizedModel[float64](t, 0.5)
		for i, p := range m.Params() {
			m.Params()[i] = p + 0.1*rng.NormFloat64()
		}
		x := randMatrix[float64](rng, batch, 6)
		y := randLabels[float64](rng, batch, 3)
		par := nn.Parallelism{Workers: 2, ShardSize: 3, MaxLanes: 4}
		loss, grad, err := m.Gradient(context.Background(), x, y, par)
		require.NoError(t, err)
		ev, err := m.Evaluate(x, y) // inference: no dropout, another loss
		require.NoError(t, err)
		assert.NotEqual(t, ev, loss, "dropout is active in Gradient")

		lossAt := func() float64 {
			l, _, err := m.Gradient(context.Background(), x, y, nn.Parallelism{Workers: 1, ShardSize: 5})
			require.NoError(t, err)
			return l
		}
		assert.InDelta(t, loss, lossAt(), 1e-12, "the mask does not depend on the shard layout")
		numeric := numericGradient(m.Params(), h, lossAt)
		e := relErr(grad, numeric)
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

// dropoutRun trains the regularized model on 203 samples and returns its
// parameters.
func dropoutRun[T nn.Float](t *testing.T, workers int) []T {
	m, x, y := dropoutCase[T](t)
	_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 3, BatchSize: 50, Seed: 9,
		Parallelism: nn.Parallelism{Workers: workers, ShardSize: 4, MaxLanes: 5}})
	require.NoError(t, err)
	return append([]T(nil), m.Params()...)
}

func dropoutCase[T nn.Float](t *testing.T) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	return regularizedModel[T](t, 0.8), randMatrix[T](rng, 203, 6), randLabels[T](rng, 203, 3)
}

// TestDropoutKeepsWorkerAndRankInvariance: with dropout, L1 and max-norm,
// workers 1, 2, 3 and 8 and in-process ranks 2 and 3 give byte-identical
// parameters.
func TestDropoutKeepsWorkerAndRankInvariance(t *testing.T) {
	for _, name := range []string{"float32", "float64"} {
		t.Run(name, func(t *testing.T) {
			check := func(want, got any, what string) { assert.Equal(t, want, got, what) }
			if name == "float32" {
				want := dropoutRun[float32](t, 1)
				for _, w := range []int{2, 3, 8} {
					check(want, dropoutRun[float32](t, w), "workers")
				}
				for _, size := range []int{2, 3} {
					got, _, errs := fitRanksOf(t, func() (*nn.Model[float32], nn.Matrix[float32], nn.Matrix[float32]) { return dropoutCase[float32](t) },
						size, nn.FitOptions{Epochs: 3, BatchSize: 50, Seed: 9, Parallelism: nn.Parallelism{Workers: 2, ShardSize: 4, MaxLanes: 5}})
					for r, err := range errs {
						require.NoError(t, err, "rank %d", r)
					}
					check(want, got, "ranks")
				}
				return
			}
			want := dropoutRun[float64](t, 1)
			for _, w := range []int{2, 3, 8} {
				check(want, dropoutRun[float64](t, w), "workers")
			}
		})
	}
}

// TestMaxNormBoundsEveryUnit: after training, no unit's incoming weights
// have a norm above MaxNorm (the constraint binds: without it they do).
func TestMaxNormBoundsEveryUnit(t *testing.T) {
	norms := func(maxNorm float64) []float64 {
		m, x, y := dropoutCase[float64](t)
		m.Layers()[1].(*nn.Dense[float64]).MaxNorm = maxNorm
		_, err := m.Fit(context.Background(), x, y, nn.FitOptions{Epochs: 20, BatchSize: 16, Seed: 1})
		require.NoError(t, err)
		w := m.LayerParams(1)[:6*12]
		n := make([]float64, 12)
		for i := range 6 {
			for j := range 12 {
				n[j] += w[i*12+j] * w[i*12+j]
			}
		}
		for j := range n {
			n[j] = math.Sqrt(n[j])
		}
		return n
	}
	free := norms(0)
	assert.Greater(t, maxOf(free), 0.25, "the constraint would bind")
	for j, n := range norms(0.25) {
		assert.LessOrEqual(t, n, 0.25*(1+1e-12), "unit %d", j)
	}
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
