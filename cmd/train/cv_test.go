package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCVCommand: train cv prints a fold a line and the mean ± sd; --json
// prints the object --out writes, the same for 1 and 3 workers; --group
// keeps a group's rows in one fold and is no feature.
func TestCVCommand(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	iris := "../../testdata/iris.csv"
	code, stdout, stderr := drive(t, bin, "cv", "--data", iris, "--folds", "3", "--epochs", "3")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 5, stdout) // header, 3 folds, mean
	assert.Contains(t, lines[0], "accuracy")
	assert.Regexp(t, `^1 +100 +50 +3 `, lines[1], "stratified: 50 rows a fold")
	assert.Regexp(t, `^mean +150 .* ± `, lines[4])
	assert.Equal(t, 3, strings.Count(stderr, "\n"), "a line a fold: %q", stderr)
	assert.Contains(t, stderr, "fold 3/3: 100 training rows, 50 tested, 3 epochs: loss ")

	var ref string
	for _, w := range []string{"1", "3"} {
		out := filepath.Join(dir, "cv"+w+".json")
		code, stdout, stderr = drive(t, bin, "cv", "--data", iris, "--folds", "3", "--epochs", "3", "--workers", w, "--json", "--out", out, "--quiet")
		require.Equal(t, 0, code, stderr)
		assert.Empty(t, stderr)
		file, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, stdout, string(file))
		if ref == "" {
			ref = stdout
		}
		assert.Equal(t, ref, stdout, "workers %s", w)
	}
	var r struct {
		Task  string
		Rows  int
		Folds []struct {
			Fold      int
			TrainRows int `json:"train_rows"`
			TestRows  int `json:"test_rows"`
			Metrics   map[string]float64
		}
		Mean, SD map[string]float64
	}
	require.NoError(t, json.Unmarshal([]byte(ref), &r))
	assert.Equal(t, "classify", r.Task)
	require.Len(t, r.Folds, 3)
	sum := 0.0
	for _, f := range r.Folds {
		sum += f.Metrics["accuracy"]
	}
	assert.InDelta(t, sum/3, r.Mean["accuracy"], 1e-12)
	assert.Contains(t, r.SD, "loss")

	// Groups of text ids: 60 of them would exceed --max-categories 10 as a feature.
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("x,id,y\n")
	for g := range 60 {
		for range 2 {
			x := rng.NormFloat64()
			fmt.Fprintf(&b, "%.3f,id%02d,%.3f\n", x, g, 3*x+rng.NormFloat64()*0.1)
		}
	}
	data := filepath.Join(dir, "groups.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	code, stdout, stderr = drive(t, bin, "cv", "--data", data, "--group", "id", "--max-categories", "10", "--epochs", "3", "--json", "--quiet")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	assert.Equal(t, "regress", r.Task)
	require.Len(t, r.Folds, 5)
	for _, f := range r.Folds {
		assert.Zero(t, f.TestRows%2, "whole groups of 2 rows")
		assert.Contains(t, f.Metrics, "r2")
	}
}
