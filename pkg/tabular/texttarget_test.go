package tabular

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeclaredTextTarget: a target of numbers declared categorical keeps
// its classes as written ("07" and "7" two classes, not one number): in
// the model file, in Evaluate and EvaluateParts (matched as written, the
// accuracy of Predict's labels) and in a validation file. Read as numbers
// they are one class, which Fit refuses; a regression of it is refused.
func TestDeclaredTextTarget(t *testing.T) {
	ctx := context.Background()
	table := []byte(strings.NewReplacer(",a\n", ",07\n", ",b\n", ",7\n").Replace(string(weightedTable(200, ones))))
	src := Bytes("t.csv", table)
	_, err := Fit(ctx, src, Config{Ignore: []string{"w"}, Epochs: 2, Ensemble: 1})
	assert.ErrorContains(t, err, "single class")
	c := Config{Ignore: []string{"w"}, Categorical: []string{"label"}, Epochs: 20, Ensemble: 1, Val: &src}
	m, err := Fit(ctx, src, c)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, m.Save(path))
	m, err = Load(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"07", "7"}, m.Prep.Labels)
	assert.True(t, m.Prep.TextTarget)

	p, err := m.Predict(ctx, src, PredictOptions{})
	require.NoError(t, err)
	truth := strings.Split(strings.TrimSpace(string(table)), "\n")[1:]
	right := 0
	for i, line := range truth {
		if line[strings.LastIndexByte(line, ',')+1:] == p.Labels[i] {
			right++
		}
	}
	require.Greater(t, right, 100, "the model learnt something")
	for _, eval := range []func(context.Context, Source, PredictOptions) (*Evaluation, error){m.Evaluate, m.EvaluateParts} {
		e, err := eval(ctx, src, PredictOptions{})
		require.NoError(t, err)
		assert.InDelta(t, float64(right)/float64(len(truth)), e.Metrics["accuracy"], 1e-12)
	}
	// Matched as written: 7.0 is no class of the model.
	_, err = m.Evaluate(ctx, Bytes("e.csv", []byte("x1,w,x2,label\n0,1,0,7.0\n")), PredictOptions{})
	assert.ErrorContains(t, err, `"7.0" in target column "label": class label not seen in training`)

	_, err = Fit(ctx, src, Config{Ignore: []string{"w"}, Categorical: []string{"label"}, Task: "regress", Epochs: 1})
	assert.ErrorContains(t, err, `target column "label" is declared categorical ("label" in Config.Categorical), and regression needs numbers`)
}

// TestTextTargetScoredOnNumbers: a target of text ("x") keeps "07" and
// "7" as two classes; a file to score that holds only number-looking
// labels is read as text too, so Evaluate, EvaluateParts and a validation
// file match each row to its own class: Evaluate's accuracy is Predict's.
func TestTextTargetScoredOnNumbers(t *testing.T) {
	ctx := context.Background()
	var train, test strings.Builder
	train.WriteString("x,y\n")
	for i := range 60 {
		fmt.Fprintf(&train, "%d,%s\n", i%3, []string{"07", "7", "x"}[i%3])
	}
	test.WriteString("x,y\n")
	for i := range 40 {
		fmt.Fprintf(&test, "%d,%s\n", i%2, []string{"07", "7"}[i%2])
	}
	src, tst := Bytes("train.csv", []byte(train.String())), Bytes("test.csv", []byte(test.String()))
	m, err := Fit(ctx, src, Config{Epochs: 60, Ensemble: 1, Val: &tst})
	require.NoError(t, err)
	assert.Equal(t, []string{"07", "7", "x"}, m.Prep.Labels)
	p, err := m.Predict(ctx, tst, PredictOptions{})
	require.NoError(t, err)
	right := 0
	for i, l := range p.Labels {
		if l == []string{"07", "7"}[i%2] {
			right++
		}
	}
	require.Greater(t, right, 30, "the model learnt something")
	for _, eval := range []func(context.Context, Source, PredictOptions) (*Evaluation, error){m.Evaluate, m.EvaluateParts} {
		e, err := eval(ctx, tst, PredictOptions{})
		require.NoError(t, err)
		assert.InDelta(t, float64(right)/40, e.Metrics["accuracy"], 1e-12)
	}
	kept := len(m.History.Epochs) // the epoch whose weights the model holds
	if r := m.History.Restored; r > 0 {
		kept = r
	}
	acc, _ := m.History.Epochs[kept-1].Value("val_accuracy")
	assert.InDelta(t, float64(right)/40, acc, 1e-12, "the validation file's labels as written")
}
