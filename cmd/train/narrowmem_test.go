package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNarrowTableFitMemory: fit on a narrow table (two small integers and
// a 0/1 class, 30 MB; two integers and a number with three decimals,
// 30 MB) peaks at no more than 1.5 times the float32 matrix of its three
// columns (12 bytes a row) and a fixed 80 MiB (the binary, the chunks
// being read and their index). It took 192 and 136 MiB (a list of lines,
// int row lists, the model's targets next to the table's); now about 130
// and 96 MiB on the development VM. DENSETRAIN_MEM_BIN runs another
// binary instead (an older one, to compare).
func TestNarrowTableFitMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and trains on 60 MB of tables")
	}
	bin := os.Getenv("DENSETRAIN_MEM_BIN")
	if bin == "" {
		bin = binary(t)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		rows int
		reg  bool
	}{{"class", 3_500_000, false}, {"regression", 2_500_000, true}} {
		data := filepath.Join(dir, c.name+".csv")
		writeNarrow(t, data, c.rows, c.reg)
		cmd := exec.Command(bin, "fit", "--data", data, "--epochs", "1", "--batch", "4096", "--quiet", "--out", filepath.Join(dir, "m"))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		rss := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // MiB
		matrix := float64(c.rows*12) / (1 << 20)
		t.Logf("%s: %d rows, float32 matrix %.0f MiB, peak RSS %.0f MiB (%.2f×)", c.name, c.rows, matrix, rss, rss/matrix)
		assert.LessOrEqual(t, rss, 1.5*matrix+80, "%s: peak RSS in MiB", c.name)
		require.NoError(t, os.Remove(data))
	}
}
