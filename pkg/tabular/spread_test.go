package tabular

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/densetrain/densetrain/internal/memcomm"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fitRanks fits c on every rank of a group of size goroutine ranks and
// returns each rank's model file and notes.
func fitRanks(t *testing.T, size int, src Source, c Config) ([][]byte, []string) {
	comms := memcomm.New(size)
	out, notes, errs := make([][]byte, size), make([]string, size), make([]error, size)
	var wg sync.WaitGroup
	for r := range size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := c
			rc.Comm = comms[r]
			var w strings.Builder
			rc.Warn = &w
			m, err := Fit(context.Background(), src, rc)
			if errs[r] = err; err == nil {
				out[r] = modelBytes(t, m)
			}
			notes[r] = w.String()
		}()
	}
	wg.Wait()
	for r, err := range errs {
		require.NoError(t, err, "rank %d", r)
	}
	return out, notes
}

// TestSpreadCacheTrainsTheInMemoryModel: a cache spread over 2 and 3
// ranks, each keeping about 1/R of the blocks in its own directory and
// reading its part from disk or from memory, trains the model one process
// trains in memory, byte for byte (the preprocessing is fitted over blocks
// that travel between the ranks, the steps' rows too); the parts are
// reused on the next run and rebuilt for another rank count.
func TestSpreadCacheTrainsTheInMemoryModel(t *testing.T) {
	cases := []struct {
		file string
		c    Config
	}{
		{"../../testdata/iris.csv", Config{}},
		{messy + "diabetes_holes.csv", Config{Ignore: []string{"patient_id"}, MissingIndicator: true}},
		{messy + "diabetes_holes.csv", Config{Ignore: []string{"patient_id"}, Impute: prep.Median, Scale: prep.MinMax}},
		{messy + "own/holes.csv.gz", Config{NA: []string{"?"}, MissingIndicator: true, Precision: F64}},
		{messy + "stackoverflow.csv", Config{Epochs: 2, ShuffleWindow: 1}},
		{messy + "scat.csv", Config{}},
	}
	for _, tc := range cases {
		name := filepath.Base(tc.file)
		c := tc.c
		c.Seed, c.Workers = 3, 2
		if c.Epochs == 0 {
			c.Epochs = 4
		}
		mem, err := Fit(context.Background(), File(tc.file), c)
		require.NoError(t, err, name)
		want := modelBytes(t, mem)
		c.Cache, c.CachePerRank = t.TempDir(), true
		c.cacheBlockBytes, c.cachePartBytes = 700, 900
		for _, size := range []int{2, 3} {
			for run, read := range []CacheRead{CacheDisk, CacheMemory} {
				c.CacheRead = read
				got, notes := fitRanks(t, size, File(tc.file), c)
				for r := range size {
					assert.Equal(t, want, got[r], "%s: %d ranks, rank %d, read %s", name, size, r, read)
					assert.Equal(t, run == 0, strings.Contains(notes[r], "building the cache"), "%s: rank %d of %d builds its part once: %q", name, r, size, notes[r])
				}
			}
			var total int64
			for r := range size {
				st, err := os.Stat(filepath.Join(PartDir(c.Cache, r, size), "rows.bin"))
				require.NoError(t, err)
				total += st.Size()
			}
			for r := range size {
				st, _ := os.Stat(filepath.Join(PartDir(c.Cache, r, size), "rows.bin"))
				assert.LessOrEqual(t, st.Size(), total/int64(size)+1400, "%s: rank %d's part of %d: 1/R and a block (about 700 bytes) at most", name, r, size)
			}
		}
	}
}
