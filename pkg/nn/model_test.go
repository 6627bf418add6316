package nn_test

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestXORConverges(t *testing.T) {
	m := nntest.XORModel(t)
	var log strings.Builder
	hist, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 5000, BatchSize: 1, NoShuffle: true, Log: &log})
	require.NoError(t, err)
	pred, err := m.Predict(context.Background(), nntest.XORX)
	require.NoError(t, err)
	for i, want := range nntest.XORY.Data {
		assert.InDelta(t, want, pred.At(i, 0), 0.1, "input %v", nntest.XORX.Row(i))
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.Len(t, lines, 5000)
	assert.True(t, strings.HasPrefix(lines[0], "epoch 1/5000 loss "), lines[0])
	assert.True(t, strings.HasPrefix(lines[4999], "epoch 5000/5000 loss "), lines[4999])
	assert.Less(t, hist.Loss()[4999], hist.Loss()[0])
}

// cancelAfter is a log writer that cancels a context at the n-th line.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return len(p), nil
}

func TestCancelledFitReturnsContextErrorAndLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := nntest.XORModel(t)
	hist, err := train.Fit(ctx, m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 1000, BatchSize: 1, Parallelism: train.Parallelism{Workers: 4}, Log: &cancelAfter{n: 3, cancel: cancel}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, hist.Epochs, 3, "training went on after the cancel")

	// Already cancelled: returns at once.
	_, err = train.Fit(ctx, m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFitLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	m := nntest.XORModel(t)
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 3, Parallelism: train.Parallelism{Workers: 8}, Log: io.Discard})
	require.NoError(t, err)
}

func TestStableForLargeInputs(t *testing.T) {
	x := nn.NewMatrix(2, 1, []float64{1, -1})
	for _, tc := range []struct {
		name string
		loss nn.Loss[float64]
		act  nn.Activation
		y    []float64
	}{
		{"sigmoid-mse", nn.MSE[float64](), nn.Sigmoid, []float64{1, 0, 0, 1}},
		{"softmax-ce", nn.CrossEntropy[float64](), nn.Softmax, []float64{1, 0}},
		{"sigmoid-bce", nn.BinaryCrossEntropy[float64](), nn.Sigmoid, []float64{1, 0, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := nn.NewModel[float64]()
			m.Add(nn.NewDense[float64](1, 2, tc.act, "out"))
			require.NoError(t, m.Compile(tc.loss, nn.NewSGD[float64](0.1)))
			copy(m.Params(), []float64{1000, -1000, 0, 0}) // logits ±1000
			y := nn.NewMatrix(2, len(tc.y)/2, tc.y)
			loss, grad, err := train.Gradient(context.Background(), m, x, y, train.Parallelism{Workers: 1})
			require.NoError(t, err)
			assert.False(t, math.IsNaN(loss) || math.IsInf(loss, 0), "loss %v", loss)
			for _, g := range grad {
				assert.False(t, math.IsNaN(g) || math.IsInf(g, 0), "gradient %v", grad)
			}
			p, err := m.Predict(context.Background(), x)
			require.NoError(t, err)
			for _, v := range p.Data {
				assert.True(t, v >= 0 && v <= 1, "prediction %v", p.Data)
			}
		})
	}
	// The right values, not only finite ones: −log softmax at logit gap 2000.
	m := nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](1, 2, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1)))
	copy(m.Params(), []float64{1000, -1000, 0, 0})
	loss, _, err := train.Evaluate(context.Background(), m, nn.NewMatrix(1, 1, []float64{1}), nn.NewMatrix(1, 1, []float64{1}), train.EvalOptions{})
	require.NoError(t, err)
	assert.InDelta(t, 2000, loss, 1e-9)
}

func TestPredictAppliesFusedHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](4, 5, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float32](), nn.NewAdam[float32](0.01)))
	p, err := m.Predict(context.Background(), nntest.RandMatrix[float32](rng, 300, 4)) // more than one chunk
	require.NoError(t, err)
	for i := 0; i < p.Rows; i++ {
		var s float64
		for _, v := range p.Row(i) {
			s += float64(v)
		}
		assert.InDelta(t, 1, s, 1e-5)
	}
}

