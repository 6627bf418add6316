package tabular

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// A spread cache is built by every rank at once, each parsing a share of
// the table's files — a run of them, about 1/R of their bytes; a table of
// one file is parsed by rank 0 — so that no rank reads the whole CSV:
//
//  1. each rank learns its share (csvdata.LearnShare) and the ranks merge
//     what they found, in file order (csvdata.MergeShares): every rank has
//     the whole table's schema;
//  2. each rank parses its share with that schema into a staging file of
//     rows (values, targets, lines) in its part's directory;
//  3. each rank writes its part (cache.PartWriter) a block at a time, the
//     block's rows brought from the staging files that hold them
//     (train.Spread: rows [r·N/R…) may have been parsed by any rank).
//
// The parts are those a rank builds by parsing every file, byte for byte
// but for the text checksum of the header (of each rank's text, here).

// shareOf returns the files [lo, hi) that rank rank of ranks parses: the
// files whose first byte falls in its 1/R of the files' bytes.
func shareOf(sizes []int64, rank, ranks int) (lo, hi int) {
	var total int64
	for _, s := range sizes {
		total += s
	}
	at := int64(0)
	lo, hi = len(sizes), len(sizes)
	for i, s := range sizes {
		q := ranks - 1
		if total > 0 {
			q = int(at * int64(ranks) / total)
		}
		if q == rank && lo == len(sizes) {
			lo = i
		}
		if q > rank {
			hi = i
			break
		}
		at += s
	}
	return min(lo, hi), hi
}

// shareReport is what a rank tells the others after learning its share.
type shareReport struct {
	Pieces    []pieceBounds `json:",omitempty"`
	Err       string        `json:",omitempty"`
	Cancelled bool          `json:",omitempty"` // Err is the context's end
	Code      int           `json:",omitempty"` // the exit code its cause carries, if any
	Learnt    []byte        `json:",omitempty"`
	TextBytes int64
	TextCRC   uint32
}

// stagedReport is what a rank tells the others after parsing its share.
type stagedReport struct {
	Rows  int
	Texts [][]string // per target: the distinct values of a text target, in order
	Files []csvdata.FileRows
}

// rankStop is context.Canceled as the ranks of a build see it that one
// rank's cancellation stopped; ExitCode is that rank's exit code (0: none).
type rankStop struct{ rank, code int }

func (s rankStop) Error() string {
	return fmt.Sprintf("stopped on rank %d: %v", s.rank, context.Canceled)
}
func (s rankStop) Unwrap() error { return context.Canceled }

// ExitCode returns the exit code of the rank that stopped the build.
func (s rankStop) ExitCode() int { return s.code }

