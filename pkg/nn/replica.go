package nn

// replica is one worker's set of buffers to compute a micro-shard in; the
// workers read the model's parameters in place (nothing writes them while
// gradients are computed). All buffers come from one aligned allocation
// whose size depends on the shard size, not on the batch size.
type replica[T Float] struct {
	in, tgt []T    // gathered shard inputs and targets
	wts     []T    // gathered sample weights
	acts    [][]T  // per layer outputs
	d       [2][]T // ping-pong gradients with respect to activations
	ones    []T    // shardSize ones, for bias gradients through BLAS
}

func newReplica[T Float](m *Model[T], shardSize, targetCols int) *replica[T] {
	sizes := []int{shardSize * m.InputSize(), shardSize * targetCols,
		shardSize * m.maxWidth(), shardSize * m.maxWidth(), shardSize, shardSize}
	for _, l := range m.train {
		sizes = append(sizes, shardSize*l.OutputSize())
	}
	b := alignedBuffers[T](sizes...)
	r := &replica[T]{in: b[0], tgt: b[1], d: [2][]T{b[2], b[3]}, ones: b[4], wts: b[5], acts: b[6:]}
	for i := range r.ones {
		r.ones[i] = 1
	}
	return r
}

// shard runs forward and backward for the samples idx of d's data,
// writing (or, when add is set, adding) d.scale times the gradient of their
// summed loss, each sample weighted by d.w (nil: 1), into grad. It adds the
// shard's metric counts to acc and returns its summed weighted loss.
func (r *replica[T]) shard(d *stepData[T], idx []int, grad []T, acc []float64, add bool) float64 {
	m, x, y := d.m, d.x, d.y
	n := len(idx)
	in, tgt := reshape(r.in, n, x.Cols), reshape(r.tgt, n, y.Cols)
	for i, s := range idx {
		copy(in.Row(i), x.Row(s))
		copy(tgt.Row(i), y.Row(s))
	}
	var wts []T
	if d.w != nil {
		wts = r.wts[:n]
		for i, s := range idx {
			wts[i] = d.w[s]
		}
	}
	pass := d.pass(idx)
	a := in
	for i, l := range m.train {
		out := reshape(r.acts[i], n, l.OutputSize())
		pass.Layer = i
		l.Forward(pass, m.layerView(m.params, i), a, out)
		a = out
	}
	cur := 0
	dOut := reshape(r.d[cur], n, a.Cols)
	accumulate(d.metrics, a, tgt, acc)
	loss := m.loss.Eval(a, tgt, wts, d.scale, dOut)
	for i := len(m.train) - 1; i >= 0; i-- {
		l := m.train[i]
		lin := in
		var dIn Matrix[T]
		if i > 0 {
			lin = reshape(r.acts[i-1], n, l.InputSize())
			dIn = reshape(r.d[1-cur], n, l.InputSize()) // the first layer's input gradient is never needed
		}
		out := reshape(r.acts[i], n, l.OutputSize())
		pass.Layer = i
		l.Backward(pass, m.layerView(m.params, i), m.layerView(grad, i), lin, out, dOut, dIn, r.ones, add)
		dOut, cur = dIn, 1-cur
	}
	return loss
}
