package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/internal/mpi"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// fitConfig holds the fit command's flags.
type fitConfig struct {
	data, target, task, hidden, activation, loss, optimizer string
	lr, valSplit                                            float64
	inputDropout, l1, l2, maxNorm                           float64
	dropout, lrSchedule                                     string
	epochs, batch, workers, patience, checkpointEvery       int
	maxCategories                                           int
	seed                                                    uint64
	precision, val, out, history, plot, scale               string
	categorical, ignore, na, impute, delimiter, scaleTarget string
	resume, quiet, mpi, mpiAllreduce, missingIndicator      bool
	valSplitSet                                             bool                  // --val-split was given
	lrSet                                                   bool                  // --lr was given
	comm                                                    parallel.Communicator // MPI_COMM_WORLD under mpirun, else nil
}

// fitCommand trains a model on a table (tabular.Fit) and saves it, with
// the history and plot asked for; under MPI (mpi.go) each rank trains
// its share of every batch and rank 0 alone writes.
func fitCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c fitConfig
	fs := newFlags("fit")
	fs.StringVar(&c.data, "data", "", "training CSV file with a header line, plain or gzip, separated by , ; tab or | (sniffed); - reads standard input (required)")
	fs.StringVar(&c.target, "target", "", "target column(s), by name or 0-based index, comma-separated (default: the last column); rows with a missing target are skipped")
	fs.StringVar(&c.task, "task", "auto", "auto, classify or regress (auto: classify when the target holds text or few distinct integers)")
	fs.StringVar(&c.categorical, "categorical", "", "columns whose values are text categories even if they look like numbers (01 and 1 differ), comma-separated")
	fs.StringVar(&c.ignore, "ignore", "", "columns to leave out (identifiers, say), comma-separated")
	fs.StringVar(&c.na, "na", "", "more tokens that mean a missing value, comma-separated (always: empty, NA, N/A, NaN, nan, null, NULL)")
	fs.StringVar(&c.impute, "impute", prep.Mean, "missing numbers: mean or median of the training rows, or error")
	fs.BoolVar(&c.missingIndicator, "missing-indicator", false, "add a 0/1 input per numeric column with missing training values")
	fs.IntVar(&c.maxCategories, "max-categories", csvdata.DefaultMaxCategories, "most distinct values of a text column (more: an identifier, an error)")
	fs.StringVar(&c.delimiter, "delimiter", "", "field separator (default: sniffed from the header among , ; tab |); \\t for tab")
	fs.StringVar(&c.hidden, "hidden", "128,64", "hidden layer sizes, comma-separated (empty for none)")
	fs.StringVar(&c.activation, "activation", "relu", "hidden activation: relu, tanh, sigmoid, leaky_relu, linear")
	fs.StringVar(&c.loss, "loss", "auto", "auto, mse, mae, huber, ce or bce")
	fs.StringVar(&c.dropout, "dropout", "", "dropout rate after every hidden layer, or one rate per hidden layer, comma-separated (inverted dropout, off in predict and evaluate)")
	fs.Float64Var(&c.inputDropout, "input-dropout", 0, "dropout rate on the inputs")
	fs.Float64Var(&c.l1, "l1", 0, "L1 penalty on the weights of every layer (Keras' kernel_regularizer)")
	fs.Float64Var(&c.l2, "l2", 0, "L2 penalty on the weights of every layer")
	fs.Float64Var(&c.maxNorm, "max-norm", 0, "bound on the L2 norm of each unit's incoming weights, applied after every update (Keras' max_norm; 0: none)")
	fs.StringVar(&c.optimizer, "optimizer", "adam", "sgd, momentum, nesterov, adam, adamw or rmsprop")
	fs.StringVar(&c.lrSchedule, "lr-schedule", "constant", "constant, or cosine: from --lr down to 0 over --epochs, along half a cosine, set every epoch")
	fs.Float64Var(&c.lr, "lr", 0, "learning rate (default: Keras' for the optimizer, 0.01 for the SGD family, 0.001 otherwise)")
	fs.IntVar(&c.epochs, "epochs", tabular.DefaultEpochs, "most passes over the training data (early stopping usually ends sooner)")
	fs.IntVar(&c.batch, "batch", tabular.DefaultBatch, "samples per optimizer step")
	fs.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "worker goroutines (default: the number of CPUs); results do not depend on it")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the initial weights, the shuffling and the validation split")
	fs.StringVar(&c.precision, "precision", "f32", "f32 or f64")
	fs.StringVar(&c.scale, "scale", prep.Standard, "input scaling: standard ((x-mean)/std), minmax (into [0, 1]) or none")
	fs.StringVar(&c.scaleTarget, "scale-target", prep.Standard, "regression targets: standard (trained standardized; answers and metrics in the original units) or none")
	fs.Float64Var(&c.valSplit, "val-split", tabular.DefaultValSplit, fmt.Sprintf("fraction of the rows held out for validation and early stopping, stratified by class (by default only for tables of at least %d rows, %d for classification; 0: none)", tabular.DefaultValMinRows, tabular.DefaultValMinRowsClassify))
	fs.StringVar(&c.val, "val", "", "validation CSV file (instead of --val-split)")
	fs.IntVar(&c.patience, "patience", tabular.DefaultPatience, "stop after this many epochs without improvement of the validation loss (the training loss without validation) and keep the best weights (0: off)")
	fs.StringVar(&c.out, "out", "model.safetensors", "where to save the model")
	fs.StringVar(&c.history, "history", "", "write the per-epoch history to this .csv or .jsonl file (regression losses in standardized units)")
	fs.IntVar(&c.checkpointEvery, "checkpoint-every", 0, "write a checkpoint (OUT.ckpt) every N epochs (0: off)")
	fs.BoolVar(&c.resume, "resume", false, "continue from the checkpoint OUT.ckpt if it exists")
	fs.StringVar(&c.plot, "plot", "", "draw the training and validation loss per epoch into this .png file")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress display and no per-epoch lines")
	fs.BoolVar(&c.mpi, "mpi", false, "train across the ranks of an MPI job (automatic under mpirun; needs a build with -tags mpi)")
	fs.BoolVar(&c.mpiAllreduce, "mpi-allreduce", false, "under MPI, sum gradients with MPI_Allreduce: faster, but not bit-identical to one process")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		c.valSplitSet = c.valSplitSet || f.Name == "val-split"
		c.lrSet = c.lrSet || f.Name == "lr"
	})
	if err := c.check(); err != nil {
		return usageError(err)
	}
	if c.mpi || c.mpiAllreduce || mpi.UnderLauncher() {
		return fitUnderMPI(ctx, &c, stderr, func() error { return runFit(ctx, c, stdout, stderr) })
	}
	return runFit(ctx, c, stdout, stderr)
}

