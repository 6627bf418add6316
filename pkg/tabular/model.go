package tabular

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/internal/cpus"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// Model is a trained network with its preprocessing.
type Model struct {
	// Prep maps raw rows to the network's inputs and its outputs to answers.
	Prep *prep.Preprocessing
	// History is Fit's per-epoch record (nil for a loaded model): of the
	// first network of an ensemble.
	History *train.History
	// Members is the number of networks Fit trained and packed into the
	// model (Config.Ensemble; 0 for a loaded model).
	Members int
	// TrainRows is the number of rows Fit trained on: those any member
	// trained on, all of them when each member of an ensemble held out
	// its own part (member k trained on all but its part).
	TrainRows int

	net anyNetwork
}

// Float64 reports whether the network computes in float64.
func (m *Model) Float64() bool { return m.net.float64() }

// Summary describes the network's layers.
func (m *Model) Summary() nn.Summary { return m.net.summary() }

// LossName is the name of the training loss.
func (m *Model) LossName() string { return m.net.lossName() }

// LabelSmoothing returns the label smoothing the model was trained with
// (Config.LabelSmoothing; 0: none).
func (m *Model) LabelSmoothing() float64 { return m.net.labelSmoothing() }

// Save writes the model file (atomically).
func (m *Model) Save(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := m.WriteTo(w)
		return err
	})
}

// WriteTo writes the model file (see Save) to w.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	b, err := m.Prep.Marshal()
	if err != nil {
		return 0, err
	}
	return m.net.writeTo(w, b)
}

// Load reads a model file written by Save (or by train fit) in its own
// precision. A file that is not such a model is an *InputError.
func Load(path string) (*Model, error) {
	dt, err := nn.FileDType(path)
	if err != nil {
		return nil, inputError(csvdata.ShortPath(err))
	}
	if dt == "F64" {
		return load[float64](path)
	}
	return load[float32](path)
}

func load[T tensor.Float](path string) (*Model, error) {
	net, err := nn.LoadFile[T](path)
	if err != nil {
		return nil, inputError(err)
	}
	p, err := prep.Unmarshal(net.Preprocessing)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", path, err))
	}
	if net.InputSize() != p.InputWidth() {
		return nil, inputError(fmt.Errorf("%s: the network has %d inputs, the preprocessing %d", path, net.InputSize(), p.InputWidth()))
	}
	return &Model{Prep: p, net: network[T]{net}}, nil
}

// PredictOptions configures Predict and Evaluate.
type PredictOptions struct {
	// Strict makes a category not seen in training an error at its place;
	// otherwise it is encoded as all zeros and counted.
	Strict bool
	// NA adds missing-value tokens to the model's; Delimiter as in Config.
	NA        []string
	Delimiter byte
	// Workers read the table and run the network (0: one per CPU,
	// runtime.GOMAXPROCS); the answers do not depend on their number. One
	// worker runs the network on the calling goroutine, the cheap choice
	// for small requests. A negative number is a *SettingError.
	Workers int
	// Warn gets one line per column with unseen categories, and one for
	// rows skipped by Evaluate for a missing target.
	Warn io.Writer
	// Hints renders the settings that errors and warnings advise
	// (csvdata.Hint); nil: PredictHint, fields of PredictOptions.
	Hints func(csvdata.Hint) string

	partBytes int   // PredictParts' and EvaluateParts' part size (tests set it small)
	keepBytes int64 // EvaluateParts' budget for the parts it keeps (tests set it small)
}

// withDefaults fills in the number of workers and checks it: the one
// place where either is done for Predict, Evaluate and PredictColumns.
func (o PredictOptions) withDefaults() (PredictOptions, error) {
	w, want := cpus.Workers(o.Workers)
	if want != "" {
		return o, &SettingError{Struct: "PredictOptions", Field: "Workers", Value: goValue(o.Workers), Want: want}
	}
	o.Workers = w
	return o, nil
}

func (m *Model) readOptions(o PredictOptions, targets bool) csvdata.Options {
	opt := csvdata.Options{Schema: &m.Prep.Schema, NoTargets: !targets, StrictCategories: o.Strict, NA: append(slices.Clone(m.Prep.NA), o.NA...),
		Delimiter: o.Delimiter, Workers: o.Workers, MissingIsError: m.Prep.Impute.MissingIsError()}
	if targets {
		opt.Targets, opt.Categorical = m.Prep.Targets, m.Prep.TextTargets()
	}
	return opt
}

// Predictions are a model's answers for the rows of a table.
type Predictions struct {
	// Labels holds each row's predicted class (classification).
	Labels []string
	// Probabilities holds each row's class probabilities, in the order of
	// ClassNames (classification); Values each row's predicted targets, in
	// the order of TargetNames, in their units (regression).
	Probabilities, Values   tensor.Matrix[float64]
	ClassNames, TargetNames []string
	// Lines holds each row's line in the file; Unseen the categories not
	// seen in training, per column.
	Lines  csvdata.Lines
	Unseen []csvdata.Cells
	bits   int // 32 or 64: the precision the values were computed in
}

// Predict reads a table (its target columns may be absent) and predicts
// every row.
func (m *Model) Predict(ctx context.Context, src Source, o PredictOptions) (*Predictions, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, inputError(err)
	}
	r, err := m.net.predict(ctx, m, src, o)
	return r, withHints(err, o.hints())
}

