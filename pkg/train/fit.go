package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/densetrain/densetrain/internal/cpus"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/parallel"
)

// Parallelism says how a global batch is spread over workers. Results do
// not depend on Workers; they do depend on ShardSize and MaxLanes, which fix
// the order in which per-sample gradients are summed.
type Parallelism struct {
	// Workers is the number of worker goroutines, each with its own replica
	// of the parameters (default GOMAXPROCS; more than the lanes of a step
	// are clamped to them).
	Workers int
	// ShardSize is the number of rows a worker pushes through the layers at
	// once. The default depends only on the batch size (never on the
	// workers or the machine, so that the bits do not either): ⌈batch/2⌉
	// clamped to [32, 128]. That is one lane for batches up to 32, two up
	// to 256, then ⌈batch/128⌉ up to MaxLanes: on W1 with the AVX-512
	// kernels, shards under 32 rows were slower per core and 64–128-row
	// shards beat 32-row ones by 10–45 % at batches of 128–512, while two
	// lanes still let two cores share a step. For more workers, set it
	// smaller, down to about 32 rows: ⌈batch/workers⌉ (a different
	// ShardSize gives different bits).
	ShardSize int
	// MaxLanes bounds the number of gradient buffers (default 16).
	// Consecutive shards of a batch are grouped into at most MaxLanes lanes,
	// each accumulated in its own buffer by one worker; the lanes are then
	// summed by a fixed pairwise tree. The number of lanes,
	// min(⌈batch/ShardSize⌉, MaxLanes), is the most workers a step can use.
	MaxLanes int
}

// DefaultMaxLanes is the default of Parallelism.MaxLanes: the number of
// gradient buffers, and so the most workers one step can use.
const DefaultMaxLanes = 16

// withDefaults fills in the defaults for global batches of batch rows.
func (p Parallelism) withDefaults(batch int) (Parallelism, error) {
	workers, want := cpus.Workers(min(p.Workers, cpus.Max)) // clamped to the lanes below: any count is safe
	if want != "" {
		return p, fmt.Errorf("train: Parallelism.Workers %d: %s", p.Workers, want)
	}
	if p.ShardSize < 0 || p.MaxLanes < 0 {
		return p, fmt.Errorf("train: negative Parallelism setting %+v", p)
	}
	if p.ShardSize == 0 {
		p.ShardSize = min(max((max(batch, 1)-1)/2+1, 32), 128) // ⌈batch/2⌉, without overflow
	}
	if p.MaxLanes == 0 {
		p.MaxLanes = DefaultMaxLanes
	}
	// More workers than lanes would idle: clamp them, at no cost to the
	// results, which do not depend on the worker count.
	p.Workers = min(workers, (max(batch, 1)-1)/p.ShardSize+1, p.MaxLanes)
	return p, nil
}

// Lanes returns the number of gradient buffers Fit allocates for batches of
// batch rows under these settings (defaults filled in): min(⌈batch /
// ShardSize⌉, MaxLanes), at least 1.
func (p Parallelism) Lanes(batch int) int {
	d, err := p.withDefaults(batch)
	if err != nil {
		return 1
	}
	return min((max(batch, 1)-1)/d.ShardSize+1, d.MaxLanes)
}

