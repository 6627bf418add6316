package train

import (
	"slices"
	"unsafe"

	"github.com/densetrain/densetrain/internal/floatslice"
	"github.com/densetrain/densetrain/pkg/nn"
)

// Weights is a copy of a model's parameters (TrainState.SaveWeights), of
// the model's precision: one of its two slices is set. The zero value
// holds none.
type Weights struct {
	f32 []float32
	f64 []float64
}

// Len returns the number of parameters held, 0 for none.
func (w Weights) Len() int { return max(len(w.f32), len(w.f64)) }

// weightsOf returns a copy of v.
func weightsOf[T nn.Float](v []T) Weights {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return Weights{f32: slices.Clone(floatslice.As32(v))}
	}
	return Weights{f64: slices.Clone(floatslice.As64(v))}
}

// fits reports whether w holds n parameters of precision T.
func fits[T nn.Float](w Weights, n int) bool {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return w.f32 != nil && len(w.f32) == n
	}
	return w.f64 != nil && len(w.f64) == n
}

// copyWeights copies w into dst; fits[T](w, len(dst)) must hold.
func copyWeights[T nn.Float](dst []T, w Weights) {
	if w.f32 != nil {
		copy(floatslice.As32(dst), w.f32)
	} else {
		copy(floatslice.As64(dst), w.f64)
	}
}
