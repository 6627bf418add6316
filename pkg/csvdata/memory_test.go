package csvdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryBudget: a table whose storage would pass Options.MemoryBudget
// is refused by name, in one line, before the storage is allocated — a
// plain file at its projected size, a gzip stream of unknown size as its
// storage grows; within the budget it is read.
func TestMemoryBudget(t *testing.T) {
	text := "a,b,y\n" + strings.Repeat("1,2,0\n3,4,1\n", 50_000) // 100 000 rows
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write([]byte(text))
	require.NoError(t, zw.Close())
	zw = gzip.NewWriter(&z) // a last, empty member: the size is unknown
	require.NoError(t, zw.Close())
	for name, in := range map[string][]byte{"t.csv": []byte(text), "t.csv.gz": z.Bytes()} {
		t.Run(name, func(t *testing.T) {
			opt := Options{MemoryBudget: 1 << 20, ChunkBytes: 16 << 10}
			_, err := ReadBytes[float32](context.Background(), name, in, opt)
			require.Error(t, err)
			assert.Regexp(t, `^`+name+`: its [0-9]+ rows \(as far as can be told\) need about [0-9.]+ [kM]B of memory to be read, more than csvdata.Options.MemoryBudget of 1.05 MB$`, err.Error())
			opt.MemoryBudget = 100 << 20
			tab, err := ReadBytes[float32](context.Background(), name, in, opt)
			require.NoError(t, err)
			assert.Equal(t, 100_000, tab.X.Rows)
		})
	}
}

// TestMemoryLimit: the Go memory limit bounds the budget, and is named.
func TestMemoryLimit(t *testing.T) {
	have, what := MemoryLimit()
	require.Positive(t, have)
	assert.NotEmpty(t, what)
	old := debug.SetMemoryLimit(have / 2)
	defer debug.SetMemoryLimit(old)
	half, what := MemoryLimit()
	assert.Equal(t, have/2, half)
	assert.Equal(t, "the Go memory limit of "+SizeString(half)+" (GOMEMLIMIT)", what)
}
