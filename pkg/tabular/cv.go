package tabular

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// DefaultFolds is the default of CVOptions.Folds.
const DefaultFolds = 5

// CVOptions configures CV.
type CVOptions struct {
	// Folds is the number of folds, at least 2 and at most the table's
	// rows (0: DefaultFolds).
	Folds int
	// Group names a column whose rows of one value never straddle folds
	// (scikit-learn's GroupKFold): the rows of a patient, say, are all
	// trained on or all tested. It is no feature; a row missing it is
	// skipped, as one missing its target. There must be at least Folds
	// groups.
	Group string
	// Fold, when set, is called with each fold's result as it is known,
	// in order.
	Fold func(FoldResult)
}

// FoldResult is one fold of a cross-validation.
type FoldResult struct {
	Fold int // counted from 1
	// TrainRows were fitted on (the fold's validation rows, if any,
	// included), TestRows evaluated.
	TrainRows, TestRows int
	Epochs              int // the epochs trained
	// Metrics are Evaluate's on the fold's rows: "loss" and "accuracy",
	// or "loss", "rmse", "mae" and "r2", in the targets' units.
	Metrics map[string]float64
}

// CVResult is the result of a cross-validation.
type CVResult struct {
	Task  prep.Task
	Rows  int // the table's rows (those with their targets and group)
	Folds []FoldResult
	// Mean and SD hold each metric's mean and standard deviation over the
	// folds (the population's, as numpy's std).
	Mean, SD map[string]float64
}

// CV cross-validates Config on a table: it reads the table once, cuts
// its rows into folds (stratified by class for a classification, shuffled
// for a regression, by group with CVOptions.Group; seeded by
// Config.Seed), and for each fold fits a model as Fit would with c on the
// other folds — the same defaults, validation split and early stopping —
// and evaluates it on the fold. The result depends on the table, c and o,
// never on Config.Workers. The models are not kept.
//
// A cache, a checkpoint or a Comm is a *SettingError: CV works on the
// table in memory, in one process.
func CV(ctx context.Context, src Source, c Config, o CVOptions) (*CVResult, error) {
	c, err := c.withDefaults()
	if err == nil {
		err = checkCV(c, &o)
	}
	if err != nil {
		return nil, inputError(err)
	}
	cvT := cv[float32]
	if c.Precision == F64 {
		cvT = cv[float64]
	}
	r, err := cvT(ctx, src, c, o)
	return r, withHints(err, c.hints())
}

// checkCV refuses the settings CV cannot follow, and fills in o's
// defaults.
func checkCV(c Config, o *CVOptions) error {
	if o.Folds == 0 {
		o.Folds = DefaultFolds
	}
	switch {
	case o.Folds < 2:
		return cvSettingError("Folds", o.Folds, "want at least 2 folds (0: %d)", DefaultFolds)
	case c.Cache != "":
		return settingError("Cache", c.Cache, "CV reads the table into memory: it takes no cache")
	case c.CheckpointPath != "" || c.Resume:
		return settingError("CheckpointPath", c.CheckpointPath, "CV fits a model per fold: it takes no checkpoint")
	case c.Comm != nil && c.Comm.Size() > 1:
		return settingError("Comm", c.Comm.Size(), "CV runs in one process")
	case c.Val != nil:
		return settingError("Val", c.Val.Name, "CV validates each fold on a part of its own training rows: one validation table for every fold would choose their epochs on the same rows, and leak any test rows it shares with the table")
	case o.Group != "" && (o.Group == c.SampleWeight || slices.Contains(c.Targets, o.Group) || slices.Contains(c.Ignore, o.Group) || slices.Contains(c.Categorical, o.Group)):
		return cvSettingError("Group", o.Group, "the group column is also a target, an ignored, a categorical or the sample weight column")
	}
	return nil
}

