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
	// Backward receives in b the loss gradient with respect to the forward
	// pass's output (b.DOut, which it may overwrite) with that pass's input
	// and output; it writes the parameter gradient into b.Grads (length
	// ParamCount), or adds it when b.Accumulate is set, and, when
	// b.DIn.Data is non-nil, the gradient with respect to the input into
	// b.DIn. Backward never changes params. p is the Pass of the forward
	// pass (Backward runs only in training).
	Backward(p Pass, params []T, b *Backprop[T])
}

// Backprop is what a layer's Backward works on besides its parameters.
type Backprop[T Float] struct {
	// In and Out are the forward pass's input and output.
	In, Out Matrix[T]
	// DOut is the loss gradient with respect to Out; Backward may
	// overwrite it.
	DOut Matrix[T]
	// DIn receives the gradient with respect to In when DIn.Data is not
	// nil (the first layer's is never needed).
	DIn Matrix[T]
	// Grads is the layer's view of the flat gradient; Accumulate says to
	// add the layer's gradient to it rather than write it.
	Grads      []T
	Accumulate bool

	ones []T // ones for column sums through BLAS (a replica's: no allocation)
}

// ColSums writes the column sums of a (1ᵀ·a, a bias gradient) into dst,
// or adds them when b.Accumulate is set, through BLAS. A Backprop made by
// its caller (to test a layer, say) gets its vector of ones on first use.
func (b *Backprop[T]) ColSums(a Matrix[T], dst []T) {
	if len(b.ones) < a.Rows {
		b.ones = make([]T, a.Rows)
		for i := range b.ones {
			b.ones[i] = 1
		}
	}
	var beta T
	if b.Accumulate {
		beta = 1
	}
	colSums(a, b.ones, beta, dst)
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
