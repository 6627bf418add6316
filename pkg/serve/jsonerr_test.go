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

// TestEveryErrorIsJSON: the mux's own answers (an unknown path, a wrong
// method) are {"error": …} with Content-Type application/json, as the
// handler's are.
func TestEveryErrorIsJSON(t *testing.T) {
	s := server(t, model(t, iris), Options{MaxBody: 4096})
	for _, tc := range []struct {
		method, path string
		body         []byte
		status       int
		want         string
	}{
		{"GET", "/nope", nil, 404, "not found"},
		{"GET", "/v2/models/m/nope", nil, 404, "not found"},
		{"GET", "/v2/models/m/infer", nil, 405, "method not allowed"},
		{"POST", "/v2/health/live", nil, 405, "method not allowed"},
		{"GET", "/predict", nil, 405, "method not allowed"},
		{"DELETE", "/v2/models/m", nil, 405, "method not allowed"},
		{"POST", "/v2/models/other/infer", []byte("{}"), 404, "unknown model"},
		{"POST", "/v2/models/m/infer", []byte("{"), 400, "malformed"},
		{"POST", "/predict", bytes.Repeat([]byte("1,2,3,4\n"), 1000), 413, "over 4096"},
	} {
		req, err := http.NewRequest(tc.method, s.URL+tc.path, bytes.NewReader(tc.body))
		require.NoError(t, err)
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		var e struct{ Error string }
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s", tc.method, tc.path)
		require.NoError(t, err, "%s %s: not JSON", tc.method, tc.path)
		assert.Contains(t, strings.ToLower(e.Error), tc.want, "%s %s", tc.method, tc.path)
	}
}

// TestLogQuotesPaths: a path with a newline or an escape sequence is
// quoted in the request log, so that it can neither forge a line nor
// reach the terminal.
func TestLogQuotesPaths(t *testing.T) {
	var log bytes.Buffer
	s := server(t, model(t, iris), Options{Log: &log})
	status, _ := do(t, s, "GET", "/a%0AGET%20/v2/health/live%20200%20%1B[31m", "", nil)
	assert.Equal(t, 404, status)
	assert.Equal(t, 1, strings.Count(log.String(), "\n"), "%q", log.String())
	assert.NotContains(t, log.String(), "\x1b")
	assert.Contains(t, log.String(), `GET "/a\nGET /v2/health/live 200 \x1b[31m" 404 `)
}

// A body that does not decode is named in the request's terms — where (a
// JSON pointer) and what was wanted — never in the server's Go types.
func TestMalformedBodiesNameNoGoType(t *testing.T) {
	s := server(t, model(t, iris), Options{})
	for body, want := range map[string]string{
		`{"inputs": 5}`:           `malformed request at /inputs: inputs: want an array, not number`,
		`[1,2]`:                   `malformed request: want an object, not an array`,
		` null `:                  `malformed request: want an object, not null`,
		`{"id":5}`:                `malformed request at /id: want a string, not a number`,
		`{"inputs":[{"name":1}]}`: `malformed request at /inputs/0: name: want a string, not number`,
		`{"inputs":[`:             `malformed request: not valid JSON at byte 11`,
	} {
		resp, err := s.Client().Post(s.URL+"/v2/models/m/infer", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		var e struct{ Error string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		assert.Equal(t, 400, resp.StatusCode, body)
		assert.Contains(t, e.Error, want, body)
		assert.NotContains(t, e.Error, "Go ", body)
		assert.NotContains(t, e.Error, "serve.", body)
	}
}

// Errors advise an HTTP client in its own terms (an empty cell), never a
// Go field it has no access to.
func TestHintsSpeakToClients(t *testing.T) {
	s := server(t, model(t, iris), Options{})
	body := "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5,x,1,2\n"
	resp, err := s.Client().Post(s.URL+"/predict", "text/csv", strings.NewReader(body))
	require.NoError(t, err)
	var e struct{ Error string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, e.Error, "an empty cell instead")
	assert.NotContains(t, e.Error, "PredictOptions")
	assert.NotContains(t, e.Error, "Options.")
}
