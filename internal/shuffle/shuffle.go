package shuffle

import (
	"context"
	"math/bits"
	"math/rand/v2"
)

// every is the number of swaps (or rows) between two looks at the context.
const every = 1 << 16

// Slice shuffles s exactly as rng.Shuffle(len(s), swap s[i] and s[j])
// does, drawing the same numbers from rng, and returns ctx's error if ctx
// ends first (s is then partly shuffled and rng partly advanced).
func Slice[E any](ctx context.Context, rng *rand.Rand, s []E) error {
	for i := len(s) - 1; i > 0; i-- {
		if i%every == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		j := int(rng.Uint64N(uint64(i + 1)))
		s[i], s[j] = s[j], s[i]
	}
	return nil
}

// Split returns, in increasing order, the rows of 0…n−1 that are in picked
// (which holds distinct rows in any order) and those that are not: what
// sorting picked and its complement gives, in linear time and stopping
// with ctx's error if ctx ends first.
func Split[R int | int32](ctx context.Context, n int, picked []R) (in, out []int, err error) {
	mark := make([]bool, n)
	for _, r := range picked {
		mark[r] = true
	}
	in, out = make([]int, 0, len(picked)), make([]int, 0, n-len(picked))
	for r, m := range mark {
		if r%every == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		if m {
			in = append(in, r)
		} else {
			out = append(out, r)
		}
	}
	return in, out, nil
}

// Sorted returns the rows of picked (distinct rows of 0…n−1, in any
// order) in increasing order — Split's in, without the complement: it
// marks them in a bitmap of n bits rather than a flag a row, and stops
// with ctx's error if ctx ends first.
func Sorted[R int | int32](ctx context.Context, n int, picked []R) ([]int, error) {
	mark := make([]uint64, (n+63)/64)
	for _, r := range picked {
		mark[r/64] |= 1 << (uint(r) % 64)
	}
	in := make([]int, 0, len(picked))
	for w, word := range mark {
		if w%(every/64) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for m := word; m != 0; m &= m - 1 {
			in = append(in, w*64+bits.TrailingZeros64(m))
		}
	}
	return in, nil
}
