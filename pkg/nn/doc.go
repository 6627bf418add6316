// Package nn is the maths of densetrain: batched fully-connected layers,
// activations, losses, initializers and optimizers, generic over float32
// and float64, and a Keras-style Model that trains them.
//
// A batch is a row-major Matrix whose rows are samples. Every matrix product
// (forward, weight gradient, input gradient) goes through gonum's BLAS
// (blas32/blas64), so a faster implementation installed with blas32.Use or
// blas64.Use is picked up without touching this package.
//
// All weights and biases of a model live in one contiguous slice (Params),
// with per-layer views; gradients likewise. Optimizers and the data-parallel
// reduction work on these flat slices.
//
// The package starts no goroutines itself: Model.Fit hands the
// orchestration to package parallel, which calls back into the per-replica
// maths defined here.
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
