package nn

import (
	"fmt"
	"math/rand/v2"
)

// Dropout sets each of its inputs to zero with probability Rate while a trainer
// trains, and multiplies the others by 1/(1 − Rate) — inverted dropout, as
// Keras' Dropout — so that each unit's expected value is unchanged; in
// Predict and Evaluate it passes its input through. A row's mask comes from
// the Pass's random source, keyed by the sample, the epoch and the step:
// it does not depend on the worker or process that computes the row. It
// has no parameters. As the first layer it is input dropout.
type Dropout[T Float] struct {
	Units int     // inputs (and outputs) per sample
	Rate  float64 // probability of dropping a unit, in [0, 1)
	name  string
}

// NewDropout returns a Dropout layer of units units dropped at rate. It
// panics if units is not positive or rate is not in [0, 1).
func NewDropout[T Float](units int, rate float64, name string) *Dropout[T] {
	if units < 1 || !(rate >= 0 && rate < 1) {
		panic(fmt.Sprintf("nn: dropout layer %q with %d units and rate %v", name, units, rate))
	}
	return &Dropout[T]{Units: units, Rate: rate, name: name}
}

// Name implements Layer.
func (d *Dropout[T]) Name() string { return d.name }

// InputSize implements Layer.
func (d *Dropout[T]) InputSize() int { return d.Units }

// OutputSize implements Layer.
func (d *Dropout[T]) OutputSize() int { return d.Units }

// ParamCount implements Layer: none.
func (d *Dropout[T]) ParamCount() int { return 0 }

// Init implements Layer: nothing to initialize.
func (d *Dropout[T]) Init([]T, *rand.Rand) {}

// Spec implements Specced.
func (d *Dropout[T]) Spec() LayerSpec {
	return LayerSpec{Kind: "dropout", Name: d.name, Inputs: d.Units, Units: d.Units, Rate: d.Rate}
}

// Forward implements Layer.
func (d *Dropout[T]) Forward(p Pass, _ []T, in, out Matrix[T]) { d.apply(p, in, out) }

// Backward implements Layer: the gradient goes through the units kept,
// scaled as they were; the mask is drawn again from the same key.
func (d *Dropout[T]) Backward(p Pass, _ []T, b *Backprop[T]) {
	if b.DIn.Data != nil {
		d.apply(p, b.DOut, b.DIn)
	}
}

// apply writes the masked and scaled src into dst (a copy outside
// training).
func (d *Dropout[T]) apply(p Pass, src, dst Matrix[T]) {
	if !p.Training || d.Rate == 0 {
		copy(dst.Data[:src.Rows*src.Cols], src.Data)
		return
	}
	th, scale := dropThreshold(d.Rate), T(1/(1-d.Rate))
	for r := range src.Rows {
		s := p.Rand(r)
		in, out := src.Row(r), dst.Row(r)
		for j, v := range in {
			if s.Uint64() < th {
				out[j] = 0
			} else {
				out[j] = v * scale
			}
		}
	}
}
