package cache

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bits returns the bits of x's values.
func bits(x []float32) []uint32 {
	out := make([]uint32, len(x))
	for i, v := range x {
		out[i] = math.Float32bits(v)
	}
	return out
}

// TestCacheReadsAsTheTable: a cache built in small parts and blocks gives
// Read's matrix (by blocks and by rows), targets and lines, and is reused.
func TestCacheReadsAsTheTable(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file string
		opt  csvdata.Options
	}{
		{"../../testdata/messy/Sacramento.csv", csvdata.Options{}},
		{"../../testdata/messy/own/holes.csv.gz", csvdata.Options{NA: []string{"?"}}},
		{"../../testdata/messy/scat.csv", csvdata.Options{}},
	} {
		name := filepath.Base(tc.file)
		tab, err := csvdata.ReadFile[float32](ctx, tc.file, tc.opt)
		require.NoError(t, err, name)
		dir := t.TempDir()
		o := Options{Read: tc.opt, BlockBytes: 1000, PartBytes: 2000}
		var notes []string
		o.Note = func(s string) { notes = append(notes, s) }
		c, err := Open[float32](ctx, dir, []string{tc.file}, o)
		require.NoError(t, err, name)
		assert.True(t, c.Built())
		assert.Greater(t, c.Blocks(), 2, name)
		assert.Equal(t, tab.X.Rows, c.Rows())
		assert.Equal(t, tab.Schema, c.Summary().Schema)
		var all []float32
		require.NoError(t, c.Each(ctx, func(lo int, x tensor.Matrix[float32]) error {
			assert.Equal(t, len(all)/c.Cols(), lo)
			all = append(all, x.Data...)
			return nil
		}))
		assert.Equal(t, bits(tab.X.Data), bits(all), name)
		rows := []int{c.Rows() - 1, 0, c.Rows() / 2, 7}
		dst := tensor.NewMatrix[float32](len(rows), c.Cols()+3, nil)
		c.Prefetch(rows)
		require.NoError(t, c.ReadRows(rows, dst))
		for i, r := range rows {
			assert.Equal(t, bits(tab.X.Row(r)), bits(dst.Row(i)[:c.Cols()]), "%s row %d", name, r)
			line, err := c.Line(r)
			require.NoError(t, err)
			assert.Equal(t, tab.Lines.Line(r), line)
		}
		cols, err := c.Targets(ctx, true)
		require.NoError(t, err)
		for k, col := range tab.Targets {
			for i := range col.Len() {
				require.Equal(t, col.Text(i), cols[k].Text(i), "%s target %d row %d", name, k, i)
			}
			assert.Equal(t, col.Numbers == nil, cols[k].Numbers == nil)
			assert.Equal(t, col.FirstText, cols[k].FirstText)
		}
		require.NoError(t, c.Close())
		c, err = Open[float32](ctx, dir, []string{tc.file}, o)
		require.NoError(t, err)
		assert.False(t, c.Built(), "reused")
		assert.Len(t, notes, 1)
		require.NoError(t, c.Close())
		o.Read.NA = append(o.Read.NA, "zzz")
		c, err = Open[float32](ctx, dir, []string{tc.file}, o)
		require.NoError(t, err)
		assert.True(t, c.Built(), "other read settings: rebuilt")
		assert.Contains(t, notes[len(notes)-1], "other read settings")
		require.NoError(t, c.Close())
	}
}
