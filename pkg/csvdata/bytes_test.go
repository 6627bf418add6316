package csvdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadBytesReadsAsAFile: text in memory, plain or gzip, gives the
// table the file gives, with chunks smaller than the text too; its errors
// carry the name given.
func TestReadBytesReadsAsAFile(t *testing.T) {
	for _, path := range []string{"../../testdata/iris.csv", "../../testdata/messy/scat.csv", "../../testdata/messy/Sacramento.csv"} {
		want, err := ReadFile[float32](context.Background(), path, Options{})
		require.NoError(t, err)
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(text)
		require.NoError(t, zw.Close())
		for name, b := range map[string][]byte{"plain": text, "gzip": gz.Bytes()} {
			for _, chunk := range []int{0, 64} {
				got, err := ReadBytes[float32](context.Background(), "body", b, Options{ChunkBytes: chunk})
				require.NoError(t, err, "%s %s", path, name)
				assert.True(t, sameBits(want.X.Data, got.X.Data), "%s %s chunk %d: another matrix", path, name, chunk)
				assert.Equal(t, want.Targets, got.Targets)
				assert.Equal(t, want.Schema, got.Schema)
			}
		}
	}
	_, err := ReadBytes[float64](context.Background(), "request body", []byte("a,b\n1,2\n3\n"), Options{})
	assert.ErrorContains(t, err, "request body:3:")
	_, err = ReadBytes[float64](context.Background(), "empty body", nil, Options{})
	assert.ErrorContains(t, err, "empty body")
}

// sameBits reports whether a and b hold the same bits (NaN equal to NaN).
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
