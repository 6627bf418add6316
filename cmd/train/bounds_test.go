package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHugeInputsAreRejectedWithBoundedMemory: a model header that claims
// 10^12 elements, a CSV with 10^6 columns and a CSV with a 1 GB line are
// refused with exit code 2 while the process's peak RSS stays small. Time
// and RSS are logged (go test -v), not asserted.
func TestHugeInputsAreRejectedWithBoundedMemory(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()

	wide := filepath.Join(dir, "wide.csv")
	var b bytes.Buffer
	for j := range 1_000_000 {
		b.WriteString("c" + strconv.Itoa(j) + ",")
	}
	b.WriteString("y\n" + strings.Repeat("0,", 1_000_000) + "1\n")
	require.NoError(t, os.WriteFile(wide, b.Bytes(), 0o644))

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"10^12-element tensor", []string{"predict", "--model", "../../testdata/bad/model_huge_shape.safetensors", "--data", "../../testdata/iris.csv"}, "larger than the file"},
		{"10^12-input architecture", []string{"predict", "--model", "../../testdata/bad/model_arch_huge.safetensors", "--data", "../../testdata/iris.csv"}, "1000000000000 inputs"},
		{"10^6 columns", []string{"fit", "--data", wide, "--out", filepath.Join(dir, "m")}, "wide.csv:1: 1000001 columns, more than the limit of 100000"},
	}
	if !testing.Short() {
		long := filepath.Join(dir, "long.csv")
		f, err := os.Create(long)
		require.NoError(t, err)
		w := bufio.NewWriterSize(f, 8<<20)
		w.WriteString("a,b,y\n1,")
		nines := bytes.Repeat([]byte("9"), 8<<20)
		for range 128 { // 1 GiB
			w.Write(nines)
		}
		w.WriteString(",0\n")
		require.NoError(t, w.Flush())
		require.NoError(t, f.Close())
		defer os.Remove(long)
		cases = append(cases, struct {
			name string
			args []string
			want string
		}{"1 GB line", []string{"fit", "--data", long, "--out", filepath.Join(dir, "m")}, "long.csv:2: line longer than"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			require.Error(t, err)
			assert.Equal(t, 2, procExitCode(t, err))
			assert.Contains(t, stderr.String(), c.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // MiB
			t.Logf("%s: rejected in %v, peak RSS %d MiB", c.name, took.Round(time.Millisecond), rss)
			assert.Less(t, rss, int64(256), "peak RSS in MiB")
		})
	}
}

// The memory fit estimates for a network (the figure in its refusal under
// a small GOMEMLIMIT) is within 1.5× of the peak RSS of training it, for
// optimizers with and without state, one and two gradient lanes, with and
// without early stopping's best weights.
func TestNetworkMemoryEstimateIsClose(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 9-million-parameter networks")
	}
	bin := binary(t)
	dir := t.TempDir()
	for _, extra := range [][]string{{}, {"--optimizer", "sgd", "--patience", "0", "--batch", "512"}} {
		args := append([]string{"fit", "--data", "../../testdata/iris.csv", "--hidden", "3000,3000", "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "m")}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "GOMEMLIMIT=50MiB")
		out, err := cmd.CombinedOutput()
		require.Error(t, err)
		m := regexp.MustCompile(`needs about ([0-9.]+) MB`).FindSubmatch(out)
		require.NotNil(t, m, "%s", out)
		estimate, err := strconv.ParseFloat(string(m[1]), 64)
		require.NoError(t, err)

		cmd = exec.Command(bin, args...)
		out, err = cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		peak := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) * 1024 / 1e6 // MB
		t.Logf("%v: estimate %.0f MB, peak RSS %.0f MB", extra, estimate, peak)
		assert.True(t, estimate <= 1.5*peak && peak <= 1.5*estimate, "estimate %.0f MB, peak %.0f MB: not within 1.5×", estimate, peak)
	}
}
