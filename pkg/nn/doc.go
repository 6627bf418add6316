// Package nn is the maths of densetrain: batched fully-connected layers,
// activations, losses, initializers and optimizers, generic over float32
// and float64, and a Keras-style Model that trains them.
//
// A batch is a row-major Matrix whose rows are samples. All weights and
// biases of a model live in one contiguous slice (Params), with per-layer
// views; gradients likewise. Optimizers and the data-parallel reduction
// work on these flat slices.
//
// The package starts no goroutines itself: Model.Fit hands the
// orchestration to package parallel, which calls back into the per-replica
// maths defined here.
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
// Callbacks (see Callback) hook into Fit between steps and epochs;
// optimizers (see Optimizer) and callbacks add what they need through
// optional interfaces.
//
// # BLAS
//
// Every matrix product (forward, weight gradient, input gradient) goes
// through Gemm, this package's one door to BLAS: gonum's blas32/blas64,
// so an implementation installed with blas32.Use or blas64.Use is picked
// up without touching this package. The default build installs
// internal/gemm's FMA kernels (AVX-512 or AVX2, in Go assembly) on CPUs
// that have them and keeps gonum's pure Go elsewhere and with -tags noasm;
// -tags netlib installs single-threaded OpenBLAS. BLASPath says which.
// Products are serial and deterministic on every path, so the bits do not
// depend on the worker count; avx512 and avx2 give the same bits, gonum
// and OpenBLAS each their own (see blas.go).
//
// # Training across processes
//
// With FitOptions.Comm of more than one rank, every rank holds the whole
// data set, draws the same seeded batches and cuts them into the same
// micro-shards and lanes as a single process. Rank r computes the
// contiguous lanes [r·L/R, (r+1)·L/R) of a step with its own workers; then
// one Allgather hands every rank every lane's gradient, loss sum and metric
// counts, and every rank sums all L lanes with the same fixed tree and
// applies the same update. The arithmetic is therefore exactly the single
// process's with the same shard layout — the model file is the same, byte
// for byte, whatever the number of ranks and workers — at the price of
// sending lanes rather than per-rank partial sums. FitOptions.CommAllreduce
// sends per-rank partial sums through the communicator's all-reduce
// instead: less traffic, other bits.
//
// Cancellation is agreed at the same exchange: each rank sends a flag, and
// if any rank's context was cancelled every rank stops at that same step,
// with the exit code the cancelling rank's cause carries. Only rank 0
// writes checkpoints.
//
// # The model file
//
// A model file (Model.SaveFile, LoadFile) is a safetensors file: a Dense
// layer i's weights are "layers.i.weight" (In × Units) and its biases
// "layers.i.bias", another kind's parameters "layers.i.params", in order,
// so the data section is exactly the flat parameter slice. The metadata
// holds the format name and version (Format, FormatVersion), the
// architecture and loss (JSON), the Preprocessing document and a SHA-256
// of all of the metadata but itself, the tensor entries and the data, so
// that a damaged header is refused like damaged weights (files of format
// 1 and 2, older, have it of the data alone and still load). The file
// holds no time and no worker count: the same weights give the same bytes.
//
// A checkpoint (FitOptions.CheckpointPath) is the same kind of file with
// the format CheckpointFormat: besides the layers it holds the optimizer's
// slots and the weights kept by callbacks, and its metadata the epochs
// done, the optimizer's step count and learning rate, the shuffling
// generator, the callbacks' states, the history and a fingerprint of the
// data and options. Resuming from it continues bit-identically.
//
// # Layers
//
// Dense and Dropout are the layers this package has; any type that
// implements Layer is one too. A layer computes on whole batches in
// Forward and Backward, on its view of the flat parameter and gradient
// slices, and gets a Pass: whether Fit is training, and a counter-based
// random stream per row keyed by (seed, epoch, step, sample, layer), so
// that a stochastic layer draws the same numbers for a sample whichever
// worker, shard or process computes it. Optional interfaces add a
// penalty to the loss (Penalized), a constraint after each update
// (Constrained) and a description for summaries and files (Specced);
// RegisterLayer makes a kind loadable from model files and checkpoints.
//
// # Conventions
//
//   - Losses are means over the batch. MSE is Keras' and PyTorch's: the mean
//     over samples and outputs of (o−y)². HalfMSE is the tutorial's
//     0.5·(o−y)², averaged the same way.
//   - The gradient applied by the optimizer is the mean over the global
//     batch; a short last batch is averaged over its real size.
//   - Weights of a Dense layer are stored input-major (In × Units), as in
//     Keras, followed by the Units biases.
package nn