func cv[T tensor.Float](ctx context.Context, src Source, c Config, o CVOptions) (*CVResult, error) {
	opt := c.readOptions(nil)
	if o.Group != "" { // read as a target: text or numbers, any number of them
		targets := c.Targets
		if len(targets) == 0 {
			targets = []string{"-1"} // the default, the last column
		}
		opt.Targets = append(slices.Clone(targets), o.Group)
	}
	tab, err := read[T](ctx, src, opt)
	if nf := (*csvdata.ColumnNotFoundError)(nil); errors.As(err, &nf) && o.Group != "" && nf.Name == o.Group {
		return nil, inputError(cvSettingError("Group", o.Group, "no such column in %s", src.Name))
	}
	if pe := (*csvdata.ParseError)(nil); errors.As(err, &pe) && o.Group != "" && len(c.Targets) == 0 && pe.Line == 1 && strings.HasSuffix(pe.Err.Error(), "given twice") {
		return nil, inputError(cvSettingError("Group", o.Group, "the group column is also the target (by default the last column)"))
	}
	if err != nil {
		return nil, err
	}
	var groups []int
	if o.Group != "" {
		last := len(tab.Targets) - 1 // (csvdata refuses a column that is the target too)
		groups = groupIndex(tab.Targets[last])
		tab.Targets = tab.Targets[:last]
	}
	sw, err := takeSampleWeights(ctx, src.Name, tab, c)
	if err != nil {
		return nil, err
	}
	warnEmpty(c.Warn, src.Name, tab, c.hints()) // (a fold's table has no missing cells' counts)
	d := &inMemory[T]{tab: tab, workers: c.Workers}
	if c.Task, err = detectTask(ctx, src.Name, d, c.Task); err != nil {
		return nil, err
	}
	var (
		labels  []string
		classes []int
	)
	if c.Task == prep.Classify && len(tab.Targets) == 1 {
		if labels, err = prep.Labels(ctx, tab.Targets[0]); err != nil {
			return nil, rowError(ctx, src.Name, d, err)
		}
		if classes, err = prep.ClassIndices(ctx, labels, tab.Targets[0]); err != nil {
			return nil, err
		}
	}
	n := tab.X.Rows
	c = sizeDefaults(c, c.Task, n) // the whole table's, as Fit's: not each fold's
	ngroups := 0
	if groups != nil {
		ngroups = slices.Max(groups) + 1
	}
	if err := checkFolds(c.Warn, src.Name, n, o.Folds, labels, classes, ngroups, o); err != nil {
		return nil, inputError(err)
	}
	fold, err := folds(ctx, n, o.Folds, classes, groups, c.Seed, foldStream)
	if err != nil {
		return nil, err
	}
	warnSkipped(c.Warn, src.Name, tab.Skipped)
	if c.Warn != nil { // the folds warn of what the table is once, not once each
		c.Warn = &onceLines{w: c.Warn, seen: map[string]bool{}}
	}
	res := &CVResult{Task: c.Task, Rows: n}
	for f := range o.Folds {
		r, err := cvFold(ctx, src.Name, tab, sw, labels, fold, f, c)
		if err != nil {
			return nil, fmt.Errorf("fold %d of %d: %w", f+1, o.Folds, err)
		}
		res.Folds = append(res.Folds, *r)
		if o.Fold != nil {
			o.Fold(*r)
		}
	}
	res.Mean, res.SD = foldMeanSD(res.Folds)
	return res, nil
}

