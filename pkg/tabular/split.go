package tabular

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
)

// splitStream is the PCG stream of the validation split.
const splitStream = 5

// splitRows returns the validation rows of a table of n rows: for
// classification (classes holds each row's class) a stratified split —
// each class with at least two rows gives round(fraction × its rows), at
// least one and never all, drawn by a seeded shuffle; for regression
// (classes nil) nn.SplitRows' seeded split. The rows are sorted. The rows
// of each class are listed in 4 bytes each, sized by a first count.
func splitRows[C int | int32](n int, classes []C, fraction float64, seed uint64) ([]int, error) {
	if classes == nil {
		_, val, err := nn.SplitRows(n, fraction, seed)
		return val, err
	}
	counts := map[C]int{}
	for _, c := range classes {
		counts[c]++
	}
	byClass := make(map[C][]int32, len(counts))
	for c, k := range counts {
		byClass[c] = make([]int32, 0, k)
	}
	for r, c := range classes {
		byClass[c] = append(byClass[c], int32(r))
	}
	keys := make([]C, 0, len(byClass))
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
		for _, r := range rows[:k] {
			val = append(val, int(r))
		}
	}
	slices.Sort(val)
	return val, nil
}

// classIndices returns each row's class index, as prep numbers classes,
// in 4 bytes each.
func classIndices(c csvdata.Column) []int32 {
	k := make([]int32, c.Len())
	_ = prep.EachClass(prep.Labels(c), c, func(i, class int) { k[i] = int32(class) }) // every value is one of its own column's classes
	return k
}
