package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary builds cmd/train once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "train")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// drive runs the binary and returns its exit code, stdout and stderr.
func drive(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, o.String(), e.String()
}

func TestEndToEnd(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name, data, target string
		fitArgs            []string
		minAccuracy        float64
	}{
		{"iris", "../../testdata/iris.csv", "label", nil, 0.95},
		{"digits", "../../testdata/digits.csv", "label", []string{"--epochs", "20", "--val-split", "0.2"}, 0.97},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model := filepath.Join(dir, tc.name+".safetensors")
			hist := filepath.Join(dir, tc.name+".csv")
			args := append([]string{"fit", "--data", tc.data, "--target", tc.target, "--out", model, "--history", hist}, tc.fitArgs...)
			code, out, errOut := drive(t, bin, args...)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "accuracy")
			assert.NotContains(t, errOut, "\r", "no carriage return on a non-terminal stderr")
			assert.Contains(t, errOut, "epoch 1/")

			code, out, errOut = drive(t, bin, "summary", "--model", model, "--json")
			require.Equal(t, 0, code, errOut)
			var sum map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &sum))
			assert.Equal(t, "classify", sum["task"])

			code, out, errOut = drive(t, bin, "evaluate", "--model", model, "--data", tc.data, "--json")
			require.Equal(t, 0, code, errOut)
			var ev map[string]float64
			require.NoError(t, json.Unmarshal([]byte(out), &ev))
			assert.Contains(t, ev, "loss")
			assert.GreaterOrEqual(t, ev["accuracy"], tc.minAccuracy)
			t.Logf("%s: evaluate %v", tc.name, ev)

			code, out, errOut = drive(t, bin, "predict", "--model", model, "--data", tc.data)
			require.Equal(t, 0, code, errOut)
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			require.NoError(t, err)
			truth, err := csv.NewReader(mustOpen(t, tc.data)).ReadAll()
			require.NoError(t, err)
			require.Len(t, rows, len(truth))
			assert.Equal(t, "prediction", rows[0][0])
			correct := 0
			for i := 1; i < len(rows); i++ {
				if rows[i][0] == truth[i][len(truth[i])-1] { // original labels
					correct++
				}
			}
			assert.InDelta(t, ev["accuracy"], float64(correct)/float64(len(rows)-1), 1e-9)
			h, err := os.ReadFile(hist)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(string(h), "epoch,loss,accuracy"), string(h[:40]))
		})
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// TestSameModelFileForAnyWorkerCount: workers 1, 2 and 3 write the same
// model file, byte for byte — with dropout, L1, L2, max-norm and a cosine
// schedule too.
func TestSameModelFileForAnyWorkerCount(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testSameModelFile(t) })
	t.Run("regularized", func(t *testing.T) {
		testSameModelFile(t, "--input-dropout", "0.2", "--dropout", "0.5,0.3", "--l1", "1e-5", "--l2", "1e-4", "--max-norm", "2",
			"--lr-schedule", "cosine")
	})
}

func testSameModelFile(t *testing.T, extra ...string) {
	bin := binary(t)
	dir := t.TempDir()
	var first []byte
	for _, w := range []string{"1", "2", "3"} {
		model := filepath.Join(dir, "m"+w)
		code, _, errOut := drive(t, bin, append([]string{"fit", "--data", "../../testdata/digits.csv", "--epochs", "3", "--workers", w,
			"--val-split", "0.1", "--out", model, "--quiet"}, extra...)...)
		require.Equal(t, 0, code, errOut)
		b, err := os.ReadFile(model)
		require.NoError(t, err)
		if first == nil {
			first = b
			continue
		}
		assert.True(t, bytes.Equal(first, b), "workers %s wrote another model file", w)
	}
}