// cvFold fits a model with c on the rows of tab outside fold f and
// evaluates it on those inside.
func cvFold[T tensor.Float](ctx context.Context, name string, tab *csvdata.Table[T], sw []float64, labels []string, fold []int, f int, c Config) (*FoldResult, error) {
	var train, test []int
	for r, g := range fold {
		if g == f {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	var w []float64
	if sw != nil {
		w = make([]float64, len(train))
		for i, r := range train {
			w[i] = sw[r]
		}
		if positive := func(v float64) bool { return v > 0 }; !slices.ContainsFunc(w, positive) && slices.ContainsFunc(sw, positive) {
			return nil, inputError(settingError("SampleWeight", c.SampleWeight, "every training row of fold %d weighs 0 (its rows that weigh more are all in the fold it tests): nothing to train on", f+1))
		}
	}
	m, err := fitTable(ctx, name, &inMemory[T]{tab: subTable(tab, train), workers: c.Workers}, c, fitExtra{weights: w, labels: labels})
	if err != nil {
		return nil, err
	}
	ev, err := evaluateTable(ctx, m, m.net.(network[T]).m, name, subTable(tab, test), PredictOptions{Workers: c.Workers})
	if err != nil {
		return nil, err
	}
	return &FoldResult{Fold: f + 1, TrainRows: len(train), TestRows: len(test), Epochs: len(m.History.Epochs), Metrics: ev.Metrics}, nil
}

// subTable is a copy of the rows of tab (in increasing order), with their
// targets, lines and files: a table of its own, which Fit may change.
func subTable[T tensor.Float](tab *csvdata.Table[T], rows []int) *csvdata.Table[T] {
	s := &csvdata.Table[T]{Header: tab.Header, Schema: tab.Schema, Delimiter: tab.Delimiter,
		X: tensor.NewMatrix[T](len(rows), tab.X.Cols, nil)}
	for i, r := range rows {
		copy(s.X.Row(i), tab.X.Row(r))
		file, line := tab.Where(r)
		s.Lines.Add(line)
		if len(tab.Files) > 0 {
			if k := len(s.Files) - 1; k >= 0 && s.Files[k].Name == file {
				s.Files[k].Rows++
			} else {
				s.Files = append(s.Files, csvdata.FileRows{Name: file, Rows: 1})
			}
		}
	}
	for _, t := range tab.Targets {
		st := csvdata.Column{Name: t.Name, Written: t.Written, FirstText: -1}
		if t.Numbers != nil {
			st.Numbers = make([]float64, len(rows))
			for i, r := range rows {
				st.Numbers[i] = t.Numbers[r]
			}
		} else {
			st.Strings = make([]string, len(rows))
			for i, r := range rows {
				st.Strings[i] = t.Strings[r]
				if st.FirstText < 0 && !csvdata.IsNumber(st.Strings[i]) {
					st.FirstText = i
				}
			}
		}
		s.Targets = append(s.Targets, st)
	}
	return s
}

// groupIndex numbers the distinct values of a column in the order they
// first come, and returns each row's number.
func groupIndex(c csvdata.Column) []int {
	g := make([]int, c.Len())
	if c.Numbers != nil {
		seen := map[float64]int{}
		for i, v := range c.Numbers {
			if _, ok := seen[v]; !ok {
				seen[v] = len(seen)
			}
			g[i] = seen[v]
		}
		return g
	}
	seen := map[string]int{}
	for i, v := range c.Strings {
		if _, ok := seen[v]; !ok {
			seen[v] = len(seen)
		}
		g[i] = seen[v]
	}
	return g
}

// foldMeanSD returns each metric's mean and population standard
// deviation over the folds (meanSD).
func foldMeanSD(folds []FoldResult) (mean, sd map[string]float64) {
	mean, sd = map[string]float64{}, map[string]float64{}
	for _, k := range slices.Sorted(maps.Keys(folds[0].Metrics)) {
		v := make([]float64, len(folds))
		for i, f := range folds {
			v[i] = f.Metrics[k]
		}
		mean[k], sd[k] = meanSD(v)
	}
	return mean, sd
}

// onceLines writes each distinct line once: the folds' warnings of the
// table, alike, written once. Lines come whole (one Write each).
type onceLines struct {
	w    io.Writer
	seen map[string]bool
}

func (o *onceLines) Write(b []byte) (int, error) {
	if o.seen[string(b)] {
		return len(b), nil
	}
	o.seen[string(b)] = true
	return o.w.Write(b)
}
