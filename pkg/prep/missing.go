package prep

import (
	"context"
	"fmt"
	"slices"

	"github.com/densetrain/densetrain/internal/cpus"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Options says how Fit prepares a table. Its values are the constants of
// their types (ParseTask, ParseScaler and ParseImputation read them from
// names); tabular.Config checks them before they get here.
type Options struct {
	Task   Task       // Classify or Regress
	Scaler Scaler     // Standard (the zero value), MinMax or NoScale
	Impute Imputation // Mean (the zero value), Median or NoImpute
	// MissingIndicator adds a 0/1 input per numeric column that has
	// missing values in the training rows.
	MissingIndicator bool
	// ScaleTarget standardizes regression targets for training.
	ScaleTarget bool
	// Workers share the passes over the rows, a range of columns each
	// (0: one per CPU); the results do not depend on their number.
	Workers int
}

// workers is o.Workers defaulted (a count out of range is taken as one
// per CPU: tabular.Config has checked its own).
func (o Options) workers() int {
	w, want := cpus.Workers(o.Workers)
	if want != "" {
		w, _ = cpus.Workers(0)
	}
	return w
}

// Fit fits the preprocessing of a table on its training rows (all rows
// when train is nil): the imputation values, the missing indicators, the
// input scaling, the class labels and the target scaling.
// It stops with ctx's error when ctx ends.
func Fit[T tensor.Float](ctx context.Context, tab *csvdata.Table[T], train []int, o Options) (*Preprocessing, error) {
	p, err := newUnscaled(ctx, tab, o.Task, nil)
	if err != nil {
		return nil, err
	}
	targets := func() (tensor.Matrix[T], error) { return Targets[T](ctx, p, tab.Targets) }
	return p, fitStats(ctx, p, tab.X, targets, rowSel{list: train}, o)
}

// Start returns the preprocessing of a table for a task before anything
// is fitted: the schema, the target names and, for classification, the
// class labels (of every row, as Fit finds them). Targets makes the
// model's targets with it; FitExcept then fits the rest. That is Fit in
// an order that lets a caller drop the table's target columns once the
// model's targets are made.
func Start[T tensor.Float](ctx context.Context, tab *csvdata.Table[T], task Task) (*Preprocessing, error) {
	return newUnscaled(ctx, tab, task, nil)
}

// StartLabels is Start with the class labels given, for classification:
// a part of a table (a fold of cross-validation) numbers its classes as
// the whole table does, and may lack some, or have a single one. labels
// must hold every class of tab's target, and at least two; nil is Start.
func StartLabels[T tensor.Float](ctx context.Context, tab *csvdata.Table[T], task Task, labels []string) (*Preprocessing, error) {
	return newUnscaled(ctx, tab, task, labels)
}

// FitExcept fits what Start left of p on the rows of x other than held
// (sorted, distinct: a validation split; nil holds out none), y being the
// model's targets that Targets made with p: p ends as Fit returns it for
// the same training rows, and x is filled in place as Fit fills it. It
// stops with ctx's error when ctx ends.
func FitExcept[T tensor.Float](ctx context.Context, p *Preprocessing, x, y tensor.Matrix[T], held []int, o Options) error {
	return fitStats(ctx, p, x, func() (tensor.Matrix[T], error) { return y, nil }, rowSel{held: held}, o)
}

// fitStats fits the imputation, the indicators and the input and target
// scaling of p on the rows train of x; targets gives the model's targets
// when target scaling needs them.
func fitStats[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T], targets func() (tensor.Matrix[T], error), train rowSel, o Options) error {
	var in tensor.Matrix[T]
	workers := o.workers()
	inputs := matrixPass(ctx, x, train, workers) // its shape; the rows are Inputs of x's
	get := func() (tensor.Matrix[T], error) {
		if in.Data == nil { // once, when the fills are known
			var err error
			in, err = Inputs(ctx, p, x)
			return in, err
		}
		return in, nil
	}
	if train.list != nil {
		inputs.list = func(f func([]T)) error {
			in, err := get()
			if err != nil {
				return err
			}
			return matrixPass(ctx, in, train, 1).list(f)
		}
	} else {
		inputs.blocks = func(f func(int, tensor.Matrix[T]) error) error {
			in, err := get()
			if err != nil {
				return err
			}
			return f(0, in)
		}
	}
	return fitPasses(ctx, p, matrixPass(ctx, x, train, workers), inputs, targets, train, o)
}

