package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/densetrain/densetrain/internal/shuffle"
)

// rowSet is a fit's training rows: 0…n−1 less the held-out rows, listed
// when needed rather than kept (a list would take 8 bytes a row).
type rowSet struct {
	n    int
	held []int // sorted, distinct; nil when every row trains
}

// len returns the number of training rows.
func (s rowSet) len() int { return s.n - len(s.held) }

// all yields the training rows in increasing order.
func (s rowSet) all(yield func(int) bool) {
	h := 0
	for r := range s.n {
		if h < len(s.held) && s.held[h] == r {
			h++
			continue
		}
		if !yield(r) {
			return
		}
	}
}

// order holds the training rows in an epoch's order: 4 bytes a row where
// the row numbers fit an int32, else 8. A step's rows are handed out as
// []int in a buffer of one batch, reused step after step.
type order struct {
	small []int32
	large []int
	buf   []int
	spare order32or64 // a windowed shuffle's second list, kept from epoch to epoch
}

// order32or64 is a list of rows of either width.
type order32or64 struct {
	small []int32
	large []int
}

// newOrder returns the rows of s in increasing order, for batches of at
// most batch rows.
func newOrder(s rowSet, batch int) *order {
	o := &order{}
	if s.n <= math.MaxInt32 {
		o.small, o.buf = make([]int32, s.len()), make([]int, batch)
	} else {
		o.large = make([]int, s.len())
	}
	o.reset(s)
	return o
}

// reset puts the rows of s back in increasing order.
func (o *order) reset(s rowSet) {
	i := 0
	for r := range s.all {
		if o.small != nil {
			o.small[i] = int32(r)
		} else {
			o.large[i] = r
		}
		i++
	}
}

// len returns the number of rows.
func (o *order) len() int { return max(len(o.small), len(o.large)) }

// shuffle permutes the rows as rand.Shuffle does with rng (the same
// permutation whatever the width of the row numbers).
func (o *order) shuffle(ctx context.Context, rng *rand.Rand) error {
	if o.small != nil {
		return shuffle.Slice(ctx, rng, o.small)
	}
	return shuffle.Slice(ctx, rng, o.large)
}

// batch returns rows lo…hi−1 of the order, valid until the next call.
func (o *order) batch(lo, hi int) []int { return o.rows(lo, hi, o.buf) }

// rows returns rows lo…hi−1 of the order, in buf (of hi−lo rows at least)
// where the rows are int32.
func (o *order) rows(lo, hi int, buf []int) []int {
	if o.small == nil {
		return o.large[lo:hi]
	}
	b := buf[:hi-lo]
	for i, r := range o.small[lo:hi] {
		b[i] = int(r)
	}
	return b
}

// SplitValidation returns the validation rows of SplitRows (with the same
// rows, fraction and seed), sorted, without the list of training rows: the
// shuffle that picks them holds 4 bytes a row (8 beyond 2³¹ rows) while it
// runs. It stops with ctx's error when ctx ends.
func SplitValidation(ctx context.Context, rows int, fraction float64, seed uint64) ([]int, error) {
	if !(fraction > 0 && fraction < 1) {
		return nil, fmt.Errorf("train: ValidationSplit %v, want a fraction in (0, 1)", fraction)
	}
	nTrain := int(float64(rows) * (1 - fraction))
	if nTrain == 0 || nTrain == rows {
		return nil, fmt.Errorf("train: ValidationSplit %v of %d rows leaves an empty side", fraction, rows)
	}
	rng := rand.New(rand.NewPCG(seed, validationStream))
	if rows > math.MaxInt32 {
		return splitTail(ctx, rng, make([]int, rows), nTrain)
	}
	return splitTail(ctx, rng, make([]int32, rows), nTrain)
}

// splitTail fills all with 0…len(all)−1, shuffles it with rng and returns
// its part from nTrain on, sorted.
func splitTail[R int | int32](ctx context.Context, rng *rand.Rand, all []R, nTrain int) ([]int, error) {
	for i := range all {
		all[i] = R(i)
	}
	if err := shuffle.Slice(ctx, rng, all); err != nil {
		return nil, err
	}
	return shuffle.Sorted(ctx, len(all), all[nTrain:])
}
