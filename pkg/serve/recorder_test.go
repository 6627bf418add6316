package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

func httptestServer(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// memRecorder is a minimal ResponseWriter for the fuzz target.
type memRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *memRecorder { return &memRecorder{header: http.Header{}} }

func (m *memRecorder) Header() http.Header { return m.header }
func (m *memRecorder) WriteHeader(s int) {
	if m.status == 0 {
		m.status = s
	}
}
func (m *memRecorder) Write(b []byte) (int, error) {
	if m.status == 0 {
		m.status = 200
	}
	return m.body.Write(b)
}
