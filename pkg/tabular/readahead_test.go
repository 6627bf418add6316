package tabular

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadAheadReadsTheRows: rows gathered through batches read ahead —
// over many more batches than are held, with a row in several of them,
// by two goroutines at once, and rows never told of — are the cache's.
func TestReadAheadReadsTheRows(t *testing.T) {
	ctx := context.Background()
	c, err := cache.Open[float32](ctx, t.TempDir(), []string{messy + "Sacramento.csv"}, cache.Options{BlockBytes: 1000})
	require.NoError(t, err)
	defer c.Close()
	a := newReadAhead(c)
	defer a.stop()
	rng := rand.New(rand.NewPCG(1, 2))
	batch := func() []int {
		rows := rng.Perm(c.Rows())[:40]
		return rows
	}
	var ahead [][]int
	for range aheadBatches - 1 {
		ahead = append(ahead, batch())
		a.Prefetch(ahead[len(ahead)-1])
	}
	want := tensor.NewMatrix[float32](20, c.Cols(), nil)
	got := [2]tensor.Matrix[float32]{tensor.NewMatrix[float32](20, c.Cols()+2, nil), tensor.NewMatrix[float32](20, c.Cols()+2, nil)}
	for step := range 30 {
		ahead = append(ahead, batch())
		a.Prefetch(ahead[len(ahead)-1])
		rows := ahead[step]
		if step%7 == 3 {
			rows = batch() // rows not told of
		}
		done := make(chan error, 2)
		for h := range 2 { // two shards at once
			go func() { done <- a.ReadRows(rows[20*h:20*h+20], got[h]) }()
		}
		require.NoError(t, <-done)
		require.NoError(t, <-done)
		for h := range 2 {
			require.NoError(t, c.ReadRows(rows[20*h:20*h+20], want))
			for i := range want.Rows {
				assert.Equal(t, bitsOf(want.Row(i)), bitsOf(got[h].Row(i)[:c.Cols()]), "step %d row %d", step, rows[20*h+i])
			}
		}
	}
}

// bitsOf returns the bits of x's values.
func bitsOf(x []float32) []uint32 {
	out := make([]uint32, len(x))
	for i, v := range x {
		out[i] = math.Float32bits(v)
	}
	return out
}

// TestReadAheadAllocatesNothing: once its batches are made, a step's
// Prefetch and Gather allocate nothing.
func TestReadAheadAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	cfg, err := Config{Cache: t.TempDir(), CacheRead: CacheDisk}.withDefaults()
	require.NoError(t, err)
	d, err := openCached[float32](ctx, File(messy+"Sacramento.csv"), cfg)
	require.NoError(t, err)
	defer d.close()
	a := newReadAhead(d.c)
	defer a.stop()
	rng := rand.New(rand.NewPCG(3, 4))
	batches := make([][]int, 64)
	for i := range batches {
		batches[i] = rng.Perm(d.c.Rows())[:32]
	}
	dst := tensor.NewMatrix[float32](32, d.c.Cols(), nil)
	step := 0
	run := func() {
		a.Prefetch(batches[(step+aheadBatches-1)%len(batches)])
		if err := a.ReadRows(batches[step%len(batches)], dst); err != nil {
			t.Fatal(err)
		}
		step++
	}
	for range 3 * len(batches) { // the batches made, the index grown
		run()
	}
	assert.Zero(t, testing.AllocsPerRun(100, run))
}
