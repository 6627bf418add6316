package tabular

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
)

// ortRunner returns the command that runs testdata/ort_run.js, or skips
// the test when onnxruntime-node is not set up: DENSETRAIN_ORT_NODE unset.
// Set but unusable (no node, no such folder) is a failure, so that a CI
// that sets it never skips silently.
func ortRunner(t *testing.T) func(model, columns string) []byte {
	t.Helper()
	dir := os.Getenv("DENSETRAIN_ORT_NODE")
	if dir == "" {
		t.Skip("ONNX parity with onnxruntime skipped: set DENSETRAIN_ORT_NODE to an onnxruntime-node package folder " +
			"(npm install --ignore-scripts onnxruntime-node in /opt/ort: /opt/ort/node_modules/onnxruntime-node) and have node on PATH")
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "DENSETRAIN_ORT_NODE is set but node is not on PATH")
	_, err = os.Stat(filepath.Join(dir, "package.json"))
	require.NoError(t, err, "DENSETRAIN_ORT_NODE=%s is not the onnxruntime-node package folder", dir)
	script, err := filepath.Abs("testdata/ort_run.js")
	require.NoError(t, err)
	return func(model, columns string) []byte {
		cmd := exec.Command(node, script, model, columns)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "node ort_run.js: %s", stderr.String())
		return out
	}
}

// ortColumn is one graph input as ort_run.js takes it.
type ortColumn struct {
	Type string `json:"type"`
	Data []any  `json:"data"`
}

// rawColumns reads a CSV table's feature columns as a user would feed them
// to the ONNX model: text as encoding/csv gives it (spaces and
// missing-value tokens as they are: the graph trims and knows the tokens),
// numbers parsed by the caller in the model's precision, missing ones NaN
// (JSON null).
func rawColumns(t *testing.T, m *Model, path string) (map[string]ortColumn, int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	na := map[string]bool{"": true}
	for _, s := range append(slices.Clone(csvdata.DefaultNA), m.Prep.NA...) {
		na[s] = true
	}
	cols := map[string]ortColumn{}
	for _, feat := range m.Prep.Schema.Features {
		j := slices.Index(rows[0], feat.Name)
		require.GreaterOrEqual(t, j, 0, "column %q", feat.Name)
		c := ortColumn{Type: "string"}
		if feat.Date != "" { // its Unix time, by the time package
			c.Type = "float64"
			for _, r := range rows[1:] {
				c.Data = append(c.Data, unixTime(t, strings.Trim(r[j], " \t"), na))
			}
			cols[feat.Name] = c
			continue
		}
		if feat.Categories == nil {
			c.Type = "float32"
			if m.Float64() {
				c.Type = "float64"
			}
		}
		for _, r := range rows[1:] {
			v := strings.Trim(r[j], " \t")
			switch {
			case c.Type == "string":
				c.Data = append(c.Data, r[j])
			case na[v]:
				c.Data = append(c.Data, nil)
			default:
				x, err := strconv.ParseFloat(v, 64)
				require.NoError(t, err)
				if c.Type == "float32" {
					x = float64(float32(x))
				}
				c.Data = append(c.Data, x)
			}
		}
		cols[feat.Name] = c
	}
	return cols, len(rows) - 1
}

// unixTime is the Unix time in seconds of a date as written (nil when
// missing), as a caller of the ONNX model computes it: by Go's time
// package, not csvdata's parser.
func unixTime(t *testing.T, v string, na map[string]bool) any {
	if na[v] {
		return nil
	}
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339Nano} {
		if tm, err := time.Parse(layout, v); err == nil {
			return float64(tm.Unix()) + float64(tm.Nanosecond())/1e9 // UnixNano overflows before 1678
		}
	}
	t.Fatalf("%q: no date", v)
	return nil
}

// ortOutput is one graph output as ort_run.js prints it.
type ortOutput struct {
	Type string `json:"type"`
	Dims []int  `json:"dims"`
	Data []any  `json:"data"`
}

func (o ortOutput) floats(t *testing.T) []float64 {
	out := make([]float64, len(o.Data))
	for i, v := range o.Data {
		f, ok := v.(float64)
		require.True(t, ok, "element %d: %v", i, v)
		out[i] = f
	}
	return out
}

