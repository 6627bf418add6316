package tabular

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	m, err := Fit(ctx, Bytes("huge.csv", []byte(b.String())), Config{Task: "regress", Epochs: 2, Hidden: []int{8}})
	require.NoError(t, err)

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
