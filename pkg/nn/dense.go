package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Dense is a fully-connected layer: out = act(in·W + b), with W of shape
// In × Units stored input-major, followed by the Units biases b.
type Dense[T Float] struct {
	In    int        // inputs per sample
	Units int        // outputs per sample
	Act   Activation // output activation
	// Initializer draws the initial parameters; GlorotUniform when nil.
	Initializer Initializer
	// L1 and L2 weigh the penalties L1·Σ|w| and L2·Σw² on the weights (not
	// the biases), added to the training loss like Keras'
	// kernel_regularizer (regularizers.L1L2).
	L1, L2 float64
	// MaxNorm, when positive, bounds the L2 norm of each unit's incoming
	// weights (a column of W): after every update a column whose norm
	// exceeds it is scaled down to it, like Keras' max_norm constraint
	// (H2O's max_w2).
	MaxNorm float64
	name    string
	norms   []float64 // Constrain's scratch
}

// NewDense returns a Dense layer with in inputs, units outputs, the given
// activation and name, initialized with GlorotUniform. It panics if a size
// is not positive.
func NewDense[T Float](in, units int, act Activation, name string) *Dense[T] {
	if in < 1 || units < 1 {
		panic(fmt.Sprintf("nn: dense layer %q with %d inputs and %d units", name, in, units))
	}
	return &Dense[T]{In: in, Units: units, Act: act, name: name}
}

// WithInit sets the layer's initializer and returns the layer.
func (d *Dense[T]) WithInit(init Initializer) *Dense[T] {
	d.Initializer = init
	return d
}

// Name implements Layer.
func (d *Dense[T]) Name() string { return d.name }

// InputSize implements Layer.
func (d *Dense[T]) InputSize() int { return d.In }

// OutputSize implements Layer.
func (d *Dense[T]) OutputSize() int { return d.Units }

// ParamCount implements Layer: In·Units weights and Units biases.
func (d *Dense[T]) ParamCount() int { return d.In*d.Units + d.Units }

// Activation returns the layer's activation.
func (d *Dense[T]) Activation() Activation { return d.Act }

func (d *Dense[T]) withActivation(a Activation) Layer[T] {
	c := *d
	c.Act = a
	return &c
}

// split returns the weight matrix and bias views of a parameter slice.
func (d *Dense[T]) split(p []T) (Matrix[T], []T) {
	nw := d.In * d.Units
	return Matrix[T]{Rows: d.In, Cols: d.Units, Data: p[:nw]}, p[nw : nw+d.Units]
}

// Init implements Layer.
func (d *Dense[T]) Init(params []T, rng *rand.Rand) {
	init := d.Initializer
	if init == nil {
		init = GlorotUniform{}
	}
	w, b := d.split(params)
	for i := range w.Data {
		w.Data[i] = T(init.Weight(rng, d.In, d.Units))
	}
	for i := range b {
		b[i] = T(init.Bias(rng, d.In, d.Units))
	}
}

// Penalty implements Penalized: it returns L1·Σ|w| + L2·Σw² and, when
// grads is non-nil, adds its gradient L1·sign(w) + 2·L2·w to grads.
func (d *Dense[T]) Penalty(params, grads []T) float64 {
	if d.L1 == 0 && d.L2 == 0 {
		return 0
	}
	w, _ := d.split(params)
	var s1, s2 float64
	for _, v := range w.Data {
		s1 += math.Abs(float64(v))
		s2 += float64(v) * float64(v)
	}
	if grads != nil {
		gw, _ := d.split(grads)
		c1, c2 := T(d.L1), T(2*d.L2)
		for i, v := range w.Data {
			g := c2 * v
			switch {
			case v > 0:
				g += c1
			case v < 0:
				g -= c1
			}
			gw.Data[i] += g
		}
	}
	return d.L1*s1 + d.L2*s2
}

// Constrain implements Constrained: with MaxNorm set, it scales down each
// column of W whose L2 norm exceeds MaxNorm to that norm.
func (d *Dense[T]) Constrain(params []T) {
	if d.MaxNorm <= 0 {
		return
	}
	w, _ := d.split(params)
	if len(d.norms) != d.Units {
		d.norms = make([]float64, d.Units)
	}
	n := d.norms
	clear(n)
	for i := range w.Rows {
		for j, v := range w.Row(i) {
			n[j] += float64(v) * float64(v)
		}
	}
	scaled := false
	for j, s := range n {
		n[j] = 1
		if s := math.Sqrt(s); s > d.MaxNorm {
			n[j], scaled = d.MaxNorm/s, true
		}
	}
	if !scaled {
		return
	}
	for i := range w.Rows {
		for j, v := range w.Row(i) {
			if n[j] != 1 {
				w.Row(i)[j] = T(float64(v) * n[j])
			}
		}
	}
}

// Forward implements Layer.
func (d *Dense[T]) Forward(_ Pass, params []T, in, out Matrix[T]) {
	w, b := d.split(params)
	Gemm(false, false, 1, in, w, 0, out)
	biasActivate(d.Act, out, b)
}

// Backward implements Layer.
func (d *Dense[T]) Backward(_ Pass, params []T, b *Backprop[T]) {
	w, _ := d.split(params)
	gw, gb := d.split(b.Grads)
	activationBackward(d.Act, b.Out, b.DOut) // DOut now holds dL/dz
	var beta T
	if b.Accumulate {
		beta = 1
	}
	Gemm(true, false, 1, b.In, b.DOut, beta, gw) // gW (+)= inᵀ·dz
	b.ColSums(b.DOut, gb)                        // gb (+)= 1ᵀ·dz
	if b.DIn.Data != nil {
		Gemm(false, true, 1, b.DOut, w, 0, b.DIn) // dIn = dz·Wᵀ
	}
}