func TestBadInputExitsTwoWithOneLineAndLeavesOutAlone(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "existing.safetensors")
	require.NoError(t, os.WriteFile(out, []byte("keep me"), 0o644))
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ragged", []string{"--data", file("ragged.csv", "a,b,y\n1,2,0\n3,4\n")}, "ragged.csv:3:4: row has 2 fields"},
		{"missing value, imputation off", []string{"--data", file("empty.csv", "a,b,y\n1,,0\n2,3,1\n"), "--impute", "error"}, `empty.csv:2:3: missing value in column "b"`},
		{"text in a regression target", []string{"--data", file("txt.csv", "a,b,y\n1,2,0.5\n1,3,abc\n"), "--task", "regress"},
			`txt.csv:3: "abc" in target column "y" is not a number`},
		{"every target missing", []string{"--data", file("nant.csv", "a,b,y\n1,2,\n1,3,NaN\n")}, `nant.csv: every row has a missing target (column "y", first at line 2)`},
		{"Inf", []string{"--data", file("inf.csv", "a,b,y\n1,Inf,0\n")}, "inf.csv:2:3:"},
		{"empty file", []string{"--data", file("void.csv", "")}, "void.csv:1: empty file"},
		{"header only", []string{"--data", file("head.csv", "a,b,y\n")}, "head.csv:2: no data rows"},
		{"missing target", []string{"--data", file("ok.csv", "a,b,y\n1,2,0\n3,4,1\n"), "--target", "zz"}, `target column "zz" not found`},
		{"one class", []string{"--data", file("one.csv", "a,y\n1,0\n2,0\n")}, "single class"},
		{"missing file", []string{"--data", filepath.Join(dir, "nope.csv")}, "nope.csv"},
		{"unknown flag", []string{"--data", "x.csv", "--bogus"}, "-bogus"},
		{"bad precision", []string{"--data", "x.csv", "--precision", "f16"}, "--precision"},
		{"bad scale", []string{"--data", "x.csv", "--scale", "quantile"}, "--scale"},
		{"negative epochs", []string{"--data", "x.csv", "--epochs", "-1"}, "--epochs"},
		{"negative batch", []string{"--data", "x.csv", "--batch", "-1"}, "--batch -1"},
		{"val split 1.5", []string{"--data", "x.csv", "--val-split", "1.5"}, "--val-split"},
		{"unwritable out", []string{"--data", file("ok2.csv", "a,b,y\n1,2,0\n3,4,1\n"), "--epochs", "1", "--out", filepath.Join(dir, "no", "dir", "m")}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"fit", "--out", out, "--quiet"}, tc.args...)
			if tc.name == "unwritable out" {
				args = append([]string{"fit", "--quiet"}, tc.args...)
			}
			code, stdout, stderr := drive(t, bin, args...)
			assert.Equal(t, 2, code, stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "%q", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, "goroutine", "no stack trace")
			b, _ := os.ReadFile(out)
			assert.Equal(t, "keep me", string(b), "--out was touched")
		})
	}
}

func TestDivergenceExitsOneAndWritesNothing(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 64 {
		b.WriteString(strings.Repeat("1", i%5+1) + ",2," + strings.Repeat("9", i%7+1) + "000.5\n")
	}
	data := filepath.Join(dir, "d.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	model := filepath.Join(dir, "m")
	code, stdout, stderr := drive(t, bin, "fit", "--data", data, "--task", "regress", "--optimizer", "sgd", "--lr", "1e30",
		"--out", model, "--quiet")
	assert.Equal(t, 1, code, stderr)
	assert.Empty(t, stdout)
	assert.Regexp(t, `diverged at epoch \d+, batch \d+: the loss is \S+; the first non-finite values are in the \w+ of`, stderr)
	assert.Regexp(t, `layer \d+ \("(hidden\d|output)"\)`, stderr, "the layer")
	assert.Contains(t, stderr, "try a lower learning rate (now 1e+30)", "the hint")
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "%q", stderr)
	_, err := os.Stat(model)
	assert.True(t, os.IsNotExist(err), "a model was written")
}

