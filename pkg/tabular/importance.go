package tabular

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// DefaultImportanceRepeats is how many times Importance shuffles each
// column when ImportanceOptions.Repeats is 0; MaxImportanceRepeats the
// most it takes.
const (
	DefaultImportanceRepeats = 5
	MaxImportanceRepeats     = 1000
)

// ImportanceOptions configures Importance: how the table is read and the
// network run (PredictOptions, whose Workers do not change the result),
// how many times each column is shuffled and from which seed.
type ImportanceOptions struct {
	PredictOptions
	// Repeats is the number of shuffles of each column (0:
	// DefaultImportanceRepeats; at most MaxImportanceRepeats).
	Repeats int
	// Seed seeds the shuffles: the shuffle of column j in repeat r comes
	// from a PCG (math/rand/v2) seeded with Seed and (j, r) alone, so
	// that the result depends on neither the order of the work nor the
	// number of workers.
	Seed uint64
}

// withDefaults fills in the repeats and the workers and checks them: the
// one place where either is done for Importance. A bad setting is a
// *SettingError of ImportanceOptions.
func (o ImportanceOptions) withDefaults() (ImportanceOptions, error) {
	switch {
	case o.Repeats == 0:
		o.Repeats = DefaultImportanceRepeats
	case o.Repeats < 0 || o.Repeats > MaxImportanceRepeats:
		return o, &SettingError{Struct: "ImportanceOptions", Field: "Repeats", Value: goValue(o.Repeats),
			Want: fmt.Sprintf("want 1 to %d (0: %d)", MaxImportanceRepeats, DefaultImportanceRepeats)}
	}
	p, err := o.PredictOptions.withDefaults()
	if se, ok := err.(*SettingError); ok {
		se.Struct = "ImportanceOptions" // the field is promoted: ImportanceOptions.Workers
		return o, se
	}
	o.PredictOptions = p
	return o, err
}

// Importance is the permutation importance of a table's columns for a
// model: how much its score drops when a column's values are shuffled
// across the rows, which breaks the column's link to the target while
// keeping its distribution (scikit-learn's permutation_importance).
type Importance struct {
	// Metric is the score: "accuracy" (classification) or "r2"
	// (regression, the mean over targets), as Evaluate reports it.
	Metric string
	// Baseline is the score of the rows as they are.
	Baseline float64
	// Rows is the number of rows scored (those with every target);
	// Repeats and Seed are the settings used.
	Rows    int
	Repeats int
	Seed    uint64
	// Columns holds one entry per feature column of the model, by Mean
	// descending (ties in the table's order).
	Columns []ColumnImportance
}

// ColumnImportance is the importance of one column of the table as the
// CSV file has it: a categorical column (one-hot inputs) or a numeric one
// (with its missing-value indicator, if the model has one) is shuffled as
// one.
type ColumnImportance struct {
	Name string
	// Values holds Baseline minus the score with the column shuffled, one
	// per repeat; Mean is their mean and SD their standard deviation
	// (population, as numpy's std and scikit-learn's importances_std).
	Values   []float64
	Mean, SD float64
}

// Importance reads a table with the target columns once and reports the
// permutation importance of each of the model's feature columns: the
// score of the rows as they are, then for each column, Repeats times, the
// score with that column's values shuffled across the rows (before
// preprocessing, so that a category's one-hot inputs and a number's
// missing indicator move with it), importance = baseline − that score.
// Rows with a missing target are skipped, as Evaluate skips them; the
// table is held in memory, as Evaluate holds it. The result is the same,
// bit for bit, for any number of workers.
func (m *Model) Importance(ctx context.Context, src Source, o ImportanceOptions) (*Importance, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, inputError(err)
	}
	r, err := m.net.importance(ctx, m, src, o)
	return r, withHints(err, o.hints())
}