// check validates the flags that need no data.
func (c *fitConfig) check() error {
	switch {
	case c.data == "":
		return errors.New("--data is required")
	case c.task != "auto" && c.task != prep.Classify && c.task != prep.Regress:
		return fmt.Errorf("--task %s: want auto, classify or regress", csvdata.Quote(c.task))
	case !slices.Contains(prep.Scalers, c.scale):
		return fmt.Errorf("--scale %s: want standard, minmax or none", csvdata.Quote(c.scale))
	case c.scaleTarget != prep.Standard && c.scaleTarget != prep.NoScale:
		return fmt.Errorf("--scale-target %s: want standard or none", csvdata.Quote(c.scaleTarget))
	case !slices.Contains(prep.Imputers, c.impute):
		return fmt.Errorf("--impute %s: want mean, median or error", csvdata.Quote(c.impute))
	case c.precision != "f32" && c.precision != "f64":
		return fmt.Errorf("--precision %s: want f32 or f64", csvdata.Quote(c.precision))
	case c.epochs < 1 || c.epochs > maxEpochs:
		return fmt.Errorf("--epochs %d: want at least 1 and at most %d", c.epochs, maxEpochs)
	case c.batch < 1:
		return fmt.Errorf("--batch %d: want at least 1", c.batch)
	case c.workers < 1:
		return fmt.Errorf("--workers %d: want at least 1", c.workers)
	case c.maxCategories < 1:
		return fmt.Errorf("--max-categories %d: want at least 1", c.maxCategories)
	case !(c.valSplit >= 0 && c.valSplit < 1):
		return fmt.Errorf("--val-split %v: want a fraction in [0, 1)", c.valSplit)
	case c.valSplitSet && c.valSplit > 0 && c.val != "":
		return errors.New("--val-split and --val: give one")
	case !slices.Contains([]string{"auto", "mse", "mae", "huber", "ce", "bce"}, c.loss):
		return fmt.Errorf("--loss %s: want auto, mse, mae, huber, ce or bce", csvdata.Quote(c.loss))
	case c.patience < 0 || c.checkpointEvery < 0:
		return errors.New("--patience and --checkpoint-every cannot be negative")
	case !(c.lr >= 0) || math.IsInf(c.lr, 0) || (c.lrSet && c.lr == 0):
		return fmt.Errorf("--lr %v: want a positive finite rate (leave it out for the optimizer's default)", c.lr)
	case c.lrSchedule != "constant" && c.lrSchedule != "cosine":
		return fmt.Errorf("--lr-schedule %s: want constant or cosine", csvdata.Quote(c.lrSchedule))
	case !(c.inputDropout >= 0 && c.inputDropout < 1):
		return fmt.Errorf("--input-dropout %v: want a rate in [0, 1)", c.inputDropout)
	case !(c.l1 >= 0) || math.IsInf(c.l1, 0):
		return fmt.Errorf("--l1 %v: want a finite penalty not below 0", c.l1)
	case !(c.l2 >= 0) || math.IsInf(c.l2, 0):
		return fmt.Errorf("--l2 %v: want a finite penalty not below 0", c.l2)
	case !(c.maxNorm >= 0) || math.IsInf(c.maxNorm, 0):
		return fmt.Errorf("--max-norm %v: want a finite bound not below 0 (0: none)", c.maxNorm)
	case c.resume && c.checkpointEvery == 0:
		return errors.New("--resume needs --checkpoint-every")
	case c.history != "" && !strings.HasSuffix(c.history, ".csv") && !strings.HasSuffix(c.history, ".jsonl"):
		return fmt.Errorf("--history %s: want a .csv or .jsonl file", csvdata.Quote(c.history))
	case c.out == "":
		return errors.New("--out cannot be empty")
	case c.plot != "" && !strings.HasSuffix(c.plot, ".png"):
		return fmt.Errorf("--plot %s: want a .png file", csvdata.Quote(c.plot))
	}
	for _, l := range [][2]string{{"target", c.target}, {"categorical", c.categorical}, {"ignore", c.ignore}, {"na", c.na}} {
		if err := checkList(l[0], l[1]); err != nil {
			return err
		}
	}
	if _, err := parseDelimiter(c.delimiter); err != nil {
		return err
	}
	hidden, err := parseHidden(c.hidden)
	if err != nil {
		return err
	}
	if _, err := parseDropout(c.dropout, len(hidden)); err != nil {
		return err
	}
	if _, err := nn.ParseActivation(c.activation); err != nil {
		return fmt.Errorf("--activation: %w", err)
	}
	if _, err := tabular.NewOptimizer[float32](c.optimizer, c.lr); err != nil {
		return fmt.Errorf("--%w", err)
	}
	return nil
}

