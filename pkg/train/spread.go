package train

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/densetrain/densetrain/internal/floatslice"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// Keeper is the rows one rank keeps of a table spread over the ranks of a
// communicator: rows [lo, hi) of the table, a run.
type Keeper[T nn.Float] interface {
	// Owned returns the rows [lo, hi) this rank keeps.
	Owned() (lo, hi int)
	// ReadRows copies the rows (each one this rank keeps) into the first
	// columns of dst's rows, row i of dst being row rows[i].
	ReadRows(rows []int, dst nn.Matrix[T]) error
}

// Spread is the rows of a table spread over the ranks of a communicator,
// each rank keeping a run of them (a Keeper): Load brings a rank the rows
// it asks for from the ranks that keep them — two MPI_Alltoallv, one of
// the rows' numbers, one of their values, so that each rank reads only the
// rows it keeps — and ReadRows then copies them out. It is the mechanism
// of a Loader; its rows are as the Keepers read them (a Source makes them
// the model's inputs).
type Spread[T nn.Float] struct {
	comm   parallel.Communicator
	keep   Keeper[T]
	cols   int
	starts []int // rank q keeps rows [starts[q], starts[q+1])

	sendN, recvN []int // rows asked of each rank, asked by each rank
	counts       []byte
	allCounts    []byte
	ask, asked   []int64 // the rows this rank asks for (grouped by owner), that it is asked for
	order        []int32 // ask[k] is rows[order[k]]
	askedRows    []int
	out, got     []T // the rows this rank sends, receives (in ask's order)
	slot         map[int]int32
	place        []int // the next place in ask of each owner's rows
	bytesA       []int
	bytesB       []int
}

// NewSpread returns the Spread of a table of rows rows of cols values,
// this rank keeping keep's rows. Every rank calls it; the runs the ranks
// keep must be, in rank order, the table's rows one after the other.
func NewSpread[T nn.Float](comm parallel.Communicator, keep Keeper[T], rows, cols int) (*Spread[T], error) {
	size := comm.Size()
	lo, hi := keep.Owned()
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, uint64(lo))
	binary.LittleEndian.PutUint64(b[8:], uint64(hi))
	all := make([]byte, 16*size)
	if err := comm.Allgather(b, all); err != nil {
		return nil, err
	}
	s := &Spread[T]{comm: comm, keep: keep, cols: cols, starts: make([]int, size+1),
		sendN: make([]int, size), recvN: make([]int, size), counts: make([]byte, 8*size), allCounts: make([]byte, 8*size*size),
		slot: map[int]int32{}, place: make([]int, size), bytesA: make([]int, size), bytesB: make([]int, size)}
	for q := range size {
		qlo, qhi := int(binary.LittleEndian.Uint64(all[16*q:])), int(binary.LittleEndian.Uint64(all[16*q+8:]))
		if qlo != s.starts[q] || qhi < qlo {
			return nil, fmt.Errorf("train: rank %d keeps rows %d to %d, not a run from row %d on", q, qlo, qhi, s.starts[q])
		}
		s.starts[q+1] = qhi
	}
	if s.starts[size] != rows {
		return nil, fmt.Errorf("train: the ranks keep %d rows of %d", s.starts[size], rows)
	}
	return s, nil
}

// Keeper returns this rank's Keeper.
func (s *Spread[T]) Keeper() Keeper[T] { return s.keep }

// owner returns the rank that keeps row r.
func (s *Spread[T]) owner(r int) int {
	lo, hi := 0, len(s.starts)-1 // starts[lo] ≤ r < starts[hi]
	for hi-lo > 1 {
		if m := (lo + hi) / 2; s.starts[m] <= r {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// Load brings this rank the rows (each at most once) from the ranks that
// keep them, and sends the others the rows they ask of it. Every rank
// calls it as often as the others.
func (s *Spread[T]) Load(rows []int) error {
	size, n := s.comm.Size(), s.starts[len(s.starts)-1]
	clear(s.sendN)
	for _, r := range rows {
		if r < 0 || r >= n {
			return fmt.Errorf("train: row %d of %d", r, n)
		}
		s.sendN[s.owner(r)]++
	}
	for q, c := range s.sendN {
		binary.LittleEndian.PutUint64(s.counts[8*q:], uint64(c))
	}
	if err := s.comm.Allgather(s.counts, s.allCounts); err != nil {
		return err
	}
	me, total := s.comm.Rank(), 0
	for q := range size {
		s.recvN[q] = int(binary.LittleEndian.Uint64(s.allCounts[8*(q*size+me):]))
		total += s.recvN[q]
	}
	// The rows asked, grouped by the rank that keeps them.
	s.ask, s.order = resize(s.ask, len(rows)), resize(s.order, len(rows))
	at := s.place
	off := 0
	for q, c := range s.sendN {
		at[q], off = off, off+c
	}
	for i, r := range rows {
		q := s.owner(r)
		s.ask[at[q]], s.order[at[q]] = int64(r), int32(i)
		at[q]++
	}
	s.asked = resize(s.asked, total)
	if err := s.comm.Alltoallv(int64Bytes(s.ask), s.scaled(s.bytesA, s.sendN, 8), int64Bytes(s.asked), s.scaled(s.bytesB, s.recvN, 8)); err != nil {
		return err
	}
	// The rows asked of this rank, read from its keeper and sent.
	s.askedRows = resize(s.askedRows, total)
	for i, r := range s.asked {
		s.askedRows[i] = int(r)
	}
	s.out, s.got = resize(s.out, total*s.cols), resize(s.got, len(rows)*s.cols)
	if err := s.keep.ReadRows(s.askedRows, nn.Matrix[T]{Rows: total, Cols: s.cols, Data: s.out}); err != nil {
		return err
	}
	var z T
	rb := s.cols * int(unsafe.Sizeof(z))
	if err := s.comm.Alltoallv(floatslice.AsBytes(s.out), s.scaled(s.bytesB, s.recvN, rb), floatslice.AsBytes(s.got), s.scaled(s.bytesA, s.sendN, rb)); err != nil {
		return err
	}
	clear(s.slot)
	for k, i := range s.order {
		s.slot[rows[i]] = int32(k)
	}
	return nil
}

// ReadRows copies the rows, each of the last Load's, into the first
// columns of dst's rows. It is safe for concurrent use between Loads.
func (s *Spread[T]) ReadRows(rows []int, dst nn.Matrix[T]) error {
	for i, r := range rows {
		k, ok := s.slot[r]
		if !ok {
			return fmt.Errorf("train: row %d was not loaded (Load first)", r)
		}
		copy(dst.Row(i)[:s.cols], s.got[int(k)*s.cols:(int(k)+1)*s.cols])
	}
	return nil
}

// scaled returns n's counts times per, in buf.
func (s *Spread[T]) scaled(buf, n []int, per int) []int {
	for q, c := range n {
		buf[q] = c * per
	}
	return buf
}

// resize returns b with length n, reusing its array when large enough.
func resize[E any](b []E, n int) []E {
	if cap(b) < n {
		return make([]E, n, max(n, 2*cap(b)))
	}
	return b[:n]
}

// int64Bytes is b's memory as bytes.
func int64Bytes(b []int64) []byte {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 8*len(b))
}
