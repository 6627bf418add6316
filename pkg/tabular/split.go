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
// (classes nil) nn.SplitRows' seeded split. The rows are sorted.
func splitRows(n int, classes []int, fraction float64, seed uint64) ([]int, error) {
	if classes == nil {
		_, val, err := nn.SplitRows(n, fraction, seed)
		return val, err
	}
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
	return val, nil
}

// classIndices returns each row's class index, as prep numbers classes.
func classIndices(c csvdata.Column) []int {
	k, _ := prep.ClassIndices(prep.Labels(c), c) // every value is one of its own column's classes
	return k
}