// PredictProba returns the class probabilities of every row of a table
// (classification models only).
func (m *Model) PredictProba(ctx context.Context, src Source, o PredictOptions) (tensor.Matrix[float64], error) {
	if m.Prep.Task != prep.Classify {
		return tensor.Matrix[float64]{}, errors.New("PredictProba: the model is a regression")
	}
	p, err := m.Predict(ctx, src, o)
	if err != nil {
		return tensor.Matrix[float64]{}, err
	}
	return p.Probabilities, nil
}

func predict[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], src Source, o PredictOptions) (*Predictions, error) {
	tab, err := read[T](ctx, src, m.readOptions(o, false))
	if err != nil {
		return nil, err
	}
	warnUnseen(o.Warn, src.Name, tab.Unseen, o.hints())
	return predictTable(ctx, m, net, src.Name, tab, o)
}

// predictTable predicts the rows of tab, read from the file name.
func predictTable[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], name string, tab *csvdata.Table[T], o PredictOptions) (*Predictions, error) {
	x, err := prep.TransformWorkers(ctx, m.Prep, tab.X, o.Workers)
	if err != nil {
		return nil, rowError(ctx, name, tab, err)
	}
	pr, err := answer(ctx, m, net, x, o.Workers)
	if errors.As(err, new(*prep.RowError)) {
		return nil, inputError(atRow(name, tab, err))
	}
	if err != nil {
		return nil, err
	}
	pr.Lines, pr.Unseen = tab.Lines, tab.Unseen
	return pr, nil
}

// answer runs the network on its inputs x with the given number of workers
// (positive: PredictOptions.withDefaults decided it) and decodes the outputs: values in the targets' units, or
// probabilities and labels.
func answer[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], x tensor.Matrix[T], workers int) (*Predictions, error) {
	out, err := train.Predict(ctx, net, x, train.EvalOptions{Workers: workers})
	if err != nil {
		return nil, err
	}
	var z T
	pr := &Predictions{bits: 32}
	if any(z) == any(float64(0)) {
		pr.bits = 64
	}
	if err := checkOutputs(m.Prep, out, pr.bits); err != nil {
		return nil, err
	}
	if m.Prep.Task != prep.Classify {
		pr.TargetNames = m.Prep.Targets
		pr.Values = tensor.NewMatrix[float64](out.Rows, out.Cols, nil)
		for i, v := range out.Data {
			pr.Values.Data[i] = float64(v)
		}
		return pr, nil
	}
	k := len(m.Prep.Labels)
	pr.ClassNames = m.Prep.Labels
	pr.Probabilities = tensor.NewMatrix[float64](out.Rows, k, nil)
	pr.Labels = make([]string, out.Rows)
	for i := range out.Rows {
		row, probs := out.Row(i), pr.Probabilities.Row(i)
		if len(row) == 1 { // binary cross-entropy: P(class 1)
			probs[0], probs[1] = float64(1-row[0]), float64(row[0])
		} else {
			for j, v := range row {
				probs[j] = float64(v)
			}
		}
		best := 0
		for j, v := range probs {
			if v > probs[best] {
				best = j
			}
		}
		pr.Labels[i] = m.Prep.Labels[best]
	}
	return pr, nil
}

// Evaluation is a model's loss and metrics on a table with targets.
type Evaluation struct {
	// Metrics holds "loss" and the task's metrics (accuracy; rmse, mae,
	// r2), in the targets' units.
	Metrics map[string]float64
	Rows    int
	Skipped csvdata.Cells
	Unseen  []csvdata.Cells
}

// Evaluate reads a table with the target columns and reports the loss and
// metrics. Rows with a missing target are skipped; a class not seen in
// training is an error at its line.
func (m *Model) Evaluate(ctx context.Context, src Source, o PredictOptions) (*Evaluation, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, inputError(err)
	}
	r, err := m.net.evaluate(ctx, m, src, o)
	return r, withHints(err, o.hints())
}

func evaluate[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], src Source, o PredictOptions) (*Evaluation, error) {
	tab, err := read[T](ctx, src, m.readOptions(o, true))
	if err != nil {
		return nil, err
	}
	if tab.X.Rows == 0 {
		return nil, noTargets(src.Name, tab.Skipped)
	}
	warnSkipped(o.Warn, src.Name, tab.Skipped)
	warnUnseen(o.Warn, src.Name, tab.Unseen, o.hints())
	return evaluateTable(ctx, m, net, src.Name, tab, o)
}

// noTargets is Evaluate's error for a table whose every row lacks a
// target (skipped counts them), as csvdata.Read makes it.
func noTargets(name string, skipped csvdata.Cells) error {
	return inputError(csvdata.NoTargetsError(cmp.Or(skipped.File, name), skipped))
}

// evaluateTable evaluates m on the rows of tab, read from the file name.
func evaluateTable[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], name string, tab *csvdata.Table[T], o PredictOptions) (*Evaluation, error) {
	x, y, err := modelData(ctx, m.Prep, tab, name, o.Workers)
	if err != nil {
		return nil, err
	}
	loss, metrics, err := train.Evaluate(ctx, net, x, y, train.EvalOptions{Workers: o.Workers})
	if err != nil {
		return nil, err
	}
	if !finite(loss, metrics) { // find the row whose answer is not a number
		if _, err := answer(ctx, m, net, x, o.Workers); err != nil {
			return nil, inputError(atRow(name, tab, err))
		}
	}
	metrics["loss"] = loss
	return &Evaluation{Metrics: metrics, Rows: x.Rows, Skipped: tab.Skipped, Unseen: tab.Unseen}, nil
}
