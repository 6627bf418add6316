package tabular

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
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

// TestMemberParts checks the parts an ensemble's members validate on:
// disjoint, about ValSplit of the rows each, stratified by class, from the
// seed alone; and none where the members share a split or hold out none.
func TestMemberParts(t *testing.T) {
	ctx := context.Background()
	const n = 103
	y := tensor.NewMatrix(n, 1, make([]float32, n))
	count := [3]int{}
	for r := range n {
		c := r % 7 % 3 // classes of 49, 30 and 24 rows
		y.Data[r] = float32(c)
		count[c]++
	}
	parts, err := memberParts(ctx, Config{Ensemble: 5, Seed: 4}, prep.Classify, y)
	require.NoError(t, err)
	require.Len(t, parts, 5, "ten folds, one for each of the five members")
	seen := map[int]bool{}
	for _, part := range parts {
		assert.InDelta(t, n/10, len(part), 1)
		assert.True(t, slices.IsSorted(part))
		var in [3]int
		for _, r := range part {
			assert.False(t, seen[r], "row %d in two parts", r)
			seen[r] = true
			in[int(y.Data[r])]++
		}
		for c, k := range in {
			assert.InDelta(t, float64(count[c])/10, k, 1, "class %d", c)
		}
	}
	again, err := memberParts(ctx, Config{Ensemble: 5, Seed: 4}, prep.Classify, y)
	require.NoError(t, err)
	assert.Equal(t, parts, again)
	other, err := memberParts(ctx, Config{Ensemble: 5, Seed: 5}, prep.Classify, y)
	require.NoError(t, err)
	assert.NotEqual(t, parts, other)

	half, err := memberParts(ctx, Config{Ensemble: 3, ValSplit: 0.5}, prep.Regress, y)
	require.NoError(t, err)
	assert.Len(t, half, 2, "a half: two folds")
	quarter, err := memberParts(ctx, Config{Ensemble: 6, ValSplit: 0.25}, prep.Regress, y)
	require.NoError(t, err)
	require.Len(t, quarter, 4, "four folds for six members: members 4 and 5 take folds 0 and 1 again")
	total := 0
	for _, part := range quarter {
		total += len(part)
		assert.InDelta(t, n/4, len(part), 1)
	}
	assert.Equal(t, n, total)
	for _, f := range []float64{0.001, 1e-20, 1e-300} { // 1/f beyond any int: no overflow
		tiny, err := memberParts(ctx, Config{Ensemble: 3, ValSplit: f}, prep.Regress, y)
		require.NoError(t, err)
		require.Len(t, tiny, 3)
		for _, part := range tiny {
			assert.Len(t, part, 1, "at most as many folds as rows (ValSplit %v)", f)
		}
	}

	small := tensor.NewMatrix(DefaultValMinRows-1, 1, make([]float32, DefaultValMinRows-1))
	val := File("v.csv")
	for _, c := range []Config{
		{Ensemble: 1}, {Ensemble: 5, SharedVal: true}, {Ensemble: 5, NoValSplit: true}, {Ensemble: 5, Val: &val},
		{Ensemble: 5, ValSplit: 0.6},
	} {
		p, err := memberParts(ctx, c, prep.Classify, y)
		require.NoError(t, err)
		assert.Nil(t, p, "%+v", c)
	}
	p, err := memberParts(ctx, Config{Ensemble: 5}, prep.Regress, small)
	require.NoError(t, err)
	assert.Nil(t, p, "a table under DefaultValMinRows holds out nothing by default")
	p, err = memberParts(ctx, Config{Ensemble: 5, ValSplit: 0.2}, prep.Regress, small)
	require.NoError(t, err)
	assert.Len(t, p, 5, "unless asked")
}

// TestSizeDefaults: the defaults that depend on the table's size and
// task, which CV takes from the whole table.
func TestSizeDefaults(t *testing.T) {
	small, large := DefaultEnsembleMaxRows, DefaultEnsembleMaxRows+1
	c := sizeDefaults(Config{}, prep.Classify, small)
	assert.Equal(t, DefaultEnsemble, c.Ensemble)
	assert.Equal(t, DefaultLabelSmoothing, c.LabelSmoothing)
	c = sizeDefaults(Config{}, prep.Classify, large)
	assert.Equal(t, 1, c.Ensemble)
	assert.True(t, c.NoLabelSmoothing, "a large table keeps plain cross-entropy")
	again := sizeDefaults(c, prep.Classify, small) // a fold of the large table
	assert.Equal(t, 1, again.Ensemble)
	assert.Zero(t, again.LabelSmoothing, "set once, by the whole table")
	c = sizeDefaults(Config{}, prep.Regress, small)
	assert.Zero(t, c.LabelSmoothing)
	assert.Equal(t, 1, sizeDefaults(Config{CheckpointPath: "x"}, prep.Classify, small).Ensemble)
	assert.Equal(t, 0.3, sizeDefaults(Config{LabelSmoothing: 0.3}, prep.Classify, large).LabelSmoothing)
}