// buildSpread builds every rank's part of the cache of paths in the
// ranks' part directories under c.Cache.
func buildSpread[T tensor.Float](ctx context.Context, comm parallel.Communicator, paths []string, c Config, o cache.Options) error {
	rank, size := comm.Rank(), comm.Size()
	dir := PartDir(c.Cache, rank, size)
	sizes := make([]int64, len(paths))
	for i, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return csvdata.ShortPath(err)
		}
		sizes[i] = st.Size()
	}
	// Every rank must see the same files, or their shares would not tile
	// the table.
	seen := sha256.New()
	for i, p := range paths {
		fmt.Fprintf(seen, "%q %d\n", p, sizes[i])
	}
	if q, err := parallel.FirstDiffering(comm, seen.Sum(nil)); err != nil || q >= 0 {
		if err == nil {
			err = fmt.Errorf("%s: rank %d sees other files, or files of other sizes, than rank %d: the ranks must read the same files", c.Cache, q, rank)
		}
		return err
	}
	// 1. Learn the share — pieces of about 1/R of the bytes, or whole
	// files if a quoted line end lies across a cut — and merge every
	// rank's.
	f, s, reps, err := learnShares[T](ctx, comm, paths, sizes, o, true)
	if errors.Is(err, errPiecesMiss) {
		f, s, reps, err = learnShares[T](ctx, comm, paths, sizes, o, false)
	}
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return err
	}
	info := cache.TableInfo{Summary: s, Texts: make([][]string, len(s.Targets))}
	sums := make([]byte, 0, 4*size)
	for _, r := range reps {
		info.TextBytes += r.TextBytes
		sums = binary.LittleEndian.AppendUint32(sums, r.TextCRC)
	}
	info.TextCRC = crc32.Checksum(sums, crc32.MakeTable(crc32.Castagnoli))

	// 2. Parse the share into the staging file.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return csvdata.ShortPath(err)
	}
	stagePath := filepath.Join(dir, "staging.bin")
	defer os.Remove(stagePath)
	staged, err := stage[T](ctx, f, s, stagePath)
	if err != nil {
		return err
	}
	b, err := json.Marshal(staged)
	if err != nil {
		return err
	}
	all, err := parallel.GatherBytes(comm, b)
	if err != nil {
		return err
	}
	remap := make([][][]float64, size) // per rank, per target: its text indices' global ones
	index := make([]map[string]int, len(s.Targets))
	starts := make([]int, size+1)
	for q := range size {
		var sr stagedReport
		if err := json.Unmarshal(all[q], &sr); err != nil {
			return err
		}
		starts[q+1] = starts[q] + sr.Rows
		for _, fr := range sr.Files {
			if n := len(info.Files); n > 0 && info.Files[n-1].Name == fr.Name {
				info.Files[n-1].Rows += fr.Rows
			} else {
				info.Files = append(info.Files, fr)
			}
		}
		remap[q] = make([][]float64, len(s.Targets))
		for t, texts := range sr.Texts {
			if texts == nil {
				continue
			}
			if index[t] == nil {
				index[t] = map[string]int{}
			}
			for _, v := range texts {
				k, ok := index[t][v]
				if !ok {
					k = len(info.Texts[t])
					index[t][v], info.Texts[t] = k, append(info.Texts[t], v)
				}
				remap[q][t] = append(remap[q][t], float64(k))
			}
		}
	}
	for t, k := range s.Targets {
		if k.Text && info.Texts[t] == nil {
			info.Texts[t] = []string{}
		}
	}
	if starts[size] != s.Rows {
		return fmt.Errorf("%s: %d rows on the second read, %d on the first: did the files change while they were read?", c.Cache, starts[size], s.Rows)
	}

	// 3. Write the part, a block at a time, its rows brought from the
	// staging files.
	pw, err := cache.NewPartWriter[T](dir, paths, o, info)
	if err != nil {
		return err
	}
	keep, err := openStaging[T](stagePath, starts[rank], staged.Rows, pw.Cols(), len(s.Targets))
	if err != nil {
		return err
	}
	defer keep.f.Close()
	sp, err := train.NewSpread[T](comm, keep, s.Rows, keep.width)
	if err != nil {
		return err
	}
	blocks, br := pw.Blocks(), pw.BlockRows()
	rounds := 0
	for q := range size {
		first, end := cache.PartBlocks(q, size, blocks)
		rounds = max(rounds, end-first)
	}
	first, end := cache.PartBlocks(rank, size, blocks)
	rows := make([]int, br)
	buf := tensor.NewMatrix[T](br, keep.width, nil)
	y, ty := make([]float64, len(s.Targets)), make([]float64, len(s.Targets))
	mine, err := pw.Rows(ctx, func(add func(x []T, y []float64, line int) error) error {
		for i := range rounds {
			n := 0
			if k := first + i; k < end {
				for r := k * br; r < min((k+1)*br, s.Rows); r++ {
					rows[n], n = r, n+1
				}
			}
			if err := sp.Load(rows[:n]); err != nil {
				return err
			}
			got := buf.SliceRows(0, n)
			if err := sp.ReadRows(rows[:n], got); err != nil {
				return err
			}
			q := 0
			for j, r := range rows[:n] {
				for starts[q+1] <= r {
					q++
				}
				x, line := keep.unpack(got.Row(j), y)
				copy(ty, y)
				for t := range y {
					y[t] = ty[t]
					if m := remap[q][t]; m != nil {
						k := int(ty[t])
						if k < 0 || k >= len(m) {
							return fmt.Errorf("%s: a staged target index out of range", stagePath)
						}
						y[t] = m[k]
					}
				}
				if err := add(x, y, line); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Every part records every block's checksum.
	send := make([]byte, 0, 4*len(mine))
	for _, v := range mine {
		send = binary.LittleEndian.AppendUint32(send, v)
	}
	all, err = parallel.GatherBytes(comm, send)
	if err != nil {
		return err
	}
	var checks []uint32
	for _, b := range all {
		for i := 0; i+4 <= len(b); i += 4 {
			checks = append(checks, binary.LittleEndian.Uint32(b[i:]))
		}
	}
	return pw.Finish(ctx, checks)
}

// errPiecesMiss says that two pieces of a file do not meet: a quoted
// field over a line end lies across a cut.
var errPiecesMiss = errors.New("the pieces of a file do not meet")

// learnShares has each rank learn its share of the files — pieces of
// about 1/R of their bytes, or with byFiles false whole files — and
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
