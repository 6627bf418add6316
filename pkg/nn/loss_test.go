package nn_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrossEntropyRejectsHugeLabels(t *testing.T) {
	m := nntest.Classifier(t, nn.NewSGD[float64](0.1), 0, 2, 3)
	for _, bad := range []float64{1e20, math.Inf(1), math.Inf(-1), math.NaN(), -1, 2.5, 3} {
		y := nn.NewMatrix(4, 1, []float64{0, 1, bad, 2})
		_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, y), train.Options{})
		assert.ErrorContains(t, err, "row 2", "label %v", bad)
		_, _, err = train.Evaluate(context.Background(), m, nntest.XORX, y, train.EvalOptions{})
		assert.Error(t, err, "label %v", bad)
	}
}

// TestBinaryCrossEntropyValue compares the loss with the textbook formula
// −[t·log σ(z) + (1−t)·log(1−σ(z))], averaged over outputs and samples.
func TestBinaryCrossEntropyValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](3, 2, nn.Linear, "logits"))
	require.NoError(t, m.Compile(nn.BinaryCrossEntropy[float64](), nn.NewSGD[float64](0.1)))
	x := nntest.RandMatrix[float64](rng, 9, 3)
	y := nntest.RandUnit[float64](rng, 9, 2)
	logits, err := m.Predict(context.Background(), x) // linear output: Predict returns the logits
	require.NoError(t, err)
	var want float64
	for i, z := range logits.Data {
		s := 1 / (1 + math.Exp(-z))
		want -= y.Data[i]*math.Log(s) + (1-y.Data[i])*math.Log(1-s)
	}
	want /= float64(len(logits.Data))
	got, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	assert.InDelta(t, want, got, 1e-12)
}

// TestLabelSmoothingValue compares smoothed cross-entropy with the
// textbook −Σⱼ t′ⱼ·log softmax(z)ⱼ, t′ = (1−ε)·onehot + ε/K, and smoothed
// binary cross-entropy with the formula above at t·(1−ε) + ε/2.
func TestLabelSmoothingValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const eps, k = 0.15, 4
	x := nntest.RandMatrix[float64](rng, 11, 3)
	for _, bce := range []bool{false, true} {
		m := nn.NewModel[float64]()
		outputs := k
		var loss nn.Loss[float64] = nn.CrossEntropy[float64]()
		y := nntest.RandLabels[float64](rng, 11, k)
		if bce {
			outputs, loss, y = 1, nn.BinaryCrossEntropy[float64](), nntest.RandLabels[float64](rng, 11, 2)
		}
		m.Add(nn.NewDense[float64](3, outputs, nn.Linear, "logits"))
		smooth, err := nn.LabelSmoothing(loss, eps)
		require.NoError(t, err)
		require.NoError(t, m.Compile(smooth, nn.NewSGD[float64](0.1)))
		z, err := m.Predict(context.Background(), x) // linear output: the logits
		require.NoError(t, err)
		var want float64
		for i := 0; i < z.Rows; i++ {
			row, label := z.Row(i), int(y.Data[i])
			if bce {
				tt := float64(label)*(1-eps) + eps/2
				s := 1 / (1 + math.Exp(-row[0]))
				want -= tt*math.Log(s) + (1-tt)*math.Log(1-s)
				continue
			}
			var sum float64
			for _, v := range row {
				sum += math.Exp(v)
			}
			for j, v := range row {
				tt := eps / k
				if j == label {
					tt += 1 - eps
				}
				want -= tt * (v - math.Log(sum))
			}
		}
		want /= float64(z.Rows)
		got, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
		require.NoError(t, err)
		assert.InDelta(t, want, got, 1e-12, "bce %v", bce)
	}
	_, err := nn.LabelSmoothing(nn.MSE[float64](), 0.1)
	assert.ErrorContains(t, err, "classification loss")
	for _, bad := range []float64{-0.1, 1, math.NaN(), math.Inf(1)} {
		_, err := nn.LabelSmoothing(nn.CrossEntropy[float64](), bad)
		assert.Error(t, err, "eps %v", bad)
	}
}
