package nn

// The seam between the maths and a trainer (pkg/train): what a trainer
// needs of a compiled model to run its steps, beyond Replica. None of it
// starts a goroutine.

// LearningRate returns o's learning rate, 0 if it has none (it is not a
// LearningRater).
func LearningRate[T Float](o Optimizer[T]) float64 { return learningRate(o) }

// SetLearningRate sets o's learning rate, if it has one.
func SetLearningRate[T Float](o Optimizer[T], rate float64) { setLearningRate(o, rate) }

// Steps returns o's step count, 0 if it keeps none.
func Steps[T Float](o Optimizer[T]) int { return steps(o) }

// UpdateChunk applies o's update to params[lo:hi] with grads[lo:hi]
// (after o.Next for the step) and reports whether the new values are all
// finite — checked by the optimizer's kernel as it writes them where it
// has one, else by a pass over them.
func UpdateChunk[T Float](o Optimizer[T], params, grads []T, lo, hi int) bool {
	if f := finiteUpdaterOf(o); f != nil {
		return f.updateFinite(params, grads, lo, hi)
	}
	o.Update(params, grads, lo, hi)
	return Finite(params[lo:hi])
}

// Penalty returns the sum of the layers' regularization penalties on the
// parameters and, when grads (a flat gradient) is non-nil, adds their
// gradients to it.
func (m *Model[T]) Penalty(grads []T) float64 { return m.penalty(m.params, grads) }

// Constrain applies the layers' constraints (Dense's MaxNorm) to the
// parameters, as a trainer does after every update.
func (m *Model[T]) Constrain() { m.constrain() }

// AlignedBuffers returns one zeroed slice per size, carved from a single
// allocation so that each starts on a 64-byte boundary: gradient buffers
// aligned alike give the same bits whichever buffer a sum lands in.
func AlignedBuffers[T Float](sizes ...int) [][]T { return alignedBuffers[T](sizes...) }

// AddInto sets dst[k] += src[k] (len(src) ≥ len(dst)) with the installed
// BLAS's AXPY and α = 1: each element is dst[k] + src[k] rounded once, the
// same bits as a scalar loop.
func AddInto[T Float](dst, src []T) { addInto(dst, src) }

// Forwarder runs a model's training layers forward over blocks of rows in
// buffers of its own: one per goroutine. Its outputs are logits where the
// loss is fused with the output activation (see Compile); Predict writes
// Model.Predict's outputs.
type Forwarder[T Float] struct {
	m    *Model[T]
	bufs [2][]T
	rows []T
	zero []T // a bias of zeros, for the fused head
}

// NewForwarder returns a Forwarder for blocks of at most rows rows.
func (m *Model[T]) NewForwarder(rows int) *Forwarder[T] {
	b := alignedBuffers[T](rows*m.maxWidth(), rows*m.maxWidth(), rows*m.InputSize())
	return &Forwarder[T]{m: m, bufs: [2][]T{b[0], b[1]}, rows: b[2], zero: make([]T, m.OutputSize())}
}

// Gather returns the buffer of n input rows, to gather rows into before
// Forward.
func (f *Forwarder[T]) Gather(n int) Matrix[T] { return reshape(f.rows, n, f.m.InputSize()) }

// Forward returns the training layers' outputs for the rows of x (at most
// the Forwarder's rows), valid until the next call.
func (f *Forwarder[T]) Forward(x Matrix[T]) Matrix[T] {
	a := x
	for k, l := range f.m.train {
		out := reshape(f.bufs[k%2], x.Rows, l.OutputSize())
		l.Forward(Pass{Layer: k}, f.m.layerView(f.m.params, k), a, out)
		a = out
	}
	return a
}

// Predict writes the model's outputs for the rows of x into dst
// (x.Rows × OutputSize): Forward's, with the output activation that the
// loss is fused with (softmax or sigmoid) applied. Model.Predict and
// train.Predict compute every block of rows with it.
func (f *Forwarder[T]) Predict(x, dst Matrix[T]) {
	copy(dst.Data, f.Forward(x).Data)
	if f.m.head != Linear {
		biasActivate(f.m.head, dst, f.zero)
	}
}

// Diagnose finds where a non-finite loss of rows x came from, for a
// trainer's DivergenceError: the first layer whose parameters, then
// outputs on x (in the training pass p), then part of grad hold a NaN or
// an Inf ("weights", "outputs", "gradient"); else the last layer and
// "loss" (finite outputs too large for the loss). With weightsOnly, only
// the parameters are examined (after an update that overflowed), and
// layer −1 means none was found.
func (m *Model[T]) Diagnose(p Pass, x Matrix[T], grad []T, weightsOnly bool) (layer int, where string) {
	for i := range m.layers {
		if !Finite(m.layerView(m.params, i)) {
			return i, "weights"
		}
	}
	if weightsOnly {
		return -1, ""
	}
	a := x
	for i, l := range m.train {
		out := NewMatrix[T](x.Rows, l.OutputSize(), nil)
		p.Layer = i
		l.Forward(p, m.layerView(m.params, i), a, out)
		if !Finite(out.Data) {
			return i, "outputs"
		}
		a = out
	}
	for i := range m.layers {
		if !Finite(m.layerView(grad, i)) {
			return i, "gradient"
		}
	}
	return len(m.layers) - 1, "loss"
}
