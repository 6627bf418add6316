package prep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// MaxAutoClasses is the largest number of distinct integer target values
// that task detection still takes for classes.
const MaxAutoClasses = 20

// Version is the newest version of the JSON layout this package reads: 2
// adds imputation, missing indicators and target scaling, 3 the clipping
// of the Robust scaler (Clip). A model is written with the oldest version
// that holds what it uses: 3 only with Clip, which version 2's readers
// would ignore.
const Version = 3

// versionNoClip is the version of a preprocessing without Clip.
const versionNoClip = 2

// Preprocessing maps raw CSV rows to model inputs and model outputs to
// answers.
type Preprocessing struct {
	Version int            `json:"version"`
	Schema  csvdata.Schema `json:"schema"`
	Scaler  Scaler         `json:"scaler,omitempty"` // Standard (also when empty), MinMax, Robust or NoScale
	// Offset and Scale map each input column x to (x − Offset)/Scale:
	// Offset is the mean under Standard (the minimum under MinMax, the
	// median under Robust, 0 under NoScale), Scale the standard deviation
	// (the range, the interquartile range); 1 when that is 0, for one-hot
	// and indicator columns and under NoScale. (The file keeps Offset under
	// its first name, "mean".)
	Offset []float64 `json:"mean"`
	Scale  []float64 `json:"scale"`
	// Clip, when positive, smoothly clips each scaled input z of a numeric
	// column (not one-hot or indicator columns) to z/√(1+(z/Clip)²), within
	// (−Clip, Clip): RobustClip under Robust, 0 otherwise.
	Clip    float64  `json:"clip,omitempty"`
	Task    Task     `json:"task"`
	Targets []string `json:"targets"`
	Labels  []string `json:"labels,omitempty"` // class i is Labels[i]
	// TextTarget says the classification target was declared text
	// (csvdata's Options.Categorical) though its values look like numbers:
	// it is read as text and matched as written, "07" and "7" two classes.
	TextTarget bool `json:"text_target,omitempty"`
	// Impute is how missing numbers were filled (Mean, Median or NoImpute);
	// Fill holds the value per schema column (0 for one-hot columns).
	Impute Imputation `json:"impute,omitempty"`
	Fill   []float64  `json:"fill,omitempty"`
	// Indicators lists the schema columns that had missing values in the
	// training rows and get a 0/1 "was missing" input each, appended after
	// the schema's columns, in this order.
	Indicators []int `json:"indicators,omitempty"`
	// TargetMean and TargetScale standardized each regression target for
	// training; the saved network has them folded into its output layer, so
	// that it answers in the targets' units.
	TargetMean  []float64 `json:"target_mean,omitempty"`
	TargetScale []float64 `json:"target_scale,omitempty"`
	// NA lists the tokens besides csvdata.DefaultNA that meant a missing
	// value in the training data; they mean it in prediction data too.
	NA []string `json:"na,omitempty"`

	clipCols []bool // clipped's, once known
}

// InputWidth is the number of model inputs: the schema's matrix columns
// and the missing indicators.
func (p *Preprocessing) InputWidth() int { return p.Schema.Width() + len(p.Indicators) }

// DetectTask returns Classify when the target holds strings or at most
// MaxAutoClasses distinct integers, Regress otherwise. It stops with ctx's
// error when ctx ends.
func DetectTask(ctx context.Context, c csvdata.Column) (Task, error) {
	if c.Numbers == nil {
		return Classify, nil
	}
	seen := map[float64]bool{}
	for i, v := range c.Numbers {
		if err := every(ctx, i); err != nil {
			return "", err
		}
		if v != math.Trunc(v) {
			return Regress, nil
		}
		if seen[v] = true; len(seen) > MaxAutoClasses {
			return Regress, nil
		}
	}
	return Classify, nil
}

// New fits the preprocessing of a table for a task: the mean and standard
// deviation (population, as scikit-learn's StandardScaler) of each numeric
// input column over the training rows (all rows when train is nil), and
// for classification the sorted class labels of
// the single target column.
func New[T tensor.Float](ctx context.Context, tab *csvdata.Table[T], task Task, train []int) (*Preprocessing, error) {
	return NewScaled(ctx, tab, task, train, Standard)
}

