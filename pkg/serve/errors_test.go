package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// irisInputs is a valid one-row request's inputs for the iris model,
// with the feature names of the table.
func irisInputs() []map[string]any {
	var in []map[string]any
	for _, name := range []string{"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"} {
		in = append(in, map[string]any{"name": name, "datatype": "FP32", "shape": []int{1, 1}, "data": []any{1.5}})
	}
	return in
}

func TestErrors(t *testing.T) {
	m := model(t, iris)
	var log bytes.Buffer
	s := server(t, m, Options{MaxBody: 4096, Log: &log})
	sc := server(t, model(t, scat), Options{Strict: true})

	with := func(change func([]map[string]any) []map[string]any) []byte {
		return mustJSON(t, map[string]any{"inputs": change(irisInputs())})
	}
	for _, tc := range []struct {
		name, method, path string
		body               []byte
		status             int
		want               string
		srv                string
	}{
		{"ok", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { return in }), 200, "", ""},
		{"malformed", "POST", "/v2/models/m/infer", []byte(`{"inputs":[`), 400, "malformed", ""},
		{"trailing", "POST", "/v2/models/m/infer", append(with(func(in []map[string]any) []map[string]any { return in }), "{}"...), 400, "after top-level value", ""},
		{"unknown input", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any {
			return append(in, map[string]any{"name": "x", "datatype": "FP32", "shape": []int{1, 1}, "data": []any{1}})
		}), 400, `unknown input "x"`, ""},
		{"missing input", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { return in[1:] }), 400, `missing input "sepal_length_cm"`, ""},
		{"duplicate input", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { return append(in, in[0]) }), 400, "twice", ""},
		{"datatype", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["datatype"] = "FP64"; return in }), 400, "datatype", ""},
		{"shape", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["shape"] = []int{1, 2}; return in }), 400, "shape", ""},
		{"rows differ", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any {
			in[1]["shape"], in[1]["data"] = []int{2}, []any{1, 2}
			return in
		}), 400, "rows", ""},
		{"length", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["data"] = []any{1, 2}; return in }), 400, "2 values for 1 rows", ""},
		{"string for number", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["data"] = []any{"a"}; return in }), 400, "data", ""},
		{"null input", "POST", "/v2/models/m/infer", []byte(`{"inputs":[null]}`), 400, "input 0 is null", ""},
		{"inputs not an array", "POST", "/v2/models/m/infer", []byte(`{"inputs":{}}`), 400, "malformed", ""},
		{"input not an object", "POST", "/v2/models/m/infer", []byte(`{"inputs":[1]}`), 400, "want an object", ""},
		{"mixed data", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["data"] = []any{1, "a"}; return in }), 400, "mixing numbers and strings", ""},
		{"nested data", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["data"] = []any{[]any{1}}; return in }), 400, "want a number, a string or null", ""},
		{"data not an array", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["data"] = 1; return in }), 400, "want a flat array", ""},
		{"fractional shape", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["shape"] = []any{1.5}; return in }), 400, "shape", ""},
		{"number too large", "POST", "/v2/models/m/infer", []byte(strings.Replace(string(with(func(in []map[string]any) []map[string]any { in[0]["data"] = []any{7}; return in })), "[7]", "[1e999]", 1)), 400, "out of range", ""},
		{"name not a string", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["name"] = 3; return in }), 400, "name: want a string", ""},
		{"no data", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { delete(in[0], "data"); return in }), 400, "0 values for 1 rows", ""},
		{"no shape", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { delete(in[0], "shape"); return in }), 400, "shape []", ""},
		{"float32 range", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any { in[0]["data"] = []any{1e39}; return in }), 400, "range", ""},
		{"no rows", "POST", "/v2/models/m/infer", with(func(in []map[string]any) []map[string]any {
			for _, x := range in {
				x["shape"], x["data"] = []int{0, 1}, []any{}
			}
			return in
		}), 400, "no rows", ""},
		{"unseen category strict", "POST", "/v2/models/m/infer", nil, 400, "", "scat"},
		{"unknown model", "POST", "/v2/models/other/infer", with(func(in []map[string]any) []map[string]any { return in }), 404, "unknown model", ""},
		{"unknown model metadata", "GET", "/v2/models/other", nil, 404, "unknown model", ""},
		{"unknown model ready", "GET", "/v2/models/other/ready", nil, 404, "unknown model", ""},
		{"too big", "POST", "/v2/models/m/infer", bytes.Repeat([]byte(" "), 5000), 413, "over 4096", ""},
		{"too big csv", "POST", "/predict", bytes.Repeat([]byte("1,2,3,4\n"), 1000), 413, "over 4096", ""},
		{"bad csv", "POST", "/predict", []byte("a,b\n1,2\n"), 400, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, body := s, tc.body
			if tc.srv == "scat" {
				srv = sc
				req := requestFor(t, model(t, scat), scat, true)
				for _, in := range req["inputs"].([]map[string]any) {
					if d, ok := in["data"].([]string); ok {
						d[0] = "never seen"
						break
					}
				}
				body = mustJSON(t, req)
			}
			status, got := do(t, srv, tc.method, tc.path, "application/json", body)
			require.Equal(t, tc.status, status, "%s", got)
			if status == 200 {
				return
			}
			var e struct{ Error string }
			require.NoError(t, json.Unmarshal(got, &e), "%s", got)
			assert.NotEmpty(t, e.Error)
			assert.Contains(t, e.Error, tc.want)
		})
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v2/models/m/infer"}, {"POST", "/v2/health/live"}, {"GET", "/predict"}, {"DELETE", "/v2/models/m"},
	} {
		status, _ := do(t, s, tc.method, tc.path, "", nil)
		assert.Equal(t, http.StatusMethodNotAllowed, status, "%s %s", tc.method, tc.path)
	}
	assert.Contains(t, log.String(), `POST "/v2/models/m/infer" 200 `)
	assert.Contains(t, log.String(), `POST "/v2/models/other/infer" 404 `)
}

