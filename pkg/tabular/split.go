package tabular

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/densetrain/densetrain/internal/shuffle"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// splitStream is the PCG stream of the validation split.
const splitStream = 5

// splitRows returns the validation rows of a table of n rows, sorted (the
// training rows are the others): for classification (classes holds each
// row's class, numbered from 0) a stratified split — each class with at least
// two rows gives round(fraction × its rows), at least one and never all,
// drawn by a seeded shuffle; for regression (classes nil) train.SplitRows'
// seeded split. The rows of each class are listed in 4 bytes each, sized
// by a first count. It stops with ctx's error when ctx ends.
func splitRows[C int | int32 | tensor.Float](ctx context.Context, n int, classes []C, fraction float64, seed uint64) ([]int, error) {
	if classes == nil {
		return train.SplitValidation(ctx, n, fraction, seed)
	}
	var counts []int
	for r, c := range classes {
		if r&(1<<16-1) == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if int(c) >= len(counts) {
			counts = append(counts, make([]int, int(c)+1-len(counts))...)
		}
		counts[int(c)]++
	}
	byClass := make([][]int32, len(counts)) // the rows of each class, in order
	for c, k := range counts {
		byClass[c] = make([]int32, 0, k)
	}
	for r, c := range classes {
		if r&(1<<16-1) == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		byClass[int(c)] = append(byClass[int(c)], int32(r))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, splitStream))
	var picked []int32
	for _, rows := range byClass {
		if len(rows) < 2 {
			continue
		}
		k := min(max(int(math.Round(fraction*float64(len(rows)))), 1), len(rows)-1)
		if err := shuffle.Slice(ctx, rng, rows); err != nil {
			return nil, err
		}
		picked = append(picked, rows[:k]...)
	}
	return shuffle.Sorted(ctx, n, picked)
}