// TestONNXParityWithPredict: onnxruntime runs the exported model on the
// raw columns of CSV tables and answers as Predict does: the same labels,
// probabilities within 1e-5 (float32) or 1e-10 (float64), regression
// values within 1e-5 relative. The models cover both precisions, every
// activation, dropout layers, the sigmoid head, text columns with missing
// and unseen values, imputation (mean, median) and missing indicators,
// and the three scalings, ensembles, a learned feature scale and the PBLD
// embedding (with and without an ensemble); the ONNX
// checker takes every file.
func TestONNXParityWithPredict(t *testing.T) {
	if testing.Short() {
		t.Skip("trains six models: not in -short")
	}
	run := ortRunner(t)
	ctx := context.Background()
	dir := t.TempDir()
	const data = "../../testdata/"
	synth, synthNew := synthTables(t, dir)
	long, longNew := longCategories(t, dir)
	for _, c := range []struct {
		name  string
		train string
		cfg   Config
		data  []string
	}{
		{"iris f32, relu, dropout", data + "iris.csv",
			Config{Targets: []string{"label"}, Hidden: []int{16, 8}, Dropout: []float64{0.1}, InputDropout: 0.1, Epochs: 40},
			[]string{data + "iris.csv"}},
		{"digits f64, tanh", data + "digits.csv",
			Config{Precision: F64, Hidden: []int{32}, Activation: "tanh", Epochs: 5},
			[]string{data + "digits.csv"}},
		{"holes f32, text and missing cells, bce, leaky_relu, indicators", messy + "own/holes.csv",
			Config{Targets: []string{"bought"}, NA: []string{"?"}, Loss: "bce", MissingIndicator: true, Activation: "leaky_relu", Hidden: []int{16}, Epochs: 40},
			[]string{messy + "own/holes.csv", messy + "own/unseen_test.csv"}},
		{"scat f64, text and missing cells, sigmoid, median, minmax", messy + "scat.csv",
			Config{Targets: []string{"Species"}, Precision: F64, Impute: prep.Median, Scale: prep.MinMax, MissingIndicator: true, Activation: "sigmoid", Hidden: []int{16}, Epochs: 40},
			[]string{messy + "scat.csv"}},
		{"Sacramento f32 regression, categories, tanh", messy + "Sacramento.csv",
			Config{Targets: []string{"price"}, Activation: "tanh", Hidden: []int{32, 16}, Epochs: 20},
			[]string{messy + "Sacramento.csv"}},
		{"diabetes_holes f64 regression, categories, NA cells, leaky_relu, no scaling", messy + "diabetes_holes.csv",
			Config{Ignore: []string{"patient_id"}, Precision: F64, MissingIndicator: true, Scale: prep.NoScale, Activation: "leaky_relu", Hidden: []int{16}, Epochs: 20},
			[]string{messy + "diabetes_holes.csv"}},
		{"synthetic f32, NA tokens and unseen values in text columns", synth,
			Config{Targets: []string{"kind"}, Ignore: []string{"y1", "y2"}, NA: []string{"-"}, Hidden: []int{8}, Epochs: 30},
			[]string{synth, synthNew}},
		{"synthetic f32 regression of two targets, NA tokens in text columns", synth,
			Config{Targets: []string{"y1", "y2"}, Ignore: []string{"kind"}, NA: []string{"-"}, Impute: prep.Median, Hidden: []int{8}, Epochs: 30},
			[]string{synth, synthNew}},
		{"Sacramento f32 regression, robust scaling and smooth clipping", messy + "Sacramento.csv",
			Config{Targets: []string{"price"}, Scale: prep.Robust, Hidden: []int{16}, Epochs: 10},
			[]string{messy + "Sacramento.csv"}},
		{"holes f64, robust scaling, indicators, unseen values", messy + "own/holes.csv",
			Config{Targets: []string{"bought"}, NA: []string{"?"}, Precision: F64, Scale: prep.Robust, MissingIndicator: true, Hidden: []int{8}, Epochs: 20},
			[]string{messy + "own/holes.csv", messy + "own/unseen_test.csv"}},
		{"dates f32: a date column and a column of times, missing cells, indicators, robust", "../../testdata/dates.csv",
			Config{Targets: []string{"sold"}, Ignore: []string{"units"}, NA: []string{}, MissingIndicator: true, Scale: prep.Robust, Hidden: []int{16}, Epochs: 20},
			[]string{"../../testdata/dates.csv"}},
		{"dates f64 regression", "../../testdata/dates.csv",
			Config{Targets: []string{"units"}, Ignore: []string{"sold"}, Precision: F64, Impute: prep.Median, Hidden: []int{16}, Epochs: 20},
			[]string{"../../testdata/dates.csv"}},
		{"iris f32 ensemble of 3, dropout", data + "iris.csv",
			Config{Targets: []string{"label"}, Ensemble: 3, Hidden: []int{8, 4}, Dropout: []float64{0.1}, InputDropout: 0.1, Epochs: 10},
			[]string{data + "iris.csv"}},
		{"dates f64 regression, ensemble of 4, robust", "../../testdata/dates.csv",
			Config{Targets: []string{"units"}, Ignore: []string{"sold"}, Precision: F64, Ensemble: 4, Scale: prep.Robust, Hidden: []int{8, 6}, Epochs: 10},
			[]string{"../../testdata/dates.csv"}},
		{"iris f32 ensemble of 2, input dropout, a learned feature scale (folded)", data + "iris.csv",
			Config{Targets: []string{"label"}, Ensemble: 2, FeatureScale: 6, InputDropout: 0.1, Hidden: []int{8}, Epochs: 10},
			[]string{data + "iris.csv"}},
		{"Sacramento f64 regression, a learned feature scale (folded), robust", messy + "Sacramento.csv",
			Config{Targets: []string{"price"}, Precision: F64, FeatureScale: 6, Scale: prep.Robust, Hidden: []int{16}, Epochs: 10},
			[]string{messy + "Sacramento.csv"}},
		{"holes f32, PBLD embedding, ensemble of 2, text and missing cells, indicators", messy + "own/holes.csv",
			Config{Targets: []string{"bought"}, NA: []string{"?"}, NumericEmbedding: PBLD, Ensemble: 2, MissingIndicator: true, Hidden: []int{8}, Epochs: 10},
			[]string{messy + "own/holes.csv", messy + "own/unseen_test.csv"}},
		{"dates f64 regression, PBLD embedding of the date parts, robust", "../../testdata/dates.csv",
			Config{Targets: []string{"units"}, Ignore: []string{"sold"}, Precision: F64, NumericEmbedding: PBLD, Scale: prep.Robust, Hidden: []int{8}, Epochs: 10},
			[]string{"../../testdata/dates.csv"}},
		{"iris f32, PBLD embedding, ensemble of 3, no hidden layer", data + "iris.csv",
			Config{Targets: []string{"label"}, NumericEmbedding: PBLD, Ensemble: 3, Hidden: []int{}, Epochs: 10},
			[]string{data + "iris.csv"}},
		{"long categories f32: several patterns per code bit", long,
			Config{Hidden: []int{4}, Epochs: 3},
			[]string{long, longNew}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Fit(ctx, File(c.train), c.cfg)
			require.NoError(t, err)
			model := filepath.Join(dir, "m.onnx")
			require.NoError(t, m.ExportONNX(model))
			checkONNX(t, model)
			for _, table := range c.data {
				pred, err := m.Predict(ctx, File(table), PredictOptions{})
				require.NoError(t, err)
				cols, n := rawColumns(t, m, table)
				b, err := json.Marshal(cols)
				require.NoError(t, err)
				in := filepath.Join(dir, "columns.json")
				require.NoError(t, os.WriteFile(in, b, 0o644))
				var outs map[string]ortOutput
				require.NoError(t, json.Unmarshal(run(model, in), &outs))
				compareWithPredict(t, m, pred, outs, n, filepath.Base(table))
			}
		})
	}
}