func TestRecover(t *testing.T) {
	var log bytes.Buffer
	h := &handler{o: Options{Log: &log}}
	s := httptestServer(t, h.wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	status, body := do(t, s, "GET", "/", "", nil)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.JSONEq(t, `{"error":"internal error"}`, string(body))
	assert.Contains(t, log.String(), `panic serving GET "/": boom`)
	assert.Contains(t, log.String(), `GET "/" 500 `)
}

func FuzzInfer(f *testing.F) {
	m := model(f, scat)
	h := NewHandler(m, Options{Name: "m", Strict: true, MaxBody: 1 << 16})
	// A two-row request: the fuzzer minimizes large seeds slowly.
	req := requestFor(f, m, scat, true)
	for _, in := range req["inputs"].([]map[string]any) {
		in["shape"] = []int{2, 1}
		switch d := in["data"].(type) {
		case []string:
			in["data"] = d[:2]
		case []*float64:
			in["data"] = d[:2]
		}
	}
	f.Add(mustJSON(f, req))
	f.Add(mustJSON(f, map[string]any{"inputs": irisInputs()}))
	f.Add([]byte(`{"inputs":[{"name":"Month","datatype":"BYTES","shape":[1],"data":["\u0000"]}]}`))
	f.Add([]byte(`{"id":"x","inputs":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w := newRecorder()
		r, err := http.NewRequest("POST", "/v2/models/m/infer", bytes.NewReader(body))
		require.NoError(t, err)
		h.ServeHTTP(w, r)
		if w.status != 200 && (w.status < 400 || w.status > 499) {
			t.Fatalf("status %d for %q: %s", w.status, body, w.body.String())
		}
		if w.status != 200 {
			var e struct{ Error string }
			require.NoError(t, json.Unmarshal(w.body.Bytes(), &e))
			require.NotEmpty(t, e.Error)
		} else if !strings.Contains(w.body.String(), `"outputs"`) {
			t.Fatalf("200 without outputs: %s", w.body.String())
		}
	})
}
