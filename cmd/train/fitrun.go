package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
)

// fitPrecision runs the fit command in precision T.
func fitPrecision[T nn.Float](ctx context.Context, c fitConfig, stdout, stderr io.Writer) error {
	tab, err := readTable[T](c.data, csvdata.Options{Targets: targetList(c.target), Workers: c.workers})
	if err != nil {
		return err
	}
	task := c.task
	if task == "auto" {
		task = prep.Regress
		if len(tab.Targets) == 1 {
			task = prep.DetectTask(tab.Targets[0])
		}
	}
	var train []int
	if c.valSplit > 0 {
		if train, _, err = nn.SplitRows(tab.X.Rows, c.valSplit, c.seed); err != nil {
			return usageError(fmt.Errorf("--val-split: %w", err))
		}
	}
	p, err := prep.NewScaled(tab, task, train, c.scale)
	if err != nil {
		return usageError(atRow(c.data, tab, err))
	}
	x, y, err := modelData(p, tab, c.data)
	if err != nil {
		return err
	}
	opts := nn.FitOptions{Epochs: c.epochs, BatchSize: c.batch, Seed: c.seed, ValidationSplit: c.valSplit,
		Parallelism: nn.Parallelism{Workers: c.workers}}
	if c.val != "" {
		vt, err := readTable[T](c.val, csvdata.Options{Targets: p.Targets, Schema: &p.Schema, Workers: c.workers})
		if err != nil {
			return err
		}
		xv, yv, err := modelData(p, vt, c.val)
		if err != nil {
			return err
		}
		opts.ValidationData = nn.NewDataset(xv, yv)
	}
	m, err := buildModel[T](c, p, y.Cols)
	if err != nil {
		return err
	}
	if c.patience > 0 {
		opts.Callbacks = append(opts.Callbacks, &nn.EarlyStopping{Patience: c.patience, RestoreBestWeights: true})
	}
	if c.checkpointEvery > 0 {
		opts.CheckpointPath, opts.CheckpointEvery, opts.Resume = c.out+".ckpt", c.checkpointEvery, c.resume
	}
	if c.comm != nil && c.comm.Size() > 1 {
		opts.Comm, opts.CommAllreduce = c.comm, c.mpiAllreduce
	}
	follower := c.comm != nil && c.comm.Rank() != 0 // logs only errors, writes nothing
	switch {
	case c.quiet || follower:
	case isTerminal(stderr):
		rows := tab.X.Rows
		if train != nil {
			rows = len(train)
		}
		opts.Callbacks = append(opts.Callbacks, &progress{w: stderr, epochs: c.epochs, rows: rows})
	default:
		opts.Log = stderr // one plain line per epoch
	}
	hist, err := m.Fit(ctx, x, y, opts)
	if err != nil {
		return err
	}
	if follower {
		return nil
	}
	if m.Preprocessing, err = p.Marshal(); err != nil {
		return err
	}
	if err := m.SaveFile(c.out); err != nil {
		return usageError(err)
	}
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

// modelData standardizes a table's features in place and encodes its
// targets; an unknown class is reported at its line.
func modelData[T nn.Float](p *prep.Preprocessing, tab *csvdata.Table[T], path string) (nn.Matrix[T], nn.Matrix[T], error) {
	if err := prep.Standardize(p, tab.X); err != nil {
		return nn.Matrix[T]{}, nn.Matrix[T]{}, usageError(fmt.Errorf("%s: %w", path, err))
	}
	y, err := prep.Targets[T](p, tab.Targets)
	if err != nil {
		return nn.Matrix[T]{}, nn.Matrix[T]{}, usageError(atRow(path, tab, err))
	}
	return tab.X, y, nil
}

// atRow gives an error about a row of tab its file and line.
func atRow[T nn.Float](path string, tab *csvdata.Table[T], err error) error {
	var re *prep.RowError
	if errors.As(err, &re) && re.Row >= 0 && re.Row < len(tab.Lines) {
		return &csvdata.ParseError{File: path, Line: int(tab.Lines[re.Row]), Err: re.Err}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// buildModel makes the network: the hidden layers, then the output layer
// and loss for the task.
func buildModel[T nn.Float](c fitConfig, p *prep.Preprocessing, targets int) (*nn.Model[T], error) {
	hidden, _ := parseHidden(c.hidden)
	act, _ := nn.ParseActivation(c.activation)
	var (
		loss    nn.Loss[T]
		outputs int
		outAct  nn.Activation
	)
	switch {
	case p.Task == prep.Classify && (c.loss == "auto" || c.loss == "ce"):
		loss, outputs, outAct = nn.CrossEntropy[T](), len(p.Labels), nn.Softmax
	case p.Task == prep.Classify && c.loss == "bce":
		if len(p.Labels) != 2 {
			return nil, usageError(fmt.Errorf("--loss bce needs two classes, the target has %d", len(p.Labels)))
		}
		loss, outputs, outAct = nn.BinaryCrossEntropy[T](), 1, nn.Sigmoid
	case p.Task == prep.Regress && (c.loss == "auto" || c.loss == "mse" || c.loss == "mae" || c.loss == "huber"):
		name := c.loss
		if name == "auto" {
			name = "mse"
		}
		loss, _ = nn.LossByName[T](name, 0)
		outputs, outAct = targets, nn.Linear
	default:
		return nil, usageError(fmt.Errorf("--loss %q does not fit the %s task", c.loss, p.Task))
	}
	m := nn.NewModel[T]()
	in := p.Schema.Width()
	for i, h := range hidden {
		m.Add(nn.NewDense[T](in, h, act, fmt.Sprintf("hidden%d", i+1)))
		in = h
	}
	m.Add(nn.NewDense[T](in, outputs, outAct, "output"))
	opt, _ := newOptimizer[T](c.optimizer, c.lr)
	if err := m.Compile(loss, opt, nn.WithSeed(c.seed)); err != nil {
		return nil, err
	}
	return m, nil
}
