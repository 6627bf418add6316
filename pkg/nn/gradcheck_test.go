package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type lossCase struct {
	name   string
	loss   func() nn.Loss[float64]
	out    nn.Activation
	target func(rng *rand.Rand, rows, k int) nn.Matrix[float64]
}

var gradLossCases = func() []lossCase {
	cases := []lossCase{
		{"ce-softmax-labels", nn.CrossEntropy[float64], nn.Softmax, nntest.RandLabels[float64]},
		{"ce-softmax-onehot", nn.CrossEntropy[float64], nn.Softmax,
			func(r *rand.Rand, n, k int) nn.Matrix[float64] {
				return nntest.OneHot(nntest.RandLabels[float64](r, n, k), k)
			}},
		{"ce-logits-labels", nn.CrossEntropy[float64], nn.Linear, nntest.RandLabels[float64]},
		{"bce-sigmoid", nn.BinaryCrossEntropy[float64], nn.Sigmoid, nntest.RandUnit[float64]},
		{"bce-logits", nn.BinaryCrossEntropy[float64], nn.Linear, nntest.RandUnit[float64]},
		{"ce-smooth-labels", smoothed(nn.CrossEntropy[float64], 0.1), nn.Softmax, nntest.RandLabels[float64]},
		{"ce-smooth-onehot", smoothed(nn.CrossEntropy[float64], 0.3), nn.Linear,
			func(r *rand.Rand, n, k int) nn.Matrix[float64] {
				return nntest.OneHot(nntest.RandLabels[float64](r, n, k), k)
			}},
		{"bce-smooth", smoothed(nn.BinaryCrossEntropy[float64], 0.2), nn.Sigmoid, nntest.RandUnit[float64]},
		{"half-mse-linear", nn.HalfMSE[float64], nn.Linear, nntest.RandMatrix[float64]},
		{"mae-linear", nn.MAE[float64], nn.Linear, nntest.RandMatrix[float64]},
		{"huber-tanh", func() nn.Loss[float64] { return nn.Huber[float64](0.5) }, nn.Tanh, nntest.RandMatrix[float64]},
		{"huber-linear", func() nn.Loss[float64] { return nn.Huber[float64](0.5) }, nn.Linear, nntest.RandMatrix[float64]},
	}
	for _, a := range []nn.Activation{nn.Linear, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Softmax} {
		cases = append(cases, lossCase{"mse-" + a.String(), nn.MSE[float64], a, nntest.RandMatrix[float64]})
	}
	return cases
}()

// smoothed returns a maker of loss with label smoothing eps.
func smoothed(loss func() nn.Loss[float64], eps float64) func() nn.Loss[float64] {
	return func() nn.Loss[float64] {
		l, err := nn.LabelSmoothing(loss(), eps)
		if err != nil {
			panic(err)
		}
		return l
	}
}

// TestGradientMatchesFiniteDifferences checks the analytic gradient from the
// data-parallel machinery against central differences of Evaluate, for every
// hidden activation × (loss, output activation) pair, at batch sizes 1, 7
// and 32.
//
// The step h balances truncation error (∝ h²) against rounding in the loss
// (∝ 1/h); 1e-5 keeps both near 1e-8 relative here.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	const h, tol = 1e-5, 1e-6
	hidden := []nn.Activation{nn.Linear, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Softmax}
	worst := 0.0
	for _, lc := range gradLossCases {
		for _, act := range hidden {
			for _, batch := range []int{1, 7, 32} {
				name := fmt.Sprintf("%s/hidden-%s/batch-%d", lc.name, act, batch)
				t.Run(name, func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(batch), uint64(act)))
					const in, mid, out = 4, 5, 3
					m := nn.NewModel[float64]()
					h1 := nn.NewDense[float64](in, mid, act, "h1")
					h1.L2 = 0.01 * float64(batch%2) // an L2 penalty in half of the cases
					m.Add(h1)
					m.Add(nn.NewDense[float64](mid, mid, act, "h2"))
					m.Add(nn.NewDense[float64](mid, out, lc.out, "out"))
					require.NoError(t, m.Compile(lc.loss(), nn.NewSGD[float64](0.1), nn.WithSeed(uint64(batch))))
					for i, p := range m.Params() { // non-zero biases too
						m.Params()[i] = p + 0.1*rng.NormFloat64()
					}
					x := nntest.RandMatrix[float64](rng, batch, in)
					y := lc.target(rng, batch, out)

					loss, grad, err := train.Gradient(context.Background(), m, x, y, train.Parallelism{Workers: 2, ShardSize: 3, MaxLanes: 4})
					require.NoError(t, err)
					ev, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
					require.NoError(t, err)
					assert.InDelta(t, ev, loss, 1e-12*max(1, ev))

					numeric := nntest.NumericGradient(m.Params(), h, func() float64 {
						l, _, _ := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
						return l
					})
					e := nntest.RelErr(grad, numeric)
					worst = max(worst, e)
					assert.Less(t, e, tol)
				})
			}
		}
	}
	t.Logf("worst relative error %.3g over %d cases", worst, len(gradLossCases)*len(hidden)*3)
}

// gradientError is the relative error (nntest.RelErr) between m's analytic
// gradient on (x, y), computed by the data-parallel machinery (two
// workers, shards of 3 rows, 4 lanes), and the central differences of
// its Evaluate loss with step h: the gradient check of a layer.
func gradientError(t *testing.T, m *nn.Model[float64], x, y nn.Matrix[float64], h float64) float64 {
	t.Helper()
	ctx := context.Background()
	_, grad, err := train.Gradient(ctx, m, x, y, train.Parallelism{Workers: 2, ShardSize: 3, MaxLanes: 4})
	require.NoError(t, err)
	numeric := nntest.NumericGradient(m.Params(), h, func() float64 {
		l, _, err := train.Evaluate(ctx, m, x, y, train.EvalOptions{})
		require.NoError(t, err)
		return l
	})
	return nntest.RelErr(grad, numeric)
}
