package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/internal/gemm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenFile holds the SHA-256 of the model files that goldenCases train,
// as the binary that wrote it trained them, and the kernels it ran on.
const goldenFile = "testdata/golden_models.txt"

// goldenCases are fits whose model files must not change when the code
// around the arithmetic does (memory layout, row lists, shuffles): small
// tables, and a narrow one of 1.2 million rows (above the sizes from which
// fit collects garbage between phases and makes the targets in place),
// with and without a validation split, on one worker and on two.
func goldenCases(narrow, narrowReg string) map[string][]string {
	data := func(name string) string { return filepath.Join("..", "..", "testdata", name) }
	return map[string][]string{
		"iris":           {"--data", data("iris.csv"), "--epochs", "5"},
		"iris_val":       {"--data", data("iris.csv"), "--epochs", "5", "--val-split", "0.2"},
		"digits":         {"--data", data("digits.csv"), "--epochs", "2"},
		"digits_val":     {"--data", data("digits.csv"), "--epochs", "2", "--val-split", "0.25", "--workers", "1"},
		"diabetes":       {"--data", data("diabetes.csv"), "--epochs", "5"},
		"diabetes_val":   {"--data", data("diabetes.csv"), "--epochs", "5", "--val-split", "0.3"},
		"narrow":         {"--data", narrow, "--epochs", "1", "--batch", "1024"},
		"narrow_w1":      {"--data", narrow, "--epochs", "1", "--batch", "1024", "--workers", "1"},
		"narrow_noval":   {"--data", narrow, "--epochs", "1", "--batch", "1024", "--val-split", "0"},
		"narrow_reg":     {"--data", narrowReg, "--epochs", "1", "--batch", "1024", "--val-split", "0.15"},
		"narrow_reg_f64": {"--data", narrowReg, "--epochs", "1", "--batch", "1024", "--precision", "f64"},
	}
}

// writeNarrow writes a table of rows rows of two small integers and a
// target: a 0/1 class, or (reg) a number with three decimals.
func writeNarrow(t *testing.T, path string, rows int, reg bool) {
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "a,b,y")
	for i := range rows {
		a, b := i*7919%100, i*104729%97
		if reg {
			fmt.Fprintf(w, "%d,%d,%.3f\n", a, b, float64(a-b)/50+float64(i%1000)/1000)
		} else {
			y := 0
			if a+b+i%20 > 105 {
				y = 1
			}
			fmt.Fprintf(w, "%d,%d,%d\n", a, b, y)
		}
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// TestModelFilesAreGolden: the model files of goldenCases are those
// testdata/golden_models.txt lists, byte for byte, where this machine runs
// the kernels they were made with (the hashes differ with the kernels).
// DENSETRAIN_GOLDEN_BIN=path/to/train DENSETRAIN_GOLDEN_WRITE=1 rewrites
// the file from that binary.
func TestModelFilesAreGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("trains eleven models, two on 1.2 million rows")
	}
	kernels := runtime.GOARCH + " " + gemm.Path()
	want := map[string]string{}
	b, err := os.ReadFile(goldenFile)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines[1:] {
		name, hash, _ := strings.Cut(l, " ")
		want[name] = hash
	}
	write := os.Getenv("DENSETRAIN_GOLDEN_WRITE") != ""
	if !write && lines[0] != "kernels "+kernels {
		t.Skipf("the hashes are of %q, this machine runs %s", lines[0], kernels)
	}
	bin := os.Getenv("DENSETRAIN_GOLDEN_BIN")
	if bin == "" {
		bin = binary(t)
	}
	dir := t.TempDir()
	narrow, narrowReg := filepath.Join(dir, "narrow.csv"), filepath.Join(dir, "narrow_reg.csv")
	writeNarrow(t, narrow, 1_200_000, false)
	writeNarrow(t, narrowReg, 1_200_000, true)
	got := map[string]string{}
	for name, args := range goldenCases(narrow, narrowReg) {
		out := filepath.Join(dir, name+".safetensors")
		o, err := exec.Command(bin, append([]string{"fit", "--quiet", "--out", out}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s: %s", name, o)
		m, err := os.ReadFile(out)
		require.NoError(t, err)
		sum := sha256.Sum256(m)
		got[name] = hex.EncodeToString(sum[:])
	}
	if write {
		var s strings.Builder
		fmt.Fprintf(&s, "kernels %s\n", kernels)
		for _, name := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&s, "%s %s\n", name, got[name])
		}
		require.NoError(t, os.WriteFile(goldenFile, []byte(s.String()), 0o644))
		return
	}
	assert.Equal(t, want, got)
}
