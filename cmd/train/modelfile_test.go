package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFormat1ModelStillLoads: a model file written by an earlier version
// (format 1, its checksum over the data alone) still predicts and
// summarizes through the CLI.
func TestFormat1ModelStillLoads(t *testing.T) {
	bin := binary(t)
	out := filepath.Join(t.TempDir(), "p.csv")
	code, _, stderr := drive(t, bin, "predict", "--model", "../../testdata/bad/model_v1_iris.safetensors", "--data", "../../testdata/iris.csv", "--out", out)
	require.Equal(t, 0, code, stderr)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 151, strings.Count(string(b), "\n"), "a header and 150 rows")
	code, stdout, stderr := drive(t, bin, "summary", "--model", "../../testdata/bad/model_v1_iris.safetensors")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "relu")
}
