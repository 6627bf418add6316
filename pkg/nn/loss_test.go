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
