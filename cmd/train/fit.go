package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/internal/mpi"
	"github.com/densetrain/densetrain/pkg/cache"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/parallel"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// fitConfig holds the fit command's flags.
type fitConfig struct {
	command                                                 string // the command's name in messages under MPI ("" is fit)
	data, target, task, hidden, activation, loss, optimizer string
	lr, valSplit, labelSmoothing                            float64
	inputDropout, l1, l2, maxNorm, featureScale             float64
	dropout, lrSchedule, numericEmbedding                   string
	epochs, batch, workers, patience, checkpointEvery       int
	maxCategories, ensemble                                 int
	seed                                                    uint64
	precision, val, out, history, plot, scale, cache        string
	cacheRead, shuffle, classWeight, sampleWeight, monitor  string
	categorical, ignore, na, impute, delimiter, scaleTarget string
	resume, quiet, mpi, mpiAllreduce, missingIndicator      bool
	cachePerRank, sharedVal                                 bool
	valSplitSet                                             bool                  // --val-split was given
	lrSet                                                   bool                  // --lr was given
	labelSmoothingSet                                       bool                  // --label-smoothing was given
	comm                                                    parallel.Communicator // MPI_COMM_WORLD under mpirun, else nil
	flags                                                   *flag.FlagSet         // the flags, to name one in an error
}

// fitCommand trains a model on a table (tabular.Fit) and saves it, with
// the history and plot asked for; under MPI (mpi.go) each rank trains
// its share of every batch and rank 0 alone writes.
func fitCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c fitConfig
	if err := parseTrainFlags(fitFlags(&c), &c, args, stdout); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return usageError(err)
	}
	tc, err := c.config(stderr)
	if err != nil {
		return usageError(err)
	}
	if c.mpi || c.mpiAllreduce || mpi.UnderLauncher() {
		return fitUnderMPI(ctx, &c, stderr, func() error { return runFit(ctx, c, tc, stdout, stderr) })
	}
	return runFit(ctx, c, tc, stdout, stderr)
}

// fitFlags returns the fit command's flag set, its flags bound to c:
// trainFlags' and those of the files fit writes, its cache and MPI.
func fitFlags(c *fitConfig) *flag.FlagSet {
	fs := newFlags("fit")
	trainFlags(fs, c)
	fs.StringVar(&c.cache, "cache", "", "train from a binary block cache of --data in this directory: built on the first run (again when the file changes), reused with no parse after; memory holds a few blocks, not the table (see train cache)")
	fs.StringVar(&c.cacheRead, "cache-read", "", "how --cache's rows are read: auto (into memory when they take under half of it, else from disk), memory, or disk (a read a row each batch: memory holds a block or two whatever the table's size); the model is the same"+shownDefault(tabular.CacheRead("")))
	fs.BoolVar(&c.cachePerRank, "cache-per-rank", false, "under MPI, spread --cache over the ranks: rank r of R builds and keeps only its part, about 1/R of the blocks, in DIR/rank-r-of-R (on its own machine's disk, or a shared one), and each step's rows travel from the ranks that keep them; the model is the same")
	fs.StringVar(&c.out, "out", "model.safetensors", "where to save the model")
	fs.StringVar(&c.history, "history", "", "write the per-epoch history to this .csv or .jsonl file (regression losses in standardized units)")
	fs.IntVar(&c.checkpointEvery, "checkpoint-every", 0, "write a checkpoint (OUT.ckpt) every N epochs (0: off)")
	fs.BoolVar(&c.resume, "resume", false, "continue from the checkpoint OUT.ckpt if it exists")
	fs.StringVar(&c.plot, "plot", "", "draw the training and validation loss per epoch into this .png file")
	fs.BoolVar(&c.mpi, "mpi", false, "train across the ranks of an MPI job (automatic under mpirun; needs a build with -tags mpi)")
	fs.BoolVar(&c.mpiAllreduce, "mpi-allreduce", false, "under MPI, sum gradients with MPI_Allreduce: faster, but not bit-identical to one process")
	return fs
}

