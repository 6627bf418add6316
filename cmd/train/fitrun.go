package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

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
		Warn: stderr,
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
	if err := m.Save(c.out); err != nil {
		return usageError(err)
	}
	hist := m.History
	if c.history != "" {
		if err := writeHistory(c.history, hist); err != nil {
			return usageError(err)
		}
	}
	if c.plot != "" {
		if err := plotLoss(c.plot, hist); err != nil {
			return usageError(err)
		}
	}
	last := hist.Epochs[len(hist.Epochs)-1]
	fmt.Fprintf(stderr, "saved %s after %d epochs\n", c.out, len(hist.Epochs))
	fmt.Fprintln(stdout, last.String())
	return nil
}