// Options configures Fit. The zero value trains one epoch with batches of
// 32, shuffled with seed 0, on GOMAXPROCS workers, silently.
type Options struct {
	Epochs    int    // passes over the data (default 1, like Keras)
	BatchSize int    // samples per optimizer step (default 32)
	Seed      uint64 // seed of the per-epoch shuffle, the validation split and Dropout's masks
	NoShuffle bool   // keep the data order instead of shuffling every epoch
	// ShuffleWindow, when positive, shuffles in windows rather than all
	// the rows at once, for data read from storage that serves long
	// sequential reads far better than random rows: every epoch the rows
	// are cut into blocks of ShuffleBlock consecutive rows, the blocks
	// put in a random order, taken ShuffleWindow blocks at a time, and the
	// rows of each window shuffled (see windows.go). The order is a
	// function of Seed and the epoch alone: the model does not depend on
	// the workers, the storage or a resume, but it is not the model of
	// the global shuffle.
	ShuffleWindow int
	// Log receives one line per epoch, "epoch 3/1000 loss 0.0123" followed by
	// the metrics and validation results; nil is silent. Warn receives
	// notices that need no answer, such as a resumed run's new learning
	// rate; nil is silent.
	Log, Warn io.Writer
	// ValidationSplit holds out this fraction of the rows, chosen by a
	// seeded shuffle, for validation. ValidationData gives validation rows
	// explicitly instead: a Source of the model's precision (InMemory).
	ValidationSplit float64
	ValidationData  Dataset
	// ValidationRows names the rows of the data held out for validation,
	// as a split computed once by the caller (stratified, say); Fit trains
	// on the others. Give one of the three.
	ValidationRows []int
	// MetricScale, one factor per output, puts the regression metrics of
	// the per-epoch log (rmse and mae, training and validation) in the
	// targets' own units when the network learns standardized targets:
	// each output's error is multiplied by its factor (the target's
	// standard deviation). The loss stays in the network's units; R² does
	// not change. nil reports the network's units.
	MetricScale []float64
	// Callbacks hook into training (see Callback): at its start, at the
	// start and end of every epoch, after every batch and at its end, in
	// order. The states of those that are StatefulCallbacks are saved in
	// checkpoints.
	Callbacks []Callback
	// SampleWeights, one per row, multiply each sample's loss (Keras'
	// sample_weight); nil weighs every sample 1.
	SampleWeights []float64
	// ClassWeights, one per class, multiply the loss of each sample of that
	// class (Keras' class_weight); BalanceClasses computes them instead as
	// scikit-learn's "balanced", from the training rows:
	// rows/(classes·rows of the class).
	ClassWeights   []float64
	BalanceClasses bool
	// ClipNorm, when positive, rescales each step's gradient so that its
	// global L2 norm is at most ClipNorm (Keras' global_clipnorm).
	ClipNorm float64
	// CheckpointPath, when set, is where a checkpoint is written (atomically)
	// every CheckpointEvery epochs (default 1), after the last epoch, and
	// whenever a callback calls TrainState.Checkpoint. With Resume, Fit
	// first restores the run from that file if it exists and goes on from
	// the epoch after it: Epochs is the total, as if never interrupted. The
	// learning rate comes from the checkpoint (where a schedule or
	// ReduceLROnPlateau left it) unless the optimizer was given another rate
	// than the checkpointed run: then the new rate applies from the resumed
	// point, and Warn says so. The data and the options that shape the
	// arithmetic must be those of the first run; the states of the
	// StatefulCallbacks (early stopping's patience, say) are restored. A
	// checkpoint needs an optimizer that is a StatefulOptimizer (every
	// optimizer of this package is one).
	CheckpointPath  string
	CheckpointEvery int
	Resume          bool
	// Comm, with more than one rank, trains across processes (see the
	// package doc): every rank calls Fit with the same data and options;
	// the model ends the same, bit for bit, as in one process. Only rank 0
	// writes checkpoints. nil trains in this process alone.
	Comm parallel.Communicator
	// CommAllreduce sums the ranks' gradients with the communicator's
	// all-reduce (MPI_Allreduce) instead of exchanging the lanes: less
	// traffic, but the result depends on the number of ranks and on MPI's
	// summation order, so it is not the single process's bit for bit.
	CommAllreduce bool
	Parallelism
}

