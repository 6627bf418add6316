package tabular

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const messy = "../../testdata/messy/"

func TestStratifiedSplit(t *testing.T) {
	classes := make([]int, 103)
	for i := range classes {
		classes[i] = []int{0, 0, 0, 0, 0, 0, 0, 1, 1, 2}[i%10] // 73 / 20 / 10 rows…
	}
	classes[102] = 3 // …and a class of one row, which stays in training
	val, err := splitRows(context.Background(), len(classes), classes, 0.25, 7)
	require.NoError(t, err)
	count := map[int]int{}
	for _, r := range val {
		count[classes[r]]++
	}
	assert.Equal(t, map[int]int{0: 18, 1: 5, 2: 3}, count)
	again, _ := splitRows(context.Background(), len(classes), classes, 0.25, 7)
	assert.Equal(t, val, again, "deterministic from the seed")
	other, _ := splitRows(context.Background(), len(classes), classes, 0.25, 8)
	assert.NotEqual(t, val, other)
	// Two rows of a class: one on each side.
	val, _ = splitRows(context.Background(), 4, []int{0, 1, 0, 1}, 0.1, 1)
	assert.Len(t, val, 2)
}

// TestModelsDoNotDependOnWorkers: with missing cells and categories, the
// saved model is byte for byte the same for 1, 2 and 3 workers.
func TestModelsDoNotDependOnWorkers(t *testing.T) {
	for _, c := range []struct {
		file string
		cfg  Config
	}{
		{"scat.csv", Config{Targets: []string{"Species"}}},
		{"Sacramento.csv", Config{Targets: []string{"price"}, MissingIndicator: true}},
		{"diabetes_holes.csv", Config{Ignore: []string{"patient_id"}, Impute: prep.Median, MissingIndicator: true}},
	} {
		var ref []byte
		for _, w := range []int{1, 2, 3} {
			cfg := c.cfg
			cfg.Epochs, cfg.Workers = 3, w
			m, err := Fit(context.Background(), File(messy+c.file), cfg)
			require.NoError(t, err, c.file)
			path := filepath.Join(t.TempDir(), "m.safetensors")
			require.NoError(t, m.Save(path))
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			if ref == nil {
				ref = b
				continue
			}
			assert.True(t, bytes.Equal(ref, b), "%s: workers %d give another model", c.file, w)
		}
	}
}

// TestPreprocessingUsesTrainingRowsOnly: the imputed mean and the scaler
// come from the training side of the split, not from validation rows.
func TestPreprocessingUsesTrainingRowsOnly(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 100 {
		x := fmt.Sprint(i)
		if i%10 == 3 {
			x = ""
		}
		fmt.Fprintf(&b, "%s,%d\n", x, i%2)
	}
	m, err := Fit(context.Background(), Reader("t", strings.NewReader(b.String())), Config{Epochs: 1, Workers: 1, Seed: 3, ValSplit: DefaultValSplit, Ensemble: 1})
	require.NoError(t, err)
	val, err := splitRows(context.Background(), 100, classes(100), DefaultValSplit, 3)
	require.NoError(t, err)
	held := map[int]bool{}
	for _, r := range val {
		held[r] = true
	}
	sum, n := 0.0, 0
	for i := range 100 {
		if !held[i] && i%10 != 3 {
			sum += float64(i)
			n++
		}
	}
	assert.InDelta(t, sum/float64(n), m.Prep.Fill[0], 1e-9)
	assert.Equal(t, 90, m.TrainRows)
}

func classes(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = i % 2
	}
	return c
}

// TestRegressionAnswersInTargetUnits: with a target in the 10⁵ range the
// network trains on standardized targets, and predictions and metrics
// come back in dollars; turning the scaling off gives a worse fit for the
// same epochs.
func TestRegressionAnswersInTargetUnits(t *testing.T) {
	ctx := context.Background()
	src := File(messy + "Sacramento.csv")
	cfg := Config{Targets: []string{"price"}, Epochs: 40, Workers: 2}
	m, err := Fit(ctx, src, cfg)
	require.NoError(t, err)
	assert.Len(t, m.Prep.TargetScale, 1)
	assert.Greater(t, m.Prep.TargetMean[0], 1e5)
	ev, err := m.Evaluate(ctx, src, PredictOptions{})
	require.NoError(t, err)
	assert.Greater(t, ev.Metrics["r2"], 0.6)
	assert.Greater(t, ev.Metrics["rmse"], 1e4, "in dollars")
	pred, err := m.Predict(ctx, src, PredictOptions{})
	require.NoError(t, err)
	mean := 0.0
	for _, v := range pred.Values.Data {
		mean += v / float64(pred.Values.Rows)
	}
	assert.InDelta(t, m.Prep.TargetMean[0], mean, 0.1*m.Prep.TargetMean[0])
	// The same metrics from the predictions.
	tab, err := csvdata.Read[float64](messy+"Sacramento.csv", csvdata.Options{Targets: []string{"price"}})
	require.NoError(t, err)
	se := 0.0
	for i, y := range tab.Targets[0].Numbers {
		se += (pred.Values.Data[i] - y) * (pred.Values.Data[i] - y)
	}
	assert.InDelta(t, math.Sqrt(se/float64(len(tab.Targets[0].Numbers))), ev.Metrics["rmse"], 1e-3*ev.Metrics["rmse"])
	cfg.TargetScale = prep.NoScale
	raw, err := Fit(ctx, src, cfg)
	require.NoError(t, err)
	evRaw, err := raw.Evaluate(ctx, src, PredictOptions{})
	require.NoError(t, err)
	assert.Less(t, evRaw.Metrics["r2"], ev.Metrics["r2"])
}

