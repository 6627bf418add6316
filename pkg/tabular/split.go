package tabular

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/densetrain/densetrain/internal/shuffle"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
)

// splitStream is the PCG stream of the validation split.
const splitStream = 5

// splitRows returns the validation rows of a table of n rows and the
// training rows, each sorted: for classification (classes holds each row's
// class, numbered from 0) a stratified split — each class with at least
// two rows gives round(fraction × its rows), at least one and never all,
// drawn by a seeded shuffle; for regression (classes nil) nn.SplitRows'
// seeded split. It stops with ctx's error when ctx ends.
func splitRows(ctx context.Context, n int, classes []int, fraction float64, seed uint64) (val, train []int, err error) {
	if classes == nil {
		train, val, err = nn.SplitRowsContext(ctx, n, fraction, seed)
		return val, train, err
	}
	var byClass [][]int // the rows of each class, in order
	for r, c := range classes {
		if c >= len(byClass) {
			byClass = append(byClass, make([][]int, c+1-len(byClass))...)
		}
		byClass[c] = append(byClass[c], r)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(seed, splitStream))
	var picked []int
	for _, rows := range byClass {
		if len(rows) < 2 {
			continue
		}
		k := min(max(int(math.Round(fraction*float64(len(rows)))), 1), len(rows)-1)
		if err := shuffle.Slice(ctx, rng, rows); err != nil {
			return nil, nil, err
		}
		picked = append(picked, rows[:k]...)
	}
	return shuffle.Split(ctx, n, picked)
}

// classIndices returns each row's class index, as prep numbers classes.
func classIndices(c csvdata.Column) []int {
	k, _ := prep.ClassIndices(prep.Labels(c), c) // every value is one of its own column's classes
	return k
}