// compareWithPredict checks onnxruntime's outputs against Predict's and
// logs the largest differences.
func compareWithPredict(t *testing.T, m *Model, pred *Predictions, outs map[string]ortOutput, n int, table string) {
	t.Helper()
	tol, elem := 1e-5, "float32"
	if m.Float64() {
		tol, elem = 1e-10, "float64"
	}
	if m.Prep.Task == prep.Classify {
		require.Len(t, pred.Labels, n)
		k := len(m.Prep.Labels)
		label, probs := outs["label"], outs["probabilities"]
		assert.Equal(t, "string", label.Type)
		assert.Equal(t, []int{n}, label.Dims)
		assert.Equal(t, elem, probs.Type)
		require.Equal(t, []int{n, k}, probs.Dims)
		labels := make([]string, len(label.Data))
		for i, v := range label.Data {
			labels[i] = fmt.Sprint(v)
		}
		assert.Equal(t, pred.Labels, labels, "labels")
		worst := 0.0
		for i, v := range probs.floats(t) {
			worst = max(worst, math.Abs(v-pred.Probabilities.Data[i]))
		}
		t.Logf("%s: %d rows, %d classes: labels identical: %v, max |Δprobability| %.3g", table, n, k, slices.Equal(pred.Labels, labels), worst)
		assert.LessOrEqual(t, worst, tol, "max |Δprobability|")
		return
	}
	value := outs["value"]
	assert.Equal(t, elem, value.Type)
	require.Equal(t, []int{n, len(m.Prep.Targets)}, value.Dims)
	worst, worstAbs := 0.0, 0.0
	for i, v := range value.floats(t) {
		want := pred.Values.Data[i]
		d := math.Abs(v - want)
		worstAbs = max(worstAbs, d)
		worst = max(worst, d/math.Max(math.Abs(want), math.SmallestNonzeroFloat64))
	}
	t.Logf("%s: %d rows: max relative |Δvalue| %.3g (absolute %.3g)", table, n, worst, worstAbs)
	assert.LessOrEqual(t, worst, 1e-5, "max relative |Δvalue|")
}

