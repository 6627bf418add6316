package nn

// Replica is one worker's buffers to compute the forward and backward
// passes of a micro-shard in: the trainer gathers the shard's rows into
// Inputs, Targets and SampleWeights, then calls Backprop. Replicas read
// the model's parameters in place (nothing may write them while gradients
// are computed). All buffers come from one aligned allocation whose size
// depends on the shard size, not on the batch size.
type Replica[T Float] struct {
	m       *Model[T]
	in, tgt []T    // gathered shard inputs and targets
	wts     []T    // gathered sample weights
	acts    [][]T  // per layer outputs
	d       [2][]T // ping-pong gradients with respect to activations
	ones    []T    // shardSize ones, for bias gradients through BLAS
	tcols   int
	bp      Backprop[T] // the layer being run backward
}

// NewReplica returns buffers for shards of at most shardSize rows whose
// targets have targetCols columns. The model must be compiled.
func (m *Model[T]) NewReplica(shardSize, targetCols int) *Replica[T] {
	sizes := []int{shardSize * m.InputSize(), shardSize * targetCols,
		shardSize * m.maxWidth(), shardSize * m.maxWidth(), shardSize, shardSize}
	for _, l := range m.train {
		sizes = append(sizes, shardSize*l.OutputSize())
	}
	b := alignedBuffers[T](sizes...)
	r := &Replica[T]{m: m, in: b[0], tgt: b[1], d: [2][]T{b[2], b[3]}, ones: b[4], wts: b[5], acts: b[6:], tcols: targetCols}
	for i := range r.ones {
		r.ones[i] = 1
	}
	return r
}

// Inputs returns the buffer of n input rows (n × the model's InputSize).
func (r *Replica[T]) Inputs(n int) Matrix[T] { return reshape(r.in, n, r.m.InputSize()) }

// Targets returns the buffer of n target rows.
func (r *Replica[T]) Targets(n int) Matrix[T] { return reshape(r.tgt, n, r.tcols) }

// SampleWeights returns the buffer of n sample weights.
func (r *Replica[T]) SampleWeights(n int) []T { return r.wts[:n] }

// Backprop runs forward and backward over the n rows gathered into Inputs
// and Targets, writing (or, when add is set, adding) scale times the
// gradient of their summed loss, each row's loss weighted by wts (nil: 1;
// else SampleWeights(n)), into grad. It adds the rows' metric counts to
// acc and returns their summed weighted loss. p is the training Pass of
// these rows (TrainingPass); Backprop sets its Layer.
func (r *Replica[T]) Backprop(p Pass, n int, wts []T, scale T, grad []T, mt Metrics, acc []float64, add bool) float64 {
	m := r.m
	in, tgt := r.Inputs(n), r.Targets(n)
	a := in
	for i, l := range m.train {
		out := reshape(r.acts[i], n, l.OutputSize())
		p.Layer = i
		l.Forward(p, m.layerView(m.params, i), a, out)
		a = out
	}
	cur := 0
	dOut := reshape(r.d[cur], n, a.Cols)
	AccumulateMetrics(mt, a, tgt, acc)
	loss := m.loss.Eval(a, tgt, wts, scale, dOut)
	for i := len(m.train) - 1; i >= 0; i-- {
		l := m.train[i]
		lin := in
		var dIn Matrix[T]
		if i > 0 {
			lin = reshape(r.acts[i-1], n, l.InputSize())
			dIn = reshape(r.d[1-cur], n, l.InputSize()) // the first layer's input gradient is never needed
		}
		r.bp = Backprop[T]{In: lin, Out: reshape(r.acts[i], n, l.OutputSize()), DOut: dOut, DIn: dIn,
			Grads: m.layerView(grad, i), Accumulate: add, ones: r.ones}
		p.Layer = i
		l.Backward(p, m.layerView(m.params, i), &r.bp)
		dOut, cur = dIn, 1-cur
	}
	return loss
}
