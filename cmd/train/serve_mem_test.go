package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// procKB reads a VmRSS or VmHWM line (kB) of /proc/PID/status.
func procKB(t *testing.T, pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			require.NoError(t, err)
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// resetPeak resets the process's VmHWM to its current RSS (clear_refs 5).
func resetPeak(t *testing.T, pid int) {
	require.NoError(t, os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0))
}

// ones is an endless body of '1' bytes.
type ones struct{}

var oneBlock = bytes.Repeat([]byte{'1'}, 64<<10)

func (ones) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], oneBlock)
	}
	return n, nil
}

// concurrently sends n requests at once and returns their statuses (0 for
// a transport error: the server may close the connection of a body it
// refuses while the client is still sending it).
func concurrently(n int, send func() (*http.Response, error)) []int {
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := send()
			if err != nil {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	return statuses
}

// TestServeMemoryUnderHostileBodies: 16 concurrent bodies over --max-body
// (declared, and chunked), a gzip bomb to /predict and four large infer
// requests at once keep the server's peak RSS bounded, and its RSS comes
// back near the baseline afterwards. It sends some 2 GB over loopback
// in 5–10 s.
func TestServeMemoryUnderHostileBodies(t *testing.T) {
	bin := binary(t)
	p := startServe(t, bin, irisModel(t, t.TempDir()))
	pid := p.cmd.Process.Pid
	url := "http://" + p.addr
	client := &http.Client{Timeout: 60 * time.Second}
	defer client.CloseIdleConnections()
	post := func(path string, body io.Reader, length int64) func() (*http.Response, error) {
		return func() (*http.Response, error) {
			req, err := http.NewRequest("POST", url+path, body)
			if err != nil {
				return nil, err
			}
			req.ContentLength = length
			return client.Do(req)
		}
	}
	header := "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n"
	row := "5.1,3.5,1.4,0.2\n"
	resp, err := post("/predict", strings.NewReader(header+row), int64(len(header+row)))()
	require.NoError(t, err)
	resp.Body.Close()
	base := procKB(t, pid, "VmRSS")
	t.Logf("baseline RSS %d MB", base>>10)

	phase := func(name string, limitMB int, run func()) {
		resetPeak(t, pid)
		start := time.Now()
		run()
		peak := procKB(t, pid, "VmHWM")
		time.Sleep(300 * time.Millisecond) // memory is handed back on a goroutine
		t.Logf("%s: peak RSS %d MB, RSS after %d MB, %v", name, peak>>10, procKB(t, pid, "VmRSS")>>10, time.Since(start).Round(time.Millisecond))
		assert.Less(t, peak>>10, limitMB, "%s: peak RSS (MB)", name)
	}
	const over = 110 << 20
	phase("16 declared 110 MB bodies", 100, func() {
		st := concurrently(16, func() (*http.Response, error) {
			return post("/v2/models/iris/infer", io.LimitReader(ones{}, over), over)()
		})
		for _, s := range st {
			assert.Contains(t, []int{0, 413}, s)
		}
		assert.Contains(t, st, 413)
	})
	phase("16 chunked 110 MB bodies", 800, func() {
		st := concurrently(16, func() (*http.Response, error) {
			return post("/predict", io.LimitReader(ones{}, over), -1)()
		})
		for _, s := range st {
			assert.Contains(t, []int{0, 413, 503}, s)
		}
	})
	// A gzip stream of many members (as concatenated .gz files are):
	// the header, then 128 members of 1 Mi rows each, 128 MiB inflated.
	member := func(text string) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write([]byte(text))
		zw.Close()
		return b.Bytes()
	}
	bomb := bytes.NewBuffer(member(header))
	bomb.Write(bytes.Repeat(member(strings.Repeat(row, 1<<16)), 128))
	phase(fmt.Sprintf("gzip bomb of %d KB to /predict", bomb.Len()>>10), 500, func() {
		resp, err := post("/predict", bytes.NewReader(bomb.Bytes()), int64(bomb.Len()))()
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 413, resp.StatusCode)
		// Two at once: each is refused, too large or, for want of room
		// to inflate it, busy.
		st := concurrently(2, func() (*http.Response, error) {
			return post("/predict", bytes.NewReader(bomb.Bytes()), int64(bomb.Len()))()
		})
		for _, s := range st {
			assert.Contains(t, []int{413, 503}, s)
		}
	})
	var infer bytes.Buffer
	const n = 1 << 20
	infer.WriteString(`{"inputs":[`)
	for j, name := range strings.Split(strings.TrimSpace(header), ",") {
		if j > 0 {
			infer.WriteByte(',')
		}
		fmt.Fprintf(&infer, `{"name":%q,"datatype":"FP32","shape":[%d,1],"data":[`, name, n)
		infer.WriteString(strings.Repeat("5.125,", n-1) + "5.125]}")
	}
	infer.WriteString("]}")
	phase(fmt.Sprintf("4 concurrent %d MB infers", infer.Len()>>20), 800, func() {
		st := concurrently(4, func() (*http.Response, error) {
			return post("/v2/models/iris/infer", bytes.NewReader(infer.Bytes()), int64(infer.Len()))()
		})
		for _, s := range st {
			assert.Contains(t, []int{200, 503}, s)
		}
		assert.Contains(t, st, 200)
	})
	time.Sleep(500 * time.Millisecond)
	after := procKB(t, pid, "VmRSS")
	t.Logf("RSS after everything %d MB (baseline %d MB)", after>>10, base>>10)
	assert.Less(t, after-base, 64<<10, "RSS after the bursts (kB) above the baseline")
}
