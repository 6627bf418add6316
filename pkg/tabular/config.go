package tabular

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/densetrain/densetrain/internal/cpus"
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
	// DefaultEnsemble is the default of Config.Ensemble for a table of at
	// most DefaultEnsembleMaxRows rows, where it pays most and costs least
	// (benchmarks/tables: +0.008 to +0.010 on the meta-train tables' mean
	// score, five times the fit time); a larger table, and one trained
	// with checkpoints, gets one network.
	DefaultEnsemble        = 5
	DefaultEnsembleMaxRows = 50_000
	// DefaultValMinRows is the least number of rows for which the default
	// validation split applies.
	DefaultValMinRows = 50
	// DefaultValMinRowsClassify is DefaultValMinRows for classification.
	DefaultValMinRowsClassify = 1000
	// DefaultLabelSmoothing is the label smoothing of a classification
	// table of at most DefaultEnsembleMaxRows rows when
	// Config.LabelSmoothing is 0 (a larger table gets none): RealMLP's
	// 0.1, which added 0.0017 to the meta-train tables' mean score in
	// benchmarks/tables (7 of the 8 classification tables up, one down by
	// 0.001). On MNIST's 60 000 rows it was mixed — +0.4 points of test
	// accuracy for a 256-128 network, −0.3 for the 1024-1024 dropout
	// recipe — so large tables keep plain cross-entropy, as Keras and
	// PyTorch do.
	DefaultLabelSmoothing = 0.1
	// DefaultActivation is the activation of the hidden layers.
	DefaultActivation = "relu"
	// MaxEpochs bounds Config.Epochs: a run keeps one history entry per
	// epoch.
	MaxEpochs = 1_000_000_000
)

// DefaultScale is the input scaling of Config.Scale's zero value:
// prep.Robust, the median and interquartile range with smooth clipping,
// which on benchmarks/tables' grant applications (1 329 of 1 497 numeric
// columns sparse counts) gave 0.859 accuracy where prep.Standard gave
// 0.724, and +0.006 on the meta-train half's mean.
const DefaultScale = prep.Robust

// Monitors lists the names Config.Monitor takes.
var Monitors = []string{"loss", "accuracy", "r2", "rmse", "mae"}

// DefaultHidden is the default of Config.Hidden.
var DefaultHidden = []int{128, 64}

