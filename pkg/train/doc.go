// Package train is densetrain's data-parallel trainer, the design's
// central idea: mini-batches are sharded across worker goroutines, each
// computing forward and backward passes on its own replica of the layers
// (nn.Replica), and the gradients are reduced in a fixed order and applied
// once per step.
//
// # What it owns, and what it must not do
//
// train owns epochs, batching, sharding, the replicas, the fixed-order
// reduction, the lanes exchanged between MPI ranks, validation, early
// stopping and the other callbacks, checkpoints and resume, and the
// diagnosis of a diverged step; and the parallel Predict and Evaluate. It
// takes its rows from a Source, by their indices (InMemory is the
// in-memory one; a Prefetcher is told the rows of the batches to come, and
// PartEvaluation evaluates rows given a part at a time), and asks pkg/nn for all of the maths — it computes no
// layer, loss or update itself — and pkg/parallel for the goroutines. It
// reads no files but checkpoints, and knows nothing of tables or flags.
//
// The tutorial's add, compile, fit and predict stay a handful of lines:
//
//	m := nn.NewModel[float64]()
//	m.Add(nn.NewDense[float64](2, 3, nn.Sigmoid, "hidden"))          // …
//	err := m.Compile(nn.HalfMSE[float64](), nn.NewSGD[float64](0.1))
//	hist, err := train.Fit(ctx, m, train.InMemory(x, y), train.Options{Epochs: 1000})
//	pred, err := m.Predict(ctx, x)
//
// # The step
//
// Fit cuts each global batch into micro-shards of Parallelism.ShardSize
// rows and groups consecutive shards into at most Parallelism.MaxLanes
// lanes; both cuts depend only on the batch size and these two settings.
// Each of the Workers goroutines has its own replica (activation and
// gradient buffers sized by the shard; the weights are read in place) and
// takes whole lanes, accumulating a lane's shards into the lane's gradient
// buffer. The lanes are then summed by a pairwise tree of fixed shape,
// chunk by chunk across the workers, taking each chunk's squared norm (for
// ClipNorm and the divergence guard) while it is in cache; the optimizer
// updates the parameters in chunks across the workers, and an update once
// begun is finished even if ctx is cancelled. Which worker computes a lane
// never changes what it computes, so the model's bits do not depend on
// Workers; ShardSize and MaxLanes fix the summation order, and do. A step
// allocates nothing once the replicas exist.
//
// Callbacks (see Callback) hook into Fit between steps and epochs through
// small optional interfaces, as an http.ResponseWriter may be an
// http.Flusher.
//
// # Training across processes
//
// With Options.Comm of more than one rank, every rank holds the whole
// data set, draws the same seeded batches and cuts them into the same
// micro-shards and lanes as a single process. Rank r computes the
// contiguous lanes [r·L/R, (r+1)·L/R) of a step with its own workers; then
// one Allgather hands every rank every lane's gradient, loss sum and metric
// counts, and every rank sums all L lanes with the same fixed tree and
// applies the same update. The arithmetic is therefore exactly the single
// process's with the same shard layout — the model file is the same, byte
// for byte, whatever the number of ranks and workers — at the price of
// sending lanes rather than per-rank partial sums. Options.CommAllreduce
// sends per-rank partial sums through the communicator's all-reduce
// instead: less traffic, other bits.
//
// Cancellation is agreed at the same exchange: each rank sends a flag, and
// if any rank's context was cancelled every rank stops at that same step,
// with the exit code the cancelling rank's cause carries. Only rank 0
// writes checkpoints.
//
// # Checkpoints
//
// A checkpoint (Options.CheckpointPath) is nn's checkpoint file: besides
// the layers it holds the optimizer's slots and the weights kept by
// callbacks, and as its state the epochs
// done, the optimizer's step count and learning rate, the shuffling
// generator, the callbacks' states, the history and a fingerprint of the
// data and options. Resuming from it continues bit-identically.
package train
