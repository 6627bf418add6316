package nn

import "math/rand/v2"

// Layer is one layer of a Model. A Layer holds shape and configuration only:
// its parameters are a view into the model's flat parameter slice and its
// activations live in per-replica buffers, so one Layer value is shared by
// every worker replica.
type Layer[T Float] interface {
	// Name returns the layer's name.
	Name() string
	// InputSize and OutputSize are the widths of the layer's input and output rows.
	InputSize() int
	OutputSize() int
	// ParamCount is the length of the layer's view of the flat parameter slice.
	ParamCount() int
	// Init fills params (length ParamCount) with initial values drawn from rng.
	Init(params []T, rng *rand.Rand)
	// Forward computes out (rows × OutputSize) from in (rows × InputSize);
	// p says whether this is training and gives each row's random source.
	Forward(p Pass, params []T, in, out Matrix[T])
	// Backward receives dOut, the loss gradient with respect to out, which it
	// may overwrite, together with the in and out of the forward pass. It
	// writes the parameter gradient into grads (length ParamCount), or adds
	// it when accumulate is true, and, when dIn.Data is non-nil, writes the
	// gradient with respect to in into dIn. Backward never changes params.
	// ones holds at least in.Rows ones, for column sums through BLAS. p is
	// the Pass of the forward pass (Backward runs only in training).
	Backward(p Pass, params, grads []T, in, out, dOut, dIn Matrix[T], ones []T, accumulate bool)
}

// activated is implemented by layers whose output activation a loss can be
// fused with (softmax with cross-entropy, sigmoid with binary cross-entropy).
type activated[T Float] interface {
	Layer[T]
	Activation() Activation
	// withActivation returns a copy of the layer with another activation.
	withActivation(Activation) Layer[T]
}

// Constrained is implemented by layers with a constraint on their
// parameters (Dense's MaxNorm), which a trainer applies after every update (Constrain).
type Constrained[T Float] interface {
	// Constrain projects params onto the constraint, in place.
	Constrain(params []T)
}

// Penalized is implemented by layers with a regularization penalty on
// their parameters. The penalty is added to the loss once per step, after
// the gradients of the batch are reduced.
type Penalized[T Float] interface {
	// Penalty returns the penalty for params and, when grads is non-nil,
	// adds its gradient to grads.
	Penalty(params, grads []T) float64
}