// Config says what Fit reads and how it trains. Its zero value reads the
// last column as the target, infers the task and the column types, and
// trains with the defaults above: in every field, the zero value means
// the default, and turning a thing off is a value of its own (a field
// named No…, or a name such as prep.NoScale). Fit fills in the defaults
// and checks every setting once, before it reads anything; a setting it
// refuses is a *SettingError.
type Config struct {
	// Reading the table: see csvdata.Options.
	Targets             []string
	Categorical, Ignore []string
	NA                  []string
	Delimiter           byte
	MaxCategories       int // 0: csvdata.DefaultMaxCategories
	// Task is prep.Auto (the zero value: detected from the target),
	// prep.Classify or prep.Regress.
	Task prep.Task
	// Preprocessing: see prep.Options. Scale scales the inputs (the zero
	// value: DefaultScale, prep.Robust), Impute fills missing numbers
	// (prep.Mean).
	// TargetScale is prep.Standard (the zero value: regression targets are
	// standardized for training, answers come in their units) or
	// prep.NoScale (trained in their units).
	Scale, TargetScale prep.Scaler
	Impute             prep.Imputation
	MissingIndicator   bool
	// The network: hidden layer sizes (nil: DefaultHidden; empty: none),
	// their activation (an nn.ParseActivation name; empty:
	// DefaultActivation), the loss (LossAuto: cross-entropy or MSE by
	// task), the optimizer (DefaultOptimizer) and its learning rate (0: the
	// optimizer's default), in F32 (the zero value) or F64.
	Hidden     []int
	Activation string
	Loss       Loss
	Optimizer  Optimizer
	LR         float64
	Precision  Precision
	// Regularization. Dropout drops units after the hidden layers (one rate
	// for every hidden layer, or one per hidden layer; 0: none), InputDropout
	// the inputs; L1 and L2 penalize the weights of every Dense layer and
	// MaxNorm bounds the norm of each unit's incoming weights (nn.Dense's
	// fields; 0: none).
	Dropout                       []float64
	InputDropout, L1, L2, MaxNorm float64
	// FeatureScale, when positive, puts a learned scale per input in front
	// of the first Dense layer (nn.Scale, RealMLP's soft feature
	// selection), learning FeatureScale times as fast as the weights under
	// Adam or RMSprop (FeatureScale² times under plain SGD), in
	// [nn.MinScaleFactor, nn.MaxScaleFactor]; it is folded into that
	// layer's weights after training. 0: none.
	FeatureScale float64
	// NumericEmbedding is how the numeric inputs enter the first Dense
	// layer: NoEmbedding (the zero value: DefaultEmbedding) or PBLD (no
	// embedding, and a line on Warn, when the table has no numeric input).
	NumericEmbedding Embedding
	// LabelSmoothing mixes a classification's training targets with the
	// uniform distribution over the classes, (1−ε)·onehot + ε/K
	// (nn.LabelSmoothing; 0: DefaultLabelSmoothing on a table of at most
	// DefaultEnsembleMaxRows rows, none on a larger one), which the
	// training and validation losses use; NoLabelSmoothing trains on the
	// labels as they are. A regression has no labels to smooth: a value is
	// an error.
	LabelSmoothing   float64
	NoLabelSmoothing bool
	// LRSchedule is Cosine (the zero value: DefaultSchedule) or Constant.
	LRSchedule Schedule
	// ClassWeight weighs each training row's loss by its class
	// (classification only; the zero value: every class 1).
	// SampleWeight names a numeric column of the table that holds each
	// row's weight (Keras' sample_weight): no feature then, every row
	// must have a finite weight ≥ 0; it multiplies the training loss, with
	// the class weight. The validation loss and Evaluate weigh every row
	// 1. SampleWeight does not go with Cache.
	ClassWeight  ClassWeight
	SampleWeight string
	// Training. Epochs and Batch default to DefaultEpochs and DefaultBatch;
	// Workers to one per CPU (runtime.GOMAXPROCS): the model does not
	// depend on their number.
	Epochs, Batch, Workers int
	Seed                   uint64
	// Ensemble trains that many networks from seeds Seed, Seed+1, … and
	// packs them into one model that averages them (ensemble.go; 0:
	// DefaultEnsemble for a table of at most DefaultEnsembleMaxRows rows,
	// else 1, and 1 with CheckpointPath, CheckpointEvery or Resume; 1: one
	// network; at most MaxEnsemble). It takes no checkpoints; Callbacks
	// and Log see each member's training in turn.
	Ensemble int
	// ValSplit holds out a fraction of the rows for validation, stratified
	// by class; its zero value is DefaultValSplit for tables of at least
	// DefaultValMinRows rows (DefaultValMinRowsClassify for
	// classification) and none for smaller ones. NoValSplit holds out
	// none; Val gives a validation table instead.
	// With an ensemble, each member holds out its own part of about
	// ValSplit of the rows instead (1/⌊1/ValSplit⌉ of them, for a
	// ValSplit of at most one half), by default on tables of at least
	// DefaultValMinRows rows of either task, at any size when ValSplit is
	// given (memberParts); SharedVal has the members share one split, as
	// a single network's. The preprocessing is then fitted on all the
	// rows, the members' parts included.
	ValSplit   float64
	NoValSplit bool
	SharedVal  bool
	Val        *Source
	// Patience stops after that many epochs without improvement of the
	// validation loss (the training loss without validation) and keeps the
	// best epoch's weights (0: DefaultPatience). NoEarlyStopping trains
	// every epoch and keeps the last one's weights.
	Patience        int
	NoEarlyStopping bool
	// Monitor is what early stopping watches, and keeps the best epoch of:
	// "loss" (the zero value), or a metric of the task — "accuracy" to
	// classify; "r2", "rmse" or "mae" for a regression — on the validation
	// rows (on the training rows without validation).
	Monitor string
	// Checkpoints, as train.Options (CheckpointEvery 0: none).
	CheckpointPath  string
	CheckpointEvery int
	Resume          bool
	// Callbacks run during training; Log gets one line per epoch.
	Callbacks []train.Callback
	Log       io.Writer
	// Warn gets one line per thing the user should know about the data:
	// rows skipped for a missing target, unseen categories.
	Warn io.Writer
	// Notes gets one line per step of the run worth telling that is no
	// warning: a cache built, and why (no cache yet, its source changed).
	Notes io.Writer
	// Hints renders the settings that errors and warnings advise
	// (csvdata.Hint); nil: ConfigHint, fields of Config.
	Hints func(csvdata.Hint) string
	// Comm trains across processes (see train.Options.Comm).
	Comm          parallel.Communicator
	CommAllreduce bool
	// Cache, a directory, trains from a binary block cache of the table
	// (package cache) rather than from the table in memory: built there
	// from the CSV file on the first run (or when the file has changed),
	// read on later runs with no parse. Memory then holds a few blocks and
	// 20 bytes or so a row, whatever the table's size; the model is the
	// one Fit trains in memory, bit for bit. It needs a File source.
	// Under a Comm, rank 0 builds it (or finds it valid) and the other
	// ranks then open the same directory, a shared one; CachePerRank
	// spreads it over the ranks instead.
	// CacheSize and CacheProgress, when set, follow the build: the text's
	// expected bytes (0: unknown), then the bytes read as they come.
	// CacheRead says how the cache's rows are read: loaded into memory
	// when they fit (CacheAuto, the zero value), always (CacheMemory), or
	// from disk a batch at a time (CacheDisk); the model is the same.
	Cache     string
	CacheRead CacheRead
	// CachePerRank, under a Comm of more than one rank, spreads the cache
	// over the ranks instead: rank r of R keeps only its part, about 1/R
	// of the blocks, in Cache/rank-r-of-R (PartDir), which it builds
	// itself — a directory on its own machine's disk, or on one the ranks
	// share — and each step's rows are sent to the ranks that train them
	// by the ranks that keep them. CacheRead then says how a rank reads
	// its part. The model is still the single process's, bit for bit.
	CachePerRank  bool
	CacheSize     func(n int64)
	CacheProgress func(n int)
	// LocalRanks is how many ranks of Comm run on this machine and share
	// its memory (0: 1): each budgets its share of the memory limit, for
	// building its part of a spread cache and for loading it.
	LocalRanks int

	// ShuffleWindow (at most MaxShuffleWindow), when positive, shuffles each epoch in windows of
	// that many blocks of train.ShuffleBlock rows (train.Options'
	// ShuffleWindow): a cache read from disk then reads whole blocks,
	// 4·ShuffleWindow of about a megabyte held at a time, rather than a
	// row at a time. The model depends on the window, not on the workers,
	// the cache or a resume. 0 shuffles all the rows (the default).
	ShuffleWindow int

	cacheBlockBytes, cachePartBytes int // the cache's block and part sizes (tests set them small)

	activation nn.Activation // Activation, parsed by withDefaults
}

