package nntest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/require"
)

// RandMatrix returns a rows×cols matrix of standard normal values.
func RandMatrix[T nn.Float](rng *rand.Rand, rows, cols int) nn.Matrix[T] {
	m := nn.NewMatrix[T](rows, cols, nil)
	for i := range m.Data {
		m.Data[i] = T(rng.NormFloat64())
	}
	return m
}

// RandLabels returns a rows×1 matrix of class labels in [0, k).
func RandLabels[T nn.Float](rng *rand.Rand, rows, k int) nn.Matrix[T] {
	m := nn.NewMatrix[T](rows, 1, nil)
	for i := range m.Data {
		m.Data[i] = T(rng.IntN(k))
	}
	return m
}

// OneHot expands labels into one-hot rows.
func OneHot[T nn.Float](labels nn.Matrix[T], k int) nn.Matrix[T] {
	m := nn.NewMatrix[T](labels.Rows, k, nil)
	for i, l := range labels.Data {
		m.Data[i*k+int(l)] = 1
	}
	return m
}

// RandUnit returns a rows×cols matrix of uniform values in [0, 1).
func RandUnit[T nn.Float](rng *rand.Rand, rows, cols int) nn.Matrix[T] {
	m := nn.NewMatrix[T](rows, cols, nil)
	for i := range m.Data {
		m.Data[i] = T(rng.Float64())
	}
	return m
}

// RelErr is ‖a−b‖/max(‖a‖, ‖b‖), 0 when both are zero.
func RelErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	if na == 0 && nb == 0 {
		return 0
	}
	return math.Sqrt(d) / math.Sqrt(max(na, nb))
}

// NumericGradient is the central difference (loss(p+h) − loss(p−h))/2h of
// loss with respect to each element of p, which loss reads in place.
func NumericGradient(p []float64, h float64, loss func() float64) []float64 {
	g := make([]float64, len(p))
	for i := range p {
		orig := p[i]
		p[i] = orig + h
		lp := loss()
		p[i] = orig - h
		lm := loss()
		p[i] = orig
		g[i] = (lp - lm) / (2 * h)
	}
	return g
}

// Classifier is the small model most tests train: a softmax Classifier
// compiled with cross-entropy, opt and initial weights from seed, of Dense
// layers of the given widths (the input's first), ReLU between them,
// named "h", "h2", … and "o".
func Classifier[T nn.Float](t testing.TB, opt nn.Optimizer[T], seed uint64, widths ...int) *nn.Model[T] {
	m := nn.NewModel[T]()
	for i := 0; i+1 < len(widths); i++ {
		act, name := nn.ReLU, "h"
		if i > 0 {
			name = fmt.Sprintf("h%d", i+1)
		}
		if i+2 == len(widths) {
			act, name = nn.Softmax, "o"
		}
		m.Add(nn.NewDense[T](widths[i], widths[i+1], act, name))
	}
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), opt, nn.WithSeed(seed)))
	return m
}

// ClassData returns rows×cols standard normal inputs and rows labels in
// [0, k), for Classifier, drawn from PCG(seed, seed).
func ClassData[T nn.Float](seed uint64, rows, cols, k int) (x, y nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(seed, seed))
	return RandMatrix[T](rng, rows, cols), RandLabels[T](rng, rows, k)
}

// RegularizedModel is 6 → input dropout → 12 ReLU (L1, L2, max-norm
// maxNorm) → dropout → 8 tanh (L1) → 3 softmax, compiled with Adam.
func RegularizedModel[T nn.Float](t testing.TB, maxNorm float64) *nn.Model[T] {
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

// ResumeCase is the classifier and data of the checkpoint tests: Adam, or
// momentum SGD when optimizer is "momentum".
func ResumeCase[T nn.Float](t testing.TB, optimizer string) (*nn.Model[T], nn.Matrix[T], nn.Matrix[T]) {
	x, y := ClassData[T](40, 101, 6, 3)
	var opt nn.Optimizer[T] = nn.NewAdam[T](0.01)
	if optimizer == "momentum" {
		opt = nn.NewMomentum[T](0.05, 0.9)
	}
	return Classifier(t, opt, 8, 6, 12, 3), x, y
}

// XORModel is the tutorial's network for XOR: 2 → 3 sigmoid → 4 sigmoid →
// 1 linear, normal initial weights, half MSE and SGD at 0.1, seed 1.
func XORModel(t testing.TB) *nn.Model[float64] {
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 3, nn.Sigmoid, "hidden1").WithInit(nn.Normal{}))
	m.Add(nn.NewDense[float64](3, 4, nn.Sigmoid, "hidden2").WithInit(nn.Normal{}))
	m.Add(nn.NewDense[float64](4, 1, nn.Linear, "output").WithInit(nn.Normal{}))
	require.NoError(t, m.Compile(nn.HalfMSE[float64](), nn.NewSGD[float64](0.1), nn.WithSeed(1)))
	return m
}

// XOR's four rows and their targets.
var (
	XORX = nn.NewMatrix(4, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1})
	XORY = nn.NewMatrix(4, 1, []float64{0, 1, 1, 0})
)
