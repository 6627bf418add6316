package serve

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	iris     = "../../testdata/iris.csv"
	diabetes = "../../testdata/diabetes.csv"
	scat     = "../../testdata/messy/scat.csv"
)

var (
	modelsMu sync.Mutex
	models   = map[string]*tabular.Model{}
)

// model trains (once per test binary) a small model on a table.
func model(t testing.TB, path string) *tabular.Model {
	t.Helper()
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if m := models[path]; m != nil {
		return m
	}
	c := tabular.Config{Epochs: 5, Hidden: []int{8}, Seed: 1, Workers: 1}
	if path == diabetes {
		c.Precision, c.Epochs = tabular.F64, 2
	}
	m, err := tabular.Fit(context.Background(), tabular.File(path), c)
	require.NoError(t, err)
	models[path] = m
	return m
}

// server serves m as "m" until the test ends.
func server(t testing.TB, m *tabular.Model, o Options) *httptest.Server {
	t.Helper()
	if o.Name == "" {
		o.Name = "m"
	}
	s := httptest.NewServer(NewHandler(m, o))
	t.Cleanup(s.Close)
	return s
}

// do sends a request and returns the status and the body.
func do(t testing.TB, s *httptest.Server, method, path, ctype string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// requestFor builds an infer request from the feature columns of a CSV
// file: numbers (null when missing) and strings as the file has them.
func requestFor(t testing.TB, m *tabular.Model, path string, shape1 bool) map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for j, h := range rows[0] {
		col[h] = j
	}
	n := len(rows) - 1
	shape := []int{n}
	if shape1 {
		shape = []int{n, 1}
	}
	dt := "FP32"
	if m.Float64() {
		dt = "FP64"
	}
	var inputs []map[string]any
	for _, feat := range m.Prep.Schema.Features {
		j, ok := col[feat.Name]
		require.True(t, ok, feat.Name)
		in := map[string]any{"name": feat.Name, "shape": shape}
		if feat.Categories != nil {
			data := make([]string, n)
			for i, r := range rows[1:] {
				data[i] = r[j]
			}
			in["datatype"], in["data"] = "BYTES", data
		} else {
			data := make([]*float64, n)
			for i, r := range rows[1:] {
				v := strings.TrimSpace(r[j])
				if v == "" || slices.Contains(csvdata.DefaultNA, v) {
					continue
				}
				x, err := strconv.ParseFloat(v, 64)
				require.NoError(t, err)
				data[i] = &x
			}
			in["datatype"], in["data"] = dt, data
		}
		inputs = append(inputs, in)
	}
	return map[string]any{"id": "req-1", "inputs": inputs}
}

type output struct {
	Name     string          `json:"name"`
	Datatype string          `json:"datatype"`
	Shape    []int           `json:"shape"`
	Data     json.RawMessage `json:"data"`
}

type response struct {
	ModelName string   `json:"model_name"`
	ID        string   `json:"id"`
	Outputs   []output `json:"outputs"`
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestInferMatchesPredict(t *testing.T) {
	for _, path := range []string{iris, diabetes, scat} {
		t.Run(path, func(t *testing.T) {
			m := model(t, path)
			s := server(t, m, Options{})
			want, err := m.Predict(context.Background(), tabular.File(path), tabular.PredictOptions{})
			require.NoError(t, err)
			for _, shape1 := range []bool{true, false} {
				status, body := do(t, s, "POST", "/v2/models/m/infer", "application/json", mustJSON(t, requestFor(t, m, path, shape1)))
				require.Equal(t, http.StatusOK, status, "%s", body)
				var resp response
				require.NoError(t, json.Unmarshal(body, &resp))
				assert.Equal(t, "m", resp.ModelName)
				assert.Equal(t, "req-1", resp.ID)
				checkOutputs(t, m, want, resp.Outputs)
			}
		})
	}
}

// checkOutputs compares an infer response with Predict's answers on the
// whole file, exactly in the model's precision.
func checkOutputs(t *testing.T, m *tabular.Model, want *tabular.Predictions, outs []output) {
	t.Helper()
	f64, dt := m.Float64(), "FP32"
	if f64 {
		dt = "FP64"
	}
	equal := func(want []float64, raw json.RawMessage) {
		var got []float64
		require.NoError(t, json.Unmarshal(raw, &got))
		require.Len(t, got, len(want))
		for i := range want {
			if f64 {
				require.Equal(t, want[i], got[i], "value %d", i)
			} else {
				require.Equal(t, float32(want[i]), float32(got[i]), "value %d", i)
			}
		}
	}
	if m.Prep.Task == prep.Classify {
		require.Len(t, outs, 2)
		n := len(want.Labels)
		assert.Equal(t, output{Name: "label", Datatype: "BYTES", Shape: []int{n}}, output{Name: outs[0].Name, Datatype: outs[0].Datatype, Shape: outs[0].Shape})
		var labels []string
		require.NoError(t, json.Unmarshal(outs[0].Data, &labels))
		assert.Equal(t, want.Labels, labels)
		p := want.Probabilities
		assert.Equal(t, "probabilities", outs[1].Name)
		assert.Equal(t, dt, outs[1].Datatype)
		assert.Equal(t, []int{n, len(m.Prep.Labels)}, outs[1].Shape)
		equal(p.Data[:p.Rows*p.Cols], outs[1].Data)
	} else {
		require.Len(t, outs, 1)
		v := want.Values
		assert.Equal(t, "value", outs[0].Name)
		assert.Equal(t, dt, outs[0].Datatype)
		assert.Equal(t, []int{v.Rows, v.Cols}, outs[0].Shape)
		equal(v.Data[:v.Rows*v.Cols], outs[0].Data)
	}
}

func TestPredictCSV(t *testing.T) {
	for _, path := range []string{iris, diabetes, scat} {
		t.Run(path, func(t *testing.T) {
			m := model(t, path)
			s := server(t, m, Options{})
			want, err := m.Predict(context.Background(), tabular.File(path), tabular.PredictOptions{})
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, want.WriteCSV(&buf))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			req, err := http.NewRequest("POST", s.URL+"/predict", bytes.NewReader(data))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "text/csv")
			resp, err := s.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			assert.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
			assert.Equal(t, buf.String(), string(body))
		})
	}
}

