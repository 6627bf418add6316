package cache

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// TableInfo is what a cache's header says of its table, for a part whose
// rows are parsed elsewhere (PartWriter).
type TableInfo struct {
	Summary *csvdata.Summary
	// Texts holds, per target, a text target's distinct values in index
	// order (the first row's first), nil for a target of numbers.
	Texts     [][]string
	Files     []csvdata.FileRows // the rows of each file, of several
	TextBytes int64              // the files' text
	TextCRC   uint32             // a checksum of it
}

// PartWriter writes rank Options.Part's part of the cache of the files
// paths from rows given to it: the rows of a table whose files several
// ranks parse, each its share, and send to the ranks that keep them
// (tabular's cache spread over ranks). Rows writes rows.bin; Finish writes
// cache.json once every part's blocks' checksums are known. The part is
// what Open with the same Options builds, byte for byte.
type PartWriter[T tensor.Float] struct {
	c *Cache[T]
	w *blockWriter[T]
}

// NewPartWriter prepares dir for rank o.Part's part of the cache of paths,
// a table t says.
func NewPartWriter[T tensor.Float](dir string, paths []string, o Options, t TableInfo) (*PartWriter[T], error) {
	if o.Part.Ranks < 2 {
		return nil, fmt.Errorf("cache: a part writer needs a part of 2 ranks or more, not %d", o.Part.Ranks)
	}
	h, err := identify[T](paths, o)
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	h.TextBytes, h.TextCRC, h.Files = t.TextBytes, t.TextCRC, t.Files
	c, w := newCache[T](dir, h, t.Summary, o, "")
	if len(t.Texts) != c.ny {
		return nil, fmt.Errorf("cache: texts for %d targets, not %d", len(t.Texts), c.ny)
	}
	c.h.Texts = t.Texts
	w.next = c.first
	return &PartWriter[T]{c: c, w: w}, nil
}

// Owned returns the rows [lo, hi) of the part.
func (p *PartWriter[T]) Owned() (lo, hi int) { return p.c.Owned() }

// Blocks returns the number of blocks of the whole cache.
func (p *PartWriter[T]) Blocks() int {
	return (p.c.h.Summary.Rows + p.c.h.BlockRows - 1) / p.c.h.BlockRows
}

// BlockRows is the rows of a block.
func (p *PartWriter[T]) BlockRows() int { return p.c.h.BlockRows }

// Cols is the number of matrix columns.
func (p *PartWriter[T]) Cols() int { return p.c.cols }

// Rows writes rows.bin: fill gives the part's rows, in order, to add — a
// row's matrix values, its targets as rows.bin holds them (a float64 a
// target, a text target's index into TableInfo.Texts) and its line. It
// returns the checksums of the part's blocks.
func (p *PartWriter[T]) Rows(ctx context.Context, fill func(add func(x []T, y []float64, line int) error) error) ([]uint32, error) {
	c := p.c
	err := atomicfile.WriteContext(ctx, filepath.Join(c.dir, rowsName), func(out io.Writer) error {
		p.w.out = out
		if err := fill(p.w.addRow); err != nil {
			return err
		}
		if err := p.w.flush(); err != nil {
			return err
		}
		if len(c.h.Blocks) != c.end-c.first {
			return fmt.Errorf("cache: %d blocks of rows for part %d of %d, not %d", len(c.h.Blocks), c.h.Part.Rank+1, c.h.Part.Ranks, c.end-c.first)
		}
		return nil
	})
	return c.h.Blocks, err
}

// Finish writes cache.json: all is the checksum of every block of the
// cache, every part's, in order.
func (p *PartWriter[T]) Finish(ctx context.Context, all []uint32) error {
	c := p.c
	if len(all) != p.Blocks() || !slices.Equal(all[c.first:c.end], c.h.Blocks) {
		return fmt.Errorf("cache: the checksums of %d blocks do not hold part %d of %d's", len(all), c.h.Part.Rank+1, c.h.Part.Ranks)
	}
	c.h.Blocks = all
	return c.h.write(ctx, c.dir)
}

// Probe reports whether dir holds the cache of paths Open with o would
// reuse, and if not why (a cache that cannot be trusted is an error).
func Probe[T tensor.Float](dir string, paths []string, o Options) (bool, string, error) {
	want, err := identify[T](paths, o)
	if err != nil {
		return false, "", err
	}
	c, why, err := load[T](dir, want)
	if c != nil {
		c.Close()
	}
	return c != nil, why, err
}