// maxEpochs bounds --epochs: a run keeps one history entry per epoch.
const maxEpochs = 1_000_000_000

// config maps the fit command's flags to the library's settings.
func (c fitConfig) config(stderr io.Writer) tabular.Config {
	hidden, _ := parseHidden(c.hidden)
	dropout, _ := parseDropout(c.dropout, len(hidden))
	delim, _ := parseDelimiter(c.delimiter)
	tc := tabular.Config{
		Targets: list(c.target), Categorical: list(c.categorical), Ignore: list(c.ignore), NA: list(c.na),
		Delimiter: delim, MaxCategories: c.maxCategories, Task: c.task,
		Scale: c.scale, Impute: c.impute, MissingIndicator: c.missingIndicator, NoTargetScale: c.scaleTarget == prep.NoScale,
		Hidden: hidden, Dropout: dropout, InputDropout: c.inputDropout, L1: c.l1, L2: c.l2, MaxNorm: c.maxNorm, LRSchedule: c.lrSchedule, Activation: c.activation, Loss: c.loss, Optimizer: c.optimizer, LR: c.lr, Float64: c.precision == "f64",
		Epochs: c.epochs, Batch: c.batch, Workers: c.workers, Seed: c.seed, ValSplit: c.valSplit, Patience: c.patience,
		Warn: stderr, Hints: flagHint,
	}
	switch {
	case !c.valSplitSet:
		tc.ValSplit = 0 // the library's default, which depends on the table
	case c.valSplit == 0:
		tc.ValSplit = -1
	}
	if c.patience == 0 {
		tc.Patience = -1
	}
	if c.val != "" {
		v := source(c.val)
		tc.Val, tc.ValSplit = &v, 0
	}
	if c.checkpointEvery > 0 {
		tc.CheckpointPath, tc.CheckpointEvery, tc.Resume = c.out+".ckpt", c.checkpointEvery, c.resume
	}
	if c.comm != nil && c.comm.Size() > 1 {
		tc.Comm, tc.CommAllreduce = c.comm, c.mpiAllreduce
	}
	return tc
}

