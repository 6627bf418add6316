package tabular

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/densetrain/densetrain/internal/floatslice"
	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// A cache spread over the ranks (Config.CachePerRank): rank r of R keeps
// its part, about 1/R of the blocks, in Cache/rank-r-of-R — a directory
// on its own machine's disk, or of one the ranks share. The targets are
// held by every rank (8 bytes a row); the statistics are fitted over every
// block in order, each sent by the rank that keeps it to the others
// (MPI_Bcast), so they are one process's; training asks each step's rows
// of the ranks that keep them (train.Spread). The model is the one a
// single process trains in memory, bit for bit.

// spreadPart is what a rank of a spread cache has: its part, read from
// disk or loaded into memory.
type spreadPart[T tensor.Float] struct {
	comm parallel.Communicator
	keep train.Keeper[T]
}

// PartDir returns the directory of rank rank's part of a cache spread over
// ranks ranks in dir.
func PartDir(dir string, rank, ranks int) string {
	return filepath.Join(dir, fmt.Sprintf("rank-%d-of-%d", rank, ranks))
}

// openSpread opens (building it if need be) this rank's part of the cache
// of src in c.Cache, and the targets of every row.
func openSpread[T tensor.Float](ctx context.Context, src Source, c Config, o cache.Options) (*cached[T], error) {
	comm := c.Comm
	dir := PartDir(c.Cache, comm.Rank(), comm.Size())
	o.Part = cache.Part{Rank: comm.Rank(), Ranks: comm.Size()}
	local := max(c.LocalRanks, 1) // the ranks that share this machine's memory
	if o.PartBytes == 0 {
		o.PartBytes = max(csvdata.PartSize()/local, 64<<10)
	}
	built, err := agreeOnParts[T](ctx, comm, dir, src.paths, c, o)
	if err != nil {
		if cancelled(ctx, err) {
			return nil, err
		}
		return nil, inputError(err)
	}
	o.NoBuild, o.Note = true, nil
	cc, err := cache.Open[T](ctx, dir, src.paths, o)
	if err != nil {
		if cancelled(ctx, err) {
			return nil, err
		}
		return nil, inputError(err)
	}
	fail := func(err error) (*cached[T], error) {
		cc.Close()
		if cancelled(ctx, err) {
			return nil, err
		}
		return nil, inputError(err)
	}
	// The parts must be of the same rows: every part holds the checksum
	// of every block.
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %d|", cc.Rows(), cc.Cols(), cc.BlockRows())
	for _, v := range cc.Checksums() {
		binary.Write(h, binary.LittleEndian, v)
	}
	if r, err := parallel.FirstDiffering(comm, h.Sum(nil)); err != nil || r >= 0 {
		if err == nil {
			err = fmt.Errorf("%s: rank %d's part of the cache has other rows than this rank's (%s): did the CSV change while the parts were built? Build them again", dir, r, PartDir(c.Cache, r, comm.Size()))
		}
		return fail(err)
	}
	s := cc.Summary()
	tab := &csvdata.Table[T]{Header: s.Header, Schema: s.Schema, Missing: s.Missing, Skipped: s.Skipped,
		Delimiter: s.Delimiter, X: tensor.Matrix[T]{Rows: s.Rows, Cols: cc.Cols()}}
	d := &cached[T]{c: cc, tab: tab, sp: &spreadPart[T]{comm: comm, keep: cc}, built: built}
	lo, hi := cc.Owned()
	if loadShare[T](c, hi-lo, cc.Cols(), local) { // the part's rows in memory, every block verified
		m := &partRows[T]{lo: lo, x: csvdata.NewMatrix[T](hi-lo, cc.Cols(), c.Workers)}
		err := cc.Each(ctx, func(at int, b tensor.Matrix[T]) error {
			copy(m.x.Data[(at-lo)*b.Cols:], b.Data)
			return nil
		})
		if err != nil {
			return fail(err)
		}
		d.sp.keep = m
	}
	_, isMem := d.sp.keep.(*partRows[T])
	vals, err := cc.TargetValues(ctx, !isMem)
	if err != nil {
		return fail(err)
	}
	if vals, err = gatherParts(comm, vals, cc, len(s.Targets)); err != nil {
		return fail(err)
	}
	if tab.Targets, err = cc.DecodeTargets(vals); err != nil {
		return fail(err)
	}
	return d, nil
}