// withDefaults fills in the defaults of the zero values and checks every
// setting that needs no data: the one place where either is done. A
// setting it refuses is a *SettingError.
func (c Config) withDefaults() (Config, error) {
	if err := c.checkNames(); err != nil {
		return c, err
	}
	if c.Scale == "" {
		c.Scale = DefaultScale
	}
	c.Task, c.Scale, c.TargetScale, c.Impute = c.Task.Resolved(), c.Scale.Resolved(), c.TargetScale.Resolved(), c.Impute.Resolved()
	c.Loss, c.Optimizer, c.LRSchedule, c.Precision = c.Loss.Resolved(), c.Optimizer.Resolved(), c.LRSchedule.Resolved(), c.Precision.Resolved()
	c.CacheRead = c.CacheRead.Resolved()
	if c.CachePerRank && c.Cache == "" {
		return c, settingError("CachePerRank", true, "spreads a block cache over the ranks: it needs the cache's directory too")
	}
	if err := c.ClassWeight.check(); err != nil {
		return c, err
	}
	if err := c.checkSampleWeight(); err != nil {
		return c, err
	}
	if c.LocalRanks < 0 {
		return c, settingError("LocalRanks", c.LocalRanks, "want 0 or more")
	}
	if c.Hidden == nil {
		c.Hidden = DefaultHidden
	}
	if c.Activation == "" {
		c.Activation = DefaultActivation
	}
	act, err := nn.ParseActivation(c.Activation)
	if err != nil {
		return c, settingError("Activation", c.Activation, "want "+nn.ActivationChoices)
	}
	c.activation = act
	if err := c.checkCounts(); err != nil {
		return c, err
	}
	w, want := cpus.Workers(c.Workers)
	if want != "" {
		return c, settingError("Workers", c.Workers, "%s", want)
	}
	c.Workers = w
	if c.Epochs == 0 {
		c.Epochs = DefaultEpochs
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.Patience == 0 {
		c.Patience = DefaultPatience
	}
	if c.Ensemble > 1 && (c.CheckpointPath != "" || c.CheckpointEvery > 0 || c.Resume) {
		return c, settingError("Ensemble", c.Ensemble, "takes no checkpoints: a checkpoint holds one network")
	}
	if c.MaxCategories == 0 {
		c.MaxCategories = csvdata.DefaultMaxCategories
	}
	return c, c.checkRates()
}

// checkNames checks the settings that are names.
func (c Config) checkNames() error {
	for _, n := range []struct {
		field, value string
		parse        func(string) error
	}{
		{"Task", string(c.Task), func(s string) error { _, err := prep.ParseTask(s); return err }},
		{"Scale", string(c.Scale), func(s string) error { _, err := prep.ParseScaler(s); return err }},
		{"TargetScale", string(c.TargetScale), func(s string) error {
			_, err := prep.ParseName("target scaling", s, []prep.Scaler{prep.Standard, prep.NoScale})
			return err
		}},
		{"Impute", string(c.Impute), func(s string) error { _, err := prep.ParseImputation(s); return err }},
		{"Loss", string(c.Loss), func(s string) error { _, err := ParseLoss(s); return err }},
		{"Optimizer", string(c.Optimizer), func(s string) error { _, err := ParseOptimizer(s); return err }},
		{"LRSchedule", string(c.LRSchedule), func(s string) error { _, err := ParseSchedule(s); return err }},
		{"NumericEmbedding", string(c.NumericEmbedding), func(s string) error { _, err := ParseEmbedding(s); return err }},
		{"Precision", string(c.Precision), func(s string) error { _, err := ParsePrecision(s); return err }},
		{"CacheRead", string(c.CacheRead), func(s string) error { _, err := ParseCacheRead(s); return err }},
		{"Monitor", c.Monitor, func(s string) error { _, err := prep.ParseName("monitor", s, Monitors); return err }},
	} {
		if n.value == "" { // the zero value: the default
			continue
		}
		var ne *prep.NameError
		if err := n.parse(n.value); errors.As(err, &ne) {
			return settingError(n.field, n.value, "%s", ne.Wanted())
		}
	}
	return nil
}

// checkCounts checks the settings that are counts, before their zero
// values are filled in.
func (c Config) checkCounts() error {
	for _, n := range []struct {
		field      string
		value, max int
		want       string
	}{
		{"Epochs", c.Epochs, MaxEpochs, fmt.Sprintf("want at least 0 (0: the default) and at most %d", MaxEpochs)},
		{"Batch", c.Batch, math.MaxInt, "want 0 (the default) or more"},
		{"MaxCategories", c.MaxCategories, math.MaxInt, "want 0 (the default) or more"},
		{"Patience", c.Patience, math.MaxInt, "want 0 (the default) or more"},
		{"CheckpointEvery", c.CheckpointEvery, math.MaxInt, "want 0 (none) or more"},
		{"Ensemble", c.Ensemble, MaxEnsemble, fmt.Sprintf("want 0 (the default) to %d networks", MaxEnsemble)},
		{"ShuffleWindow", c.ShuffleWindow, MaxShuffleWindow, fmt.Sprintf("want 0 (all the rows) to %d blocks", MaxShuffleWindow)},
	} {
		if n.value < 0 || n.value > n.max {
			return settingError(n.field, n.value, "%s", n.want)
		}
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return settingError("Hidden", c.Hidden, "want layer sizes of at least 1")
		}
	}
	return nil
}

