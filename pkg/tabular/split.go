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
// seeded split. The rows of each class are listed in 4 bytes each, sized
// by a first count. It stops with ctx's error when ctx ends.
func splitRows[C int | int32](ctx context.Context, n int, classes []C, fraction float64, seed uint64) (val, train []int, err error) {
	if classes == nil {
		train, val, err = nn.SplitRowsContext(ctx, n, fraction, seed)
		return val, train, err
	}
	var counts []int
	for r, c := range classes {
		if r&(1<<16-1) == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if int(c) >= len(counts) {
			counts = append(counts, make([]int, int(c)+1-len(counts))...)
		}
		counts[c]++
	}
	byClass := make([][]int32, len(counts)) // the rows of each class, in order
	for c, k := range counts {
		byClass[c] = make([]int32, 0, k)
	}
	for r, c := range classes {
		if r&(1<<16-1) == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		byClass[c] = append(byClass[c], int32(r))
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(seed, splitStream))
	var picked []int32
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

// classIndices returns each row's class index, as prep numbers classes,
// in 4 bytes each; it stops with ctx's error when ctx ends.
func classIndices(ctx context.Context, c csvdata.Column) ([]int32, error) {
	labels, err := prep.Labels(ctx, c)
	if err != nil {
		return nil, err
	}
	k := make([]int32, c.Len())
	// every value is one of its own column's classes: the only error is ctx's
	if err := prep.EachClass(ctx, labels, c, func(i, class int) { k[i] = int32(class) }); err != nil {
		return nil, err
	}
	return k, nil
}