func importance[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], src Source, o ImportanceOptions) (*Importance, error) {
	tab, err := read[T](ctx, src, m.readOptions(o.PredictOptions, true))
	if err != nil {
		return nil, err
	}
	warnSkipped(o.Warn, src.Name, tab.Skipped)
	warnUnseen(o.Warn, src.Name, tab.Unseen, o.hints())
	spans, err := featureSpans(m.Prep.Schema, tab.X.Cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	}
	// TransformWorkers may scale its input in place: the raw values are
	// kept apart.
	raw := tensor.NewMatrix(tab.X.Rows, tab.X.Cols, slices.Clone(tab.X.Data))
	x, y, err := modelData(ctx, m.Prep, tab, src.Name, o.Workers)
	if err != nil {
		return nil, err
	}
	s := scorer[T]{net: net, y: y, workers: o.Workers}
	base, metric, err := s.score(ctx, x)
	if err != nil && ctx.Err() == nil { // find the row whose answer is not a number
		if _, aerr := answer(ctx, m, net, x, o.Workers); errors.As(aerr, new(*prep.RowError)) {
			return nil, inputError(atRow(src.Name, tab, aerr))
		}
		return nil, inputError(fmt.Errorf("%s: %w", src.Name, err))
	}
	if err != nil {
		return nil, err
	}
	imp := &Importance{Metric: metric, Baseline: base, Rows: x.Rows, Repeats: o.Repeats, Seed: o.Seed}
	work := tensor.NewMatrix[T](raw.Rows, raw.Cols, nil)
	perm := make([]int, raw.Rows)
	for j, f := range m.Prep.Schema.Features {
		c := ColumnImportance{Name: f.Name, Values: make([]float64, o.Repeats)}
		for r := range o.Repeats {
			shuffled(perm, o.Seed, j, r)
			permuteColumns(work, raw, perm, spans[j], spans[j+1])
			xp, err := prep.TransformWorkers(ctx, m.Prep, work, o.Workers)
			if err == nil {
				c.Values[r], _, err = s.score(ctx, xp)
			}
			if err != nil && ctx.Err() == nil { // the baseline's values, in other rows: a score beyond the precision
				err = inputError(fmt.Errorf("%s: column %s shuffled (repeat %d): %w", src.Name, csvdata.Quote(f.Name), r+1, err))
			}
			if err != nil {
				return nil, err
			}
			c.Values[r] = base - c.Values[r]
		}
		c.Mean, c.SD = meanSD(c.Values)
		imp.Columns = append(imp.Columns, c)
	}
	slices.SortStableFunc(imp.Columns, func(a, b ColumnImportance) int { return cmp.Compare(b.Mean, a.Mean) })
	return imp, nil
}

// scorer scores model inputs against the table's targets y.
type scorer[T tensor.Float] struct {
	net     *nn.Model[T]
	y       tensor.Matrix[T]
	workers int
}

// score returns the rows' accuracy (classification) or r² and its name;
// a score that is not a finite number is an error.
func (s scorer[T]) score(ctx context.Context, x tensor.Matrix[T]) (float64, string, error) {
	_, metrics, err := train.Evaluate(ctx, s.net, x, s.y, train.EvalOptions{Workers: s.workers})
	if err != nil {
		return 0, "", err
	}
	name := "r2"
	if _, ok := metrics["accuracy"]; ok {
		name = "accuracy"
	}
	v, ok := metrics[name]
	if name == "r2" && x.Rows < 2 {
		return 0, name, fmt.Errorf("r² needs at least 2 rows, the data has %d", x.Rows)
	}
	if !ok || v-v != 0 {
		return 0, name, fmt.Errorf("the %s is %v, not a number", name, v)
	}
	return v, name, nil
}

// featureSpans returns where each feature column of the schema starts in
// a table's matrix of width cols (a categorical column takes one matrix
// column per category, a date column one per part), and the width last.
func featureSpans(s csvdata.Schema, cols int) ([]int, error) {
	spans := make([]int, 0, len(s.Features)+1)
	at := 0
	for _, f := range s.Features {
		spans = append(spans, at)
		at += f.Width()
	}
	if at != cols || at != s.Width() {
		return nil, fmt.Errorf("the table has %d feature inputs, the model's columns %d", cols, at)
	}
	return append(spans, at), nil
}

// shuffled sets perm to the shuffle of repeat r of column j: a
// permutation of the rows drawn from a PCG seeded with seed and (j, r).
func shuffled(perm []int, seed uint64, j, r int) {
	for i := range perm {
		perm[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, uint64(j)<<32|uint64(r)))
	rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
}

// permuteColumns copies src into dst with the matrix columns [lo, hi)
// of row i taken from row perm[i].
func permuteColumns[T tensor.Float](dst, src tensor.Matrix[T], perm []int, lo, hi int) {
	copy(dst.Data, src.Data)
	for i, p := range perm {
		copy(dst.Row(i)[lo:hi], src.Row(p)[lo:hi])
	}
}

// meanSD returns the mean and the population standard deviation of v.
func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)))
}
