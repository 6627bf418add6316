package tabular

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plantedTable is a table of rows whose target depends on one column
// alone: the class is the sign of x (classify), or y is 3·x plus a
// little noise; noise and color are noise, and noise has missing cells.
func plantedTable(rows int, regress bool) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	b.WriteString("noise,color,x,y\n")
	colors := []string{"red", "green", "blue"}
	for i := range rows {
		x, n := 2*rng.Float64()-1, fmt.Sprintf("%.4f", 2*rng.Float64()-1)
		if i%10 == 3 {
			n = "NA"
		}
		y := "neg"
		if x > 0 {
			y = "pos"
		}
		if regress {
			y = fmt.Sprintf("%.4f", 3*x+0.05*rng.NormFloat64())
		}
		fmt.Fprintf(&b, "%s,%s,%.4f,%s\n", n, colors[rng.IntN(3)], x, y)
	}
	return []byte(b.String())
}

// TestImportanceRanksThePlantedColumnFirst: the column the target
// depends on ranks first with a clearly positive importance, the noise
// columns (a categorical one, a numeric one with a missing indicator)
// near 0; the result is the same bit for bit for 1, 2 and 3 workers, and
// another seed gives other shuffles.
func TestImportanceRanksThePlantedColumnFirst(t *testing.T) {
	ctx := context.Background()
	for _, regress := range []bool{false, true} {
		data := plantedTable(600, regress)
		cfg := Config{Targets: []string{"y"}, Hidden: []int{16}, Epochs: 40, Workers: 1, Seed: 3, MissingIndicator: true}
		metric := "accuracy"
		if regress {
			cfg.Task, metric = "regress", "r2"
		}
		m, err := Fit(ctx, Bytes("planted", data), cfg)
		require.NoError(t, err)
		require.Len(t, m.Prep.Indicators, 1, "noise has a missing indicator")
		ev, err := m.Evaluate(ctx, Bytes("planted", data), PredictOptions{Workers: 1})
		require.NoError(t, err)

		var ref *Importance
		for _, w := range []int{1, 2, 3} {
			imp, err := m.Importance(ctx, Bytes("planted", data), ImportanceOptions{PredictOptions: PredictOptions{Workers: w}, Seed: 11})
			require.NoError(t, err)
			if ref == nil {
				ref = imp
				continue
			}
			assert.Equal(t, ref, imp, "workers %d give other importances", w)
		}
		assert.Equal(t, metric, ref.Metric)
		assert.Equal(t, ev.Metrics[metric], ref.Baseline, "the baseline is Evaluate's score")
		assert.Equal(t, 600, ref.Rows)
		assert.Equal(t, DefaultImportanceRepeats, ref.Repeats)
		require.Len(t, ref.Columns, 3)
		top := ref.Columns[0]
		assert.Equal(t, "x", top.Name, "%+v", ref.Columns)
		assert.Greater(t, top.Mean, 0.3, "x matters")
		assert.Len(t, top.Values, DefaultImportanceRepeats)
		for _, c := range ref.Columns[1:] {
			assert.Contains(t, []string{"noise", "color"}, c.Name)
			assert.Less(t, math.Abs(c.Mean), 0.05, "%s is noise", c.Name)
		}
		mean, sd := meanSD(top.Values)
		assert.Equal(t, mean, top.Mean)
		assert.Equal(t, sd, top.SD)
		assert.Positive(t, top.SD, "the shuffles differ")

		other, err := m.Importance(ctx, Bytes("planted", data), ImportanceOptions{Seed: 12, Repeats: 2})
		require.NoError(t, err)
		assert.Len(t, other.Columns[0].Values, 2)
		assert.NotEqual(t, ref.Columns[0].Values[:2], other.Columns[0].Values, "another seed, other shuffles")
	}
}

// TestImportanceMeanSDArePopulation: the standard deviation divides by
// the number of repeats, as numpy's std (ddof 0) does.
func TestImportanceMeanSDArePopulation(t *testing.T) {
	mean, sd := meanSD([]float64{1, 2, 3, 4})
	assert.Equal(t, 2.5, mean)
	assert.InDelta(t, math.Sqrt(1.25), sd, 1e-15)
	mean, sd = meanSD([]float64{0.25})
	assert.Equal(t, 0.25, mean)
	assert.Zero(t, sd)
}

