package serve

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawResponse sends head (a request without its body, or with part of
// it) on a new connection and returns the first response's status line,
// headers and body, read within 5 s.
func rawResponse(t *testing.T, addr, head string) (string, http.Header, string) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte(head))
	require.NoError(t, err)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err, "no answer")
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.Status, resp.Header, b.String()
}

// TestDeclaredTooLargeIsRefusedUnread: a Content-Length over MaxBody is
// answered 413 (JSON) before a byte of the body is sent — also with no
// body coming at all, and with no 100 Continue to an Expect.
func TestDeclaredTooLargeIsRefusedUnread(t *testing.T) {
	s := server(t, model(t, iris), Options{MaxBody: 4096})
	addr := strings.TrimPrefix(s.URL, "http://")
	for _, path := range []string{"/predict", "/v2/models/m/infer"} {
		for _, expect := range []string{"", "Expect: 100-continue\r\n"} {
			status, h, body := rawResponse(t, addr, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n%s\r\n", path, expect))
			assert.Equal(t, "413 Request Entity Too Large", status, "%s %q", path, expect)
			assert.Equal(t, "application/json", h.Get("Content-Type"))
			assert.JSONEq(t, `{"error":"request body of 100000000 bytes, over 4096 bytes"}`, body)
		}
	}
}

// gz compresses b.
func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// TestGzipBodyInflatedSizeIsBounded: MaxBody bounds what a gzip body to
// /predict inflates to, not only its compressed size.
func TestGzipBodyInflatedSizeIsBounded(t *testing.T) {
	m := model(t, iris)
	table, err := os.ReadFile(iris)
	require.NoError(t, err)
	s := server(t, m, Options{MaxBody: 1 << 16})
	status, plain := do(t, s, "POST", "/predict", "text/csv", table)
	require.Equal(t, 200, status, "%s", plain)
	status, got := do(t, s, "POST", "/predict", "text/csv", gz(table))
	require.Equal(t, 200, status, "%s", got)
	assert.Equal(t, string(plain), string(got))

	header, _, _ := bytes.Cut(table, []byte("\n"))
	bomb := gz(append(append(header, '\n'), bytes.Repeat([]byte("5.1,3.5,1.4,0.2,0\n"), 1<<20)...))
	require.Less(t, len(bomb), 1<<16)
	status, got = do(t, s, "POST", "/predict", "text/csv", bomb)
	assert.Equal(t, 413, status)
	assert.JSONEq(t, `{"error":"inflated gzip body over 65536 bytes"}`, string(got))

	status, got = do(t, s, "POST", "/predict", "text/csv", gz(table)[:100])
	assert.Equal(t, 400, status)
	assert.Contains(t, string(got), "gzip body")
}

// TestBusyWhenBodiesFillTheBudget: while two slow uploads hold the room
// for bodies, a third request waits QueueWait, then is answered 503 with
// Retry-After; once they are done, it goes through.
func TestBusyWhenBodiesFillTheBudget(t *testing.T) {
	const max = 1 << 20
	s := server(t, model(t, iris), Options{MaxBody: max, QueueWait: 200 * time.Millisecond})
	addr := strings.TrimPrefix(s.URL, "http://")
	var slow []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		fmt.Fprintf(c, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\nabc", max)
		slow = append(slow, c)
	}
	time.Sleep(100 * time.Millisecond) // both are reading their bodies
	status, h, body := rawResponse(t, addr, fmt.Sprintf("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", max))
	assert.Equal(t, "503 Service Unavailable", status)
	assert.Equal(t, "1", h.Get("Retry-After"))
	var e struct{ Error string }
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	assert.Contains(t, e.Error, "retry later")
	for _, c := range slow {
		c.Close()
	}
	require.Eventually(t, func() bool {
		status, _ := do(t, s, "POST", "/predict", "text/csv", bytes.Repeat([]byte(" "), max))
		return status == 400 // the budget is free again: read, and a bad table
	}, 5*time.Second, 50*time.Millisecond)
}

// TestRowLimit: more rows than MaxRows is 413, for both endpoints.
func TestRowLimit(t *testing.T) {
	s := server(t, model(t, iris), Options{MaxRows: 2})
	in := irisInputs()
	for _, x := range in {
		x["shape"], x["data"] = []int{3, 1}, []any{1, 2, 3}
	}
	status, got := do(t, s, "POST", "/v2/models/m/infer", "application/json", mustJSON(t, map[string]any{"inputs": in}))
	assert.Equal(t, 413, status)
	assert.Contains(t, string(got), `3 rows, over 2`)
	table := "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n1,2,3,4\n1,2,3,4\n"
	status, got = do(t, s, "POST", "/predict", "text/csv", []byte(table))
	assert.Equal(t, 200, status, "%s", got)
	status, got = do(t, s, "POST", "/predict", "text/csv", []byte(table+"1,2,3,4\n"))
	assert.Equal(t, 413, status)
	assert.Contains(t, string(got), "over 2 rows")
}

// TestShapesDoNotReserveMoreThanTheBody: the room made up front for the
// values that shapes announce is bounded by what the whole body can hold,
// however many inputs announce a large shape.
func TestShapesDoNotReserveMoreThanTheBody(t *testing.T) {
	h := NewHandler(model(t, iris), Options{Name: "m"})
	var b strings.Builder
	b.WriteString(`{"inputs":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"x%d","datatype":"FP32","shape":[1048576],"data":[1]}`, i)
	}
	b.WriteString("]}")
	body := []byte(b.String())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	w := newRecorder()
	r, err := http.NewRequest("POST", "/v2/models/m/infer", bytes.NewReader(body))
	require.NoError(t, err)
	h.ServeHTTP(w, r)
	runtime.ReadMemStats(&after)
	assert.Equal(t, 400, w.status)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("body %d KB, allocated %d KB", len(body)>>10, allocated>>10)
	assert.Less(t, allocated, uint64(20*len(body)))
}
