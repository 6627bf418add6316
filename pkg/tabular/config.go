package tabular

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/train"
)

// The defaults of Config's zero values, chosen for real tables: enough
// epochs for small tables, early stopping on a held-out tenth so that
// large ones stop early, and the best epoch's weights kept.
const (
	DefaultEpochs   = 200
	DefaultBatch    = 32
	DefaultValSplit = 0.1
	DefaultPatience = 10
	// DefaultValMinRows is the least number of rows for which the default
	// validation split applies.
	DefaultValMinRows = 50
	// DefaultValMinRowsClassify is DefaultValMinRows for classification.
	DefaultValMinRowsClassify = 1000
	DefaultOptimizer          = "adam"
)

// DefaultHidden is the default of Config.Hidden.
var DefaultHidden = []int{128, 64}

// Config says what Fit reads and how it trains. Its zero value reads the
// last column as the target, infers the task and the column types, and
// trains with the defaults above.
type Config struct {
	// Reading the table: see csvdata.Options.
	Targets             []string
	Categorical, Ignore []string
	NA                  []string
	Delimiter           byte
	MaxCategories       int
	// Task is "auto" (or empty), prep.Classify or prep.Regress.
	Task string
	// Preprocessing: see prep.Options. Scale is prep.Standard by default,
	// Impute prep.Mean. NoTargetScale keeps regression targets in their
	// units during training.
	Scale, Impute    string
	MissingIndicator bool
	NoTargetScale    bool
	// The network: hidden layer sizes (nil: DefaultHidden; empty: none),
	// their activation (default relu), the loss ("auto": cross-entropy or
	// MSE by task), the optimizer and its learning rate (0: the
	// optimizer's default), in float32 (default) or float64.
	Hidden                      []int
	Activation, Loss, Optimizer string
	LR                          float64
	Float64                     bool
	// Regularization. Dropout drops units after the hidden layers (one rate
	// for every hidden layer, or one per hidden layer; 0: none), InputDropout
	// the inputs; L1 and L2 penalize the weights of every Dense layer and
	// MaxNorm bounds the norm of each unit's incoming weights (nn.Dense's
	// fields; 0: none).
	Dropout                       []float64
	InputDropout, L1, L2, MaxNorm float64
	// LRSchedule is "" or "constant" (the rate stays), or "cosine": the rate
	// follows half a cosine from LR to 0 over Epochs, set at the start of
	// every epoch (train.CosineDecay).
	LRSchedule string
	// Training. Epochs and Batch default to DefaultEpochs and DefaultBatch.
	// ValSplit holds out a fraction of the rows for validation (default
	// DefaultValSplit for tables of at least DefaultValMinRows rows
	// (DefaultValMinRowsClassify for classification),
	// stratified by class; negative: none); Val gives a validation table
	// instead. Patience stops after that many epochs without improvement
	// of the validation loss (the training loss without validation) and
	// keeps the best epoch's weights (default DefaultPatience; negative:
	// off).
	Epochs, Batch, Workers int
	Seed                   uint64
	ValSplit               float64
	Val                    *Source
	Patience               int
	// Checkpoints, as train.Options.
	CheckpointPath  string
	CheckpointEvery int
	Resume          bool
	// Callbacks run during training; Log gets one line per epoch.
	Callbacks []train.Callback
	Log       io.Writer
	// Warn gets one line per thing the user should know about the data:
	// rows skipped for a missing target, unseen categories.
	Warn io.Writer
	// Hints renders the settings that errors and warnings advise
	// (csvdata.Hint); nil: ConfigHint, fields of Config.
	Hints func(csvdata.Hint) string
	// Comm trains across processes (see train.Options.Comm).
	Comm          parallel.Communicator
	CommAllreduce bool
}

