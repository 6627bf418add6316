package train

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceSplit is the split as Fit made it with lists of int: all rows
// shuffled by rand.Shuffle, the tail sorted for validation, the rest sorted
// for training.
func referenceSplit(rows int, fraction float64, seed uint64) (train, val []int) {
	all := make([]int, rows)
	for i := range all {
		all[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, validationStream))
	rng.Shuffle(rows, func(i, j int) { all[i], all[j] = all[j], all[i] })
	nTrain := int(float64(rows) * (1 - fraction))
	val = slices.Sorted(slices.Values(all[nTrain:]))
	train = slices.Sorted(slices.Values(all[:nTrain]))
	return train, val
}

// The validation split picks the rows it picked with lists of int.
func TestSplitValidationIsTheSame(t *testing.T) {
	for _, rows := range []int{2, 10, 1000, 70_001} {
		for _, fraction := range []float64{0.1, 0.5} {
			wantTrain, wantVal := referenceSplit(rows, fraction, uint64(rows))
			val, err := SplitValidation(context.Background(), rows, fraction, uint64(rows))
			require.NoError(t, err)
			assert.Equal(t, wantVal, val, "%d rows, fraction %v", rows, fraction)
			train, val2, err := SplitRows(context.Background(), rows, fraction, uint64(rows))
			require.NoError(t, err)
			assert.Equal(t, wantTrain, train)
			assert.Equal(t, wantVal, val2)
		}
	}
	_, err := SplitValidation(context.Background(), 1, 0.5, 0)
	assert.Error(t, err)
}

// An epoch's order is the permutation that rand.Shuffle gave the list of
// training rows (as []int), epoch after epoch, from the same generator;
// with int32 and with int row numbers, and batches hand out its rows.
func TestOrderIsShuffledList(t *testing.T) {
	for _, s := range []rowSet{{n: 1000}, {n: 1000, held: []int{0, 3, 4, 500, 999}}, {n: 1}} {
		var want []int
		for r := range s.all {
			want = append(want, r)
		}
		require.Equal(t, s.len(), len(want))
		list := slices.Clone(want)
		ref := rand.New(rand.NewPCG(9, shuffleStream))
		small, large := newOrder(s, 7), newOrder(s, 7)
		large.large, large.small = make([]int, s.len()), nil
		large.reset(s)
		rs, rl := rand.New(rand.NewPCG(9, shuffleStream)), rand.New(rand.NewPCG(9, shuffleStream))
		for epoch := range 3 {
			copy(list, want)
			ref.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
			for _, o := range []*order{small, large} {
				o.reset(s)
				rng := rs
				if o == large {
					rng = rl
				}
				require.NoError(t, o.shuffle(context.Background(), rng))
				var got []int
				for lo := 0; lo < o.len(); lo += 7 {
					got = append(got, o.batch(lo, min(lo+7, o.len()))...)
				}
				assert.Equal(t, list, got, "epoch %d, int32 %v", epoch, o.small != nil)
			}
		}
	}
}