// fitPasses is fitStats over passes: raw goes over the training rows of
// the schema's columns, inputs over their model inputs (Inputs, with
// p.Fill and p.Indicators as fitted by then).
func fitPasses[T tensor.Float](ctx context.Context, p *Preprocessing, raw, inputs pass[T], targets func() (tensor.Matrix[T], error), train rowSel, o Options) error {
	var err error
	if p.Impute, err = ParseImputation(string(o.Impute.Resolved())); err != nil {
		return err // a direct caller's name: tabular.Config has checked its own
	}
	var w *welfordSums
	if p.Fill, p.Indicators, w, err = fills(ctx, raw, p.oneHot(), p.Impute == Median); err != nil {
		return err
	}
	if !o.MissingIndicator {
		p.Indicators = nil
	}
	tails := p.dateTails()
	p.Indicators = slices.DeleteFunc(p.Indicators, func(j int) bool { return tails[j] })
	inputs.cols = p.InputWidth()
	if w != nil && w.complete && o.Scaler.Resolved() == Standard {
		// No value was missing: the inputs are the values, whose
		// statistics the fills' pass has taken (and no indicators).
		p.Scaler = Standard
		if p.Offset, p.Scale, err = finishStats(ctx, raw, w.mean, w.m2, p.oneHot()); err != nil {
			return err
		}
	} else if err := fitScaler(ctx, p, inputs, o.Scaler); err != nil {
		return err
	}
	if o.ScaleTarget && p.Task == Regress {
		y, err := targets()
		if err != nil {
			return err
		}
		if p.TargetMean, p.TargetScale, err = stats(ctx, matrixPass(ctx, y, train, 1), make([]bool, y.Cols)); err != nil {
			return err
		}
	}
	return p.checkFinite()
}

// medianBytes bounds the values a pass of median fills holds: as many
// columns a pass as fit in it, one at least.
const medianBytes = 64 << 20

// fills returns each column's imputation value — the mean or median of
// its present training values (0 when there are none, and for one-hot
// columns) — and the columns with missing training values.
func fills[T tensor.Float](ctx context.Context, x pass[T], oneHot []bool, median bool) ([]float64, []int, *welfordSums, error) {
	if !median {
		return means(ctx, x, oneHot)
	}
	fill := make([]float64, x.cols)
	nan := make([]int, x.cols)
	var todo []int
	for j := range x.cols {
		if !oneHot[j] {
			todo = append(todo, j)
		}
	}
	err := sortedColumns(ctx, x, todo, nan, 1, func(j int, v []float64) {
		if len(v) == 0 {
			return
		}
		if h := len(v) / 2; len(v)%2 == 1 {
			fill[j] = v[h]
		} else {
			fill[j] = (v[h-1] + v[h]) / 2
			if !isFinite(fill[j]) { // two values near float64's limits
				fill[j] = v[h-1]/2 + v[h]/2
			}
		}
	})
	if err != nil {
		return nil, nil, nil, err
	}
	var missing []int
	for j := range x.cols {
		if nan[j] > 0 {
			missing = append(missing, j)
		}
	}
	return fill, missing, nil, nil
}

