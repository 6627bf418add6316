package train_test

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

// stepDelta makes one SGD step with learning rate 1 on the whole data and
// returns params before − after, which is the applied gradient.
func stepDelta(t *testing.T, m *nn.Model[float64], x, y nn.Matrix[float64], opt train.Options) []float64 {
	before := append([]float64(nil), m.Params()...)
	opt.BatchSize, opt.Epochs, opt.NoShuffle = x.Rows, 1, true
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), opt)
	require.NoError(t, err)
	d := make([]float64, len(before))
	for i := range d {
		d[i] = before[i] - m.Params()[i]
	}
	copy(m.Params(), before)
	return d
}

func smallClassifier(t *testing.T, seed uint64) *nn.Model[float64] {
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](3, 4, nn.Tanh, "h"))
	m.Add(nn.NewDense[float64](4, 3, nn.Softmax, "o"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](1), nn.WithSeed(seed)))
	return m
}

// TestWeightedGradientMatchesFiniteDifferences: with sample and class
// weights, the applied gradient is that of Σ wᵢ·lossᵢ / n, where each lossᵢ
// comes from Evaluate on row i alone.
func TestWeightedGradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := nntest.RandMatrix[float64](rng, 9, 3)
	y := nntest.RandLabels[float64](rng, 9, 3)
	sw := make([]float64, 9)
	for i := range sw {
		sw[i] = rng.Float64() * 2
	}
	cw := []float64{0.5, 2, 1.5}
	m := smallClassifier(t, 1)
	got := stepDelta(t, m, x, y, train.Options{SampleWeights: sw, ClassWeights: cw, Parallelism: train.Parallelism{Workers: 2, ShardSize: 2}})

	loss := func() float64 {
		var s float64
		for i := 0; i < x.Rows; i++ {
			l, _, err := train.Evaluate(context.Background(), m, x.SliceRows(i, i+1), y.SliceRows(i, i+1), train.EvalOptions{})
			require.NoError(t, err)
			s += sw[i] * cw[int(y.Data[i])] * l
		}
		return s / float64(x.Rows)
	}
	const h = 1e-5
	numeric := nntest.NumericGradient(m.Params(), h, loss)
	assert.Less(t, nntest.RelErr(got, numeric), 1e-6)
}

func TestBalancedClassWeightsAreScikitLearns(t *testing.T) {
	// Labels 0,0,0,1,2,2: balanced weights n/(k·countₖ) = 6/9, 2, 1.
	x := nn.NewMatrix[float64](6, 3, nil)
	y := nn.NewMatrix(6, 1, []float64{0, 0, 0, 1, 2, 2})
	m := smallClassifier(t, 2)
	balanced := stepDelta(t, m, x, y, train.Options{BalanceClasses: true})
	explicit := stepDelta(t, m, x, y, train.Options{ClassWeights: []float64{6.0 / 9, 2, 1}})
	for i := range balanced {
		assert.InDelta(t, explicit[i], balanced[i], 1e-15)
	}
	plain := stepDelta(t, m, x, y, train.Options{})
	assert.NotEqual(t, plain, balanced)

	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{ClassWeights: []float64{1, 2}})
	assert.ErrorContains(t, err, "2 class weights for 3 classes")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{SampleWeights: []float64{1}})
	assert.ErrorContains(t, err, "1 sample weights for 6 rows")
	_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{SampleWeights: []float64{1, 1, math.NaN(), 1, 1, 1}})
	assert.ErrorContains(t, err, "sample weight 2")
}

// TestClipNormBoundsTheStep: with SGD at learning rate 1 the applied step is
// the clipped gradient, whose norm is ClipNorm and whose direction is the
// gradient's.
func TestClipNormBoundsTheStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x := nntest.RandMatrix[float64](rng, 8, 3)
	y := nntest.RandLabels[float64](rng, 8, 3)
	m := smallClassifier(t, 3)
	_, grad, err := train.Gradient(context.Background(), m, x, y, train.Parallelism{})
	require.NoError(t, err)
	var norm float64
	for _, g := range grad {
		norm += g * g
	}
	norm = math.Sqrt(norm)
	require.Greater(t, norm, 0.01)

	step := stepDelta(t, m, x, y, train.Options{ClipNorm: 0.01})
	var sn float64
	for i, s := range step {
		sn += s * s
		assert.InDelta(t, grad[i]*0.01/norm, s, 1e-15)
	}
	assert.InDelta(t, 0.01, math.Sqrt(sn), 1e-12)

	loose := stepDelta(t, m, x, y, train.Options{ClipNorm: 2 * norm}) // not clipped
	for i := range loose {
		assert.InDelta(t, grad[i], loose[i], 1e-15)
	}
}

func TestBalanceClassesNeedsClassification(t *testing.T) {
	m := nntest.XORModel(t)
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{BalanceClasses: true})
	assert.ErrorContains(t, err, "classification loss")
}

// TestBalancedClassesCountOnlyPresentClasses: with class 2 absent from the
// data, "balanced" divides by the 2 classes present, as scikit-learn's
// compute_class_weight over np.unique(y) does.
func TestBalancedClassesCountOnlyPresentClasses(t *testing.T) {
	x := nn.NewMatrix[float64](4, 3, nil)
	y := nn.NewMatrix(4, 1, []float64{0, 0, 0, 1})
	m := smallClassifier(t, 5)
	balanced := stepDelta(t, m, x, y, train.Options{BalanceClasses: true})
	explicit := stepDelta(t, m, x, y, train.Options{ClassWeights: []float64{4.0 / 6, 2, 1}})
	for i := range balanced {
		assert.InDelta(t, explicit[i], balanced[i], 1e-15)
	}
}

// TestZeroWeightsAreRefused: when every training row weighs 0 (sample
// weights, class weights or their product), Fit refuses with
// ErrZeroWeight instead of saving the untrained network; one row of
// weight > 0 among the training rows is enough.
func TestZeroWeightsAreRefused(t *testing.T) {
	x := nn.NewMatrix[float64](4, 3, nil)
	y := nn.NewMatrix(4, 1, []float64{0, 0, 1, 1})
	for _, c := range []struct {
		name string
		opt  train.Options
		want error
	}{
		{"sample", train.Options{SampleWeights: []float64{0, 0, 0, 0}}, train.ErrZeroWeight},
		{"class", train.Options{ClassWeights: []float64{0, 0, 0}}, train.ErrZeroWeight},
		{"product", train.Options{SampleWeights: []float64{0, 0, 1, 1}, ClassWeights: []float64{1, 0, 1}}, train.ErrZeroWeight},
		{"held out", train.Options{SampleWeights: []float64{0, 0, 0, 1}, ValidationRows: []int{3}}, train.ErrZeroWeight},
		{"one row", train.Options{SampleWeights: []float64{0, 0, 0, 1}}, nil},
	} {
		c.opt.Epochs = 1
		_, err := train.Fit(context.Background(), smallClassifier(t, 5), train.InMemory(x, y), c.opt)
		if c.want == nil {
			assert.NoError(t, err, c.name)
			continue
		}
		assert.ErrorIs(t, err, c.want, c.name)
	}
}
