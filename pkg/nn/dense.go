package nn

import (
	"fmt"
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
	// L2 is the weight of an L2 penalty L2·Σw² on the weights (not the
	// biases), added to the training loss like Keras' kernel_regularizer.
	L2   float64
	name string
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

// Penalty implements Penalized: it returns L2·Σw² and, when grads is
// non-nil, adds its gradient 2·L2·w to grads.
func (d *Dense[T]) Penalty(params, grads []T) float64 {
	if d.L2 == 0 {
		return 0
	}
	w, _ := d.split(params)
	var s float64
	for _, v := range w.Data {
		s += float64(v) * float64(v)
	}
	if grads != nil {
		gw, _ := d.split(grads)
		c := T(2 * d.L2)
		for i, v := range w.Data {
			gw.Data[i] += c * v
		}
	}
	return d.L2 * s
}

// Forward implements Layer.
func (d *Dense[T]) Forward(params []T, in, out Matrix[T]) {
	w, b := d.split(params)
	Gemm(false, false, 1, in, w, 0, out)
	biasActivate(d.Act, out, b)
}

// Backward implements Layer.
func (d *Dense[T]) Backward(params, grads []T, in, out, dOut, dIn Matrix[T], ones []T, accumulate bool) {
	w, _ := d.split(params)
	gw, gb := d.split(grads)
	activationBackward(d.Act, out, dOut) // dOut now holds dL/dz
	var beta T
	if accumulate {
		beta = 1
	}
	Gemm(true, false, 1, in, dOut, beta, gw) // gW (+)= inᵀ·dz
	colSums(dOut, ones, beta, gb)            // gb (+)= 1ᵀ·dz
	if dIn.Data != nil {
		Gemm(false, true, 1, dOut, w, 0, dIn) // dIn = dz·Wᵀ
	}
}
