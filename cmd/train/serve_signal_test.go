package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/tabular"
)

// serveProc is a train serve process started by a test, on a free
// loopback port.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string // host:port
	mu     sync.Mutex
	stderr bytes.Buffer  // the lines after the serving line
	done   chan struct{} // closed when stderr is closed
}

// irisModel trains a small iris model into dir.
func irisModel(t *testing.T, dir string) string {
	m, err := tabular.Fit(context.Background(), tabular.File("../../testdata/iris.csv"),
		tabular.Config{Epochs: 2, Hidden: []int{8}, Seed: 1, Workers: 1})
	require.NoError(t, err)
	model := filepath.Join(dir, "iris.safetensors")
	require.NoError(t, m.Save(model))
	return model
}

// startServe starts the binary's serve command on 127.0.0.1:0 and waits
// for its serving line; the process is killed when the test ends.
func startServe(t *testing.T, bin, model string, extra ...string) *serveProc {
	args := append([]string{"serve", "--model", model, "--addr", "127.0.0.1:0"}, extra...)
	p := &serveProc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	pipe, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	lines := bufio.NewScanner(pipe)
	require.True(t, lines.Scan(), "no serving line")
	m := regexp.MustCompile(`^serving .* on http://(127\.0\.0\.1:\d+)$`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, lines.Text())
	p.addr = m[1]
	go func() {
		defer close(p.done)
		for lines.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(lines.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	return p
}

// wait waits (at most limit) for the process to exit and returns its
// exit code (-1 when a signal killed it) and its stderr.
func (p *serveProc) wait(t *testing.T, limit time.Duration) (int, string) {
	exited := make(chan error, 1)
	go func() { <-p.done; exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		p.mu.Lock()
		defer p.mu.Unlock()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), p.stderr.String()
		}
		require.NoError(t, err)
		return 0, p.stderr.String()
	case <-time.After(limit):
		t.Fatalf("serve did not exit within %v", limit)
		return 0, ""
	}
}

// slowUpload starts a /predict request whose declared body is sent one
// byte every interval, and returns once the headers and the first bytes
// are out; finish sends the rest of the body at that pace (it stops at
// the first write error) and returns the response's status line, or "".
func slowUpload(t *testing.T, addr string, body string, interval time.Duration) (finish func() string) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /predict HTTP/1.1\r\nHost: %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:1])
	time.Sleep(100 * time.Millisecond) // the handler is reading the body
	return func() string {
		for i := 1; i < len(body); i++ {
			time.Sleep(interval)
			if _, err := c.Write([]byte{body[i]}); err != nil {
				break
			}
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		status, _ := bufio.NewReader(c).ReadString('\n')
		return strings.TrimSpace(status)
	}
}

// TestServeDrainDeadline: a client that uploads one byte at a time holds
// its request past --drain-timeout after SIGTERM (or SIGHUP): serve cuts
// it off, says so in one line and exits with 143 (129), as a command
// stopped by the signal.
func TestServeDrainDeadline(t *testing.T) {
	bin := binary(t)
	model := irisModel(t, t.TempDir())
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGTERM, "SIGTERM", 143}, {syscall.SIGHUP, "SIGHUP", 129}} {
		t.Run(c.name, func(t *testing.T) {
			p := startServe(t, bin, model, "--drain-timeout", "1s")
			finish := slowUpload(t, p.addr, strings.Repeat("1,2,3,4\n", 50), 100*time.Millisecond)
			go finish()
			start := time.Now()
			require.NoError(t, p.cmd.Process.Signal(c.sig))
			code, stderr := p.wait(t, 8*time.Second)
			t.Logf("exit %d after %v: %s", code, time.Since(start).Round(time.Millisecond), stderr)
			assert.Equal(t, c.code, code)
			assert.Equal(t, "train serve: interrupted by "+c.name+": drain deadline 1s passed; 1 request cut off\n", stderr)
		})
	}
}

// TestServeSIGHUPDrains: SIGHUP (the terminal closed) drains as SIGTERM
// does: the request in flight is answered, then serve exits 0.
func TestServeSIGHUPDrains(t *testing.T) {
	bin := binary(t)
	p := startServe(t, bin, irisModel(t, t.TempDir()))
	body := "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5.1,3.5,1.4,0.2\n"
	finish := slowUpload(t, p.addr, body, 10*time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGHUP))
	assert.Equal(t, "HTTP/1.1 200 OK", finish())
	code, stderr := p.wait(t, 8*time.Second)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "stopped serving\n", stderr)
	// No new connection is accepted any more.
	_, err := http.Get("http://" + p.addr + "/v2/health/live")
	assert.Error(t, err)
}

// TestServeDrainWithASilentConnection: a connection that never sends a
// request does not make the drain fail: serve exits 0 at the deadline.
func TestServeDrainWithASilentConnection(t *testing.T) {
	bin := binary(t)
	p := startServe(t, bin, irisModel(t, t.TempDir()), "--drain-timeout", "500ms")
	c, err := net.Dial("tcp", p.addr)
	require.NoError(t, err)
	defer c.Close()
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, stderr := p.wait(t, 8*time.Second)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "stopped serving\n", stderr)
}
