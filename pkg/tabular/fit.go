package tabular

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// Fit reads a table and trains a model on it (see the package doc).
// Under a Comm every rank calls it with the same table and Config.
//
// An error means no model: Fit returns nil with it, whether the input was
// bad, training diverged (*train.DivergenceError), ctx was cancelled (its
// error) or a checkpoint could not be read or written. A cancelled run
// with Config.CheckpointPath has written its checkpoint first: Fit again
// with Config.Resume continues it.
func Fit(ctx context.Context, src Source, c Config) (*Model, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, inputError(err)
	}
	fitT := fit[float32]
	if c.Precision == F64 {
		fitT = fit[float64]
	}
	m, err := fitT(ctx, src, c)
	return m, withHints(err, c.hints())
}

func fit[T tensor.Float](ctx context.Context, src Source, c Config) (*Model, error) {
	if c.Cache != "" {
		cd, err := openCached[T](ctx, src, c)
		if err != nil {
			return nil, err
		}
		defer cd.close()
		return fitTable(ctx, src.Name, cd, c, fitExtra{})
	}
	tab, err := readTable[T](ctx, src, c)
	if err != nil {
		return nil, err
	}
	sw, err := takeSampleWeights(ctx, src.Name, tab, c)
	if err != nil {
		return nil, err
	}
	return fitTable(ctx, src.Name, &inMemory[T]{tab: tab, workers: c.Workers}, c, fitExtra{weights: sw})
}

// readTable reads Fit's table into memory; a table too large for it is
// an error that advises a cache.
func readTable[T tensor.Float](ctx context.Context, src Source, c Config) (*csvdata.Table[T], error) {
	tab, err := read[T](ctx, src, c.readOptions(nil))
	if me := (*csvdata.MemoryError)(nil); errors.As(err, &me) && src.paths != nil {
		return nil, inputError(fmt.Errorf("%w; %s (a directory) trains from a block cache on disk instead, in bounded memory", err, c.hints()(csvdata.Hint{Field: "Cache"})))
	}
	return tab, err
}

// fitExtra is what fitTable takes besides the table and Config: the
// rows' sample weights (Config.SampleWeight, taken out of the table), and
// for a fold of CV the whole table's class labels (a fold's training rows
// may lack a class).
type fitExtra struct {
	weights []float64
	labels  []string
}

// fitTable trains a model on the table d, named name in messages: Fit's
// work once the table is read.
func fitTable[T tensor.Float](ctx context.Context, name string, d table[T], c Config, ex fitExtra) (*Model, error) {
	tab := d.table()
	rowErr := func(err error) error { return rowError(ctx, name, d, err) }
	warnSkipped(c.Warn, name, tab.Skipped)
	warnEmpty(c.Warn, name, tab, c.hints())
	collect(tab.X.Rows)
	task, err := detectTask(ctx, name, d, c.Task)
	if err != nil {
		return nil, err
	}
	// The model's targets come first, so that the table's (float64, 8
	// bytes a row) can go before the rest is fitted; then the split, so
	// that the preprocessing sees training rows only (all the rows when
	// each member holds out its own part). Classes are numbered as the
	// model's targets number them.
	p, err := prep.StartLabels(ctx, tab, task, ex.labels)
	if err != nil {
		return nil, rowErr(err)
	}
	warnDecimalComma(c.Warn, name, tab.Schema, p.Targets[0], p.Labels)
	cw, balanced, err := classWeights(p, c.ClassWeight)
	if err != nil {
		return nil, inputError(err)
	}
	y, err := modelTargets(ctx, p, tab)
	if err != nil {
		return nil, rowErr(err)
	}
	collect(tab.X.Rows)
	c = sizeDefaults(c, task, tab.X.Rows)
	if err := checkEmbedding(c, p, c.Warn); err != nil {
		return nil, err
	}
	parts, err := memberParts(ctx, c, task, y)
	if err != nil {
		return nil, err
	}
	var val []int // the rows every member validates on (none with parts)
	if c.ValSplit == 0 && !c.NoValSplit && c.Val == nil && tab.X.Rows >= defaultValMinRows(task) {
		c.ValSplit = DefaultValSplit
	}
	if c.ValSplit > 0 && parts == nil {
		var classes []T
		if task == prep.Classify {
			classes = y.Data
		}
		if val, err = splitRows(ctx, tab.X.Rows, classes, c.ValSplit, c.Seed); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, inputError(fmt.Errorf("%s: validation split: %w", name, err))
		}
	}
	err = d.fitPrep(ctx, p, y, val, prep.Options{Task: task, Scaler: c.Scale, Impute: c.Impute,
		MissingIndicator: c.MissingIndicator, ScaleTarget: c.TargetScale == prep.Standard, Workers: c.Workers})
	if err != nil {
		return nil, rowErr(err)
	}
	p.NA = c.NA
	x, err := d.inputs(ctx, p, y, c.ShuffleWindow)
	if err != nil {
		return nil, rowErr(err)
	}
	prep.ScaleTargets(p, y)
	// The table's lines are not needed for training: the network sees x
	// (the table's matrix, transformed in place, or the cache's rows) and y.
	trainRows, rows := tab.X.Rows-len(val), tab.X.Rows
	tab = nil
	d.release()
	collect(rows) // the lines and the split's lists
	opts := train.Options{Epochs: c.Epochs, BatchSize: c.Batch, Seed: c.Seed, ValidationRows: val, ShuffleWindow: c.ShuffleWindow,
		Parallelism: train.Parallelism{Workers: c.Workers}, Log: c.Log, Warn: c.Warn, Comm: c.Comm, CommAllreduce: c.CommAllreduce,
		CheckpointPath: c.CheckpointPath, CheckpointEvery: c.CheckpointEvery, Resume: c.Resume,
		MetricScale:   p.TargetScale, // rmse and mae per epoch in the targets' units, as Evaluate reports them
		SampleWeights: ex.weights, ClassWeights: cw, BalanceClasses: balanced}
	if c.Val != nil {
		vt, err := read[T](ctx, *c.Val, c.readOptions(p))
		if err != nil {
			return nil, err
		}
		warnSkipped(c.Warn, c.Val.Name, vt.Skipped)
		warnUnseen(c.Warn, c.Val.Name, vt.Unseen, nil)
		xv, yv, err := modelData(ctx, p, vt, c.Val.Name, c.Workers)
		if err != nil {
			return nil, err
		}
		prep.ScaleTargets(p, yv)
		opts.ValidationData = train.InMemory(xv, yv)
	}
	net, hist, err := trainMembers(ctx, c, p, x, y.Cols, opts, parts)
	if err != nil {
		return nil, err
	}
	return &Model{Prep: p, History: hist, Members: max(c.Ensemble, 1), TrainRows: trainRows, net: network[T]{net}}, nil
}

