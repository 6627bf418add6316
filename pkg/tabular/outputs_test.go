package tabular

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/prep"
)

// A row far outside the training rows whose answer overflows float32 is an
// input error naming the row and the target on every path, never +Inf.
func TestAnswerBeyondFloat32IsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 64 {
		x := float64(i) / 63
		fmt.Fprintf(&b, "%g,%g\n", x, (2*x-1)*3e38) // targets near float32's largest
	}
	ctx := context.Background()
	m, err := Fit(ctx, Bytes("huge.csv", []byte(b.String())), Config{Task: "regress", Epochs: 2, Hidden: []int{8}, Scale: prep.Standard})
	require.NoError(t, err)
	// Robust scaling (the default) clips the far value: an answer of the
	// training targets' order, not an overflow.
	robust, err := Fit(ctx, Bytes("huge.csv", []byte(b.String())), Config{Task: "regress", Epochs: 2, Hidden: []int{8}})
	require.NoError(t, err)
	pr, err := robust.Predict(ctx, Bytes("far.csv", []byte("x,y\n1e30,0\n")), PredictOptions{})
	require.NoError(t, err)
	assert.Less(t, math.Abs(pr.Values.Data[0]), 1e40, "a clipped input's answer")

	far := Bytes("far.csv", []byte("x,y\n0.5,0\n1e30,0\n"))
	_, err = m.Predict(ctx, far, PredictOptions{})
	require.ErrorAs(t, err, new(*InputError))
	assert.ErrorContains(t, err, "far.csv:3:")
	assert.ErrorContains(t, err, `target "y"`)

	_, err = m.Evaluate(ctx, far, PredictOptions{})
	require.ErrorAs(t, err, new(*InputError))
	assert.ErrorContains(t, err, "far.csv:3:")

	_, err = m.PredictColumns(ctx, []Column{{Name: "x", Numbers: []float64{0.5, 1e30}}}, PredictOptions{})
	require.ErrorAs(t, err, new(*InputError))
	assert.ErrorContains(t, err, "row 2:")

	// The same model answers near rows.
	p, err := m.Predict(ctx, Bytes("near.csv", []byte("x\n0.5\n")), PredictOptions{})
	require.NoError(t, err)
	assert.Less(t, p.Values.Data[0], 3e38)
}

// The per-epoch rmse and mae of a regression are in the target's units, as
// Evaluate reports them (the loss stays standardized).
func TestEpochMetricsInTargetUnits(t *testing.T) {
	ctx := context.Background()
	src := File("../../testdata/diabetes.csv")
	m, err := Fit(ctx, src, Config{Epochs: 20, Seed: 1})
	require.NoError(t, err)
	ev, err := m.Evaluate(ctx, src, PredictOptions{})
	require.NoError(t, err)
	last := m.History.Epochs[len(m.History.Epochs)-1]
	for _, k := range []string{"rmse", "mae"} {
		ratio := last.Metrics[k] / ev.Metrics[k]
		assert.True(t, ratio > 0.5 && ratio < 2, "%s: epoch %v, Evaluate %v", k, last.Metrics[k], ev.Metrics[k])
	}
}

// Config's learning rate is a finite number (0: the optimizer's default),
// named by its field.
func TestConfigLRIsFinite(t *testing.T) {
	for _, lr := range []float64{math.Inf(1), math.NaN(), -1} {
		_, err := Fit(context.Background(), File("../../testdata/iris.csv"), Config{LR: lr, Epochs: 1})
		require.ErrorAs(t, err, new(*InputError))
		assert.ErrorContains(t, err, "LR ")
		assert.NotContains(t, err.Error(), "split")
	}
}

// A padded category of a model from before quoted cells were trimmed is
// the trimmed cell on the column path too (serve's infer), as in a file.
func TestPaddedCategoryThroughColumns(t *testing.T) {
	m, err := Load("../../testdata/bad/model_padded_category.safetensors")
	require.NoError(t, err)
	ctx := context.Background()
	cols := []Column{{Name: "color", Texts: []string{"red", " red ", "blue"}}, {Name: "x", Numbers: []float64{1, 1, 1}}}
	p, err := m.PredictColumns(ctx, cols, PredictOptions{Strict: true})
	require.NoError(t, err)
	f, err := m.Predict(ctx, Bytes("d.csv", []byte("color,x\nred,1\n\" red \",1\nblue,1\n")), PredictOptions{Strict: true})
	require.NoError(t, err)
	assert.Equal(t, f.Probabilities.Data, p.Probabilities.Data)
	assert.Equal(t, p.Labels[0], p.Labels[1])
}

// TestRobustBoundsOutliers: the outlier at predict time — a value
// far beyond the training rows' — makes a standard-scaled ReLU network
// answer far outside the targets' range, while robust scaling (the
// default) keeps its inputs within (−3, 3) and its answer near the range.
func TestRobustBoundsOutliers(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,z,y\n")
	for i := range 200 {
		x := float64(i%50) / 5
		fmt.Fprintf(&b, "%g,%d,%g\n", x, i%7, x+float64(i%7)/10) // y in [0, 10.4]
	}
	ctx := context.Background()
	far := Bytes("far.csv", []byte("x,z,y\n270,3,0\n"))
	answer := func(s prep.Scaler) float64 {
		m, err := Fit(ctx, Bytes("t.csv", []byte(b.String())), Config{Scale: s, Epochs: 60, Ensemble: 1, Seed: 3})
		require.NoError(t, err)
		pr, err := m.Predict(ctx, far, PredictOptions{})
		require.NoError(t, err)
		return pr.Values.Data[0]
	}
	assert.Greater(t, answer(prep.Standard), 100.0, "standard scaling: the net extrapolates")
	r := answer("")
	assert.Less(t, r, 20.0, "robust scaling: the input clipped")
	assert.Greater(t, r, 0.0)
}