// agreeOnParts has every rank look at its part of the cache; unless every
// part is there and of the files as they are, the ranks build them all
// (buildSpread), rank 0 saying why. A part's directory that cannot hold
// one, or a damaged part, is every rank's error.
func agreeOnParts[T tensor.Float](ctx context.Context, comm parallel.Communicator, dir string, paths []string, c Config, o cache.Options) (built bool, err error) {
	// A part's directory is this rank's (its own machine's): its
	// problems, as the part's, are told to every rank, so that all stop.
	perr := checkCacheDir(dir)
	if se := (*SettingError)(nil); errors.As(perr, &se) {
		perr = fmt.Errorf("%s: this rank's part of the cache cannot be there: %s", dir, se.Want)
	}
	var ok bool
	var why string
	if perr == nil {
		ok, why, perr = cache.Probe[T](dir, paths, o)
	}
	state := []byte{0} // then why, for rank 0 to say, or the error
	switch {
	case perr != nil:
		state = append([]byte{2}, perr.Error()...)
	case !ok:
		state = append([]byte{1}, why...)
	}
	all, err := parallel.GatherBytes(comm, state)
	if err != nil {
		return false, err
	}
	build := -1
	for q, s := range all {
		switch {
		case s[0] == 2 && q == comm.Rank():
			return false, perr
		case s[0] == 2:
			return false, fmt.Errorf("rank %d: %s", q, s[1:])
		case s[0] == 1 && build < 0:
			build = q
		}
	}
	if build < 0 {
		return false, nil
	}
	if o.Note != nil { // rank 0's, the one that speaks
		o.Note(fmt.Sprintf("%s: %s: building the parts of %d ranks", PartDir(c.Cache, build, comm.Size()), all[build][1:], comm.Size()))
	}
	return true, buildSpread[T](ctx, comm, paths, c, o)
}

// gatherParts returns every rank's vals (per per row of its part), in rank
// order: one Allgather, each rank's padded to the largest part's.
func gatherParts[T tensor.Float](comm parallel.Communicator, vals []float64, cc *cache.Cache[T], per int) ([]float64, error) {
	size, blocks := comm.Size(), cc.Blocks()
	rowsOf := func(q int) int {
		first, end := cache.PartBlocks(q, size, blocks)
		return min(end*cc.BlockRows(), cc.Rows()) - min(first*cc.BlockRows(), cc.Rows())
	}
	most := 0
	for q := range size {
		most = max(most, rowsOf(q))
	}
	send := make([]float64, most*per)
	copy(send, vals)
	recv := make([]float64, size*len(send))
	if err := comm.Allgather(floatslice.AsBytes(send), floatslice.AsBytes(recv)); err != nil {
		return nil, err
	}
	all := recv[:0] // in place: each rank's values move down, never up
	for q := range size {
		all = append(all, recv[q*len(send):q*len(send)+rowsOf(q)*per]...)
	}
	return all, nil
}

// partRows is a rank's part of a spread cache loaded into memory: rows
// [lo, lo+x.Rows).
type partRows[T tensor.Float] struct {
	lo int
	x  tensor.Matrix[T]
}

// Owned implements train.Keeper.
func (m *partRows[T]) Owned() (int, int) { return m.lo, m.lo + m.x.Rows }

// ReadRows implements train.Keeper.
func (m *partRows[T]) ReadRows(rows []int, dst tensor.Matrix[T]) error {
	for i, r := range rows {
		if r < m.lo || r >= m.lo+m.x.Rows {
			return fmt.Errorf("tabular: row %d is not in this rank's part (rows %d to %d)", r+1, m.lo+1, m.lo+m.x.Rows)
		}
		copy(dst.Row(i)[:m.x.Cols], m.x.Row(r-m.lo))
	}
	return nil
}

// blocks is prep.Blocks of every block of the spread cache, in order, each
// read by the rank that keeps it and sent to the others.
type blocks[T tensor.Float] struct {
	d *cached[T]
}

// Rows implements prep.Blocks.
func (b blocks[T]) Rows() int { return b.d.c.Rows() }