// checkRates checks the settings that are rates and fractions.
func (c Config) checkRates() error {
	switch {
	case !(c.ValSplit >= 0 && c.ValSplit < 1):
		return settingError("ValSplit", c.ValSplit, "want a fraction in [0, 1)")
	case c.ValSplit > 0 && (c.NoValSplit || c.Val != nil):
		return settingError("ValSplit", c.ValSplit, "give a validation split or a validation table, not both")
	case !(c.LR >= 0) || math.IsInf(c.LR, 0):
		return settingError("LR", c.LR, "want a positive finite rate, or 0 for the optimizer's default")
	case len(c.Dropout) > 1 && len(c.Dropout) != len(c.Hidden):
		return settingError("Dropout", c.Dropout, "%d rates for %d hidden layers (give one rate, or one per hidden layer)", len(c.Dropout), len(c.Hidden))
	case len(c.Hidden) == 0 && slices.ContainsFunc(c.Dropout, func(r float64) bool { return r != 0 }):
		return settingError("Dropout", c.Dropout, "there are no hidden layers to drop units of")
	case !(c.InputDropout >= 0 && c.InputDropout < 1):
		return settingError("InputDropout", c.InputDropout, "want a rate in [0, 1)")
	case c.FeatureScale != 0 && c.NumericEmbedding.Resolved() != NoEmbedding:
		return settingError("FeatureScale", c.FeatureScale, "scales the inputs as they are, and does not go with a numeric embedding (%s)", c.NumericEmbedding)
	case c.FeatureScale != 0 && !(c.FeatureScale >= nn.MinScaleFactor && c.FeatureScale <= nn.MaxScaleFactor):
		return settingError("FeatureScale", c.FeatureScale, "want a learning-rate factor in [%g, %g], or 0 for no feature scale", nn.MinScaleFactor, nn.MaxScaleFactor)
	case !(c.LabelSmoothing >= 0 && c.LabelSmoothing < nn.MaxLabelSmoothing):
		return settingError("LabelSmoothing", c.LabelSmoothing, "want a fraction in [0, 1)")
	case c.LabelSmoothing > 0 && c.NoLabelSmoothing:
		return settingError("LabelSmoothing", c.LabelSmoothing, "give a label smoothing or NoLabelSmoothing, not both")
	}
	for _, r := range c.Dropout {
		if !(r >= 0 && r < 1) {
			return settingError("Dropout", c.Dropout, "want rates in [0, 1)")
		}
	}
	for _, p := range []struct {
		field string
		v     float64
	}{{"L1", c.L1}, {"L2", c.L2}, {"MaxNorm", c.MaxNorm}} {
		if !(p.v >= 0) || math.IsInf(p.v, 1) {
			return settingError(p.field, p.v, "want a finite value not below 0 (0: none)")
		}
	}
	return nil
}

// readOptions are the csvdata options of the training table (with its
// targets; p nil) or of the validation table (with the schema and targets
// of p, the training table's preprocessing).
func (c Config) readOptions(p *prep.Preprocessing) csvdata.Options {
	o := csvdata.Options{Targets: c.Targets, Categorical: c.Categorical, Ignore: c.Ignore, NA: c.NA,
		Delimiter: c.Delimiter, MaxCategories: c.MaxCategories, Workers: c.Workers, MissingIsError: c.Impute.MissingIsError()}
	if p == nil {
		o.ExtraRowBytes = trainRowBytes(c)
	} else {
		o.Schema, o.Targets, o.Categorical, o.Ignore, o.MaxCategories = &p.Schema, p.Targets, p.TextTargets(), nil, 0
	}
	return o
}

// MaxShuffleWindow bounds Config.ShuffleWindow: a cache read from disk
// holds 4·ShuffleWindow blocks of about a megabyte.
const MaxShuffleWindow = 1024