// TestUnseenCategoriesAndMissingTargets: prediction counts unseen
// categories per column (a warning line each), Strict makes them an
// error; evaluation skips rows without a target with one line.
func TestUnseenCategoriesAndMissingTargets(t *testing.T) {
	ctx := context.Background()
	train := "color,size,y\nred,S,a\nblue,M,b\nred,L,a\nblue,S,b\nred,M,a\nblue,L,b\n"
	m, err := Fit(ctx, Reader("train", strings.NewReader(train)), Config{Epochs: 5, Workers: 1})
	require.NoError(t, err)
	test := "color,size,y\nred,XL,a\ngreen,S,\nred,XXL,b\nblue,,NA\n"
	var warn bytes.Buffer
	pred, err := m.Predict(ctx, Reader("test", strings.NewReader(test)), PredictOptions{Warn: &warn})
	require.NoError(t, err)
	assert.Len(t, pred.Labels, 4)
	assert.Equal(t, `test: column "color": 1 values not seen in training, encoded as all zeros (the first "green" at line 3; PredictOptions.Strict makes this an error)
test: column "size": 3 values not seen in training, encoded as all zeros (the first "XL" at line 2; PredictOptions.Strict makes this an error)
`, warn.String())
	_, err = m.Predict(ctx, Reader("test", strings.NewReader(test)), PredictOptions{Strict: true})
	assert.EqualError(t, err, `test:2:5: category "XL" of column "size" was not seen in training`)
	warn.Reset()
	ev, err := m.Evaluate(ctx, Reader("test", strings.NewReader(test)), PredictOptions{Warn: &warn})
	require.NoError(t, err)
	assert.Equal(t, 2, ev.Rows)
	assert.Contains(t, warn.String(), `test: skipped 2 rows with a missing target (column "y", first at line 3)`)
	// Of a table of several files, the first unseen value's file is named.
	dir := t.TempDir()
	for i, part := range []string{"color,size,y\nred,S,a\n", "color,size,y\nred,M,a\ngreen,S,b\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%d.csv", i)), []byte(part), 0o644))
	}
	warn.Reset()
	_, err = m.Predict(ctx, Files(filepath.Join(dir, "p0.csv"), filepath.Join(dir, "p1.csv")), PredictOptions{Warn: &warn})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), `(the first "green" at line 3 of `+filepath.Join(dir, "p1.csv")+`;`)
	// An unseen class label stays an error.
	_, err = m.Evaluate(ctx, Reader("test", strings.NewReader("color,size,y\nred,S,c\n")), PredictOptions{})
	assert.ErrorContains(t, err, `test:2: "c" in target column "y": class label not seen in training`)
}

// TestPredictionsCSVQuotesAndRoundTrips: labels with commas and quotes are
// quoted (header too); numbers are the shortest round-trip decimals.
func TestPredictionsCSVQuotesAndRoundTrips(t *testing.T) {
	ctx := context.Background()
	train := "x,city\n1,\"New York, NY\"\n2,\"Say \"\"hi\"\"\"\n3,\"New York, NY\"\n4,\"Say \"\"hi\"\"\"\n"
	m, err := Fit(ctx, Reader("train", strings.NewReader(train)), Config{Epochs: 2, Workers: 1})
	require.NoError(t, err)
	pred, err := m.Predict(ctx, Reader("p", strings.NewReader("x\n1\n")), PredictOptions{})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, pred.WriteCSV(&out))
	lines := strings.Split(out.String(), "\n")
	assert.Equal(t, `prediction,"p_New York, NY","p_Say ""hi"""`, lines[0])
	fields := strings.Split(lines[1], ",")
	p := float32(pred.Probabilities.At(0, 1))
	assert.Equal(t, fmt.Sprint(p), fields[len(fields)-1])
}

// TestBytesSourcePredictsAsAFile: a table in memory (Bytes) gives the
// predictions the same table in a file gives, and its errors carry the
// name given.
func TestBytesSourcePredictsAsAFile(t *testing.T) {
	const path = "../../testdata/messy/scat.csv"
	m, err := Fit(context.Background(), File(path), Config{Epochs: 3})
	require.NoError(t, err)
	want, err := m.Predict(context.Background(), File(path), PredictOptions{})
	require.NoError(t, err)
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	got, err := m.Predict(context.Background(), Bytes("body", text), PredictOptions{})
	require.NoError(t, err)
	assert.Equal(t, want.Labels, got.Labels)
	assert.Equal(t, want.Probabilities.Data, got.Probabilities.Data)
	_, err = m.Predict(context.Background(), Bytes("request body", []byte("Month,Year\n")), PredictOptions{})
	assert.ErrorContains(t, err, "request body")
}
