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

// useFixture trains a small 10-class model and writes a table of many
// rows to predict on (about 1.1 M rows, 26 MB; its predictions CSV is about
// 150 MB, so that writing it takes a while).
func useFixture(t *testing.T, bin, dir string) (model, big string) {
	rng := rand.New(rand.NewPCG(12, 0))
	row := func(w *bufio.Writer) {
		fmt.Fprintf(w, "%.3f,%.3f,%.3f,%.3f,%d\n", rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64(), rng.IntN(10))
	}
	write := func(name string, rows int) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		require.NoError(t, err)
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString("a,b,c,d,y\n")
		for range rows {
			row(w)
		}
		require.NoError(t, w.Flush())
		require.NoError(t, f.Close())
		return path
	}
	train := write("train.csv", 200)
	big = write("big.csv", 1_100_000)
	model = filepath.Join(dir, "m.safetensors")
	code, _, errOut := drive(t, bin, "fit", "--data", train, "--epochs", "1", "--hidden", "16", "--quiet", "--out", model)
	require.Equal(t, 0, code, errOut)
	return model, big
}

// temps lists the temporary files (…tmp-…) in dir.
func temps(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var tmp []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			tmp = append(tmp, e.Name())
		}
	}
	return tmp
}

// TestSignalsStopPredictAndEvaluate: SIGINT or SIGTERM stops predict and
// evaluate — while they read a large file, while they wait on a standard
// input that sends nothing, while predict writes its output file, and
// with a second signal in that write — with exit code 130 or 143, one
// stderr line, no output file and no temporary file left. The time from the
// signal to the exit is logged (go test -v); the bound asserted is loose
// (a run left alone takes several times longer).
func TestSignalsStopPredictAndEvaluate(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 26 MB table")
	}
	bin := binary(t)
	dir := t.TempDir()
	model, big := useFixture(t, bin, dir)

	cases := []struct {
		name   string
		args   []string
		stdin  bool   // standard input is a pipe that stays open and empty
		when   string // "start": 100 ms after the start; "temp": once the output's temporary file exists
		sigs   []syscall.Signal
		code   int
		output bool // the command has --out OUT
	}{
		{"predict reading a large file, SIGINT", []string{"predict", "--data", big}, false, "start", []syscall.Signal{syscall.SIGINT}, 130, true},
		{"predict reading a large file to stdout, SIGTERM", []string{"predict", "--data", big}, false, "start", []syscall.Signal{syscall.SIGTERM}, 143, false},
		{"evaluate reading a large file, SIGINT", []string{"evaluate", "--data", big}, false, "start", []syscall.Signal{syscall.SIGINT}, 130, false},
		{"predict on a silent stdin, SIGINT", []string{"predict", "--data", "-"}, true, "start", []syscall.Signal{syscall.SIGINT}, 130, true},
		{"evaluate on a silent stdin, SIGTERM", []string{"evaluate", "--data", "-"}, true, "start", []syscall.Signal{syscall.SIGTERM}, 143, false},
		{"predict reading a large file, SIGHUP", []string{"predict", "--data", big}, false, "start", []syscall.Signal{syscall.SIGHUP}, 129, true},
		{"predict writing its output, SIGHUP", []string{"predict", "--data", big}, false, "temp", []syscall.Signal{syscall.SIGHUP}, 129, true},
		{"predict writing its output, SIGINT", []string{"predict", "--data", big}, false, "temp", []syscall.Signal{syscall.SIGINT}, 130, true},
		{"predict writing its output, two signals", []string{"predict", "--data", big}, false, "temp", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 130, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, "pred.csv")
			args := append([]string{c.args[0], "--model", model}, c.args[1:]...)
			if c.output {
				args = append(args, "--out", out)
			}
			cmd := exec.Command(bin, args...)
			var stderr bytes.Buffer
			cmd.Stderr, cmd.Stdout = &stderr, new(bytes.Buffer)
			if c.stdin {
				w, err := cmd.StdinPipe()
				require.NoError(t, err)
				defer w.Close()
			}
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { cmd.Process.Kill() })
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()

			switch c.when {
			case "start":
				if c.stdin { // the spool file, unlinked
					waitReading(t, cmd.Process.Pid, func(p string) bool { return strings.HasSuffix(p, " (deleted)") })
				} else {
					waitReading(t, cmd.Process.Pid, func(p string) bool { return p == big })
				}
				time.Sleep(100 * time.Millisecond)
			case "temp":
				deadline := time.Now().Add(60 * time.Second)
				for len(temps(t, outDir)) == 0 {
					require.True(t, time.Now().Before(deadline), "no temporary output file within a minute")
					select {
					case err := <-done:
						t.Fatalf("the command ended before writing its output: %v %s", err, stderr.String())
					case <-time.After(2 * time.Millisecond):
					}
				}
			}
			select {
			case err := <-done:
				t.Fatalf("the command ended before the signal: %v %s", err, stderr.String())
			default:
			}
			sent := time.Now()
			for _, s := range c.sigs {
				require.NoError(t, cmd.Process.Signal(s))
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("still running 10 s after the signal")
			}
			took := time.Since(sent)
			t.Logf("exit %v after the signal", took.Round(time.Millisecond))
			assert.Less(t, took, 5*time.Second)
			assert.Equal(t, c.code, procExitCode(t, err), stderr.String())
			if len(c.sigs) == 1 { // a second signal exits at once, silently
				assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
				assert.Contains(t, stderr.String(), "interrupted by SIG")
			}
			assert.NotContains(t, stderr.String(), "goroutine")
			_, err = os.Stat(out)
			assert.True(t, os.IsNotExist(err), "an output file was written")
			assert.Empty(t, temps(t, outDir), "temporary files left")
		})
	}
}

// waitReading waits (up to a minute) until the process has a file open
// whose path satisfies want — by then it has its signal handlers, which
// it installs before it reads anything (on a busy machine the start can
// take longer than the 100 ms the test gives it).
func waitReading(t *testing.T, pid int, want func(path string) bool) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue // not started yet, or gone: the test's checks will tell
		}
		for _, fd := range fds {
			if p, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && want(p) {
				return
			}
		}
	}
	t.Fatalf("process %d opened no file it should read within a minute", pid)
}
