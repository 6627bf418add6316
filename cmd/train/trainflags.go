package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// trainFlags adds to fs the flags of fit that say how to read the table
// and train, bound to c: those that cv takes too. A flag that is a name
// defaults to the empty name, which the library takes for its default
// (the type's Resolved): the help shows that default, the command does
// not choose it.
func trainFlags(fs *flag.FlagSet, c *fitConfig) {
	fs.StringVar(&c.data, "data", "", "training CSV file with a header line, plain or gzip, separated by , ; tab or | (sniffed); a glob pattern or a comma-separated list of such files with the same header, read as one table; - reads standard input (required)")
	fs.StringVar(&c.shuffle, "shuffle", "", `"global" (every row in a random order, the default) or "window:K": rows shuffled within windows of K blocks of 1024 rows, the blocks in a random order — for --cache read from disk, whole blocks read at once; a model of its own, the same for any --workers, --cache or resume`)
	fs.StringVar(&c.target, "target", "", "target column(s), by name or 0-based index, comma-separated (default: the last column); rows with a missing target are skipped")
	fs.StringVar(&c.task, "task", "", "auto, classify or regress (auto: classify when the target holds text or few distinct integers)"+shownDefault(prep.Task("")))
	fs.StringVar(&c.categorical, "categorical", "", "columns whose values are text categories even if they look like numbers (01 and 1 differ; a target's classes too), comma-separated")
	fs.StringVar(&c.ignore, "ignore", "", "columns to leave out (identifiers, say), comma-separated")
	fs.StringVar(&c.na, "na", "", "more tokens that mean a missing value, comma-separated (always: empty, NA, N/A, NaN, nan, null, NULL)")
	fs.StringVar(&c.impute, "impute", "", "missing numbers: mean or median of the training rows, or error"+shownDefault(prep.Imputation("")))
	fs.BoolVar(&c.missingIndicator, "missing-indicator", false, "add a 0/1 input per numeric column with missing training values")
	fs.StringVar(&c.classWeight, "class-weight", "", "weigh each training row's loss by its class (classification): balanced (n/(classes·n of the class), over the training rows, as scikit-learn's) or LABEL=W pairs, comma-separated, labels as the table writes them (a class not named weighs 1); the validation loss is not weighted")
	fs.StringVar(&c.sampleWeight, "sample-weight", "", "column holding each row's loss weight (a finite number ≥ 0 in every row; not a feature); multiplies the training loss, with --class-weight")
	fs.IntVar(&c.maxCategories, "max-categories", csvdata.DefaultMaxCategories, "most distinct values of a text column (more: an identifier, an error; 0: the default)")
	fs.StringVar(&c.delimiter, "delimiter", "", "field separator (default: sniffed from the header among , ; tab |); \\t for tab")
	fs.StringVar(&c.hidden, "hidden", joinInts(tabular.DefaultHidden), "hidden layer sizes, comma-separated (empty for none)")
	fs.StringVar(&c.activation, "activation", "", fmt.Sprintf("hidden activation: relu, tanh, sigmoid, leaky_relu, linear (default %q)", tabular.DefaultActivation))
	fs.StringVar(&c.loss, "loss", "", "auto (cross-entropy or mse by task), mse, mae, huber, ce or bce"+shownDefault(tabular.Loss("")))
	fs.StringVar(&c.dropout, "dropout", "", "dropout rate after every hidden layer, or one rate per hidden layer, comma-separated (inverted dropout, off in predict and evaluate)")
	fs.Float64Var(&c.inputDropout, "input-dropout", 0, "dropout rate on the inputs")
	fs.StringVar(&c.numericEmbedding, "numeric-embedding", "", "none, or pbld: each numeric input embedded with RealMLP's periodic embedding in front of the first layer"+shownDefault(tabular.Embedding("")))
	fs.Float64Var(&c.featureScale, "feature-scale", 0, "a learned scale per input, learning this many times as fast as the weights under adam or rmsprop (RealMLP's soft feature selection; 0: none)")
	fs.Float64Var(&c.l1, "l1", 0, "L1 penalty on the weights of every layer (Keras' kernel_regularizer)")
	fs.Float64Var(&c.l2, "l2", 0, "L2 penalty on the weights of every layer")
	fs.Float64Var(&c.labelSmoothing, "label-smoothing", 0, fmt.Sprintf("classification: train on targets mixed with the uniform distribution over the classes, (1-e)*onehot + e/classes, as Keras' and PyTorch's label_smoothing (0: none; default %v on tables of at most %d rows, none on larger ones)", tabular.DefaultLabelSmoothing, tabular.DefaultEnsembleMaxRows))
	fs.Float64Var(&c.maxNorm, "max-norm", 0, "bound on the L2 norm of each unit's incoming weights, applied after every update (Keras' max_norm; 0: none)")
	fs.StringVar(&c.optimizer, "optimizer", "", "sgd, momentum, nesterov, adam, adamw or rmsprop"+shownDefault(tabular.Optimizer("")))
	fs.StringVar(&c.lrSchedule, "lr-schedule", "", "constant, or cosine: from --lr down to 0 over --epochs, along half a cosine, set every epoch"+shownDefault(tabular.Schedule("")))
	fs.Float64Var(&c.lr, "lr", 0, "learning rate (default: Keras' for the optimizer, 0.01 for the SGD family, 0.001 otherwise)")
	fs.IntVar(&c.epochs, "epochs", tabular.DefaultEpochs, "most passes over the training data (early stopping usually ends sooner; 0: the default)")
	fs.IntVar(&c.batch, "batch", tabular.DefaultBatch, "samples per optimizer step (0: the default)")
	fs.IntVar(&c.workers, "workers", 0, "worker goroutines, at most 1024 (default 0: one per CPU); results do not depend on it")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the initial weights, the shuffling and the validation split")
	fs.StringVar(&c.precision, "precision", "", "f32 or f64"+shownDefault(tabular.Precision("")))
	fs.StringVar(&c.scale, "scale", "", "input scaling: robust ((x-median)/IQR, smoothly clipped into (-3, 3)), standard ((x-mean)/std), minmax (into [0, 1]) or none"+shownDefault(tabular.DefaultScale))
	fs.StringVar(&c.scaleTarget, "scale-target", "", "regression targets: standard (trained standardized; answers and metrics in the original units) or none"+shownDefault(prep.Scaler("")))
	fs.Float64Var(&c.valSplit, "val-split", tabular.DefaultValSplit, fmt.Sprintf("fraction of the rows held out for validation and early stopping, stratified by class (by default only for tables of at least %d rows; for classification with one network, %d; each member of an ensemble holds out its own part; 0: none)", tabular.DefaultValMinRows, tabular.DefaultValMinRowsClassify))
	fs.BoolVar(&c.sharedVal, "shared-val", false, "the members of an ensemble validate on one shared split, not each on its own part of the rows")
	fs.StringVar(&c.val, "val", "", "validation CSV file (instead of --val-split)")
	fs.IntVar(&c.ensemble, "ensemble", 0, fmt.Sprintf("train this many networks from seeds --seed, --seed+1, … and save one model that averages them (0: the default, %d for a table of at most %d rows, else 1; at most %d)", tabular.DefaultEnsemble, tabular.DefaultEnsembleMaxRows, tabular.MaxEnsemble))
	fs.StringVar(&c.monitor, "monitor", "", "what early stopping watches and keeps the best epoch of: loss, or the task's accuracy (classify), r2, rmse or mae (regress), on the validation rows (the training rows without validation) (default \"loss\")")
	fs.IntVar(&c.patience, "patience", tabular.DefaultPatience, "stop after this many epochs without improvement of the validation loss (the training loss without validation) and keep the best weights (0: off)")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress display and no per-epoch lines (warnings about the data still go to stderr)")
}

// parseTrainFlags parses the flags of fit or cv into c, noting those
// whose zero differs from their absence.
func parseTrainFlags(fs *flag.FlagSet, c *fitConfig, args []string, stdout io.Writer) error {
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		c.valSplitSet = c.valSplitSet || f.Name == "val-split"
		c.lrSet = c.lrSet || f.Name == "lr"
		c.labelSmoothingSet = c.labelSmoothingSet || f.Name == "label-smoothing"
	})
	c.flags = fs
	return nil
}
