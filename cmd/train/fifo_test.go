package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A named pipe that no other process opens, as --data or predict's --out:
// the wait for the peer ends at the first SIGINT, SIGTERM or SIGHUP, with
// the signal's exit code, one line and no file left. As --model it is
// refused at once (a model file must be a regular file).
func TestNamedPipeWithoutPeer(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "iris.safetensors")
	code, _, errOut := drive(t, bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--quiet", "--out", model)
	require.Equal(t, 0, code, errOut)

	cases := []struct {
		name string
		args func(pipe string) []string
		sig  syscall.Signal
		code int
	}{
		{"fit --data, SIGTERM", func(p string) []string { return []string{"fit", "--data", p, "--out", filepath.Join(dir, "m")} }, syscall.SIGTERM, 143},
		{"predict --data, SIGINT", func(p string) []string { return []string{"predict", "--model", model, "--data", p} }, syscall.SIGINT, 130},
		{"predict --out, SIGTERM", func(p string) []string {
			return []string{"predict", "--model", model, "--data", "../../testdata/iris.csv", "--out", p}
		}, syscall.SIGTERM, 143},
		{"predict --out, SIGHUP", func(p string) []string {
			return []string{"predict", "--model", model, "--data", "../../testdata/iris.csv", "--out", p}
		}, syscall.SIGHUP, 129},
		{"fit --out, SIGTERM", func(p string) []string {
			return []string{"fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--quiet", "--out", p}
		}, syscall.SIGTERM, 143},
		{"fit --history, SIGINT", func(p string) []string {
			return []string{"fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "h"), "--history", p + ".csv"}
		}, syscall.SIGINT, 130},
		{"fit --plot, SIGTERM", func(p string) []string {
			return []string{"fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "pl"), "--plot", p + ".png"}
		}, syscall.SIGTERM, 143},
		{"export --out, SIGTERM", func(p string) []string { return []string{"export", "--model", model, "--out", p} }, syscall.SIGTERM, 143},
		{"predict --model", func(p string) []string { return []string{"predict", "--model", p, "--data", "../../testdata/iris.csv"} }, 0, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pipe := filepath.Join(t.TempDir(), "pipe")
			require.NoError(t, syscall.Mkfifo(pipe, 0o600))
			for _, ext := range []string{".csv", ".png"} { // --history and --plot want their suffix
				require.NoError(t, syscall.Mkfifo(pipe+ext, 0o600))
			}
			cmd := exec.Command(bin, c.args(pipe)...)
			var stderr bytes.Buffer
			cmd.Stderr, cmd.Stdout = &stderr, new(bytes.Buffer)
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { cmd.Process.Kill() })
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if c.sig != 0 {
				waitOpening(t, cmd.Process.Pid, done)
				require.NoError(t, cmd.Process.Signal(c.sig))
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("still running 10 s after the signal")
			}
			assert.Equal(t, c.code, procExitCode(t, err), stderr.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
			if c.sig == 0 {
				assert.Contains(t, stderr.String(), "not a regular file")
			} else {
				assert.Contains(t, stderr.String(), "interrupted by "+signalName(c.sig))
			}
			entries, _ := os.ReadDir(filepath.Dir(pipe))
			assert.Len(t, entries, 3, "only the pipes are left")
		})
	}
}

// waitOpening waits until one of the process's threads waits in the
// kernel for a pipe's peer (its wchan names the wait), or fails the test
// after a minute. The signal handlers are in place long before.
func waitOpening(t *testing.T, pid int, done chan error) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("the command ended before the signal: %v", err)
		default:
		}
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		for _, f := range tasks {
			if b, err := os.ReadFile(f); err == nil && (strings.Contains(string(b), "fifo") || strings.Contains(string(b), "partner")) {
				return
			}
		}
	}
	t.Fatal("the command never waited on the pipe")
}
