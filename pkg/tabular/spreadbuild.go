package tabular

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
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

// Agreed reports that every rank stopped at this point (see train's
// stops across ranks).
func (s rankStop) Agreed() bool { return true }

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