// NewScaled is New with the input scaling chosen: Standard, MinMax (each
// numeric column's training minimum and range, as MinMaxScaler; a constant
// column becomes 0) or NoScale. One-hot columns are never scaled.
func NewScaled[T tensor.Float](ctx context.Context, tab *csvdata.Table[T], task Task, train []int, scaler Scaler) (*Preprocessing, error) {
	p, err := newUnscaled(ctx, tab, task, nil)
	if err != nil {
		return nil, err
	}
	return p, fitScaler(ctx, p, matrixPass(ctx, tab.X, rowSel{list: train}, 1), scaler)
}

// newUnscaled returns the preprocessing of a table for a task, without
// statistics: the schema, the targets and the class labels — given, or
// the target's when given is nil.
func newUnscaled[T tensor.Float](ctx context.Context, tab *csvdata.Table[T], task Task, given []string) (*Preprocessing, error) {
	p := &Preprocessing{Version: versionNoClip, Schema: tab.Schema, Task: task}
	for _, c := range tab.Targets {
		p.Targets = append(p.Targets, c.Name)
	}
	switch task {
	case Classify:
		if len(tab.Targets) != 1 {
			return nil, fmt.Errorf("classification needs exactly one target column, got %d", len(tab.Targets))
		}
		labels := slices.Clone(given)
		if labels == nil {
			var err error
			if labels, err = Labels(ctx, tab.Targets[0]); err != nil {
				return nil, err
			}
		}
		p.Labels = labels
		c := tab.Targets[0]
		p.TextTarget = c.Numbers == nil && c.FirstText < 0 && c.Len() > 0
		if len(p.Labels) < 2 {
			return nil, fmt.Errorf("target column %s has a single class (%s): nothing to classify", csvdata.Quote(p.Targets[0]), csvdata.Quote(p.Labels[0]))
		}
	case Regress:
		for _, c := range tab.Targets {
			if c.Numbers == nil {
				return nil, notNumber(c)
			}
		}
	default:
		return nil, fmt.Errorf("unknown task %s: want %s or %s", csvdata.Quote(string(task)), Classify, Regress)
	}
	return p, nil
}

// RowError is an error about one row of the data (0-based), which the
// caller can turn into a file position.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return e.Err.Error() }
func (e *RowError) Unwrap() error { return e.Err }

// Targets encodes target columns for the model: class indices (one
// column) for classification, matched on the labels as written; the
// numbers for regression. A row's problem (an unknown class, wrapping
// ErrUnknownLabel, or text in a regression target) is a *RowError.
func Targets[T tensor.Float](ctx context.Context, p *Preprocessing, cols []csvdata.Column) (tensor.Matrix[T], error) {
	if len(cols) != len(p.Targets) || len(cols) == 0 {
		return tensor.Matrix[T]{}, &ShapeError{What: "target columns", Got: len(cols), Want: len(p.Targets)}
	}
	width := len(cols)
	if p.Task == Classify {
		width = 1
	}
	y := tensor.NewMatrix[T](cols[0].Len(), width, nil)
	if err := TargetsInto(ctx, p, cols, y); err != nil {
		return tensor.Matrix[T]{}, err
	}
	return y, nil
}

// notNumber is the error of a regression target column with text in it,
// at its first text value, or of one declared text (csvdata's
// Options.Categorical) though every value is a number.
func notNumber(c csvdata.Column) error {
	if c.FirstText < 0 {
		return csvdata.NewHintError("target column %s is declared categorical (%s), and regression needs numbers: for classes, set the task with %s",
			csvdata.Quote(c.Name), csvdata.Hint{Field: "Categorical", Value: c.Name}, csvdata.Hint{Field: "Task", Value: string(Classify)})
	}
	return &RowError{Row: c.FirstText, Err: fmt.Errorf("%s in target column %s is not a number, which regression needs", csvdata.Quote(c.Strings[c.FirstText]), csvdata.Quote(c.Name))}
}

