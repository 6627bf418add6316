package tabular

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// table is the training data Fit works on: a table read into memory, or
// a block cache of one (Config.Cache) read from disk. Both give the same
// preprocessing and the same model inputs, bit for bit.
type table[T tensor.Float] interface {
	// table is what Fit knows of the table: header, schema, targets,
	// counts, X's shape (a cache's X has no data).
	table() *csvdata.Table[T]
	places
	// fitPrep is prep.FitExcept.
	fitPrep(ctx context.Context, p *prep.Preprocessing, y tensor.Matrix[T], held []int, o prep.Options) error
	// inputs checks every row's model inputs and returns the source of
	// them, with targets y, for training shuffled in windows of window
	// blocks (0: all the rows).
	inputs(ctx context.Context, p *prep.Preprocessing, y tensor.Matrix[T], window int) (train.Source[T], error)
	// release drops what training does not need.
	release()
}

// inMemory is a table read into memory.
type inMemory[T tensor.Float] struct {
	tab     *csvdata.Table[T]
	workers int // share the passes over the rows
}

func (m *inMemory[T]) table() *csvdata.Table[T] { return m.tab }
func (m *inMemory[T]) Len() int                 { return m.tab.Len() }

// Where implements places.
func (m *inMemory[T]) Where(row int) (string, int) { return m.tab.Where(row) }
func (m *inMemory[T]) release()                    { m.tab = nil }

func (m *inMemory[T]) fitPrep(ctx context.Context, p *prep.Preprocessing, y tensor.Matrix[T], held []int, o prep.Options) error {
	return prep.FitExcept(ctx, p, m.tab.X, y, held, o)
}

func (m *inMemory[T]) inputs(ctx context.Context, p *prep.Preprocessing, y tensor.Matrix[T], _ int) (train.Source[T], error) {
	x, err := prep.TransformWorkers(ctx, p, m.tab.X, m.workers)
	if err != nil {
		return nil, err
	}
	return train.InMemory(x, y), nil
}

// cached is a table's block cache; mem holds its rows when they are
// loaded into memory (Config.CacheRead), which Fit then uses as a table
// read into memory.
type cached[T tensor.Float] struct {
	c   *cache.Cache[T]
	tab *csvdata.Table[T]
	mem *inMemory[T]
	sp  *spreadPart[T] // this rank's part of a cache spread over the ranks
	// built: the ranks built the parts of a spread cache (c, opened
	// after, was not built by Open)
	built   bool
	workers int           // Config.Workers
	ahead   *readAhead[T] // the training source's, when it reads ahead
}

// openCached opens (building it if need be) the cache of src, a file, in
// c.Cache.
func openCached[T tensor.Float](ctx context.Context, src Source, c Config) (*cached[T], error) {
	if src.paths == nil {
		return nil, inputError(settingError("Cache", c.Cache, "needs a file to read, not a stream"))
	}
	spread := c.Comm != nil && c.Comm.Size() > 1 && c.CachePerRank
	if !spread { // (a spread cache's ranks check their parts' directories, and agree)
		if err := checkCacheDir(c.Cache); err != nil { // before any note of a build
			return nil, inputError(err)
		}
	}
	o := cache.Options{Read: c.readOptions(nil), Progress: c.CacheProgress, Size: c.CacheSize,
		BlockBytes: c.cacheBlockBytes, PartBytes: c.cachePartBytes}
	if c.Notes != nil {
		o.Note = func(s string) { fmt.Fprintln(c.Notes, s) }
	}
	if spread {
		return openSpread[T](ctx, src, c, o)
	}
	if comm := c.Comm; comm != nil && comm.Size() > 1 { // rank 0 builds, the others wait for its word
		var built [1]byte
		if comm.Rank() == 0 {
			cc, err := cache.Open[T](ctx, c.Cache, src.paths, o)
			if err == nil {
				built[0] = 1
				cc.Close()
			}
			if berr := comm.Bcast(built[:], 0); err == nil {
				err = berr
			}
			if err != nil {
				if cancelled(ctx, err) {
					return nil, err
				}
				return nil, inputError(err)
			}
		} else {
			if err := comm.Bcast(built[:], 0); err != nil {
				return nil, err
			}
			if built[0] == 0 {
				return nil, inputError(fmt.Errorf("%s: rank 0 could not build the cache", c.Cache))
			}
		}
		o.NoBuild, o.Note, o.Progress, o.Size = true, nil, nil, nil
	}
	cc, err := cache.Open[T](ctx, c.Cache, src.paths, o)
	if err != nil {
		if cancelled(ctx, err) {
			return nil, err
		}
		return nil, inputError(err)
	}
	s := cc.Summary()
	fail := func(err error) (*cached[T], error) {
		cc.Close()
		if cancelled(ctx, err) {
			return nil, err
		}
		return nil, inputError(err)
	}
	tab := &csvdata.Table[T]{Header: s.Header, Schema: s.Schema, Missing: s.Missing, Skipped: s.Skipped,
		Delimiter: s.Delimiter, X: tensor.Matrix[T]{Rows: s.Rows, Cols: cc.Cols()}}
	d := &cached[T]{c: cc, tab: tab, workers: c.Workers}
	load := loadCache[T](c, s.Rows, cc.Cols())
	if load { // one pass: the rows, every block verified
		tab.X = csvdata.NewMatrix[T](s.Rows, cc.Cols(), c.Workers)
		err := cc.Each(ctx, func(lo int, b tensor.Matrix[T]) error {
			copy(tab.X.Data[lo*b.Cols:], b.Data)
			return nil
		})
		if err != nil {
			return fail(err)
		}
		d.mem = &inMemory[T]{tab: tab, workers: c.Workers}
	}
	if tab.Targets, err = cc.Targets(ctx, !load); err != nil {
		return fail(err)
	}
	return d, nil
}

