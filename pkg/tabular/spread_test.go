package tabular

import (
	"context"
	"fmt"
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
			rc.Notes = &w
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
		file  string
		files int // split into files
		c     Config
	}{
		{"../../testdata/iris.csv", 1, Config{}},
		{"../../testdata/iris.csv", 4, Config{}},
		{messy + "diabetes_holes.csv", 5, Config{Ignore: []string{"patient_id"}, MissingIndicator: true}},
		{messy + "diabetes_holes.csv", 1, Config{Ignore: []string{"patient_id"}, Impute: prep.Median, Scale: prep.MinMax}},
		{messy + "own/holes.csv.gz", 1, Config{NA: []string{"?"}, MissingIndicator: true, Precision: F64}},
		{messy + "stackoverflow.csv", 4, Config{Epochs: 2, ShuffleWindow: 1}},
		{messy + "scat.csv", 3, Config{}},
		{messy + "own/holes.csv", 2, Config{NA: []string{"?"}, Scale: prep.Robust, MissingIndicator: true}},
		{"../../testdata/dates.csv", 3, Config{Targets: []string{"sold"}, Ignore: []string{"units"}, MissingIndicator: true}},
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
		src := File(tc.file)
		if tc.files > 1 { // each rank parses its share of the files
			src = Files(splitTable(t, tc.file, tc.files)...)
		}
		c.Cache, c.CachePerRank = t.TempDir(), true
		c.cacheBlockBytes, c.cachePartBytes = 700, 900
		for _, size := range []int{2, 3} {
			for run, read := range []CacheRead{CacheDisk, CacheMemory} {
				c.CacheRead = read
				got, notes := fitRanks(t, size, src, c)
				for r := range size {
					assert.Equal(t, want, got[r], "%s: %d ranks, rank %d, read %s", name, size, r, read)
				}
				built := strings.Join(notes, "")
				assert.Equal(t, run == 0, strings.Contains(built, "building the parts of"), "%s: %d ranks build their parts once: %q", name, size, built)
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

// splitTable writes the data lines of the CSV file at path into n files
// of about as many lines each, every one with the header, and returns
// their paths.
func splitTable(t *testing.T, path string, n int) []string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	head, data := lines[0], lines[1:]
	dir := t.TempDir()
	var paths []string
	for k := range n {
		p := filepath.Join(dir, fmt.Sprintf("part-%d.csv", k))
		require.NoError(t, os.WriteFile(p, []byte(head+strings.Join(data[k*len(data)/n:(k+1)*len(data)/n], "")), 0o644))
		paths = append(paths, p)
	}
	return paths
}

// TestSpreadBuildErrors: a bad row in one rank's share of the files is
// every rank's error, naming that file and line; so is a header that
// differs between two ranks' files.
func TestSpreadBuildErrors(t *testing.T) {
	paths := splitTable(t, "../../testdata/iris.csv", 3)
	b, err := os.ReadFile(paths[2])
	require.NoError(t, err)
	bad := strings.Replace(string(b), "\n", "\n1,2,3\n", 2) // line 3: too few fields
	bad = strings.Replace(bad, "\n1,2,3\n", "\n", 1)
	require.NoError(t, os.WriteFile(paths[2], []byte(bad), 0o644))
	other := filepath.Join(t.TempDir(), "other.csv")
	require.NoError(t, os.WriteFile(other, []byte("a,b,c,d,e\n1,2,3,4,x\n"), 0o644))
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{paths, "part-2.csv:3"},
		{[]string{paths[0], paths[1], other}, "other.csv:1"},
	} {
		comms := memcomm.New(3)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for r := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[r] = Fit(context.Background(), Files(tc.paths...), Config{Comm: comms[r], Cache: filepath.Join(t.TempDir(), "c"), CachePerRank: true, Epochs: 1})
			}()
		}
		wg.Wait()
		for r, err := range errs {
			require.Error(t, err, "rank %d", r)
			assert.Contains(t, err.Error(), tc.want, "rank %d", r)
		}
	}
}

// TestShareOf: ranks parse runs of the files, in order, that cover them
// all, each file's first byte falling in its rank's 1/R of the bytes.
func TestShareOf(t *testing.T) {
	for _, tc := range []struct {
		sizes []int64
		ranks int
		want  [][2]int
	}{
		{[]int64{10, 10, 10, 10}, 2, [][2]int{{0, 2}, {2, 4}}},
		{[]int64{10, 10, 10, 10}, 3, [][2]int{{0, 2}, {2, 3}, {3, 4}}},
		{[]int64{100}, 3, [][2]int{{0, 1}, {1, 1}, {1, 1}}},
		{[]int64{1, 1, 100, 1}, 2, [][2]int{{0, 3}, {3, 4}}},
		{[]int64{0, 0}, 2, [][2]int{{0, 0}, {0, 2}}},
	} {
		for r := range tc.ranks {
			lo, hi := shareOf(tc.sizes, r, tc.ranks)
			assert.Equal(t, tc.want[r], [2]int{lo, hi}, "%v, rank %d of %d", tc.sizes, r, tc.ranks)
		}
	}
}

// TestSpreadBuildQuotedLineEnds: a file whose quoted fields hold line
// ends, so that a cut of it may fall inside one, is parsed in whole files
// when its pieces do not meet: the spread cache still trains the
// in-memory model.
func TestSpreadBuildQuotedLineEnds(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,note,y\n")
	for i := range 400 {
		fmt.Fprintf(&b, "%d,\"note %d,\nof a line\",%d\n", i%17, i%3, (i*7)%5)
	}
	path := filepath.Join(t.TempDir(), "notes.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	c := Config{Seed: 3, Workers: 1, Epochs: 2}
	mem, err := Fit(context.Background(), File(path), c)
	require.NoError(t, err)
	want := modelBytes(t, mem)
	c.Cache, c.CachePerRank = t.TempDir(), true
	c.cacheBlockBytes, c.cachePartBytes = 700, 900
	for _, size := range []int{2, 3} {
		got, _ := fitRanks(t, size, File(path), c)
		for r := range size {
			assert.Equal(t, want, got[r], "%d ranks, rank %d", size, r)
		}
	}
}

// TestSpreadPartDirRefusedOnEveryRank: one rank's part directory that
// cannot hold a part (a link to a device) stops every rank with an error
// naming it, rather than leaving the others waiting for that rank.
func TestSpreadPartDirRefusedOnEveryRank(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink("/dev/null", PartDir(dir, 1, 2)))
	comms := memcomm.New(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[r] = Fit(context.Background(), File("../../testdata/iris.csv"), Config{Comm: comms[r], Cache: dir, CachePerRank: true, Epochs: 1})
		}()
	}
	wg.Wait()
	for r, err := range errs {
		require.Error(t, err, "rank %d", r)
		assert.Contains(t, err.Error(), "rank-1-of-2", "rank %d", r)
	}
}
