package train

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/densetrain/densetrain/pkg/parallel"
)

// loadRound is the validation shards a rank evaluates after one Load,
// when the rows are spread over the ranks (a Loader).
const loadRound = 16

// loadShards is shareShards' run of this rank's shards [lo, hi) from a
// Loader: in rounds of loadRound shards, each after a Load of its rows,
// as many rounds on every rank (most is the shards of a rank, at most).
func (e *evaluator[T]) loadShards(p *parallel.Pool, ld Loader, lo, hi, most int, task func(w, i int) error) error {
	var err error
	var buf, ahead []int
	pf, _ := e.src.(Prefetcher)
	s, size := len(e.loss), e.comm.Size()
	// round returns the rows of shards [i, j), in buf.
	round := func(i, j int, buf []int) []int {
		rlo, rhi := min(i*evalShard, e.n()), min(j*evalShard, e.n())
		if e.idx != nil {
			return append(buf, e.idx[rlo:rhi]...)
		}
		for r := rlo; r < rhi; r++ {
			buf = append(buf, r)
		}
		return buf
	}
	for a := 0; a < most; a += loadRound {
		if pf != nil { // every rank's next round: this rank reads ahead the rows it keeps
			ahead = ahead[:0]
			for q := range size {
				qlo, qhi := q*s/size, (q+1)*s/size
				ahead = round(min(qlo+a+loadRound, qhi), min(qlo+a+2*loadRound, qhi), ahead)
			}
			if a == 0 {
				for q := range size {
					qlo, qhi := q*s/size, (q+1)*s/size
					ahead = round(qlo, min(qlo+loadRound, qhi), ahead)
				}
			}
			pf.Prefetch(ahead)
		}
		i, j := min(lo+a, hi), min(lo+a+loadRound, hi)
		rows := round(i, j, buf[:0])
		buf = rows
		if lerr := ld.Load(rows); lerr != nil {
			return lerr
		}
		if ferr := p.Finish(j-i, func(w, k int) error { return task(w, i+k) }); ferr != nil && err == nil {
			err = ferr
		}
	}
	return err
}

// errOtherRank is the error of a rank whose share of the validation
// went well when another rank's did not.
var errOtherRank = errors.New("train: validation failed on another rank")

// shareShards runs task on this rank's run of the shards — rank r of R
// takes shards [r·s/R, (r+1)·s/R) — and fills e.loss and e.acc with every
// rank's results, through one Allgather: each rank reads and computes a
// share of the validation rows, and the sums after are one process's. The
// shards run to their end whatever the context (p.Finish), so that every
// rank meets the exchange; a rank whose share failed tells the others,
// and every rank returns an error then.
func (e *evaluator[T]) shareShards(p *parallel.Pool, task func(w, i int) error) error {
	s, size, rank := len(e.loss), e.comm.Size(), e.comm.Rank()
	lo, hi := rank*s/size, (rank+1)*s/size
	most := (s + size - 1) / size // shards of a rank, at most
	var err error
	if ld, ok := e.src.(Loader); ok {
		err = e.loadShards(p, ld, lo, hi, most, task)
	} else {
		err = p.Finish(hi-lo, func(w, i int) error { return task(w, lo+i) })
	}
	k := len(e.acc[0])
	per := 1 + most*(1+k) // float64s a rank sends: a status, then its shards
	send := make([]byte, 8*per)
	if err != nil {
		binary.LittleEndian.PutUint64(send, 1)
	}
	for i := lo; i < hi; i++ {
		at := 8 * (1 + (i-lo)*(1+k))
		binary.LittleEndian.PutUint64(send[at:], math.Float64bits(e.loss[i]))
		for j, v := range e.acc[i] {
			binary.LittleEndian.PutUint64(send[at+8*(1+j):], math.Float64bits(v))
		}
	}
	recv := make([]byte, size*len(send))
	if gerr := e.comm.Allgather(send, recv); gerr != nil {
		return gerr
	}
	failed := false
	for q := range size {
		b := recv[q*len(send) : (q+1)*len(send)]
		failed = failed || binary.LittleEndian.Uint64(b) != 0
		qlo, qhi := q*s/size, (q+1)*s/size
		for i := qlo; i < qhi; i++ {
			at := 8 * (1 + (i-qlo)*(1+k))
			e.loss[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[at:]))
			for j := range e.acc[i] {
				e.acc[i][j] = math.Float64frombits(binary.LittleEndian.Uint64(b[at+8*(1+j):]))
			}
		}
	}
	switch {
	case err != nil:
		return err
	case failed:
		return errOtherRank
	}
	return nil
}