func TestHealthAndMetadata(t *testing.T) {
	m := model(t, scat)
	s := server(t, m, Options{Name: "scat"})
	for path, want := range map[string]string{
		"/v2/health/live":       `{"live":true}`,
		"/v2/health/ready":      `{"ready":true}`,
		"/v2/models/scat/ready": `{"name":"scat","ready":true}`,
	} {
		status, body := do(t, s, "GET", path, "", nil)
		assert.Equal(t, http.StatusOK, status, path)
		assert.JSONEq(t, want, string(body), path)
	}
	status, body := do(t, s, "GET", "/v2/models/scat", "", nil)
	require.Equal(t, http.StatusOK, status)
	var meta struct {
		Name, Platform  string
		Inputs, Outputs []output
	}
	require.NoError(t, json.Unmarshal(body, &meta))
	assert.Equal(t, "scat", meta.Name)
	assert.Equal(t, "densetrain", meta.Platform)
	feats := m.Prep.Schema.Features
	require.Len(t, meta.Inputs, len(feats))
	var text int
	for j, f := range feats {
		in := meta.Inputs[j]
		assert.Equal(t, f.Name, in.Name)
		assert.Equal(t, []int{-1, 1}, in.Shape)
		if f.Categories != nil {
			text++
			assert.Equal(t, "BYTES", in.Datatype)
		} else {
			assert.Equal(t, "FP32", in.Datatype)
		}
	}
	assert.Positive(t, text, "scat has text columns")
	require.Len(t, meta.Outputs, 2)
	assert.Equal(t, output{Name: "label", Datatype: "BYTES", Shape: []int{-1}}, meta.Outputs[0])
	assert.Equal(t, output{Name: "probabilities", Datatype: "FP32", Shape: []int{-1, len(m.Prep.Labels)}}, meta.Outputs[1])

	d := model(t, diabetes)
	ds := server(t, d, Options{Name: "d"})
	status, body = do(t, ds, "GET", "/v2/models/d", "", nil)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(body, &meta))
	assert.Equal(t, "FP64", meta.Inputs[0].Datatype)
	assert.Equal(t, []output{{Name: "value", Datatype: "FP64", Shape: []int{-1, 1}}}, meta.Outputs)
}

func TestFloatEncoding(t *testing.T) {
	vals := []float64{0, 1, -1, 0.1, 1e-7, 1.5e-6, 123456789, 1e21, 3e38, -2.5e-10, math.Pi, math.SmallestNonzeroFloat64}
	for _, bits := range []int{32, 64} {
		var want []byte
		var err error
		if bits == 32 {
			f := make([]float32, len(vals))
			for i, v := range vals {
				f[i] = float32(v)
			}
			want, err = json.Marshal(f)
		} else {
			want, err = json.Marshal(vals)
		}
		require.NoError(t, err)
		got, err := floats{vals, bits}.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "bits %d", bits)
	}
	got, _ := floats{[]float64{math.NaN(), math.Inf(1), 1e300}, 32}.MarshalJSON()
	assert.Equal(t, "[null,null,null]", string(got))
}

