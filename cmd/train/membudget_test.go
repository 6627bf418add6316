package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDataBeyondTheMemoryLimitIsRefused: a table that the Go memory limit
// cannot hold is refused in one line that names the file and the limit,
// exit 2, before its storage is allocated — not trained on until the
// runtime gives up, nor killed.
func TestDataBeyondTheMemoryLimitIsRefused(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 400_000 { // 4 MB, 400 000 rows
		fmt.Fprintf(&b, "%d,%d,%d\n", i%97, i%89, i%2)
	}
	data := filepath.Join(dir, "narrow.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	for _, limit := range []string{"6MiB", "10MiB"} { // it needs about 11.6 MB
		cmd := exec.Command(bin, "fit", "--data", data, "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "m"))
		cmd.Env = append(os.Environ(), "GOMEMLIMIT="+limit)
		var e bytes.Buffer
		cmd.Stderr = &e
		err := cmd.Run()
		require.Error(t, err, "GOMEMLIMIT=%s", limit)
		assert.Equal(t, 2, procExitCode(t, err))
		assert.Equal(t, 1, strings.Count(e.String(), "\n"), "one line: %.500q", e.String())
		assert.Regexp(t, `^train fit: .*narrow\.csv: about 400000 rows, which need about [0-9.]+ MB of memory, more than the Go memory limit of [0-9.]+ MB \(GOMEMLIMIT\); --cache \(a directory\) trains from a block cache on disk instead, in bounded memory\n$`, e.String())
		_, err = os.Stat(filepath.Join(dir, "m"))
		assert.True(t, os.IsNotExist(err), "no model written")
	}
	// Within the limit, the same table trains.
	cmd := exec.Command(bin, "fit", "--data", data, "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "m"))
	cmd.Env = append(os.Environ(), "GOMEMLIMIT=1GiB")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	// As the error advises, --cache trains it under the limit: the same model.
	for _, read := range []string{"auto", "disk"} {
		cmd = exec.Command(bin, "fit", "--data", data, "--epochs", "1", "--quiet", "--cache", filepath.Join(dir, "cache"), "--cache-read", read, "--out", filepath.Join(dir, "mc"))
		cmd.Env = append(os.Environ(), "GOMEMLIMIT=6MiB")
		out, err = cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		want, err := os.ReadFile(filepath.Join(dir, "m"))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(dir, "mc"))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "--cache-read %s: the in-memory model's bytes", read)
	}
}
