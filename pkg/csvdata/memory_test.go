package csvdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
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
			assert.Regexp(t, `^`+name+`: about [0-9]+ rows, which need about [0-9.]+ [kM]B of memory, more than csvdata.Options.MemoryBudget of 1.05 MB$`, err.Error())
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

// TestNarrowTableMemory: reading a narrow table (two small numbers and a
// 0/1 target a row, 20 MB) allocates about three times its float32 matrix
// (the three columns: 12 bytes a row) — the matrix (8 bytes a row), the
// targets as float64 (8), a flag a row, and the chunks' buffers and their
// index of int32 offsets — where it took 12 times (a string a target, a
// chunk index grown by append) and then 3.9 (a line number a row, the
// chunk index as int).
func TestNarrowTableMemory(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a,b,y\n")
	for i := 0; b.Len() < 20<<20; i++ {
		b.WriteString(strconv.Itoa(i%97) + "," + strconv.Itoa(i*7%89) + "," + strconv.Itoa(i%2) + "\n")
	}
	path := write(t, b.String())
	b = bytes.Buffer{}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tab, err := Read[float32](path, Options{})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	matrix := float64(tab.X.Rows * 3 * 4)
	ratio := float64(after.TotalAlloc-before.TotalAlloc) / matrix
	t.Logf("%d rows: %.1f MB allocated, %.2f× the matrix", tab.X.Rows, float64(after.TotalAlloc-before.TotalAlloc)/1e6, ratio)
	assert.Less(t, ratio, 3.5, "bytes allocated over the float32 matrix's")
}

// TestLargeTableIsReservedOnce: a table larger than maxFirstBytes is
// stored in one reservation sized from its first chunk, not grown by
// halves from a fixed cap (each growth held the old storage and the new:
// 2.2× a 4 GB matrix at peak). Shrinking the cap to 1 MiB must not add
// allocations: the bytes allocated while reading are those read with the
// cap at its default.
func TestLargeTableIsReservedOnce(t *testing.T) {
	var text bytes.Buffer
	text.WriteString("a,b,c,d,e,f,g,h,y\n")
	for i := range 300_000 {
		fmt.Fprintf(&text, "%d,%d.5,%d,%d,%d,%d,%d,%d,%d\n", i%97, i%89, i%83, i%79, i%73, i%71, i%67, i%61, i%2)
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	require.NoError(t, os.WriteFile(path, text.Bytes(), 0o644))
	allocated := func() uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tab, err := ReadFile[float32](context.Background(), path, Options{Workers: 2, ChunkBytes: 256 << 10})
		require.NoError(t, err)
		require.Equal(t, 300_000, tab.X.Rows)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	want := allocated()
	defer func(v int) { maxFirstBytes = v }(maxFirstBytes)
	maxFirstBytes = 1 << 20 // under a tenth of the matrix (300 000 × 8 float32 = 9.6 MB)
	got := allocated()
	assert.Less(t, float64(got), 1.1*float64(want), "bytes allocated: %d with a 1 MiB cap, %d with the default", got, want)
}