func TestParseActivation(t *testing.T) {
	for name, want := range map[string]nn.Activation{"none": nn.Linear, "linear": nn.Linear, "Sigmoid": nn.Sigmoid,
		"tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "softmax": nn.Softmax} {
		got, err := nn.ParseActivation(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	_, err := nn.ParseActivation("swish")
	assert.ErrorContains(t, err, `"swish"`)
}

func TestCompileAndFitErrors(t *testing.T) {
	m := nn.NewModel[float64]()
	assert.ErrorContains(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)), "no layers")
	m.Add(nn.NewDense[float64](2, 3, nn.ReLU, "a"))
	m.Add(nn.NewDense[float64](4, 1, nn.Linear, "b"))
	assert.ErrorContains(t, m.Compile(nn.MSE[float64](), nn.NewSGD[float64](0.1)), `layer 1 ("b") takes 4 inputs`)

	m = nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 3, nn.ReLU, "a"))
	assert.ErrorContains(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1)), "softmax or linear")

	_, err := nn.NewModel[float64]().Predict(context.Background(), nntest.XORX)
	assert.ErrorIs(t, err, nn.ErrNotCompiled)

	m = nn.NewModel[float64]()
	m.Add(nn.NewDense[float64](2, 3, nn.Softmax, "a"))
	require.NoError(t, m.Compile(nn.CrossEntropy[float64](), nn.NewSGD[float64](0.1)))
	ctx := context.Background()
	_, err = train.Fit(ctx, m, train.InMemory(nntest.XORX, nn.NewMatrix(4, 1, []float64{0, 1, 2, 3})), train.Options{})
	assert.ErrorContains(t, err, "row 3: class label 3")
	var le *nn.LabelError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, nn.LabelError{Row: 3, Label: 3, Classes: 3}, *le)
	_, err = train.Fit(ctx, m, train.InMemory(nntest.XORX, nn.NewMatrix(3, 1, []float64{0, 1, 2})), train.Options{})
	var se *nn.ShapeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, nn.ShapeError{What: "target rows", Got: 3, Want: 4}, *se)
	_, err = train.Fit(ctx, m, train.InMemory(nn.NewMatrix[float64](4, 3, nil), nntest.XORY), train.Options{})
	require.ErrorAs(t, err, &se)
	assert.Equal(t, nn.ShapeError{What: "input columns", Got: 3, Want: 2}, *se)
	_, err = train.Fit(ctx, m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: -1})
	assert.ErrorContains(t, err, "negative Epochs")
	_, err = train.Fit(ctx, m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Parallelism: train.Parallelism{Workers: -2}})
	assert.Error(t, err)
}

func TestRecompileKeepsWeights(t *testing.T) {
	m := nntest.XORModel(t)
	_, err := train.Fit(context.Background(), m, train.InMemory(nntest.XORX, nntest.XORY), train.Options{Epochs: 50})
	require.NoError(t, err)
	trained := append([]float64(nil), m.Params()...)
	require.NoError(t, m.Compile(nn.MSE[float64](), nn.NewAdam[float64](0.01), nn.WithSeed(99)))
	assert.Equal(t, trained, m.Params())
}

// cancellingSGD cancels the context inside its first Update call.
type cancellingSGD struct {
	*nn.SGD[float32]
	cancel context.CancelFunc
}

func (c cancellingSGD) Update(p, g []float32, lo, hi int) {
	c.cancel()
	c.SGD.Update(p, g, lo, hi)
}

// TestCancelDuringUpdateFinishesTheStep: a cancel that arrives while the
// optimizer is applying a step (here with two parameter chunks) must not
// leave the step half applied.
func TestCancelDuringUpdateFinishesTheStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := nntest.RandMatrix[float32](rng, 20, 200)
	y := nntest.RandLabels[float32](rng, 20, 2)
	build := func(opt nn.Optimizer[float32]) *nn.Model[float32] {
		m := nn.NewModel[float32]()
		m.Add(nn.NewDense[float32](200, 100, nn.Tanh, "h")) // 20 100 parameters: two update chunks
		m.Add(nn.NewDense[float32](100, 2, nn.Softmax, "o"))
		require.NoError(t, m.Compile(nn.CrossEntropy[float32](), opt))
		return m
	}
	opts := train.Options{BatchSize: 10, NoShuffle: true, Parallelism: train.Parallelism{Workers: 1}}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := build(cancellingSGD{nn.NewSGD[float32](0.5), cancel})
	_, err := train.Fit(ctx, got, train.InMemory(x, y), opts)
	require.ErrorIs(t, err, context.Canceled)

	want := build(nn.NewSGD[float32](0.5)) // exactly one step: the first batch
	_, err = train.Fit(context.Background(), want, train.InMemory(x.SliceRows(0, 10), y.SliceRows(0, 10)), opts)
	require.NoError(t, err)
	assert.Equal(t, want.Params(), got.Params())
}
