// Package nn is the maths of densetrain: batched fully-connected layers,
// activations, losses, metrics, initializers and the optimizers' update
// rules, generic over float32 and float64, and a Keras-style Model (Add,
// Compile, Predict, the model file) that pkg/train trains.
//
// A batch is a row-major Matrix whose rows are samples. All weights and
// biases of a model live in one contiguous slice (Params), with per-layer
// views; gradients likewise. Optimizers and the trainer's reduction work
// on these flat slices.
//
// # What it owns, and what it must not do
//
// nn owns what one goroutine computes: a layer's forward and backward pass
// on a batch, the loss and its gradient, the metric counts, an optimizer's
// update of a chunk of the parameters, and the forward and backward passes
// of one micro-shard (Replica.Backprop) — the seam a trainer drives. It
// starts no goroutine, imports nothing of this module but pkg/tensor and
// internal packages, and knows no epochs, batches, workers, processes or
// callbacks: those are pkg/train's. Model.Predict runs on the calling
// goroutine; train.Predict spreads its blocks over workers with the same
// bits.
//
// Guard keeps a trainer and the readers of the weights (Predict, WriteTo)
// from racing: while a trainer writes the weights, reads fail with
// ErrBusy.
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
// A checkpoint (WriteCheckpoint, ReadCheckpoint) is the same kind of file
// with the format CheckpointFormat: besides the layers it holds the
// optimizer's slots, named vectors (weights kept by a trainer's callbacks)
// and the trainer's state, opaque to this package.
//
// # Layers
//
// Dense, DenseGroups (Dense layers side by side on their own blocks of
// units: an ensemble's hidden layers), Dropout, Scale (a learned scale
// per input, which FoldScale folds into the Dense layer after it) and
// Periodic (RealMLP's PBLD embedding of numeric inputs) are the layers
// this package has; any type that implements Layer is one too. A layer computes on whole batches in
// Forward and Backward, on its view of the flat parameter and gradient
// slices, and gets a Pass: whether a trainer is training, and a counter-based
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
