package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPartBlocksCoverTheBlocks: the parts of R ranks are an equal share
// of the blocks each (give or take one), in order, and PartOf finds the
// part that keeps a block.
func TestPartBlocksCoverTheBlocks(t *testing.T) {
	for blocks := 1; blocks < 40; blocks++ {
		for ranks := 1; ranks < 9; ranks++ {
			next := 0
			for r := range ranks {
				first, end := PartBlocks(r, ranks, blocks)
				require.Equal(t, next, first)
				require.LessOrEqual(t, end-first, blocks/ranks+1)
				for k := first; k < end; k++ {
					require.Equal(t, r, PartOf(k, ranks, blocks), "block %d of %d, %d ranks", k, blocks, ranks)
				}
				next = end
			}
			require.Equal(t, blocks, next)
		}
	}
}

// TestPartsMakeTheCache: the parts of a cache spread over 2 and 3 ranks
// keep their share of the blocks in rows.bin (at most 1/R of the rows and
// one block), and together give the whole cache's rows, checksums and
// targets; a part of another rank count is rebuilt.
func TestPartsMakeTheCache(t *testing.T) {
	ctx := context.Background()
	file := "../../testdata/messy/Sacramento.csv"
	o := Options{BlockBytes: 1000, PartBytes: 2000}
	whole, err := Open[float32](ctx, t.TempDir(), []string{file}, o)
	require.NoError(t, err)
	defer whole.Close()
	var want []float32
	require.NoError(t, whole.Each(ctx, func(_ int, x tensor.Matrix[float32]) error {
		want = append(want, x.Data...)
		return nil
	}))
	wantY, err := whole.TargetValues(ctx, true)
	require.NoError(t, err)
	wantCols, err := whole.Targets(ctx, false)
	require.NoError(t, err)
	dir := t.TempDir()
	for _, ranks := range []int{2, 3} {
		var got []float32
		var y []float64
		for r := range ranks {
			po := o
			po.Part = Part{Rank: r, Ranks: ranks}
			var notes []string
			po.Note = func(s string) { notes = append(notes, s) }
			pd := filepath.Join(dir, fmt.Sprintf("rank-%d", r))
			c, err := Open[float32](ctx, pd, []string{file}, po)
			require.NoError(t, err)
			if ranks == 3 && r < 2 {
				require.Len(t, notes, 1)
				assert.Contains(t, notes[0], "made as part 1 of 2, not part 1 of 3"[:12], "a part of 2 ranks is rebuilt for 3")
			}
			assert.Equal(t, whole.Checksums(), c.Checksums())
			lo, hi := c.Owned()
			st, err := os.Stat(filepath.Join(pd, rowsName))
			require.NoError(t, err)
			assert.Equal(t, int64(hi-lo)*int64(c.rowBytes()), st.Size())
			assert.LessOrEqual(t, hi-lo, whole.Rows()/ranks+c.BlockRows(), "part %d of %d", r, ranks)
			assert.Len(t, got, lo*c.Cols())
			require.NoError(t, c.Each(ctx, func(at int, x tensor.Matrix[float32]) error {
				assert.Equal(t, len(got)/c.Cols(), at)
				got = append(got, x.Data...)
				return nil
			}))
			dst := tensor.NewMatrix[float32](1, c.Cols(), nil)
			require.NoError(t, c.ReadRows([]int{hi - 1}, dst))
			assert.Equal(t, bits(want[(hi-1)*c.Cols():hi*c.Cols()]), bits(dst.Data))
			if lo > 0 {
				assert.ErrorContains(t, c.ReadRows([]int{lo - 1}, dst), "not in this part")
			}
			v, err := c.TargetValues(ctx, true)
			require.NoError(t, err)
			y = append(y, v...)
			_, err = c.Targets(ctx, false)
			assert.Error(t, err, "a part has not every row's targets")
			if r == ranks-1 {
				cols, err := c.DecodeTargets(y)
				require.NoError(t, err)
				assert.Equal(t, wantCols, cols)
			}
			require.NoError(t, c.Close())
		}
		assert.Equal(t, bits(want), bits(got), "%d ranks", ranks)
		assert.Equal(t, wantY, y)
	}
}

// TestPartWriterWritesThePart: a part written from rows given to it (as
// a spread build gives them) is the part Open builds, byte for byte, and
// Probe then finds it valid.
func TestPartWriterWritesThePart(t *testing.T) {
	ctx := context.Background()
	file := "../../testdata/messy/stackoverflow.csv" // a text target
	o := Options{BlockBytes: 1000, PartBytes: 2000}
	whole, err := Open[float32](ctx, t.TempDir(), []string{file}, o)
	require.NoError(t, err)
	defer whole.Close()
	y, err := whole.TargetValues(ctx, true)
	require.NoError(t, err)
	h := whole.h
	info := TableInfo{Summary: &h.Summary, Texts: h.Texts, Files: h.Files, TextBytes: h.TextBytes, TextCRC: h.TextCRC}
	for _, ranks := range []int{2, 3} {
		var all []uint32
		dirs := make([]string, ranks)
		writers := make([]*PartWriter[float32], ranks)
		for r := range ranks {
			po := o
			po.Part = Part{Rank: r, Ranks: ranks}
			dirs[r] = t.TempDir()
			w, err := NewPartWriter[float32](dirs[r], []string{file}, po, info)
			require.NoError(t, err)
			lo, hi := w.Owned()
			sums, err := w.Rows(ctx, func(add func([]float32, []float64, int) error) error {
				return whole.Each(ctx, func(at int, x tensor.Matrix[float32]) error {
					for i := range x.Rows {
						if at+i < lo || at+i >= hi {
							continue
						}
						line, err := whole.Line(at + i)
						require.NoError(t, err)
						if err := add(x.Row(i), y[(at+i)*whole.ny:(at+i+1)*whole.ny], line); err != nil {
							return err
						}
					}
					return nil
				})
			})
			require.NoError(t, err)
			all, writers[r] = append(all, sums...), w
		}
		assert.Equal(t, whole.Checksums(), all)
		for r := range ranks {
			po := o
			po.Part = Part{Rank: r, Ranks: ranks}
			require.NoError(t, writers[r].Finish(ctx, all))
			ok, why, err := Probe[float32](dirs[r], []string{file}, po)
			require.NoError(t, err)
			assert.True(t, ok, why)
			built := t.TempDir()
			c, err := Open[float32](ctx, built, []string{file}, po)
			require.NoError(t, err)
			c.Close()
			for _, name := range []string{rowsName, headerName} {
				want, err := os.ReadFile(filepath.Join(built, name))
				require.NoError(t, err)
				got, err := os.ReadFile(filepath.Join(dirs[r], name))
				require.NoError(t, err)
				assert.Equal(t, want, got, "%s of part %d of %d", name, r, ranks)
			}
		}
	}
}
