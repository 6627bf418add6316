package tabular

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// ClassWeight weighs each training row's loss by its class, for
// classification (Keras' class_weight, scikit-learn's class_weight). Its
// zero value weighs every class 1. The weights multiply the training
// loss only: the validation loss that early stopping watches, and
// Evaluate, weigh every row 1.
type ClassWeight struct {
	// Balanced weighs class k by n / (classes · nₖ), counted over the
	// training rows (the validation rows left out), as scikit-learn's
	// compute_class_weight("balanced"): every class then weighs as much
	// in total.
	Balanced bool
	// Labels weighs each class named, by its label as the table writes
	// it; a class not named weighs 1. A label that is no class of the
	// target is a *SettingError.
	Labels map[string]float64
}

// IsZero reports whether w weighs every class 1 by default (no setting).
func (w ClassWeight) IsZero() bool { return !w.Balanced && w.Labels == nil }

// String writes w as the train command's --class-weight takes it:
// "balanced", or LABEL=W pairs in the order of the labels ("" for none).
func (w ClassWeight) String() string {
	if w.Balanced {
		return "balanced"
	}
	pairs := make([]string, 0, len(w.Labels))
	for _, l := range slices.Sorted(maps.Keys(w.Labels)) {
		pairs = append(pairs, l+"="+strconv.FormatFloat(w.Labels[l], 'g', -1, 64))
	}
	return strings.Join(pairs, ",")
}

// check refuses weights that are not finite values ≥ 0, and Balanced
// with Labels.
func (w ClassWeight) check() error {
	if w.Balanced && w.Labels != nil {
		return settingError("ClassWeight", w, "give Balanced or Labels, not both")
	}
	for _, l := range slices.Sorted(maps.Keys(w.Labels)) {
		if v := w.Labels[l]; !(v >= 0) || math.IsInf(v, 1) {
			return settingError("ClassWeight", w, "class %s weighs %v: want a finite weight ≥ 0", csvdata.Quote(l), v)
		}
	}
	return nil
}

// checkSampleWeight refuses a Config.SampleWeight that is also a target,
// an ignored or a categorical column, or that comes with a cache.
func (c Config) checkSampleWeight() error {
	name := c.SampleWeight
	if name == "" {
		return nil
	}
	for _, l := range []struct {
		role  string
		names []string
	}{{"a target", c.Targets}, {"an ignored", c.Ignore}, {"a categorical", c.Categorical}} {
		if slices.Contains(l.names, name) {
			return settingError("SampleWeight", name, "also named as %s column: the weights' column is no feature and no target", l.role)
		}
	}
	if c.Cache != "" {
		return settingError("SampleWeight", name, "is not supported with a block cache (Config.Cache): train from the table in memory")
	}
	return nil
}

// classWeights returns the train.Options class weights of w for the
// preprocessing p: one per class, or balanced.
func classWeights(p *prep.Preprocessing, w ClassWeight) ([]float64, bool, error) {
	if w.IsZero() {
		return nil, false, nil
	}
	if p.Task != prep.Classify {
		return nil, false, settingError("ClassWeight", w, "weighs classes, and the task is a regression")
	}
	if w.Balanced {
		return nil, true, nil
	}
	cw := make([]float64, len(p.Labels))
	for i := range cw {
		cw[i] = 1
	}
	index := p.ClassIndex()
	named := make(map[int]string, len(w.Labels))
	for _, l := range slices.Sorted(maps.Keys(w.Labels)) {
		i, ok := index.Of(l)
		if !ok {
			return nil, false, settingError("ClassWeight", w, "no class %s in the target (its classes: %s)", csvdata.Quote(l), quoteList(p.Labels))
		}
		if o, twice := named[i]; twice {
			return nil, false, settingError("ClassWeight", w, "%s and %s name one class", csvdata.Quote(o), csvdata.Quote(l))
		}
		named[i] = l
		cw[i] = w.Labels[l]
	}
	return cw, false, nil
}

// quoteList quotes names, separated by commas: the first 20 and how many
// more.
func quoteList(names []string) string {
	const most = 20
	q := make([]string, 0, min(len(names), most))
	for _, n := range names[:min(len(names), most)] {
		q = append(q, csvdata.Quote(n))
	}
	if len(names) > most {
		q = append(q, fmt.Sprintf("and %d more", len(names)-most))
	}
	return strings.Join(q, ", ")
}