// Each implements prep.Blocks.
func (b blocks[T]) Each(ctx context.Context, f func(lo int, x tensor.Matrix[T]) error) error {
	cc, comm := b.d.c, b.d.sp.comm
	br, cols, nb := cc.BlockRows(), cc.Cols(), cc.Blocks()
	x := make([]T, br*cols)
	buf := make([]byte, cc.BlockBytes())
	for k := range nb {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo := k * br
		n := min(br, cc.Rows()-lo)
		owner := cache.PartOf(k, comm.Size(), nb)
		if owner == comm.Rank() {
			if m, ok := b.d.sp.keep.(*partRows[T]); ok {
				copy(x, m.x.SliceRows(lo-m.lo, lo-m.lo+n).Data)
			} else if _, _, err := cc.ReadBlock(k, buf, x); err != nil {
				return err
			}
		}
		if err := comm.Bcast(floatslice.AsBytes(x[:n*cols]), owner); err != nil {
			return err
		}
		if err := f(lo, tensor.NewMatrix(n, cols, x[:n*cols])); err != nil {
			return err
		}
	}
	return nil
}

// eachBlock calls f with each block of this rank's part, in order: read
// from memory when the part is loaded, else from the cache (verified).
func (s *spreadPart[T]) eachBlock(ctx context.Context, c *cache.Cache[T], f func(lo int, b tensor.Matrix[T]) error) error {
	m, ok := s.keep.(*partRows[T])
	if !ok {
		return c.Each(ctx, f)
	}
	first, end := c.OwnedBlocks()
	for k := first; k < end; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo := k * c.BlockRows()
		hi := min(lo+c.BlockRows(), c.Rows())
		if err := f(lo, m.x.SliceRows(lo-m.lo, hi-m.lo)); err != nil {
			return err
		}
	}
	return nil
}

// inputs checks the model inputs of the rows of this rank's part, as
// cached.inputs does of all, and returns the source of every row.
func (s *spreadPart[T]) inputs(ctx context.Context, d *cached[T], p *prep.Preprocessing, y tensor.Matrix[T]) (train.Source[T], error) {
	tr := prep.NewTransformer[T](p)
	var in tensor.Matrix[T]
	err := s.eachBlock(ctx, d.c, func(lo int, b tensor.Matrix[T]) error {
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
	sp, err := train.NewSpread(s.comm, s.keep, d.c.Rows(), d.c.Cols())
	if err != nil {
		return nil, err
	}
	return &spreadSource[T]{sp: sp, p: p, in: tr, y: y, rows: d.c.Rows()}, nil
}

// spreadSource is the train.Source (a train.Loader) of a spread cache's
// rows: each step's rows are brought from the ranks that keep them and
// made the model's inputs where they land.
type spreadSource[T tensor.Float] struct {
	sp    *train.Spread[T]
	p     *prep.Preprocessing
	in    *prep.Transformer[T]
	y     tensor.Matrix[T]
	rows  int
	ahead []int // Prefetch's
}

func (s *spreadSource[T]) Len() int                  { return s.rows }
func (s *spreadSource[T]) Width() int                { return s.p.InputWidth() }
func (s *spreadSource[T]) Targets() tensor.Matrix[T] { return s.y }

// Prefetch implements train.Prefetcher: of the rows of a batch (all the
// ranks'), this rank reads ahead those it keeps.
func (s *spreadSource[T]) Prefetch(rows []int) {
	pf, ok := s.sp.Keeper().(interface{ Prefetch([]int) })
	if !ok {
		return
	}
	lo, hi := s.sp.Keeper().Owned()
	s.ahead = s.ahead[:0]
	for _, r := range rows {
		if r >= lo && r < hi {
			s.ahead = append(s.ahead, r)
		}
	}
	pf.Prefetch(s.ahead)
}

// Load implements train.Loader.
func (s *spreadSource[T]) Load(rows []int) error { return s.sp.Load(rows) }

// Gather implements train.Source.
func (s *spreadSource[T]) Gather(rows []int, dst tensor.Matrix[T]) error {
	if err := s.sp.ReadRows(rows, dst); err != nil {
		return err
	}
	return s.in.InPlace(dst)
}
