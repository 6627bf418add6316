package tabular

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFoldsStratified: every class, and the whole table, is spread over
// the folds as evenly as can be; the folds follow the seed.
func TestFoldsStratified(t *testing.T) {
	var classes []int
	for c, n := range []int{37, 12, 5, 3, 1} {
		for range n {
			classes = append(classes, c)
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(classes), func(i, j int) { classes[i], classes[j] = classes[j], classes[i] })
	const k = 5
	fold, err := folds(context.Background(), len(classes), k, classes, nil, 9, foldStream)
	require.NoError(t, err)
	count := make([][k]int, 5)
	var size [k]int
	for r, f := range fold {
		count[classes[r]][f]++
		size[f]++
	}
	for c, per := range count {
		n := 0
		for _, m := range per {
			n += m
		}
		for f, m := range per {
			assert.True(t, m == n/k || m == (n+k-1)/k, "class %d: %d rows in fold %d of %d", c, m, f, n)
		}
	}
	for f, m := range size {
		assert.True(t, m == len(classes)/k || m == (len(classes)+k-1)/k, "fold %d has %d rows", f, m)
	}
	again, _ := folds(context.Background(), len(classes), k, classes, nil, 9, foldStream)
	assert.Equal(t, fold, again, "the same seed gives the same folds")
	other, _ := folds(context.Background(), len(classes), k, classes, nil, 10, foldStream)
	assert.NotEqual(t, fold, other, "another seed gives others")
}

// TestFoldsGroups: no group straddles two folds, and no fold is empty.
func TestFoldsGroups(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	groups := make([]int, 500)
	for r := range groups {
		groups[r] = int(rng.ExpFloat64() * 8) // groups of very different sizes
	}
	const k = 4
	fold, err := folds(context.Background(), len(groups), k, nil, groups, 1, foldStream)
	require.NoError(t, err)
	of := map[int]int{}
	var size [k]int
	for r, g := range groups {
		if f, ok := of[g]; ok {
			assert.Equal(t, f, fold[r], "group %d straddles folds", g)
		}
		of[g] = fold[r]
		size[fold[r]]++
	}
	for f, n := range size {
		assert.Greater(t, n, len(groups)/k/2, "fold %d", f)
	}
}

// TestFoldsPlain: a regression's folds take every row once, ⌊n/k⌋ or
// ⌈n/k⌉ each.
func TestFoldsPlain(t *testing.T) {
	fold, err := folds(context.Background(), 103, 10, nil, nil, 1, foldStream)
	require.NoError(t, err)
	var size [10]int
	for _, f := range fold {
		size[f]++
	}
	for _, n := range size {
		assert.True(t, n == 10 || n == 11, "%v", size)
	}
}

// groupedTable is a seeded regression table of rows in groups of three,
// each group a text id, with a group effect in y.
func groupedTable(groups int) []byte {
	rng := rand.New(rand.NewPCG(7, 8))
	var b strings.Builder
	b.WriteString("x1,patient,x2,y\n")
	for g := range groups {
		effect := rng.NormFloat64()
		for range 3 {
			x1, x2 := rng.NormFloat64(), rng.NormFloat64()
			fmt.Fprintf(&b, "%.4f,p%03d,%.4f,%.4f\n", x1, g, x2, 2*x1-x2+effect+0.1*rng.NormFloat64())
		}
	}
	return []byte(b.String())
}

// TestCVDoesNotDependOnWorkers: the whole result, classification (with
// weights) and regression by group, is the same for 1, 2 and 3 workers.
func TestCVDoesNotDependOnWorkers(t *testing.T) {
	for _, c := range []struct {
		name string
		src  Source
		cfg  Config
		o    CVOptions
	}{
		{"iris", File("../../testdata/iris.csv"), Config{Epochs: 4, ClassWeight: ClassWeight{Balanced: true}}, CVOptions{}},
		{"groups", Bytes("g.csv", groupedTable(40)), Config{Epochs: 4, MaxCategories: 10}, CVOptions{Folds: 3, Group: "patient"}},
	} {
		var ref *CVResult
		for _, w := range []int{1, 2, 3} {
			cfg := c.cfg
			cfg.Workers = w
			var seen []int
			o := c.o
			o.Fold = func(f FoldResult) { seen = append(seen, f.Fold) }
			r, err := CV(context.Background(), c.src, cfg, o)
			require.NoError(t, err, c.name)
			require.Len(t, r.Folds, len(seen), c.name)
			if ref == nil {
				ref = r
				continue
			}
			assert.Equal(t, ref, r, "%s: workers %d", c.name, w)
		}
		t.Logf("%s: mean %v sd %v", c.name, ref.Mean, ref.SD)
	}
}

// TestCVResult: per-fold rows add up to the table, the metrics are the
// task's, mean and sd are over the folds; the group column is no feature
// (as one, its 40 text values would pass MaxCategories 10).
func TestCVResult(t *testing.T) {
	r, err := CV(context.Background(), Bytes("g.csv", groupedTable(40)), Config{Epochs: 3, MaxCategories: 10}, CVOptions{Folds: 4, Group: "patient"})
	require.NoError(t, err)
	assert.Equal(t, prep.Regress, r.Task)
	assert.Equal(t, 120, r.Rows)
	require.Len(t, r.Folds, 4)
	sum := 0.0
	rows := 0
	for i, f := range r.Folds {
		assert.Equal(t, i+1, f.Fold)
		assert.Equal(t, 120, f.TrainRows+f.TestRows)
		assert.Zero(t, f.TestRows%3, "whole groups of 3 rows")
		assert.ElementsMatch(t, []string{"loss", "rmse", "mae", "r2"}, keys(f.Metrics))
		sum += f.Metrics["r2"]
		rows += f.TestRows
	}
	assert.Equal(t, 120, rows)
	assert.InDelta(t, sum/4, r.Mean["r2"], 1e-12)
	assert.Greater(t, r.SD["r2"], 0.0)

	c, err := CV(context.Background(), File("../../testdata/iris.csv"), Config{Epochs: 3}, CVOptions{Folds: 3})
	require.NoError(t, err)
	assert.Equal(t, prep.Classify, c.Task)
	for _, f := range c.Folds {
		assert.Equal(t, 50, f.TestRows, "stratified: 50 rows a fold")
		assert.ElementsMatch(t, []string{"loss", "accuracy"}, keys(f.Metrics))
	}
}

// TestCVFoldWithOneClass: a binary target with one row of a class leaves
// one fold's training rows a single class; that fold still trains a model
// of both classes (the table's), as with three classes, and CV completes.
func TestCVFoldWithOneClass(t *testing.T) {
	for _, target := range []string{"text", "number"} {
		rng := rand.New(rand.NewPCG(5, 6))
		var b strings.Builder
		b.WriteString("x1,x2,y\n")
		for i := range 40 {
			y := map[string]string{"text": "no", "number": "0"}[target]
			if i == 17 {
				y = map[string]string{"text": "yes", "number": "1"}[target]
			}
			fmt.Fprintf(&b, "%.4f,%.4f,%s\n", rng.NormFloat64(), rng.NormFloat64(), y)
		}
		var warn strings.Builder
		r, err := CV(context.Background(), Bytes("one.csv", []byte(b.String())), Config{Epochs: 2, Task: prep.Classify, Warn: &warn}, CVOptions{Folds: 4})
		require.NoError(t, err, target)
		require.Len(t, r.Folds, 4, target)
		assert.Contains(t, warn.String(), "has 1 rows, fewer than the 4 folds", target)
	}
}

// TestCVWarnsOnce: a warning about the table that every fold would give
// (here: no numeric input to embed) is written once.
func TestCVWarnsOnce(t *testing.T) {
	table := []byte("a,b,y\n" + strings.Repeat("x,p,0\ny,q,1\nx,q,1\ny,p,0\n", 5))
	var warn strings.Builder
	_, err := CV(context.Background(), Bytes("t.csv", table), Config{Epochs: 1, NumericEmbedding: PBLD, Warn: &warn}, CVOptions{Folds: 3})
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(warn.String(), "no numeric input to embed"), warn.String())
}