func TestRegressionEndToEnd(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	model, plot := filepath.Join(dir, "d.safetensors"), filepath.Join(dir, "loss.png")
	code, out, errOut := drive(t, bin, "fit", "--data", "../../testdata/diabetes.csv", "--target", "target", "--epochs", "30",
		"--val-split", "0.2", "--out", model, "--plot", plot, "--history", filepath.Join(dir, "h.jsonl"), "--quiet")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "r2")
	f, err := os.Open(plot)
	require.NoError(t, err)
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	require.NoError(t, err)
	assert.Equal(t, "png", format)
	assert.Greater(t, cfg.Width, 100)

	code, out, errOut = drive(t, bin, "evaluate", "--model", model, "--data", "../../testdata/diabetes.csv", "--json")
	require.Equal(t, 0, code, errOut)
	var ev map[string]float64
	require.NoError(t, json.Unmarshal([]byte(out), &ev))
	for _, k := range []string{"loss", "rmse", "mae", "r2"} {
		assert.Contains(t, ev, k)
	}
	assert.Greater(t, ev["r2"], 0.3, "the model learnt something")
	t.Logf("diabetes: evaluate %v", ev)

	code, out, errOut = drive(t, bin, "predict", "--model", model, "--data", "../../testdata/diabetes.csv", "--out", filepath.Join(dir, "p.csv"))
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	p, err := os.ReadFile(filepath.Join(dir, "p.csv"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(p), "target\n"))
	assert.Equal(t, 443, strings.Count(string(p), "\n"))

	code, _, errOut = drive(t, bin, "fit", "--data", "../../testdata/diabetes.csv", "--plot", "x.jpg")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--plot")
}

func TestEvaluateRejectsTextInANumericColumn(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "iris.safetensors")
	code, _, errOut := drive(t, bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "2", "--out", model, "--quiet")
	require.Equal(t, 0, code, errOut)
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n5,3,1,0.2,0\nx,3,1,0.2,0\n"), 0o644))
	for _, cmd := range []string{"evaluate", "predict"} {
		code, out, errOut := drive(t, bin, cmd, "--model", model, "--data", bad)
		assert.Equal(t, 2, code, errOut)
		assert.Empty(t, out)
		assert.Equal(t, "train "+cmd+": "+bad+`:3:1: "x" in column "sepal_length_cm" is not a number (if it means a missing value, declare it with --na)`+"\n", errOut)
	}
	unseen := filepath.Join(dir, "unseen.csv")
	require.NoError(t, os.WriteFile(unseen, []byte("sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n5,3,1,0.2,0\n5,3,1,0.2,7\n"), 0o644))
	code, _, errOut = drive(t, bin, "evaluate", "--model", model, "--data", unseen)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, unseen+`:3: "7" in target column "label": class label not seen in training`)
}

// A float64 model trains on values near float64's limits (1e300 inputs,
// 3e200 targets) and is saved and used: the statistics are taken without
// squaring them (the run ended in "json: unsupported value: +Inf").
func TestFloat64NearItsLimits(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%g,%g\n", float64(i%7)*1e300, float64(i%5)*3e200)
	}
	data := filepath.Join(dir, "big.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	model := filepath.Join(dir, "m")
	code, out, errOut := drive(t, bin, "fit", "--data", data, "--task", "regress", "--precision", "f64", "--epochs", "3", "--quiet", "--out", model)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "Inf")
	code, out, errOut = drive(t, bin, "predict", "--model", model, "--data", data)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "Inf")
	assert.NotContains(t, out, "NaN")
}

// summary lists class labels each on one line's worth: a label with a
// newline or a comma is quoted.
func TestSummaryQuotesOddLabels(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "nl.csv")
	require.NoError(t, os.WriteFile(data, []byte("a,y\n1,\"x\ny\"\n2,\"b,c\"\n3,\"x\ny\"\n4,\"b,c\"\n"), 0o644))
	model := filepath.Join(dir, "m")
	code, _, errOut := drive(t, bin, "fit", "--data", data, "--epochs", "1", "--quiet", "--out", model)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := drive(t, bin, "summary", "--model", model)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `(classes: "b,c", "x\ny")`)
	assert.Contains(t, out, fmt.Sprintf("loss: cross_entropy (label smoothing %v)", tabular.DefaultLabelSmoothing))
}
