package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/serve"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// diffCase is a model of the differential test: its training table, the
// flags of train fit beyond the small network every case gets, and the
// tables it predicts.
type diffCase struct {
	name   string
	train  string
	fit    []string
	tables []string
}

// The tables of the differential test (messyDir is messy_test.go's).
const (
	data   = "../../testdata/"
	ownDir = messyDir + "own/"
)

// diffCases cover every table of testdata/ (but testdata/bad) and the
// odd spellings of messy/own/spellings_odd.csv, with both precisions, both
// tasks, the scalings and imputations, missing indicators and --na tokens,
// the PBLD embedding and a learned feature scale.
var diffCases = []diffCase{
	{"iris", data + "iris.csv", []string{"--target", "label", "--dropout", "0.1"}, []string{data + "iris.csv"}},
	{"digits f64 tanh", data + "digits.csv", []string{"--precision", "f64", "--activation", "tanh", "--epochs", "1"}, []string{data + "digits.csv"}},
	{"diabetes regression", data + "diabetes.csv", nil, []string{data + "diabetes.csv"}},
	{"xor sigmoid", data + "xor.csv", []string{"--activation", "sigmoid", "--loss", "bce"}, []string{data + "xor.csv"}},
	{"Sacramento regression", messyDir + "Sacramento.csv", []string{"--target", "price"}, []string{messyDir + "Sacramento.csv"}},
	{"diabetes_holes f64 indicators", messyDir + "diabetes_holes.csv",
		[]string{"--ignore", "patient_id", "--precision", "f64", "--missing-indicator", "--scale", "none", "--activation", "leaky_relu"},
		[]string{messyDir + "diabetes_holes.csv"}},
	{"scat median minmax", messyDir + "scat.csv", []string{"--target", "Species", "--impute", "median", "--scale", "minmax", "--missing-indicator"},
		[]string{messyDir + "scat.csv"}},
	{"stackoverflow", messyDir + "stackoverflow.csv", []string{"--target", "Remote", "--epochs", "1"}, []string{messyDir + "stackoverflow.csv"}},
	{"holes", ownDir + "holes.csv", []string{"--target", "bought", "--na", "?", "--missing-indicator"},
		[]string{ownDir + "holes.csv", ownDir + "holes.tsv", ownDir + "holes_semicolon.csv", ownDir + "holes.csv.gz", ownDir + "unseen_test.csv"}},
	{"dates", data + "dates.csv", []string{"--target", "sold", "--ignore", "units", "--missing-indicator", "--scale", "robust"}, []string{data + "dates.csv"}},
	{"dates regression f64 ensemble", data + "dates.csv", []string{"--target", "units", "--ignore", "sold", "--precision", "f64", "--ensemble", "2"}, []string{data + "dates.csv"}},
	{"holes pbld ensemble", ownDir + "holes.csv", []string{"--target", "bought", "--na", "?", "--numeric-embedding", "pbld", "--ensemble", "2"},
		[]string{ownDir + "holes.csv", ownDir + "unseen_test.csv"}},
	{"diabetes regression pbld f64", data + "diabetes.csv", []string{"--numeric-embedding", "pbld", "--precision", "f64"}, []string{data + "diabetes.csv"}},
	{"iris feature scale", data + "iris.csv", []string{"--target", "label", "--feature-scale", "6"}, []string{data + "iris.csv"}},
	{"spellings classify", ownDir + "spellings.csv",
		[]string{"--target", "kind", "--ignore", "price", "--na", "-", "--categorical", "grade", "--missing-indicator"},
		[]string{ownDir + "spellings.csv", ownDir + "spellings_odd.csv"}},
	{"spellings regression f64", ownDir + "spellings.csv",
		[]string{"--target", "price", "--ignore", "kind", "--na", "-", "--categorical", "grade", "--precision", "f64", "--impute", "median"},
		[]string{ownDir + "spellings.csv", ownDir + "spellings_odd.csv"}},
}

// TestPredictPathsAgree is the differential test of the five ways to get
// a prediction: train predict (the binary), tabular.Model.Predict, serve's
// V2 infer endpoint and its /predict CSV endpoint, and onnxruntime on the
// model that train export writes. Each table's raw cells — as a CSV
// reader that neither trims nor interprets gives them — go to the infer
// endpoint and to onnxruntime as they are for a text column, and parsed by
// the caller (NaN for a missing-value token) for a numeric one; the CSV
// paths get the file. Every path must give Predict's labels and its
// numbers within 1e-5 (float32), 1e-10 (float64), relative 1e-5 for
// regression. Without DENSETRAIN_ORT_NODE the onnxruntime leg is left out
// (and said so); the others run.
func TestPredictPathsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("trains eleven small models: not in -short")
	}
	bin := binary(t)
	ort := ortRunner(t)
	checkEveryTableIsCovered(t)
	dir := t.TempDir()
	ctx := context.Background()
	for _, c := range diffCases {
		t.Run(c.name, func(t *testing.T) {
			model := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			args := append([]string{"fit", "--data", c.train, "--out", model, "--quiet", "--hidden", "8", "--epochs", "3"}, c.fit...)
			code, _, errText := drive(t, bin, args...)
			require.Equal(t, 0, code, errText)
			onnx := strings.TrimSuffix(model, ".safetensors") + ".onnx"
			code, _, errText = drive(t, bin, "export", "--model", model, "--out", onnx)
			require.Equal(t, 0, code, errText)
			m, err := tabular.Load(model)
			require.NoError(t, err)
			h := serve.NewHandler(m, serve.Options{Name: "m"})
			for _, table := range c.tables {
				name := filepath.Base(table)
				want, err := m.Predict(ctx, tabular.File(table), tabular.PredictOptions{})
				require.NoError(t, err, name)
				ref := fromPredictions(want)
				raw := readRaw(t, table)
				require.Equal(t, len(raw.rows), ref.rows, "%s: Predict's rows", name)
				tol := newTolerance(m)

				code, out, errText := drive(t, bin, "predict", "--model", model, "--data", table)
				require.Equal(t, 0, code, errText)
				tol.check(t, name+": train predict", ref, fromCSV(t, m, out))

				body, err := os.ReadFile(table)
				require.NoError(t, err)
				tol.check(t, name+": serve /predict", ref, fromCSV(t, m, post(t, h, "/predict", body)))

				tol.check(t, name+": serve infer", ref, fromInfer(t, post(t, h, "/v2/models/m/infer", inferBody(t, m, raw))))

				if ort != nil {
					tol.check(t, name+": onnxruntime", ref, ort(t, m, onnx, raw, dir))
				}
			}
		})
	}
}

// post sends body to the handler and returns the 200 answer's body.
func post(t *testing.T, h http.Handler, path string, body []byte) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
	require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
	return rec.Body.String()
}

// checkEveryTableIsCovered fails when a table of testdata/ (but the
// bad-input corpus) is in no case: a new table joins the test.
func checkEveryTableIsCovered(t *testing.T) {
	t.Helper()
	covered := map[string]bool{}
	for _, c := range diffCases {
		for _, table := range c.tables {
			covered[filepath.Clean(table)] = true
		}
	}
	err := filepath.WalkDir(filepath.Clean(data), func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "bad":
			return filepath.SkipDir
		case d.IsDir() || !slices.ContainsFunc([]string{".csv", ".tsv", ".gz"}, func(ext string) bool { return strings.HasSuffix(path, ext) }):
			return nil
		}
		assert.True(t, covered[path], "%s is in no case of the differential test", path)
		return nil
	})
	require.NoError(t, err)
}