// TargetsInto is Targets into y, which has the rows of cols and a column
// for each target (one for classification). It writes row i only after
// reading row i of cols, so that y may hold its data where a single
// numeric column holds its numbers, from their start (4 or 8 bytes a row
// in 8): the targets are then made in place. The column is not a column
// any longer after that.
func TargetsInto[T tensor.Float](ctx context.Context, p *Preprocessing, cols []csvdata.Column, y tensor.Matrix[T]) error {
	if len(cols) != len(p.Targets) {
		return &ShapeError{What: "target columns", Got: len(cols), Want: len(p.Targets)}
	}
	if p.Task == Classify {
		return eachClass(ctx, p.ClassIndex(), cols[0], func(i, k int) { y.Data[i] = T(k) })
	}
	for j, c := range cols {
		if c.Numbers == nil {
			return notNumber(c)
		}
		for i := range c.Len() {
			if err := every(ctx, i); err != nil {
				return err
			}
			v := c.Numbers[i]
			t := T(v)
			if t-t != 0 { // finite in float64, beyond float32's range
				return &RowError{Row: i, Err: csvdata.NewHintError("%s in target column %s is beyond the range of float32 (train with %s for a float64 model)", csvdata.Quote(c.Text(i)), csvdata.Quote(c.Name), csvdata.Hint{Field: "Float64"})}
			}
			y.Data[i*len(cols)+j] = t
		}
	}
	return nil
}

// Marshal returns the JSON stored in a model file.
func (p *Preprocessing) Marshal() ([]byte, error) { return json.Marshal(p) }

// Unmarshal reads the JSON of a model file's preprocessing slot.
func Unmarshal(b []byte) (*Preprocessing, error) {
	if len(b) == 0 {
		return nil, errors.New("the model has no preprocessing: it was not trained from CSV")
	}
	var p Preprocessing
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("bad preprocessing: %w", err)
	}
	if p.Version > Version {
		return nil, fmt.Errorf("preprocessing version %d is newer than this program reads (%d)", p.Version, Version)
	}
	if len(p.Offset) != p.InputWidth() || len(p.Scale) != len(p.Offset) || p.Fill != nil && len(p.Fill) != p.Schema.Width() {
		return nil, errors.New("bad preprocessing: statistics do not match the schema")
	}
	for _, c := range p.Indicators {
		if c < 0 || c >= p.Schema.Width() {
			return nil, errors.New("bad preprocessing: a missing indicator is out of range")
		}
	}
	if p.Clip < 0 || !isFinite(p.Clip) || p.Clip > 0 && p.Version < 3 {
		return nil, errors.New("bad preprocessing: a clip bound that is not a positive number")
	}
	p.clipCols = p.clipped()
	if _, err := ParseImputation(p.Impute.String()); err != nil {
		return nil, fmt.Errorf("bad preprocessing: %w", err)
	}
	if _, err := ParseScaler(p.Scaler.String()); err != nil {
		return nil, fmt.Errorf("bad preprocessing: %w", err)
	}
	return &p, nil
}

// rowSel selects the rows of a fit: list when it is not nil, else every
// row but held (sorted, distinct; nil holds out none).
type rowSel struct{ list, held []int }

// forRows calls each for the rows rows selects of n, in increasing order
// (list's order for a list); it stops with ctx's error when ctx ends.
func forRows(ctx context.Context, n int, rows rowSel, each func(int)) error {
	if rows.list != nil {
		for i, r := range rows.list {
			if err := every(ctx, i); err != nil {
				return err
			}
			each(r)
		}
		return nil
	}
	h := 0
	for r := range n {
		if err := every(ctx, r); err != nil {
			return err
		}
		if h < len(rows.held) && rows.held[h] == r {
			h++
			continue
		}
		each(r)
	}
	return nil
}

// every returns ctx's error when i is a multiple of 65 536 and ctx has
// ended: the loops over rows look at ctx that often (a fraction of a
// millisecond of work), so that a signal is answered at once.
func every(ctx context.Context, i int) error {
	if i&(1<<16-1) != 0 {
		return nil
	}
	return ctx.Err()
}