// trainNetwork builds and trains one network of c (its seed: its initial
// weights and shuffles) on x with opts, its output answering in the
// targets' units.
func trainNetwork[T tensor.Float](ctx context.Context, c Config, p *prep.Preprocessing, x train.Source[T], targets int, opts train.Options) (*nn.Model[T], *train.History, error) {
	if m := c.Monitor; (m == "accuracy") != (p.Task == prep.Classify) && m != "" && m != "loss" {
		return nil, nil, inputError(settingError("Monitor", m, "is no metric of the %s task", p.Task))
	}
	net, err := buildNetwork[T](c, p, targets, x.Len())
	if err != nil {
		return nil, nil, err
	}
	opts.Seed = c.Seed
	opts.Callbacks = slices.Clip(opts.Callbacks)
	if c.LRSchedule == Cosine {
		opts.Callbacks = append(opts.Callbacks, train.LearningRateScheduler{Schedule: train.CosineDecay(net.Optimizer().(nn.LearningRater).LearningRate(), c.Epochs, 0)})
	}
	if c.Monitor == "r2" && !c.NoEarlyStopping && validationRows(opts) == 1 {
		return nil, nil, inputError(settingError("Monitor", c.Monitor, "r² of a single validation row is not defined: hold out more rows, or monitor the loss"))
	}
	if !c.NoEarlyStopping {
		monitor := c.Monitor // "" (or loss): val_loss, or loss without validation
		if monitor == "loss" {
			monitor = ""
		}
		if monitor != "" && (opts.ValidationRows != nil || opts.ValidationData != nil) {
			monitor = "val_" + monitor
		}
		opts.Callbacks = append(opts.Callbacks, &train.EarlyStopping{Monitor: monitor, Patience: c.Patience, RestoreBestWeights: true})
	}
	opts.Callbacks = append(opts.Callbacks, c.Callbacks...)
	hist, err := train.Fit(ctx, net, x, opts)
	if errors.As(err, new(*train.CheckpointError)) {
		return nil, nil, inputError(err)
	}
	if errors.Is(err, train.ErrZeroWeight) {
		return nil, nil, inputError(zeroWeight(c, slices.ContainsFunc(opts.SampleWeights, func(w float64) bool { return w > 0 })))
	}
	if err != nil {
		return nil, nil, err
	}
	if net, err = foldFeatureScale(net); err != nil {
		return nil, nil, err
	}
	foldTargetScale(net, p)
	return net, hist, nil
}

// validationRows is the number of rows opts validates on.
func validationRows(opts train.Options) int {
	if opts.ValidationData != nil {
		return opts.ValidationData.Len()
	}
	return len(opts.ValidationRows)
}

// sizeDefaults fills in the defaults that depend on the table's size
// (rows) and task: the ensemble's size and the label smoothing (none
// beyond DefaultEnsembleMaxRows rows, or for a regression). CV sets them
// from the whole table, so that every fold trains what Fit would.
func sizeDefaults(c Config, task prep.Task, rows int) Config {
	if c.Ensemble == 0 {
		c.Ensemble = defaultEnsemble(c, rows)
	}
	if c.LabelSmoothing == 0 && !c.NoLabelSmoothing {
		if task == prep.Classify && rows <= DefaultEnsembleMaxRows {
			c.LabelSmoothing = DefaultLabelSmoothing
		} else {
			c.NoLabelSmoothing = true
		}
	}
	return c
}

