package tabular

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
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
		{messy + "own/holes.csv", Config{NA: []string{"?"}, Scale: prep.Robust, MissingIndicator: true}},
		{"../../testdata/dates.csv", Config{Targets: []string{"sold"}, Ignore: []string{"units"}, MissingIndicator: true, Impute: prep.Median}},
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
		c.Notes = &notes
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
	c := Config{Cache: filepath.Join(dir, "cache"), Epochs: 2, Seed: 1, Notes: &notes, cacheBlockBytes: 1000}
	_, err = Fit(context.Background(), File(data), c)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(data, append(b, []byte("5.0,3.0,1.5,0.2,setosa\n")...), 0o644))
	notes.Reset()
	_, err = Fit(context.Background(), File(data), c)
	require.NoError(t, err)
	assert.Contains(t, notes.String(), "has changed since the cache was made")
	// The same size, the old modification time put back (cp -p, rsync -t):
	// the change time tells.
	st, err := os.Stat(data)
	require.NoError(t, err)
	nb, err := os.ReadFile(data)
	require.NoError(t, err)
	nb[len(nb)-10] = '9'
	require.NoError(t, os.WriteFile(data, nb, 0o644))
	require.NoError(t, os.Chtimes(data, st.ModTime(), st.ModTime()))
	notes.Reset()
	_, err = Fit(context.Background(), File(data), c)
	require.NoError(t, err)
	assert.Contains(t, notes.String(), "has changed since the cache was made")

	rows := filepath.Join(c.Cache, "rows.bin")
	rb, err := os.ReadFile(rows)
	require.NoError(t, err)
	for _, at := range []int{len(rb) / 2, len(rb) - 9} { // a value; a line number (the last block's)
		rb[at] ^= 1
		require.NoError(t, os.WriteFile(rows, rb, 0o644))
		for _, read := range CacheReads {
			c.CacheRead = read
			_, err = Fit(context.Background(), File(data), c)
			require.Error(t, err)
			assert.ErrorAs(t, err, new(*InputError))
			assert.Regexp(t, `rows.bin: block \d+ \(rows \d+ to \d+\): checksum mismatch`, err.Error(), read)
			assert.NotContains(t, err.Error(), "\n")
		}
		rb[at] ^= 1
	}
	rb[len(rb)/2] ^= 1

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

// stopAt cancels a fit after a number of batches in all.
type stopAt struct {
	n      int
	cancel context.CancelFunc
}

func (s *stopAt) OnEpochEnd(train.TrainState, *train.EpochLog) error { return nil }
func (s *stopAt) OnBatchEnd(train.TrainState, int, int, int, float64) error {
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return nil
}

// TestCheckpointsResumeEitherWay: a fit stopped mid-epoch in memory
// resumes from the cache, and one stopped reading the cache from disk
// resumes in memory, each giving the uninterrupted model's bytes (the
// checkpoint's fingerprint hashes the model inputs, which both give).
func TestCheckpointsResumeEitherWay(t *testing.T) {
	file := messy + "diabetes_holes.csv"
	base := Config{Ignore: []string{"patient_id"}, Epochs: 4, Batch: 16, Seed: 2, Workers: 2, NoEarlyStopping: true, CheckpointEvery: 1}
	want, err := Fit(context.Background(), File(file), base)
	require.NoError(t, err)
	dir := t.TempDir()
	cached := base
	cached.Cache, cached.CacheRead, cached.cacheBlockBytes = filepath.Join(dir, "cache"), CacheDisk, 2000
	for k, way := range [][2]Config{{base, cached}, {cached, base}} {
		first, then := way[0], way[1]
		first.CheckpointPath = filepath.Join(dir, fmt.Sprintf("ckpt%d", k))
		then.CheckpointPath, then.Resume = first.CheckpointPath, true
		ctx, cancel := context.WithCancel(context.Background())
		first.Callbacks = []train.Callback{&stopAt{n: 30, cancel: cancel}}
		_, err := Fit(ctx, File(file), first)
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		got, err := Fit(context.Background(), File(file), then)
		require.NoError(t, err, "way %d", k)
		assert.Equal(t, modelBytes(t, want), modelBytes(t, got), "way %d", k)
	}
}

// TestPredictPartsIsPredict: predictions made a part at a time are those
// of Predict, byte for byte as CSV, with the same warnings.
func TestPredictPartsIsPredict(t *testing.T) {
	for _, tc := range []struct {
		train, test string
		c           Config
	}{
		{messy + "Sacramento.csv", messy + "Sacramento.csv", Config{Epochs: 3}},
		{messy + "own/holes.csv", messy + "own/holes.csv.gz", Config{NA: []string{"?"}, MissingIndicator: true, Epochs: 3}},
		{messy + "own/holes.csv", messy + "own/unseen_test.csv", Config{NA: []string{"?"}, Epochs: 3}},
		{messy + "own/spellings.csv", messy + "own/spellings_odd.csv", Config{NA: []string{"-"}, Categorical: []string{"grade"}, Ignore: []string{"kind"}, Targets: []string{"price"}, Epochs: 3}},
		{"../../testdata/diabetes.csv", "../../testdata/diabetes.csv", Config{Epochs: 3, Precision: F64}},
	} {
		m, err := Fit(context.Background(), File(tc.train), tc.c)
		require.NoError(t, err, tc.train)
		var wantWarn, gotWarn strings.Builder
		pr, err := m.Predict(context.Background(), File(tc.test), PredictOptions{Warn: &wantWarn})
		require.NoError(t, err)
		var want bytes.Buffer
		require.NoError(t, pr.WriteCSV(&want))
		var got bytes.Buffer
		pw := NewPredictionWriter(&got)
		parts := 0
		err = m.PredictParts(context.Background(), File(tc.test), PredictOptions{Warn: &gotWarn, partBytes: 64}, func(p *Predictions) error {
			parts++
			return pw.Write(p)
		})
		require.NoError(t, err)
		require.NoError(t, pw.Flush())
		if rows := strings.Count(want.String(), "\n") - 1; rows > 2*nn.PredictBlock { // handed on by whole blocks
			assert.Greater(t, parts, 1, tc.test)
		}
		assert.Equal(t, want.String(), got.String(), tc.test)
		assert.Equal(t, wantWarn.String(), gotWarn.String(), tc.test)
	}
}