// Fit trains the compiled model m on the rows of src: every epoch it
// shuffles the samples (from Seed), cuts them into batches and makes one
// optimizer step per batch with the mean gradient of the batch, computed
// in parallel by Workers replicas. After each epoch it evaluates the
// validation data, if any, and runs the callbacks.
//
// If the loss of a batch is not finite, Fit stops before applying that step
// and returns a *DivergenceError. Cancelling ctx stops training within one
// micro-shard and returns the context's error. In both cases the History so
// far is returned too. No goroutine outlives Fit. While another Fit,
// Predict or Evaluate runs on the model, Fit fails with nn.ErrBusy.
func Fit[T nn.Float](ctx context.Context, m *nn.Model[T], src Source[T], opt Options) (*History, error) {
	if err := m.Guard().BeginFit(); err != nil {
		return nil, err
	}
	defer m.Guard().EndFit()
	if err := checkSource(m, src); err != nil {
		return nil, err
	}
	if m.Optimizer() == nil {
		return nil, errors.New("train: the model has no optimizer: call Compile")
	}
	if opt.Epochs < 0 || opt.BatchSize < 0 {
		return nil, fmt.Errorf("train: negative Epochs (%d) or BatchSize (%d)", opt.Epochs, opt.BatchSize)
	}
	epochs, batch := max(opt.Epochs, 1), opt.BatchSize
	if batch == 0 {
		batch = 32
	}
	par, err := opt.Parallelism.withDefaults(batch)
	if err != nil {
		return nil, err
	}
	if opt.ClipNorm < 0 {
		return nil, fmt.Errorf("train: negative ClipNorm %v", opt.ClipNorm)
	}
	trainIdx, val, err := validation(ctx, m, src, opt)
	if err != nil {
		return nil, err
	}
	if trainIdx.len() == 0 {
		return nil, errors.New("train: no training rows")
	}
	w, err := sampleWeights(src.Targets(), m.OutputSize(), m.Loss().Head(), opt, trainIdx)
	if err != nil {
		return nil, err
	}
	hooks, err := hooksOf(opt.Callbacks)
	if err != nil {
		return nil, err
	}
	if opt.CheckpointEvery < 0 || (opt.Resume && opt.CheckpointPath == "") {
		return nil, errors.New("train: Resume needs a CheckpointPath, and CheckpointEvery cannot be negative")
	}
	if opt.CheckpointPath != "" { // a layer a checkpoint cannot hold fails now, not after an epoch
		if _, err := m.Architecture(); err != nil {
			return nil, fmt.Errorf("train: a checkpoint cannot hold this model: %w", err)
		}
		if _, ok := m.Optimizer().(nn.StatefulOptimizer[T]); !ok {
			return nil, fmt.Errorf("train: a checkpoint needs an optimizer whose state it can save (an nn.StatefulOptimizer); %s is not one", m.Optimizer().Name())
		}
	}
	r := &fitRun[T]{m: m, opt: opt, epochs: epochs, batch: batch, train: trainIdx, val: val,
		t: newTrainer(m, src, trainIdx.all, w, min(batch, trainIdx.len()), par), pcg: rand.NewPCG(opt.Seed, shuffleStream),
		runRate: nn.LearningRate(m.Optimizer()), hooks: hooks}
	r.perm = newOrder(trainIdx, min(batch, trainIdx.len()))
	r.rng = rand.New(r.pcg)
	r.t.seed = opt.Seed
	r.t.metrics.Scale = opt.MetricScale
	r.t.sum = newGradSum(ctx, r.t.lanes, r.t.norms, opt.Comm, opt.CommAllreduce)
	runCtx := ctx
	distributed := opt.Comm != nil && opt.Comm.Size() > 1
	if distributed {
		// Ranks must stop at the same step: the pool ignores ctx, and the
		// strategy across processes agrees on its cancellation.
		runCtx = context.WithoutCancel(ctx)
		arch, err := m.Architecture()
		if err != nil {
			return nil, err
		}
		fp, err := r.fingerprint()
		if err != nil {
			return nil, err
		}
		cfg := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%s|%s|%g|%d|%d|%v|%v", fp, epochs, arch,
			m.Optimizer().Name(), nn.LearningRate(m.Optimizer()), len(r.stateful()), opt.CheckpointEvery, opt.Resume, opt.CommAllreduce))
		if err := agree(opt.Comm, hex.EncodeToString(cfg[:]), m.Params()); err != nil {
			return nil, err
		}
	}
	if opt.Resume {
		if r.first, err = r.resume(); err != nil {
			return nil, err
		}
	}
	if distributed {
		batches := 0
		if r.resumeAt != nil {
			batches = r.resumeAt.Batches
		}
		if err := agreeOnResume(opt.Comm, r.first, batches, nn.Steps(m.Optimizer())); err != nil {
			return nil, err
		}
	}
	err = parallel.Run(runCtx, par.Workers, r.run)
	return &r.hist, err
}

// Gradient returns the loss of the model m on (x, y) taken as one batch
// and a new flat slice with its gradient, computed by the same
// data-parallel machinery as Fit, in training mode: a Dropout layer drops
// what it would in the first step of epoch 0 with seed 0, row i being
// sample i. For a model without such layers the loss is the one Evaluate
// computes. The parameters do not change.
func Gradient[T nn.Float](ctx context.Context, m *nn.Model[T], x, y nn.Matrix[T], par Parallelism) (float64, []T, error) {
	if err := m.Guard().BeginRead(); err != nil {
		return 0, nil, err
	}
	defer m.Guard().EndRead()
	if err := m.CheckData(x, y); err != nil {
		return 0, nil, err
	}
	par, err := par.withDefaults(x.Rows)
	if err != nil {
		return 0, nil, err
	}
	if x.Rows == 0 {
		return 0, nil, errors.New("train: gradient: no rows")
	}
	idx := make([]int, x.Rows)
	for i := range idx {
		idx[i] = i
	}
	t := newTrainer(m, Source[T](InMemory(x, y)), nil, nil, x.Rows, par)
	var sum float64 // loss of the batch times its rows
	err = parallel.Run(ctx, par.Workers, func(p *parallel.Pool) (err error) {
		sum, err = t.gradient(p, idx)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return sum / float64(x.Rows), append([]T(nil), t.grad()...), nil
}