// means returns fills' means: every column's sum and count of missing
// values in one pass over the rows, in row order (the bits of a pass down
// each column, which walked the matrix with a stride of a row and took 4.4
// of a 14.5 s fit of 2 million rows of 136 columns). The same pass keeps
// Welford's sums of each column while it has no missing value (w): for a
// column that has none, they are those stats finds on the model's inputs,
// which are its values then.
func means[T tensor.Float](ctx context.Context, x pass[T], oneHot []bool) ([]float64, []int, *welfordSums, error) {
	sum, nan := make([]float64, x.cols), make([]int, x.cols)
	w := &welfordSums{mean: make([]float64, x.cols), m2: make([]float64, x.cols)}
	err := x.byColumns(ctx, func(c0, c1 int) func([]T) {
		sum, nan, mean, m2 := sum[c0:c1], nan[c0:c1], w.mean[c0:c1], w.m2[c0:c1]
		dead, k := 0, 0 // columns of the range with a missing value so far; rows
		return func(row []T) {
			row = row[c0:c1]
			for j, v := range row {
				if v != v { // NaN: missing
					if nan[j] == 0 {
						dead++
					}
					nan[j]++
					continue
				}
				sum[j] += float64(v)
			}
			k++
			switch dead {
			case 0:
				welford(row, mean, m2, float64(k))
			case len(row):
			default:
				for j, v := range row {
					if nan[j] == 0 {
						f := float64(v)
						d := f - mean[j]
						mean[j] += d / float64(k)
						m2[j] += d * (f - mean[j])
					}
				}
			}
		}
	})
	if err != nil {
		return nil, nil, nil, err
	}
	fill := make([]float64, x.cols)
	var missing []int
	w.complete = true
	for j := range x.cols {
		if oneHot[j] {
			continue
		}
		if nan[j] > 0 {
			missing = append(missing, j)
			w.complete = false
		}
		present := x.n - nan[j]
		if present == 0 {
			continue
		}
		fill[j] = sum[j] / float64(present)
		if !isFinite(fill[j]) { // the sum overflowed
			if fill[j], _, err = scaledStats(ctx, x, j); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return fill, missing, w, nil
}

// welfordSums are Welford's running means and sums of squared deviations
// of the columns; complete says that no column but one-hot ones had a
// missing value, so that they are the inputs' for every column.
type welfordSums struct {
	mean, m2 []float64
	complete bool
}

func count(n int, rows rowSel) int {
	if rows.list != nil {
		return len(rows.list)
	}
	return n - len(rows.held)
}

// ErrMissing is what Inputs' error for a missing number that the
// preprocessing does not impute is (errors.Is): a *csvdata.MissingError,
// as csvdata's for a missing cell read with Options.MissingIsError.
var ErrMissing = csvdata.ErrMissing

// Inputs returns the model's unscaled inputs for x (the schema's columns,
// NaN where missing): missing values filled and indicator columns
// appended. Without indicators it fills x in place and returns it.
func Inputs[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T]) (tensor.Matrix[T], error) {
	if x.Cols != p.Schema.Width() {
		return x, &ShapeError{What: "input columns", Got: x.Cols, Want: p.Schema.Width()}
	}
	fill := fillValues[T](p)
	if len(p.Indicators) == 0 {
		return x, fillInPlace(ctx, p, x, fill)
	}
	out := tensor.NewMatrix[T](x.Rows, p.InputWidth(), nil)
	copyRows(out, x)
	if err := inputsInPlace(ctx, p, out); err != nil {
		return x, err
	}
	return out, nil
}

// missingError is Inputs' error for a missing value at row r, column j,
// where imputation is off.
func (p *Preprocessing) missingError(r, j int) error {
	return &RowError{Row: r, Err: &csvdata.MissingError{Column: p.Schema.Names()[j]}}
}

// ScaleTargets standardizes regression targets in place with the training
// statistics (nothing without target scaling).
func ScaleTargets[T tensor.Float](p *Preprocessing, y tensor.Matrix[T]) {
	if p.TargetScale == nil {
		return
	}
	for r := range y.Rows {
		row := y.Row(r)
		for j := range row {
			row[j] = T((float64(row[j]) - p.TargetMean[j]) / p.TargetScale[j])
		}
	}
}

// checkFinite refuses statistics that are not numbers: a column whose
// values span more than float64 holds (from −1e308 to 1e308, say), whose
// scaling would turn every value into 0 or NaN.
func (p *Preprocessing) checkFinite() error {
	for j := range p.Offset {
		if !isFinite(p.Offset[j]) || !isFinite(p.Scale[j]) || j < len(p.Fill) && !isFinite(p.Fill[j]) {
			return fmt.Errorf("column %s: its values span more than float64 can hold, which no scaling makes usable", csvdata.Quote(p.inputName(j)))
		}
	}
	for j := range p.TargetMean {
		if !isFinite(p.TargetMean[j]) || !isFinite(p.TargetScale[j]) {
			return fmt.Errorf("target column %s: its values span more than float64 can hold, which no scaling makes usable", csvdata.Quote(p.Targets[j]))
		}
	}
	return nil
}