// shownDefault is the help's note of the default of a name flag: the
// name the zero value v stands for, as the flag package writes a default.
func shownDefault(v fmt.Stringer) string { return fmt.Sprintf(" (default %q)", v.String()) }

// check refuses the flags that only the command has (--data, the files
// it writes, --resume without checkpoints, an explicit --lr 0). The
// settings of tabular.Config are checked by tabular.Fit, once, and its
// *tabular.SettingError named as the flag (flagError).
func (c *fitConfig) check() error {
	if err := c.checkTrain(); err != nil {
		return err
	}
	switch {
	case c.resume && c.checkpointEvery == 0:
		return errors.New("--resume needs --checkpoint-every")
	case c.history != "" && !strings.HasSuffix(c.history, ".csv") && !strings.HasSuffix(c.history, ".jsonl"):
		return fmt.Errorf("--history %s: want a .csv or .jsonl file", csvdata.Quote(c.history))
	case c.out == "":
		return errors.New("--out cannot be empty")
	case c.plot != "" && !strings.HasSuffix(c.plot, ".png"):
		return fmt.Errorf("--plot %s: want a .png file", csvdata.Quote(c.plot))
	}
	return nil
}

// checkTrain refuses the flags of trainFlags that only the command has:
// --data, an explicit --lr 0.
func (c *fitConfig) checkTrain() error {
	switch {
	case c.data == "":
		return errors.New("--data is required")
	case badData(c.data) != nil:
		return badData(c.data)
	case c.lrSet && c.lr == 0:
		return fmt.Errorf("--lr 0: %s", lrWant)
	}
	return nil
}

// config maps the fit command's flags onto the library's settings, once:
// each flag's value goes to its field as it is (a zero means the
// default there too), except --patience 0 and --val-split 0, the
// command's words for Config.NoEarlyStopping and Config.NoValSplit. It
// reads the flags that are lists, and refuses one it cannot read.
func (c fitConfig) config(stderr io.Writer) (tabular.Config, error) {
	tc := tabular.Config{
		MaxCategories: c.maxCategories, Task: prep.Task(c.task),
		Scale: prep.Scaler(c.scale), TargetScale: prep.Scaler(c.scaleTarget), Impute: prep.Imputation(c.impute), MissingIndicator: c.missingIndicator,
		InputDropout: c.inputDropout, FeatureScale: c.featureScale, NumericEmbedding: tabular.Embedding(c.numericEmbedding), L1: c.l1, L2: c.l2, MaxNorm: c.maxNorm, LRSchedule: tabular.Schedule(c.lrSchedule),
		Activation: c.activation, Loss: tabular.Loss(c.loss), Optimizer: tabular.Optimizer(c.optimizer), LR: c.lr, Precision: tabular.Precision(c.precision),
		Epochs: c.epochs, Batch: c.batch, Workers: c.workers, Seed: c.seed, Ensemble: c.ensemble, SharedVal: c.sharedVal,
		Patience: c.patience, NoEarlyStopping: c.patience == 0, Monitor: c.monitor,
		CheckpointEvery: c.checkpointEvery, Resume: c.resume, Cache: c.cache, CacheRead: tabular.CacheRead(c.cacheRead), CachePerRank: c.cachePerRank,
		Warn: stderr, Notes: stderr, Hints: flagHint,
	}
	var err error
	for _, l := range []struct {
		flag, value string
		to          *[]string
	}{{"target", c.target, &tc.Targets}, {"categorical", c.categorical, &tc.Categorical}, {"ignore", c.ignore, &tc.Ignore}, {"na", c.na, &tc.NA}} {
		if *l.to, err = listFlag(l.flag, l.value); err != nil {
			return tc, err
		}
	}
	if tc.Delimiter, err = parseDelimiter(c.delimiter); err != nil {
		return tc, err
	}
	if tc.Hidden, err = parseHidden(c.hidden); err != nil {
		return tc, err
	}
	if tc.Dropout, err = parseDropout(c.dropout); err != nil {
		return tc, err
	}
	if tc.ShuffleWindow, err = parseShuffle(c.shuffle); err != nil {
		return tc, err
	}
	if tc.ClassWeight, err = parseClassWeight(c.classWeight); err != nil {
		return tc, err
	}
	tc.SampleWeight = c.sampleWeight
	if c.valSplitSet { // else the library's default, which depends on the table
		tc.ValSplit, tc.NoValSplit = c.valSplit, c.valSplit == 0
	}
	if c.labelSmoothingSet { // else the library's default, for classification only
		tc.LabelSmoothing, tc.NoLabelSmoothing = c.labelSmoothing, c.labelSmoothing == 0
	}
	if c.val != "" {
		v := source(c.val)
		tc.Val = &v
	}
	if c.checkpointEvery != 0 {
		tc.CheckpointPath = c.out + ".ckpt"
	}
	return tc, nil
}