// takeSampleWeights takes the column c.SampleWeight out of the table
// read (it is read as a feature, so that a missing cell is found at its
// place): the features close up over it, in place, and its values are
// returned, one a row. A missing, negative or non-finite weight, or a
// column of text, is an *InputError at its line. Without a
// SampleWeight it returns nil.
func takeSampleWeights[T tensor.Float](ctx context.Context, name string, tab *csvdata.Table[T], c Config) ([]float64, error) {
	col := c.SampleWeight
	if col == "" {
		return nil, nil
	}
	fi := slices.IndexFunc(tab.Schema.Features, func(f csvdata.FeatureColumn) bool { return f.Name == col })
	if fi < 0 {
		return nil, inputError(settingError("SampleWeight", col, "no such column in %s (columns: %s)", name, quoteList(tab.Header)))
	}
	if len(tab.Schema.Features) == 1 {
		return nil, inputError(settingError("SampleWeight", col, "the table's only feature column: no feature is left to train on"))
	}
	j := 0 // the column's place in the matrix
	for _, f := range tab.Schema.Features[:fi] {
		j += f.Width()
	}
	f := tab.Schema.Features[fi]
	if f.Date != "" {
		return nil, inputError(settingError("SampleWeight", col, "holds dates in %s: want a column of numbers", name))
	}
	bad := func(row int, format string, args ...any) error {
		return inputError(atRow(name, tab, &prep.RowError{Row: row, Err: fmt.Errorf("sample weight column %s: "+format, append([]any{csvdata.Quote(col)}, args...)...)}))
	}
	if f.Categories != nil { // text: the first row of a category that is no number
		for r := range tab.X.Rows {
			row := tab.X.Row(r)
			for k, cat := range f.Categories {
				if _, err := strconv.ParseFloat(cat, 64); row[j+k] == 1 && err != nil {
					if cat == "" {
						return nil, bad(r, "a missing weight: give every row a weight")
					}
					return nil, bad(r, "%s is not a number: want a finite weight ≥ 0", csvdata.Quote(cat))
				}
			}
		}
		return nil, inputError(fmt.Errorf("%s: sample weight column %s holds text: want numbers", name, csvdata.Quote(col)))
	}
	for _, m := range tab.Missing {
		if m.Column == col && m.Count > 0 {
			file := m.File
			if file == "" {
				file = name
			}
			return nil, inputError(&csvdata.ParseError{File: file, Line: m.Line, Column: m.Offset,
				Err: fmt.Errorf("sample weight column %s: a missing weight (%d in all): give every row a weight", csvdata.Quote(col), m.Count)})
		}
	}
	rows, cols := tab.X.Rows, tab.X.Cols
	w := make([]float64, rows)
	for r := range rows {
		if r&(1<<16-1) == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row := tab.X.Data[r*cols : (r+1)*cols]
		w[r] = float64(row[j])
		if !(w[r] >= 0) || math.IsInf(w[r], 1) {
			return nil, bad(r, "weight %v: want a finite weight ≥ 0", w[r])
		}
		out := tab.X.Data[r*(cols-1) : (r+1)*(cols-1)] // starts at or before row: copy moves left
		copy(out[:j], row[:j])
		copy(out[j:], row[j+1:])
	}
	tab.X = tensor.NewMatrix(rows, cols-1, tab.X.Data[:rows*(cols-1)])
	tab.Schema.Features = slices.Delete(slices.Clone(tab.Schema.Features), fi, fi+1)
	tab.Missing = slices.DeleteFunc(slices.Clone(tab.Missing), func(m csvdata.Cells) bool { return m.Column == col })
	return w, nil
}

// zeroWeight is the error of c's weights when every training row weighs
// 0 (train.ErrZeroWeight): named by the sample weights' column when c
// has one, else by the class weights. held says that rows of weight > 0
// were held out (for validation, or as a fold's test rows).
func zeroWeight(c Config, held bool) error {
	if c.SampleWeight != "" {
		also := ""
		if !c.ClassWeight.IsZero() {
			also = " (times its class weight)"
		}
		if held {
			also += ", the rows that weigh more are all held out (validation rows, a member's validation part or a fold's test rows)"
		}
		return settingError("SampleWeight", c.SampleWeight, "every training row weighs 0%s: nothing to train on", also)
	}
	return settingError("ClassWeight", c.ClassWeight, "every training row weighs 0: nothing to train on")
}