// loadCache reports whether Fit loads the rows of a cache into memory, as
// c.CacheRead says: CacheAuto loads them when the matrix (twice over with
// missing indicators, which make a second) takes at most half the memory
// limit.
func loadCache[T tensor.Float](c Config, rows, cols int) bool {
	return loadShare[T](c, rows, cols, 1)
}

// loadShare is loadCache for a rank that has a share of the memory.
func loadShare[T tensor.Float](c Config, rows, cols, share int) bool {
	switch c.CacheRead {
	case CacheMemory:
		return true
	case CacheDisk:
		return false
	}
	var z T
	need := float64(rows) * float64(cols) * float64(unsafe.Sizeof(z))
	if c.MissingIndicator {
		need *= 2
	}
	limit, _ := csvdata.MemoryLimit()
	return limit > 0 && need <= float64(limit)/2/float64(max(share, 1))
}

func (d *cached[T]) table() *csvdata.Table[T] { return d.tab }
func (d *cached[T]) Len() int                 { return d.c.Rows() }
func (d *cached[T]) release()                 { d.tab, d.mem = nil, nil }
func (d *cached[T]) close() {
	if d.ahead != nil {
		d.ahead.stop()
	}
	d.c.Close()
}

// Where implements places (line 0 when the cache cannot be read).
func (d *cached[T]) Where(row int) (string, int) {
	file, line, _ := d.c.Where(row)
	return file, line
}

func (d *cached[T]) fitPrep(ctx context.Context, p *prep.Preprocessing, y tensor.Matrix[T], held []int, o prep.Options) error {
	switch {
	case d.mem != nil:
		return d.mem.fitPrep(ctx, p, y, held, o)
	case d.sp != nil:
		return prep.FitBlocks(ctx, p, blocks[T]{d}, y, held, o)
	}
	return prep.FitBlocks(ctx, p, d.c, y, held, o)
}

// inputs makes every row's model inputs once, as training will, so that
// a row's problem (a value beyond the precision once scaled) is reported
// now, at its line, rather than by a batch.
func (d *cached[T]) inputs(ctx context.Context, p *prep.Preprocessing, y tensor.Matrix[T], window int) (train.Source[T], error) {
	if d.mem != nil {
		return d.mem.inputs(ctx, p, y, window)
	}
	if d.sp != nil {
		return d.sp.inputs(ctx, d, p, y)
	}
	var in tensor.Matrix[T]
	tr := prep.NewTransformer[T](p)
	err := d.c.Each(ctx, func(lo int, b tensor.Matrix[T]) error {
		if in.Rows < b.Rows {
			in = tensor.NewMatrix[T](b.Rows, p.InputWidth(), nil)
		}
		x := in.SliceRows(0, b.Rows)
		for r := range b.Rows {
			copy(x.Row(r), b.Row(r))
		}
		if err := tr.InPlace(x); err != nil {
			if re, ok := err.(*prep.RowError); ok {
				return &prep.RowError{Row: re.Row + lo, Err: re.Err}
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	src := &cacheSource[T]{c: d.c, p: p, in: tr, y: y, rows: d.c}
	switch {
	case window > 0: // a window's blocks, and the next's: whole blocks read once
		src.rows = cache.NewBlockReader(d.c, 4*window+4)
	case d.workers > 1: // the reads off the steps' path, on a core of their own
		if d.ahead != nil {
			d.ahead.stop()
		}
		d.ahead = newReadAhead(d.c)
		src.rows = d.ahead
	}
	return src, nil
}

// rowReader reads a cache's rows: one read a row (the cache), or a block
// at a time (cache.BlockReader).
type rowReader[T tensor.Float] interface {
	ReadRows(rows []int, dst tensor.Matrix[T]) error
	Prefetch(rows []int)
}

// cacheSource is the train.Source of a cache's rows: each gathered row is
// read from the cache and made the model's inputs where it lands.
type cacheSource[T tensor.Float] struct {
	c    *cache.Cache[T]
	p    *prep.Preprocessing
	in   *prep.Transformer[T] // p's, for the rows as they are read
	y    tensor.Matrix[T]
	rows rowReader[T]
}

func (s *cacheSource[T]) Len() int                  { return s.c.Rows() }
func (s *cacheSource[T]) Width() int                { return s.p.InputWidth() }
func (s *cacheSource[T]) Targets() tensor.Matrix[T] { return s.y }

// Prefetch implements train.Prefetcher.
func (s *cacheSource[T]) Prefetch(rows []int) { s.rows.Prefetch(rows) }

// Gather implements train.Source.
func (s *cacheSource[T]) Gather(rows []int, dst tensor.Matrix[T]) error {
	if err := s.rows.ReadRows(rows, dst); err != nil {
		return err
	}
	return s.in.InPlace(dst)
}