// runFit trains as tc says (c's flags, mapped by config) and saves the
// model and the history and plot asked for.
func runFit(ctx context.Context, c fitConfig, tc tabular.Config, stdout, stderr io.Writer) error {
	if c.comm != nil && c.comm.Size() > 1 {
		tc.Comm, tc.CommAllreduce, tc.LocalRanks = c.comm, c.mpiAllreduce, mpi.LocalRanks()
	}
	follower := c.comm != nil && c.comm.Rank() != 0 // logs only errors, writes nothing
	switch {
	case follower:
		tc.Warn, tc.Notes = nil, nil
	case c.quiet: // warnings of the data still go to stderr
		tc.Notes = nil
	case isTerminal(stderr):
		tc.Callbacks = append(tc.Callbacks, &progress{w: stderr, epochs: cmp.Or(c.epochs, tabular.DefaultEpochs)}) // for display
		tc.CacheSize, tc.CacheProgress = byteBar(stderr, "building the cache")
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
		ins := append(dataIns(c.data), namedPath{"val", c.val}, namedPath{"cache", c.cache})
		if c.cache != "" { // an output there would replace, or be replaced by, a file of the cache
			dirs := []string{c.cache}
			if c.cachePerRank && c.comm != nil && c.comm.Size() > 1 {
				dirs = append(dirs, tabular.PartDir(c.cache, c.comm.Rank(), c.comm.Size()))
			}
			for _, d := range dirs {
				for _, f := range cache.Files(d) {
					ins = append(ins, namedPath{"cache's " + filepath.Base(f), f})
				}
			}
		}
		if err := checkOutputs(outs, ins); err != nil {
			return usageError(err)
		}
	}
	m, err := tabular.Fit(ctx, source(c.data), tc)
	if err != nil {
		return userError(flagError(c.flags, err))
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
	// The line of the epoch whose weights were saved: early stopping's
	// best, or the last.
	kept, which, whose := hist.Epochs[len(hist.Epochs)-1], "the last epoch's", "its last epoch's"
	if r := hist.Restored; r > 0 && r < len(hist.Epochs) {
		kept, which = hist.Epochs[r-1], fmt.Sprintf("epoch %d's, the best, whose weights were kept", r)
		whose = "its " + which
	}
	if m.Members > 1 {
		fmt.Fprintf(stderr, "saved %s: an ensemble of %d networks, the first after %d epochs (the line below is %s; train evaluate scores the ensemble)\n", c.out, m.Members, len(hist.Epochs), whose)
	} else {
		fmt.Fprintf(stderr, "saved %s after %d epochs (the line below is %s)\n", c.out, len(hist.Epochs), which)
	}
	if isStdout(c.out) { // the model went there: the summary line must not follow it
		stdout = stderr
	}
	fmt.Fprintln(stdout, kept.String())
	return nil
}
