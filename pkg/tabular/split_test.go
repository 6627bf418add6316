package tabular

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceSplit is the stratified split as it was written before it
// could be stopped (a map of classes, rand.Shuffle, a sort): the split —
// and so every model file — must not change.
func referenceSplit(classes []int, fraction float64, seed uint64) []int {
	byClass := map[int][]int{}
	for r, c := range classes {
		byClass[c] = append(byClass[c], r)
	}
	keys := make([]int, 0, len(byClass))
	for c := range byClass {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	rng := rand.New(rand.NewPCG(seed, splitStream))
	var val []int
	for _, c := range keys {
		rows := byClass[c]
		if len(rows) < 2 {
			continue
		}
		k := min(max(int(math.Round(fraction*float64(len(rows)))), 1), len(rows)-1)
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		val = append(val, rows[:k]...)
	}
	slices.Sort(val)
	return val
}

func TestSplitIsTheSameAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{2, 10, 1000, 200_000} {
		for _, k := range []int{1, 2, 7} {
			classes := make([]int, n)
			for i := range classes {
				classes[i] = rng.IntN(k)
			}
			val, err := splitRows(context.Background(), n, classes, 0.1, uint64(n+k))
			require.NoError(t, err)
			if want := referenceSplit(classes, 0.1, uint64(n+k)); len(want) == 0 {
				assert.Empty(t, val)
			} else {
				assert.Equal(t, want, val, "n %d, %d classes", n, k)
			}
			assert.IsIncreasing(t, val)
		}
	}
}

// A cancelled context stops the split with its error.
func TestSplitStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	classes := make([]int, 300_000)
	_, err := splitRows(ctx, len(classes), classes, 0.1, 1)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = splitRows[int](ctx, len(classes), nil, 0.1, 1)
	assert.ErrorIs(t, err, context.Canceled)
}
