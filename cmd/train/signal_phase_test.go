//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
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

// Between the read and the first step — the class labels, the validation
// split, the preprocessing's passes, the epoch's shuffle — fit answers
// SIGTERM at once: a signal sent some time after the data file is closed
// ends the run with 143 and one line. Each time from the signal to the
// exit is logged (go test -v); the bound asserted is loose (those phases
// took seconds on this table before they looked at the signal).
func TestSignalsBetweenReadAndTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 60 MB table and reads it several times")
	}
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "narrow.csv")
	f, err := os.Create(data)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(3, 3))
	w.WriteString("a,b,y\n")
	for range 3_000_000 {
		fmt.Fprintf(w, "%.5f,%.5f,%d\n", rng.Float64(), rng.Float64(), rng.IntN(2))
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())

	for _, delay := range []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 450 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "fit", "--data", data, "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "m"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { cmd.Process.Kill() })
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitReading(t, cmd.Process.Pid, func(p string) bool { return p == data })
			for readingFile(cmd.Process.Pid, data) { // until the read is over
				time.Sleep(2 * time.Millisecond)
			}
			time.Sleep(delay)
			sent := time.Now()
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("still running 20 s after the signal")
			}
			took := time.Since(sent)
			t.Logf("%v after the read: exit %v after the signal", delay, took.Round(time.Millisecond))
			if procExitCode(t, err) == 0 {
				t.Skip("the run ended before the signal") // a fast machine
			}
			assert.Equal(t, 143, procExitCode(t, err), stderr.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
			assert.Contains(t, stderr.String(), "interrupted by SIGTERM")
			assert.Less(t, took, 2*time.Second)
		})
	}
}

// readingFile reports whether process pid has path open.
func readingFile(pid int, path string) bool {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if p, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && p == path {
			return true
		}
	}
	return false
}