// TestEvaluatePartsIsEvaluate: an evaluation read a part at a time, its
// parts kept or read again, is Evaluate's, with the same warnings.
func TestEvaluatePartsIsEvaluate(t *testing.T) {
	for _, tc := range []struct {
		train, test string
		c           Config
	}{
		{messy + "Sacramento.csv", messy + "Sacramento.csv", Config{Epochs: 3}},
		{messy + "own/holes.csv", messy + "own/unseen_test.csv", Config{NA: []string{"?"}, MissingIndicator: true, Epochs: 3}},
		{messy + "own/holes.csv", messy + "own/holes.csv.gz", Config{NA: []string{"?"}, Epochs: 3, Precision: F64}},
		{"../../testdata/iris.csv", "../../testdata/iris.csv", Config{Epochs: 3}},
	} {
		m, err := Fit(context.Background(), File(tc.train), tc.c)
		require.NoError(t, err, tc.train)
		var wantWarn strings.Builder
		want, err := m.Evaluate(context.Background(), File(tc.test), PredictOptions{Warn: &wantWarn})
		require.NoError(t, err)
		for _, part := range []int{64, 1000, 0} {
			var gotWarn strings.Builder
			o := PredictOptions{Warn: &gotWarn, partBytes: part}
			if part == 64 {
				o.keepBytes = 1 // read the file again
			}
			got, err := m.EvaluateParts(context.Background(), File(tc.test), o)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s in parts of %d", tc.test, part)
			assert.Equal(t, wantWarn.String(), gotWarn.String(), tc.test)
		}
	}
}

// TestWindowShuffleFromTheCache: a windowed shuffle trains the same model
// from the table in memory and from its cache, loaded or read from disk
// a block at a time, on 1 and 3 workers; the cache's blocks hold whole
// shuffle blocks.
func TestWindowShuffleFromTheCache(t *testing.T) {
	require.Equal(t, train.ShuffleBlock, cache.AlignRows)
	file := messy + "stackoverflow.csv"
	c := Config{Epochs: 2, Seed: 4, Workers: 1, ShuffleWindow: 2, Hidden: []int{8}}
	want, err := Fit(context.Background(), File(file), c)
	require.NoError(t, err)
	global := c
	global.ShuffleWindow = 0
	g, err := Fit(context.Background(), File(file), global)
	require.NoError(t, err)
	assert.NotEqual(t, modelBytes(t, want), modelBytes(t, g))
	c.Cache, c.cacheBlockBytes = t.TempDir(), 3000
	for _, read := range []CacheRead{CacheDisk, CacheMemory} {
		for _, w := range []int{1, 3} {
			c.CacheRead, c.Workers = read, w
			got, err := Fit(context.Background(), File(file), c)
			require.NoError(t, err)
			assert.Equal(t, modelBytes(t, want), modelBytes(t, got), "%s, %d workers", read, w)
		}
	}
}

// TestCacheGatherAllocatesNothing: a batch's rows read from a cache on
// disk, one read a row or through held blocks, and made the model's
// inputs, allocate nothing once the blocks are held.
func TestCacheGatherAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	c, err := Config{Cache: t.TempDir(), CacheRead: CacheDisk, MissingIndicator: true}.withDefaults()
	require.NoError(t, err)
	d, err := openCached[float32](ctx, File(messy+"Sacramento.csv"), c) // wide: one-hot columns
	require.NoError(t, err)
	require.Greater(t, d.table().X.Cols, 16)
	require.NoError(t, err)
	defer d.close()
	p, err := prep.Start(ctx, d.table(), prep.Regress)
	require.NoError(t, err)
	y, err := modelTargets(ctx, p, d.table())
	require.NoError(t, err)
	require.NoError(t, d.fitPrep(ctx, p, y, nil, prep.Options{Task: prep.Regress, MissingIndicator: true}))
	rows := []int{3, 90, 17, 0, 55}
	for _, window := range []int{0, 2} {
		src, err := d.inputs(ctx, p, y, window)
		require.NoError(t, err)
		dst := tensor.NewMatrix[float32](len(rows), p.InputWidth(), nil)
		require.NoError(t, src.Gather(rows, dst)) // the blocks held, if any
		allocs := testing.AllocsPerRun(20, func() {
			if err := src.Gather(rows, dst); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "window %d", window)
	}
}