// withDefaults fills in the defaults and checks the settings that need no
// data.
func (c Config) withDefaults() (Config, error) {
	if c.Task == "" {
		c.Task = "auto"
	}
	if c.Hidden == nil {
		c.Hidden = DefaultHidden
	}
	if c.Activation == "" {
		c.Activation = "relu"
	}
	if c.Loss == "" {
		c.Loss = "auto"
	}
	if c.Optimizer == "" {
		c.Optimizer = DefaultOptimizer
	}
	if c.Scale == "" {
		c.Scale = prep.Standard
	}
	if c.Impute == "" {
		c.Impute = prep.Mean
	}
	if c.Epochs == 0 {
		c.Epochs = DefaultEpochs
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.Patience == 0 {
		c.Patience = DefaultPatience
	}
	if c.MaxCategories == 0 {
		c.MaxCategories = csvdata.DefaultMaxCategories
	}
	switch {
	case c.Task != "auto" && c.Task != prep.Classify && c.Task != prep.Regress:
		return c, fmt.Errorf("task %s: want auto, classify or regress", csvdata.Quote(c.Task))
	case !slices.Contains(prep.Scalers, c.Scale):
		return c, fmt.Errorf("scale %s: want standard, minmax or none", csvdata.Quote(c.Scale))
	case !slices.Contains(prep.Imputers, c.Impute):
		return c, fmt.Errorf("impute %s: want mean, median or error", csvdata.Quote(c.Impute))
	case c.Epochs < 1 || c.Batch < 1 || c.Workers < 0 || c.MaxCategories < 1:
		return c, fmt.Errorf("epochs %d, batch %d, workers %d, max categories %d: want positive values", c.Epochs, c.Batch, c.Workers, c.MaxCategories)
	case c.ValSplit >= 1 || c.ValSplit != c.ValSplit:
		return c, fmt.Errorf("ValSplit %v: want a fraction below 1 (0: the default, negative: none)", c.ValSplit)
	case !(c.LR >= 0) || math.IsInf(c.LR, 0):
		return c, fmt.Errorf("LR %v: want a finite rate, 0 for the optimizer's default", c.LR)
	case c.ValSplit > 0 && c.Val != nil:
		return c, fmt.Errorf("give a validation split or a validation table, not both")
	}
	if c.LRSchedule != "" && c.LRSchedule != "constant" && c.LRSchedule != "cosine" {
		return c, fmt.Errorf("learning-rate schedule %s: want constant or cosine", csvdata.Quote(c.LRSchedule))
	}
	if len(c.Dropout) > 1 && len(c.Dropout) != len(c.Hidden) {
		return c, fmt.Errorf("%d dropout rates for %d hidden layers: give one rate, or one per hidden layer", len(c.Dropout), len(c.Hidden))
	}
	for _, r := range append(slices.Clone(c.Dropout), c.InputDropout) {
		if !(r >= 0 && r < 1) {
			return c, fmt.Errorf("dropout rate %v: want a fraction in [0, 1)", r)
		}
	}
	for _, v := range []float64{c.L1, c.L2, c.MaxNorm} {
		if !(v >= 0) || math.IsInf(v, 1) {
			return c, fmt.Errorf("l1 %v, l2 %v, max norm %v: want finite values not below 0", c.L1, c.L2, c.MaxNorm)
		}
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return c, fmt.Errorf("hidden layer size %d: want at least 1", h)
		}
	}
	if _, err := nn.ParseActivation(c.Activation); err != nil {
		return c, err
	}
	if _, err := NewOptimizer[float32](c.Optimizer, c.LR); err != nil {
		return c, err
	}
	return c, nil
}

// readOptions are the csvdata options of the training table.
func (c Config) readOptions() csvdata.Options {
	return csvdata.Options{Targets: c.Targets, Categorical: c.Categorical, Ignore: c.Ignore, NA: c.NA,
		Delimiter: c.Delimiter, MaxCategories: c.MaxCategories, Workers: c.Workers, MissingIsError: c.Impute == prep.NoImpute,
		ExtraRowBytes: trainRowBytes(c)}
}

// NewOptimizer returns the named optimizer: sgd, momentum, nesterov, adam,
// adamw or rmsprop, with learning rate lr (0: Keras' default for it, 0.01
// for the SGD family and 0.001 otherwise).
func NewOptimizer[T nn.Float](name string, lr float64) (nn.Optimizer[T], error) {
	def := func(d float64) float64 {
		if lr == 0 {
			return d
		}
		return lr
	}
	switch name {
	case "sgd":
		return nn.NewSGD[T](def(0.01)), nil
	case "momentum":
		return nn.NewMomentum[T](def(0.01), 0.9), nil
	case "nesterov":
		return nn.NewNesterov[T](def(0.01), 0.9), nil
	case "adam":
		return nn.NewAdam[T](def(0.001)), nil
	case "adamw":
		return nn.NewAdamW[T](def(0.001), 0.004), nil
	case "rmsprop":
		return nn.NewRMSprop[T](def(0.001)), nil
	}
	return nil, fmt.Errorf("optimizer %s: want sgd, momentum, nesterov, adam, adamw or rmsprop", csvdata.Quote(name))
}
