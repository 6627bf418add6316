package tabular

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"github.com/densetrain/densetrain/internal/shuffle"
	"github.com/densetrain/densetrain/pkg/csvdata"
)

// foldStream is the PCG stream of CV's folds.
const foldStream = 6

// folds gives every row of a table its fold in [0, k), as scikit-learn's
// splitters do, from the seed and PCG stream alone (never from the
// workers):
//
//   - groups (each row's group, numbered from 0; nil: none) keeps the rows
//     of a group in one fold, as GroupKFold: the groups, in a seeded
//     order, largest first, each go to the fold with the fewest rows so
//     far;
//   - else classes (each row's class, numbered from 0; nil: a regression)
//     spreads every class over the folds as StratifiedKFold with
//     shuffle: the rows of each class, shuffled, are dealt round the folds
//     in turn, class after class — each fold gets ⌊n/k⌋ or ⌈n/k⌉ of every
//     class and of all the rows;
//   - else the rows, shuffled, are dealt round the folds (KFold with
//     shuffle).
func folds(ctx context.Context, n, k int, classes, groups []int, seed, stream uint64) ([]int, error) {
	rng := rand.New(rand.NewPCG(seed, stream))
	fold := make([]int, n)
	if groups != nil {
		size := make([]int, slices.Max(groups)+1)
		for _, g := range groups {
			size[g]++
		}
		order := make([]int, len(size))
		for g := range order {
			order[g] = g
		}
		if err := shuffle.Slice(ctx, rng, order); err != nil {
			return nil, err
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size[b], size[a]) })
		of, rows := make([]int, len(size)), make([]int, k)
		for _, g := range order {
			f := 0
			for i, r := range rows {
				if r < rows[f] {
					f = i
				}
			}
			of[g], rows[f] = f, rows[f]+size[g]
		}
		for r, g := range groups {
			fold[r] = of[g]
		}
		return fold, nil
	}
	var dealt []int // the rows in the order they are dealt round the folds
	if classes == nil {
		dealt = make([]int, n)
		for r := range dealt {
			dealt[r] = r
		}
		if err := shuffle.Slice(ctx, rng, dealt); err != nil {
			return nil, err
		}
	} else {
		byClass := make([][]int, slices.Max(classes)+1)
		for r, c := range classes {
			byClass[c] = append(byClass[c], r)
		}
		dealt = make([]int, 0, n)
		for _, rows := range byClass {
			if err := shuffle.Slice(ctx, rng, rows); err != nil {
				return nil, err
			}
			dealt = append(dealt, rows...)
		}
	}
	for i, r := range dealt {
		fold[r] = i % k
	}
	return fold, nil
}

// checkFolds refuses a number of folds the table cannot give (more than
// its rows, its groups, or the members of every class), and warns, as
// scikit-learn does, of a class with fewer members than folds.
func checkFolds(w io.Writer, name string, n, k int, labels []string, classes []int, groups int, o CVOptions) error {
	switch {
	case k > n:
		return cvSettingError("Folds", k, "more folds than the %d rows of %s", n, name)
	case o.Group != "" && k > groups:
		return cvSettingError("Folds", k, "more folds than the %d groups of column %s in %s", groups, csvdata.Quote(o.Group), name)
	case o.Group != "" || classes == nil:
		return nil
	}
	count := make([]int, len(labels))
	for _, c := range classes {
		count[c]++
	}
	least := slices.Index(count, slices.Min(count))
	if slices.Max(count) < k {
		return cvSettingError("Folds", k, "more folds than the members of every class of %s (the largest has %d)", name, slices.Max(count))
	}
	if w != nil && count[least] < k {
		fmt.Fprintf(w, "%s: the least populated class, %s, has %d rows, fewer than the %d folds: some folds test none of it\n",
			name, csvdata.Quote(labels[least]), count[least], k)
	}
	return nil
}

// cvSettingError returns the *SettingError of CVOptions' field with
// value v.
func cvSettingError(field string, v any, want string, args ...any) error {
	return &SettingError{Struct: "CVOptions", Field: field, Value: goValue(v), Want: fmt.Sprintf(want, args...)}
}
