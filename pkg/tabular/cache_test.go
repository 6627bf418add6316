package tabular

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modelBytes is the model file of m.
func modelBytes(t *testing.T, m *Model) []byte {
	var b bytes.Buffer
	_, err := m.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

// TestCacheTrainsTheInMemoryModel fits tables in memory and from a block
// cache (built in parts and blocks of a few rows, then reused) and
// compares the model files byte for byte: the preprocessing (means,
// medians, ranges, indicators, categories) and the weights.
func TestCacheTrainsTheInMemoryModel(t *testing.T) {
	cases := []struct {
		file string
		c    Config
	}{
		{"../../testdata/iris.csv", Config{}},
		{"../../testdata/diabetes.csv", Config{Hidden: []int{8}}},
		{messy + "Sacramento.csv", Config{}},
		{messy + "diabetes_holes.csv", Config{Ignore: []string{"patient_id"}, MissingIndicator: true}},
		{messy + "diabetes_holes.csv", Config{Ignore: []string{"patient_id"}, Impute: prep.Median, Scale: prep.MinMax}},
		{messy + "own/holes.csv.gz", Config{NA: []string{"?"}, MissingIndicator: true, Precision: F64}},
		{messy + "stackoverflow.csv", Config{Epochs: 3}},
		{messy + "scat.csv", Config{}},
	}
	for _, tc := range cases {
		name := filepath.Base(tc.file)
		c := tc.c
		c.Seed, c.Workers = 3, 2
		if c.Epochs == 0 {
			c.Epochs = 5
		}
		mem, err := Fit(context.Background(), File(tc.file), c)
		require.NoError(t, err, name)
		want := modelBytes(t, mem)
		c.Cache = t.TempDir()
		c.cacheBlockBytes, c.cachePartBytes = 700, 900
		var notes strings.Builder
		c.Warn = &notes
		for run, read := range []CacheRead{CacheDisk, CacheMemory, CacheAuto} {
			c.CacheRead = read
			got, err := Fit(context.Background(), File(tc.file), c)
			require.NoError(t, err, name)
			assert.Equal(t, want, modelBytes(t, got), "%s: run %d from the cache, read %s", name, run, read)
		}
		assert.Equal(t, 1, strings.Count(notes.String(), "building the cache"), "%s: built once, then reused: %s", name, notes.String())
	}
}

// TestCacheIsRebuiltOrRefused: a changed source is rebuilt, saying so; a
// flipped byte of rows.bin or of cache.json is refused, naming the file
// and the block.
func TestCacheIsRebuiltOrRefused(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "iris.csv")
	b, err := os.ReadFile("../../testdata/iris.csv")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(data, b, 0o644))
	var notes strings.Builder
	c := Config{Cache: filepath.Join(dir, "cache"), Epochs: 2, Seed: 1, Warn: &notes, cacheBlockBytes: 1000}
	_, err = Fit(context.Background(), File(data), c)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(data, append(b, []byte("5.0,3.0,1.5,0.2,setosa\n")...), 0o644))
	notes.Reset()
	_, err = Fit(context.Background(), File(data), c)
	require.NoError(t, err)
	assert.Contains(t, notes.String(), "has changed since the cache was made")

	rows := filepath.Join(c.Cache, "rows.bin")
	rb, err := os.ReadFile(rows)
	require.NoError(t, err)
	rb[len(rb)/2] ^= 1
	require.NoError(t, os.WriteFile(rows, rb, 0o644))
	_, err = Fit(context.Background(), File(data), c)
	require.Error(t, err)
	assert.ErrorAs(t, err, new(*InputError))
	assert.Regexp(t, `rows.bin: block \d+ \(rows \d+ to \d+\): checksum mismatch`, err.Error())
	assert.NotContains(t, err.Error(), "\n")

	rb[len(rb)/2] ^= 1
	require.NoError(t, os.WriteFile(rows, rb, 0o644))
	head := filepath.Join(c.Cache, "cache.json")
	hb, err := os.ReadFile(head)
	require.NoError(t, err)
	hb[bytes.Index(hb, []byte(`"rows":`))+7]++
	require.NoError(t, os.WriteFile(head, hb, 0o644))
	_, err = Fit(context.Background(), File(data), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cache.json: ")
}