func keys(m map[string]float64) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

// TestCVErrors: folds the table cannot give, and settings CV cannot
// follow, are *SettingErrors; a rare class is warned of.
func TestCVErrors(t *testing.T) {
	small := []byte("a,y\n1,x\n2,x\n3,y\n4,y\n5,y\n6,x\n")
	for _, c := range []struct {
		name string
		data []byte
		cfg  Config
		o    CVOptions
		want string
	}{
		{"one fold", small, Config{}, CVOptions{Folds: 1}, "CVOptions.Folds 1: want at least 2 folds"},
		{"negative", small, Config{}, CVOptions{Folds: -3}, "CVOptions.Folds -3: want at least 2 folds"},
		{"more folds than rows", []byte("a,b\n1,2\n2,3\n3,1\n4,5\n5,3\n6,0\n"), Config{}, CVOptions{Folds: 7}, "CVOptions.Folds 7: more folds than the 6 rows of s.csv"},
		{"more folds than any class has", small, Config{}, CVOptions{Folds: 4}, "CVOptions.Folds 4: more folds than the members of every class of s.csv (the largest has 3)"},
		{"more folds than groups", groupedTable(4), Config{}, CVOptions{Folds: 5, Group: "patient"}, `CVOptions.Folds 5: more folds than the 4 groups of column "patient" in s.csv`},
		{"no group column", small, Config{}, CVOptions{Group: "g"}, `CVOptions.Group "g": no such column in s.csv`},
		{"group is the target", small, Config{Targets: []string{"y"}}, CVOptions{Group: "y"}, `CVOptions.Group "y": the group column is also a target`},
		{"group is the default target", small, Config{}, CVOptions{Group: "y"}, `CVOptions.Group "y": the group column is also the target (by default the last column)`},
		{"group ignored", small, Config{Ignore: []string{"a"}}, CVOptions{Group: "a"}, `CVOptions.Group "a": the group column is also`},
		{"cache", small, Config{Cache: t.TempDir()}, CVOptions{}, "Config.Cache"},
		{"validation table", small, Config{Val: &Source{Name: "v.csv"}}, CVOptions{}, `Config.Val "v.csv": CV validates each fold on a part of its own training rows`},
	} {
		_, err := CV(context.Background(), Bytes("s.csv", c.data), c.cfg, c.o)
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
		assert.True(t, errors.As(err, new(*SettingError)), "%s: %v", c.name, err)
	}
	var warn strings.Builder
	rare := []byte("a,y\n" + strings.Repeat("1,x\n2,y\n", 10) + "3,z\n")
	_, err := CV(context.Background(), Bytes("r.csv", rare), Config{Epochs: 1, Warn: &warn}, CVOptions{Folds: 3})
	require.NoError(t, err)
	assert.Contains(t, warn.String(), `r.csv: the least populated class, "z", has 1 rows, fewer than the 3 folds`)
}