// synthTables writes a training table whose text column color has missing
// cells written as "", the default tokens and the model's own token "-"
// (and shape none), and a table of new rows with those tokens in both
// text columns, categories never seen, missing numbers, and categories
// and tokens padded with spaces and tabs; the column one has a single
// category (one bit of code in the graph), color four (three bits).
func synthTables(t *testing.T, dir string) (train, fresh string) {
	t.Helper()
	colors := []string{"red", "green", "blue", "", "NA", "null", "-"}
	shapes := []string{"circle", "square"}
	var b strings.Builder
	b.WriteString("color,shape,x,kind,y1,y2,one\n")
	for i := range 200 {
		color, shape := colors[(i*7+i/5)%len(colors)], shapes[(i/3)%2]
		x := strconv.FormatFloat(float64(i%37)/3-4, 'g', -1, 64)
		if i%9 == 4 {
			x = []string{"", "NA", "-"}[i%3]
		}
		kind := []string{"a", "b", "c"}[(i/2+len(color))%3]
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d.5,%d,only \n", color, shape, x, kind, 1000+i%17*50+len(shape)*30, -i%23)
	}
	train = filepath.Join(dir, "synth.csv")
	require.NoError(t, os.WriteFile(train, []byte(b.String()), 0o644))
	fresh = filepath.Join(dir, "synth_new.csv")
	require.NoError(t, os.WriteFile(fresh, []byte(`color,shape,x,one
red,circle,1.5,only
purple,square,2,	only 
,,,Only
NA,NA,NA,NA
null,null,-,
-,-,3,only
N/A,triangle,0.25,other
NaN,,-2,only
blue,square,1e3,
 red ,square  ,4,only
	blue, circle	,-1, only
 NA ,	null ,  5,only	
  - , squares ,0,none
`), 0o644))
	return train, fresh
}

// longCategories writes a table whose text column has 300 categories of
// about 60 bytes, with regular-expression characters: more than one
// pattern (maxPattern) per bit of the code. The new rows pad them, change
// a character, and leave the category out.
func longCategories(t *testing.T, dir string) (train, fresh string) {
	t.Helper()
	name := func(i int) string {
		return fmt.Sprintf("%03d (a+b)*[c]|%s.", i, strings.Repeat("long name ", 5))
	}
	var b, n strings.Builder
	b.WriteString("name,x,y\n")
	n.WriteString("name,x\n")
	for i := range 600 {
		fmt.Fprintf(&b, "%s,%d,%d\n", name(i%300), i%7, (i%300)%3)
	}
	for i := range 40 {
		v := name(i * 7)
		switch i % 4 {
		case 1:
			v = " \t" + v + "  "
		case 2:
			v = strings.Replace(v, "+", "", 1)
		case 3:
			v = strings.Replace(v, ".", "x", 1)
		}
		fmt.Fprintf(&n, "%s,%d\n", v, i%7)
	}
	train, fresh = filepath.Join(dir, "long.csv"), filepath.Join(dir, "long_new.csv")
	require.NoError(t, os.WriteFile(train, []byte(b.String()), 0o644))
	require.NoError(t, os.WriteFile(fresh, []byte(n.String()), 0o644))
	return train, fresh
}