// runFit trains and saves the model and the history and plot asked for.
func runFit(ctx context.Context, c fitConfig, stdout, stderr io.Writer) error {
	tc := c.config(stderr)
	follower := c.comm != nil && c.comm.Rank() != 0 // logs only errors, writes nothing
	switch {
	case c.quiet || follower:
		tc.Warn = nil
	case isTerminal(stderr):
		tc.Callbacks = append(tc.Callbacks, &progress{w: stderr, epochs: c.epochs})
	default:
		tc.Log = stderr // one plain line per epoch
	}
	if !follower {
		outs := []namedPath{{"out", c.out}}
		if c.checkpointEvery > 0 {
			outs = append(outs, namedPath{"checkpoint-every (its checkpoint " + c.out + ".ckpt)", c.out + ".ckpt"})
		}
		if c.history != "" {
			outs = append(outs, namedPath{"history", c.history})
		}
		if c.plot != "" {
			outs = append(outs, namedPath{"plot", c.plot})
		}
		if err := checkOutputs(outs, []namedPath{{"data", c.data}, {"val", c.val}}); err != nil {
			return usageError(err)
		}
	}
	m, err := tabular.Fit(ctx, source(c.data), tc)
	if err != nil {
		if errors.As(err, new(*tabular.InputError)) {
			return usageError(err)
		}
		return err
	}
	if follower {
		return nil
	}
	if err := atomicfile.WriteContext(ctx, c.out, func(w io.Writer) error { _, err := m.WriteTo(w); return err }); err != nil {
		return writeError(err)
	}
	hist := m.History
	if c.history != "" {
		if err := writeHistory(ctx, c.history, hist); err != nil {
			return writeError(err)
		}
	}
	if c.plot != "" {
		if err := plotLoss(ctx, c.plot, hist); err != nil {
			return writeError(err)
		}
	}
	last := hist.Epochs[len(hist.Epochs)-1]
	fmt.Fprintf(stderr, "saved %s after %d epochs\n", c.out, len(hist.Epochs))
	if isStdout(c.out) { // the model went there: the summary line must not follow it
		stdout = stderr
	}
	fmt.Fprintln(stdout, last.String())
	return nil
}
