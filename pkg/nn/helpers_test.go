package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// randMatrix returns a rows×cols matrix of standard normal values.
func randMatrix[T nn.Float](rng *rand.Rand, rows, cols int) nn.Matrix[T] {
	m := nn.NewMatrix[T](rows, cols, nil)
	for i := range m.Data {
		m.Data[i] = T(rng.NormFloat64())
	}
	return m
}

// randLabels returns a rows×1 matrix of class labels in [0, k).
func randLabels[T nn.Float](rng *rand.Rand, rows, k int) nn.Matrix[T] {
	m := nn.NewMatrix[T](rows, 1, nil)
	for i := range m.Data {
		m.Data[i] = T(rng.IntN(k))
	}
	return m
}

// oneHot expands labels into one-hot rows.
func oneHot[T nn.Float](labels nn.Matrix[T], k int) nn.Matrix[T] {
	m := nn.NewMatrix[T](labels.Rows, k, nil)
	for i, l := range labels.Data {
		m.Data[i*k+int(l)] = 1
	}
	return m
}

// randUnit returns a rows×cols matrix of uniform values in [0, 1).
func randUnit[T nn.Float](rng *rand.Rand, rows, cols int) nn.Matrix[T] {
	m := nn.NewMatrix[T](rows, cols, nil)
	for i := range m.Data {
		m.Data[i] = T(rng.Float64())
	}
	return m
}

// relErr is ‖a−b‖/max(‖a‖, ‖b‖), 0 when both are zero.
func relErr(a, b []float64) float64 {
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

// numericGradient is the central difference (loss(p+h) − loss(p−h))/2h of
// loss with respect to each element of p, which loss reads in place.
func numericGradient(p []float64, h float64, loss func() float64) []float64 {
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

// classifier is the small model most tests train: a softmax classifier
// compiled with cross-entropy, opt and initial weights from seed, of Dense
// layers of the given widths (the input's first), ReLU between them,
// named "h", "h2", … and "o".
func classifier[T nn.Float](t testing.TB, opt nn.Optimizer[T], seed uint64, widths ...int) *nn.Model[T] {
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

// classData returns rows×cols standard normal inputs and rows labels in
// [0, k), for classifier, drawn from PCG(seed, seed).
func classData[T nn.Float](seed uint64, rows, cols, k int) (x, y nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(seed, seed))
	return randMatrix[T](rng, rows, cols), randLabels[T](rng, rows, k)
}
