package train

import (
	"math/rand/v2"
)

// ShuffleBlock is the rows of a block of Options.ShuffleWindow: runs of
// this many consecutive rows are read together.
const ShuffleBlock = 1024

// windowStream is the PCG stream of the window shuffle's draws.
const windowStream = 4

// windows puts the training rows of s in epoch e's windowed order (see
// Options.ShuffleWindow): the blocks of ShuffleBlock rows (of 0…n−1, the
// held-out rows left out of theirs) in an order drawn from (seed, e),
// then, window by window of k blocks, its rows in an order drawn from
// (seed, e, window).
func (o *order) windows(s rowSet, seed uint64, e, k int) {
	o.reset(s) // increasing: a block's rows are consecutive in the list
	n := o.len()
	var starts []int // where each block's rows start in the list
	for i := 0; i < n; {
		starts = append(starts, i)
		b := o.at(i) / ShuffleBlock
		for i < n && o.at(i)/ShuffleBlock == b {
			i++
		}
	}
	starts = append(starts, n)
	blocks := make([]int, len(starts)-1)
	for i := range blocks {
		blocks[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, windowStream<<56^uint64(e)))
	rng.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	// the blocks' rows in the blocks' order, then shuffled by window, in
	// the list kept from the epoch before
	next := &order{small: o.spare.small[:0], large: o.spare.large[:0]}
	if o.small != nil && (next.small == nil || cap(next.small) < n) {
		next.small = make([]int32, 0, n)
	} else if o.small == nil && cap(next.large) < n {
		next.large = make([]int, 0, n)
	}
	for _, b := range blocks {
		if o.small != nil {
			next.small = append(next.small, o.small[starts[b]:starts[b+1]]...)
		} else {
			next.large = append(next.large, o.large[starts[b]:starts[b+1]]...)
		}
	}
	w, lo := 0, 0
	for bi := 0; bi < len(blocks); bi += k {
		hi := lo
		for _, b := range blocks[bi:min(bi+k, len(blocks))] {
			hi += starts[b+1] - starts[b]
		}
		wr := rand.New(rand.NewPCG(seed^uint64(e)<<32, windowStream<<56^uint64(w)+1))
		wr.Shuffle(hi-lo, func(i, j int) {
			a, b := next.at(lo+i), next.at(lo+j)
			next.set(lo+i, b)
			next.set(lo+j, a)
		})
		w, lo = w+1, hi
	}
	o.spare = order32or64{o.small, o.large}
	o.small, o.large = next.small, next.large
}

// at returns the i-th row of the order.
func (o *order) at(i int) int {
	if o.small != nil {
		return int(o.small[i])
	}
	return o.large[i]
}

// set makes r the i-th row of the order.
func (o *order) set(i, r int) {
	if o.small != nil {
		o.small[i] = int32(r)
	} else {
		o.large[i] = r
	}
}