func TestConcurrentInfer(t *testing.T) {
	m := model(t, iris)
	var log bytes.Buffer
	s := server(t, m, Options{Log: &log})
	want, err := m.Predict(context.Background(), tabular.File(iris), tabular.PredictOptions{})
	require.NoError(t, err)
	full := requestFor(t, m, iris, true)
	const workers, each = 16, 50
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				row := (g*each + k) % len(want.Labels)
				var inputs []map[string]any
				for _, in := range full["inputs"].([]map[string]any) {
					one := map[string]any{"name": in["name"], "datatype": in["datatype"], "shape": []int{1, 1}}
					one["data"] = []any{reflectIndex(in["data"], row)}
					inputs = append(inputs, one)
				}
				status, body := do(t, s, "POST", "/v2/models/m/infer", "application/json", mustJSON(t, map[string]any{"inputs": inputs}))
				var resp response
				if status != http.StatusOK || json.Unmarshal(body, &resp) != nil {
					errs <- string(body)
					continue
				}
				var labels []string
				json.Unmarshal(resp.Outputs[0].Data, &labels)
				if len(labels) != 1 || labels[0] != want.Labels[row] {
					errs <- "row " + strconv.Itoa(row) + ": " + string(body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	assert.Equal(t, workers*each, strings.Count(log.String(), `POST "/v2/models/m/infer" 200 `))
}

func reflectIndex(data any, i int) any {
	switch d := data.(type) {
	case []string:
		return d[i]
	case []*float64:
		return d[i]
	}
	panic("unexpected data")
}

// TestRequestedOutputs: a request's "outputs" selects the outputs of the
// response, in the model's order, with Predict's values; an unknown or
// repeated name is a 400.
func TestRequestedOutputs(t *testing.T) {
	m := model(t, iris)
	s := server(t, m, Options{})
	want, err := m.Predict(context.Background(), tabular.File(iris), tabular.PredictOptions{})
	require.NoError(t, err)
	req := requestFor(t, m, iris, true)
	for _, names := range [][]string{{"probabilities"}, {"label"}, {"probabilities", "label"}, {}} {
		var outs []map[string]any
		for _, n := range names {
			outs = append(outs, map[string]any{"name": n, "parameters": map[string]any{"binary_data": false}})
		}
		req["outputs"] = outs
		status, body := do(t, s, "POST", "/v2/models/m/infer", "application/json", mustJSON(t, req))
		require.Equal(t, http.StatusOK, status, "%s", body)
		var resp response
		require.NoError(t, json.Unmarshal(body, &resp))
		var got []string
		for _, o := range resp.Outputs {
			got = append(got, o.Name)
		}
		if len(names) == 0 { // an empty list: every output, as none
			checkOutputs(t, m, want, resp.Outputs)
			continue
		}
		assert.ElementsMatch(t, names, got)
		if len(names) == 1 && names[0] == "probabilities" {
			p := want.Probabilities
			var v []float64
			require.NoError(t, json.Unmarshal(resp.Outputs[0].Data, &v))
			require.Len(t, v, p.Rows*p.Cols)
			assert.Equal(t, float32(p.Data[0]), float32(v[0]))
		}
	}
	req["outputs"] = json.RawMessage(`[]`) // none named: every output
	status, body := do(t, s, "POST", "/v2/models/m/infer", "application/json", mustJSON(t, req))
	require.Equal(t, http.StatusOK, status, "%s", body)
	var all response
	require.NoError(t, json.Unmarshal(body, &all))
	checkOutputs(t, m, want, all.Outputs)
	for body, msg := range map[string]string{
		`[{"name":"value"}]`:                  `unknown output "value" (the model's: label, probabilities)`,
		`[{"name":"label"},{"name":"label"}]`: `output "label" requested twice`,
		`{"name":"label"}`:                    `malformed request at /outputs: want a list of objects with a "name" string`,
		`[{"nom":"label"}]`:                   `malformed request at /outputs: want a list of objects with a "name" string`,
	} {
		req["outputs"] = json.RawMessage(body)
		status, resp := do(t, s, "POST", "/v2/models/m/infer", "application/json", mustJSON(t, req))
		assert.Equal(t, http.StatusBadRequest, status, body)
		var e struct{ Error string }
		require.NoError(t, json.Unmarshal(resp, &e))
		assert.Contains(t, e.Error, msg, body)
	}
}

// TestServerMetadata: GET /v2 answers the KServe V2 server metadata.
func TestServerMetadata(t *testing.T) {
	s := server(t, model(t, iris), Options{})
	status, body := do(t, s, "GET", "/v2", "", nil)
	require.Equal(t, http.StatusOK, status)
	var meta struct {
		Name, Version string
		Extensions    []string
	}
	require.NoError(t, json.Unmarshal(body, &meta))
	assert.Equal(t, "densetrain", meta.Name)
	assert.NotEmpty(t, meta.Version)
	assert.NotNil(t, meta.Extensions)
}