// defaultEnsemble is Config.Ensemble's default for a table of rows rows:
// DefaultEnsemble up to DefaultEnsembleMaxRows, 1 beyond, and 1 with
// checkpoints (which hold one network).
func defaultEnsemble(c Config, rows int) int {
	if rows > DefaultEnsembleMaxRows || c.CheckpointPath != "" || c.CheckpointEvery > 0 || c.Resume {
		return 1
	}
	return DefaultEnsemble
}

// defaultValMinRows is the least number of rows for which the default
// validation split applies: DefaultValMinRows for regression,
// DefaultValMinRowsClassify for classification, where early stopping on
// a small validation part stops too soon (measured in benchmarks/accuracy:
// iris and scat lose 0.01–0.03 accuracy with it, regression tables lose
// 0.08–0.2 R² without it).
func defaultValMinRows(task prep.Task) int {
	if task == prep.Classify {
		return DefaultValMinRowsClassify
	}
	return DefaultValMinRows
}

// modelData turns a table into the network's inputs (imputed, with
// indicators, scaled) and its targets (class indices, or values in their
// units); a row's problem is reported at its line.
func modelData[T tensor.Float](ctx context.Context, p *prep.Preprocessing, tab *csvdata.Table[T], name string, workers int) (tensor.Matrix[T], tensor.Matrix[T], error) {
	x, err := prep.TransformWorkers(ctx, p, tab.X, workers)
	if err != nil {
		return x, x, rowError(ctx, name, tab, err)
	}
	y, err := prep.Targets[T](ctx, p, tab.Targets)
	if err != nil {
		return x, y, rowError(ctx, name, tab, err)
	}
	return x, y, nil
}

// rowError is the error of preprocessing a table: ctx's own when ctx has
// ended, else an *InputError at its file and line.
func rowError(ctx context.Context, name string, lines places, err error) error {
	if cancelled(ctx, err) {
		return err
	}
	return inputError(atRow(name, lines, err))
}

// places says where a table's rows are: their file (empty: the table's
// one file) and line there — a csvdata.Table, or a cache.
type places interface {
	Len() int
	Where(row int) (file string, line int)
}

// cancelled reports whether err is ctx's own end, not a problem of the data.
func cancelled(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// atRow gives an error about a row of a table its file and line.
func atRow(name string, lines places, err error) error {
	var re *prep.RowError
	if errors.As(err, &re) && re.Row >= 0 && re.Row < lines.Len() {
		file, line := lines.Where(re.Row)
		return &csvdata.ParseError{File: cmp.Or(file, name), Line: line, Err: re.Err}
	}
	return &csvdata.ParseError{File: name, Err: err} // its message made when read: hints rendered then
}

// detectTask returns the task of a table's targets: task itself unless
// it is prep.Auto, which is detected from a single target (a regression
// for several).
func detectTask[T tensor.Float](ctx context.Context, name string, d table[T], task prep.Task) (prep.Task, error) {
	tab := d.table()
	if task != prep.Auto {
		return task, nil
	}
	if len(tab.Targets) != 1 {
		return prep.Regress, nil
	}
	task, err := prep.DetectTask(ctx, tab.Targets[0])
	if err != nil {
		return task, err
	}
	if err := strayText(tab.Targets[0], task); err != nil {
		return task, inputError(atRow(name, d, err))
	}
	return task, nil
}

// strayText refuses a target that auto detection would make a
// classification only because a few of its values are text: mostly
// numbers, with more distinct values than prep.MaxAutoClasses — a
// regression target with a stray word, which would otherwise train a
// class per distinct number.
func strayText(c csvdata.Column, task prep.Task) error {
	if task != prep.Classify || c.Numbers != nil || c.FirstText < 0 {
		return nil
	}
	numbers, texts := 0, 0
	distinct := make(map[string]struct{}, prep.MaxAutoClasses+1)
	for _, s := range c.Strings {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			numbers++
		} else {
			texts++
		}
		if len(distinct) <= prep.MaxAutoClasses {
			distinct[s] = struct{}{}
		}
	}
	if numbers <= texts || len(distinct) <= prep.MaxAutoClasses {
		return nil
	}
	first := c.Strings[c.FirstText]
	return &prep.RowError{Row: c.FirstText, Err: csvdata.NewHintError(
		"target column %s holds numbers and text (%d numbers, %d text values, the first %s here), which would make a class of every distinct number: if %s means a missing value, declare it with %s; for classes, set the task with %s",
		csvdata.Quote(c.Name), numbers, texts, csvdata.Quote(first), csvdata.Quote(first), csvdata.Hint{Field: "NA", Value: first}, csvdata.Hint{Field: "Task", Value: string(prep.Classify)})}
}
