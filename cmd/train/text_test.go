package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGzipWithTrailingZerosTrains: zero bytes after a gzip file's last
// member (tape blocks, padded uploads) are ignored, as gzip -d ignores
// them; the model is the one of the file without them.
func TestGzipWithTrailingZerosTrains(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	text, err := os.ReadFile("../../testdata/iris.csv")
	require.NoError(t, err)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err = zw.Write(text)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	clean, padded := filepath.Join(dir, "clean.csv.gz"), filepath.Join(dir, "padded.csv.gz")
	require.NoError(t, os.WriteFile(clean, z.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(padded, append(z.Bytes(), make([]byte, 10240)...), 0o644))
	var models [][]byte
	for _, data := range []string{clean, padded} {
		out := data + ".safetensors"
		code, _, errOut := drive(t, bin, "fit", "--data", data, "--target", "label", "--epochs", "2", "--out", out)
		require.Equal(t, 0, code, errOut)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		models = append(models, b)
	}
	require.Equal(t, models[0], models[1], "another model")
}
