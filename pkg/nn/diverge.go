package nn

import (
	"fmt"
)

// DivergenceError reports training that produced NaN or Inf: a batch whose
// loss or gradient was not finite (the step was not applied: the model
// keeps the weights from before it), an update that overflowed the
// weights (the step was applied; Where is "weights"), or a validation loss
// that was not finite (Batch is 0).
type DivergenceError struct {
	Epoch, Batch int     // 1-based; Batch 0 means the validation data
	Loss         float64 // the batch's loss (NaN or ±Inf)
	Layer        int     // 0-based index of the first layer with non-finite values, -1 if none was found
	LayerName    string
	Where        string // "weights", "outputs", "gradient" or "loss" (finite outputs, overflowing loss)
	LearningRate float64
}

// Error implements error.
func (e *DivergenceError) Error() string {
	var where string
	if e.Batch == 0 {
		return fmt.Sprintf("nn: training diverged at epoch %d: the validation loss is %v; "+
			"try a lower learning rate (now %g) or standardized inputs", e.Epoch, e.Loss, e.LearningRate)
	}
	switch {
	case e.Layer < 0:
		where = "the batch's inputs or targets hold NaN or Inf"
	case e.Where == "loss":
		where = fmt.Sprintf("the outputs of the last layer %d (%q) are finite but too large for the loss", e.Layer, e.LayerName)
	default:
		where = fmt.Sprintf("the first non-finite values are in the %s of layer %d (%q)", e.Where, e.Layer, e.LayerName)
	}
	return fmt.Sprintf("nn: training diverged at epoch %d, batch %d: the loss is %v; %s; "+
		"try a lower learning rate (now %g) or standardized inputs", e.Epoch, e.Batch, e.Loss, where, e.LearningRate)
}

// diverged diagnoses a non-finite batch loss: non-finite inputs or targets,
// else the first layer whose weights, then outputs on the batch, then
// gradient hold a NaN or an Inf, else a loss that overflowed on finite
// outputs.
// After an update that overflowed, only the weights are examined.
func (t *trainer[T]) diverged(epoch, batch int, loss float64, idx []int, updated bool) error {
	m := t.m
	err := &DivergenceError{Epoch: epoch, Batch: batch, Loss: loss, Layer: -1, LearningRate: learningRate(m.opt)}
	found := func(i int, where string) error {
		err.Layer, err.LayerName, err.Where = i, m.layers[i].Name(), where
		return err
	}
	if updated {
		for i := range m.layers {
			if !finite(m.layerView(m.params, i)) {
				return found(i, "weights")
			}
		}
	}
	a := NewMatrix[T](len(idx), t.x.Cols, nil)
	for r, s := range idx {
		copy(a.Row(r), t.x.Row(s))
		if !finite(t.y.Row(s)) {
			return err
		}
	}
	if !finite(a.Data) {
		return err
	}
	for i := range m.layers {
		if !finite(m.layerView(m.params, i)) {
			return found(i, "weights")
		}
	}
	pass := t.pass(idx)
	for i, l := range m.train {
		out := NewMatrix[T](len(idx), l.OutputSize(), nil)
		pass.Layer = i
		l.Forward(pass, m.layerView(m.params, i), a, out)
		if !finite(out.Data) {
			return found(i, "outputs")
		}
		a = out
	}
	for i := range m.layers {
		if !finite(m.layerView(t.grad(), i)) {
			return found(i, "gradient")
		}
	}
	return found(len(m.layers)-1, "loss")
}

// finite reports whether every element of v is finite. x−x is 0 for a
// finite x and NaN for NaN and ±Inf; summing those differences needs one
// subtraction and one addition per element and no branch.
// Four independent sums keep the additions from waiting on each other.
func finite[T Float](v []T) bool {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		s0 += w[0] - w[0]
		s1 += w[1] - w[1]
		s2 += w[2] - w[2]
		s3 += w[3] - w[3]
	}
	for _, x := range v[i:] {
		s0 += x - x
	}
	return s0+s1+s2+s3 == 0
}

// sumSquares returns Σv² in float64. Element i of each block of eight goes
// to partial sum i%8 (a SIMD kernel where there is one), the tail goes to
// the first, and the eight are combined by a fixed tree, so the result
// depends only on v.
func sumSquares[T Float](v []T) float64 {
	var s [8]float64
	for _, x := range v[sumSquaresPartial(v, &s):] {
		s[0] += float64(float64(x) * float64(x))
	}
	return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
}

// finiteScalar reports whether x is neither NaN nor ±Inf.
func finiteScalar(x float64) bool { return x-x == 0 }