// TestImportanceShufflesAColumnGroupTogether: a categorical column's
// one-hot inputs move as one row (each row keeps one 1), the other
// columns stay where they are, and the shuffle is a permutation that
// depends on the seed, the column and the repeat alone.
func TestImportanceShufflesAColumnGroupTogether(t *testing.T) {
	// Columns: a number, then a category of three (one-hot), then a number.
	src := tensor.NewMatrix[float32](50, 5, nil)
	for i := range src.Rows {
		row := src.Row(i)
		row[0], row[1+i%3], row[4] = float32(i), 1, float32(-i)
	}
	perm := make([]int, src.Rows)
	shuffled(perm, 5, 1, 0)
	assert.ElementsMatch(t, perm, func() []int { p := make([]int, src.Rows); shuffled(p, 5, 1, 0); return p }())
	sorted := slices.Sorted(slices.Values(perm))
	for i, p := range sorted {
		require.Equal(t, i, p, "a permutation")
	}
	dst := tensor.NewMatrix[float32](src.Rows, src.Cols, nil)
	permuteColumns(dst, src, perm, 1, 4)
	moved := 0
	for i := range dst.Rows {
		row := dst.Row(i)
		assert.Equal(t, []float32{float32(i), float32(-i)}, []float32{row[0], row[4]}, "the other columns stay")
		assert.Equal(t, src.Row(perm[i])[1:4], row[1:4], "the group moves whole")
		if perm[i]%3 != i%3 {
			moved++
		}
	}
	assert.Positive(t, moved)
	for _, o := range [][3]int{{6, 1, 0}, {5, 2, 0}, {5, 1, 1}} {
		other := make([]int, src.Rows)
		shuffled(other, uint64(o[0]), o[1], o[2])
		assert.NotEqual(t, perm, other, "seed, column, repeat %v", o)
	}
}

// TestImportanceOptionsAreChecked: a bad setting is a *SettingError of
// ImportanceOptions naming its field, before anything is read.
func TestImportanceOptionsAreChecked(t *testing.T) {
	m, err := Fit(context.Background(), Bytes("t", plantedTable(40, false)), Config{Targets: []string{"y"}, Hidden: []int{2}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	for _, c := range []struct {
		o     ImportanceOptions
		field string
		want  string
	}{
		{ImportanceOptions{Repeats: -1}, "Repeats", "ImportanceOptions.Repeats -1: want 1 to 1000 (0: 5)"},
		{ImportanceOptions{Repeats: MaxImportanceRepeats + 1}, "Repeats", "ImportanceOptions.Repeats 1001: want 1 to 1000 (0: 5)"},
		{ImportanceOptions{PredictOptions: PredictOptions{Workers: -1}}, "Workers", "ImportanceOptions.Workers -1: want 0 (one per CPU) or more"},
	} {
		_, err := m.Importance(context.Background(), File("/no/such/file.csv"), c.o)
		var se *SettingError
		require.True(t, errors.As(err, &se), "%v", err)
		assert.Equal(t, c.field, se.Field)
		assert.EqualError(t, err, c.want)
		assert.True(t, errors.As(err, new(*InputError)))
	}
}

// TestImportanceNamesTheFileOfABadRow: a table the model cannot read is
// an input error at its line, as Evaluate's.
func TestImportanceNamesTheFileOfABadRow(t *testing.T) {
	m, err := Fit(context.Background(), Bytes("t", plantedTable(40, false)), Config{Targets: []string{"y"}, Hidden: []int{2}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	_, err = m.Importance(context.Background(), Bytes("bad.csv", []byte("noise,color,x,y\n0.1,red,abc,pos\n")), ImportanceOptions{})
	require.Error(t, err)
	assert.True(t, errors.As(err, new(*InputError)))
	assert.Contains(t, err.Error(), "bad.csv:2:")
}

// TestImportanceOfOneRegressionRow: r² of one row is not defined, and
// importance says so rather than "NaN".
func TestImportanceOfOneRegressionRow(t *testing.T) {
	m, err := Fit(context.Background(), Bytes("t", plantedTable(40, true)), Config{Targets: []string{"y"}, Hidden: []int{2}, Epochs: 1, Workers: 1})
	require.NoError(t, err)
	one := strings.Join(strings.SplitAfter(string(plantedTable(40, true)), "\n")[:2], "")
	_, err = m.Importance(context.Background(), Bytes("one.csv", []byte(one)), ImportanceOptions{})
	assert.ErrorContains(t, err, "one.csv: r² needs at least 2 rows, the data has 1")
}
