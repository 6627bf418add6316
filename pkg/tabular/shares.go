package tabular

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// The first phase of a spread build (buildSpread): each rank learns its
// share of the files, and the ranks merge what they found.

// errPiecesMiss says that two pieces of a file do not meet: a quoted
// field over a line end lies across a cut.
var errPiecesMiss = errors.New("the pieces of a file do not meet")

// learnShares has each rank learn its share of the files — pieces of
// about 1/R of their bytes (pieces), else whole files — and
// merges what the ranks found, in file order. It returns this rank's
// share (nil: none), the Summary and every rank's report; errPiecesMiss,
// on every rank, when the pieces do not meet.
func learnShares[T tensor.Float](ctx context.Context, comm parallel.Communicator, paths []string, sizes []int64, o cache.Options, pieces bool) (*csvdata.File, *csvdata.Summary, []shareReport, error) {
	rank, size := comm.Rank(), comm.Size()
	var mine []csvdata.Piece
	if pieces {
		var err error
		if mine, err = piecesOf(ctx, comm, paths, sizes); err != nil {
			return nil, nil, nil, err
		}
	} else if lo, hi := shareOf(sizes, rank, size); hi > lo {
		for k := lo; k < hi; k++ {
			mine = append(mine, csvdata.Piece{File: k, To: -1})
		}
	}
	var f *csvdata.File
	var rep shareReport
	var own error
	if len(mine) > 0 {
		var err error
		if f, err = csvdata.OpenPieces(ctx, paths, mine, o.Read); err != nil {
			return nil, nil, nil, err
		}
		if o.PartBytes > 0 {
			f.PartBytes = o.PartBytes
		}
		if o.Size != nil {
			o.Size(2 * f.Size())
		}
		learning := true
		f.Text = func(b []byte) {
			if learning {
				rep.TextCRC = crc32.Update(rep.TextCRC, crc32.MakeTable(crc32.Castagnoli), b)
				rep.TextBytes += int64(len(b))
			}
			if o.Progress != nil {
				o.Progress(len(b))
			}
		}
		l, err := csvdata.LearnShare[T](ctx, f)
		learning = false
		if err == nil {
			rep.Learnt, err = l.MarshalBinary()
		}
		if err != nil {
			own, rep.Err, rep.Cancelled = err, err.Error(), cancelled(ctx, err)
			var ec interface{ ExitCode() int }
			if rep.Cancelled && errors.As(context.Cause(ctx), &ec) {
				rep.Code = ec.ExitCode()
			}
		}
		for i, b := range f.Bounds() {
			rep.Pieces = append(rep.Pieces, pieceBounds{File: mine[i].File, Start: b[0], End: b[1]})
		}
	}
	fail := func(err error) (*csvdata.File, *csvdata.Summary, []shareReport, error) {
		if f != nil {
			f.Close()
		}
		return nil, nil, nil, err
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return fail(err)
	}
	all, err := parallel.GatherBytes(comm, b)
	if err != nil {
		return fail(err)
	}
	shares := make([]*csvdata.Learnt, size)
	reps := make([]shareReport, size)
	var bounds []pieceBounds
	for q := range size {
		if err := json.Unmarshal(all[q], &reps[q]); err != nil {
			return fail(err)
		}
		bounds = append(bounds, reps[q].Pieces...)
		if reps[q].Err != "" { // the first error, in file order, is every rank's
			switch {
			case reps[q].Cancelled: // stopped (a signal): every rank stops, with its exit code
				if q == rank {
					return fail(own)
				}
				return fail(rankStop{q, reps[q].Code})
			case pieces: // a piece cut inside a quoted field fails to parse: read whole files
				return fail(errPiecesMiss)
			case q == rank:
				return fail(own)
			}
			return fail(fmt.Errorf("(rank %d) %s", q, reps[q].Err))
		}
		if reps[q].Learnt != nil {
			if shares[q], err = csvdata.UnmarshalLearnt(reps[q].Learnt); err != nil {
				return fail(err)
			}
		}
	}
	for i := 1; i < len(bounds); i++ {
		if bounds[i].File == bounds[i-1].File && bounds[i].Start != bounds[i-1].End {
			return fail(errPiecesMiss)
		}
	}
	s, err := csvdata.MergeShares(ctx, paths, o.Read, shares)
	if err != nil {
		return fail(err)
	}
	return f, s, reps, nil
}

// pieceBounds is where a piece's records began and ended.
type pieceBounds struct {
	File       int
	Start, End int64
}

// piecesOf returns the pieces of the files this rank reads: the files'
// bytes, one file after the other, cut into R runs of about equal length,
// a run's piece of each file it crosses — but a gzip or empty file goes
// whole to the rank whose run holds its first byte. Each piece is told
// the line ends before it (the ranks count those of their own pieces).
func piecesOf(ctx context.Context, comm parallel.Communicator, paths []string, sizes []int64) ([]csvdata.Piece, error) {
	rank, size := comm.Rank(), comm.Size()
	var total int64
	for _, n := range sizes {
		total += n
	}
	lo, hi := total*int64(rank)/int64(size), total*int64(rank+1)/int64(size)
	var mine []csvdata.Piece
	at := int64(0)
	for k, n := range sizes {
		whole := n == 0
		if !whole {
			gz, err := isGzip(paths[k])
			if err != nil {
				return nil, err
			}
			whole = gz
		}
		switch {
		case whole:
			if at >= lo && at < hi || rank == size-1 && at >= hi {
				mine = append(mine, csvdata.Piece{File: k, To: -1})
			}
		case at+n > lo && at < hi:
			p := csvdata.Piece{File: k, From: max(lo, at) - at, To: min(hi, at+n) - at}
			if p.To == n {
				p.To = -1
			}
			mine = append(mine, p)
		}
		at += n
	}
	// The line ends before each piece: the counts of the pieces before it.
	type count struct {
		File     int
		From, To int64
		Lines    int64
	}
	var counts []count
	for _, p := range mine {
		if p.From == 0 && p.To < 0 {
			continue
		}
		to := p.To
		if to < 0 {
			to = sizes[p.File]
		}
		n, err := csvdata.CountLines(ctx, paths[p.File], p.From, to)
		if err != nil {
			return nil, err
		}
		counts = append(counts, count{p.File, p.From, to, n})
	}
	b, err := json.Marshal(counts)
	if err != nil {
		return nil, err
	}
	all, err := parallel.GatherBytes(comm, b)
	if err != nil {
		return nil, err
	}
	var every []count
	for _, a := range all {
		var cs []count
		if err := json.Unmarshal(a, &cs); err != nil {
			return nil, err
		}
		every = append(every, cs...)
	}
	for i := range mine {
		for _, c := range every {
			if c.File == mine[i].File && c.To <= mine[i].From {
				mine[i].Newlines += c.Lines
			}
		}
	}
	return mine, nil
}

// isGzip reports whether the file at path starts as a gzip stream does.
func isGzip(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, csvdata.ShortPath(err)
	}
	defer f.Close()
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	return n == 2 && magic == [2]byte{0x1f, 0x8b}, nil
}
