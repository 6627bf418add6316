package tabular

import (
	"fmt"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// checkOutputs refuses a network output that is not a finite number: a row
// so far from the training rows that its answer overflows the model's
// precision (bits). The error is a *prep.RowError naming the target (or
// "the class probabilities"), which callers turn into the row's line.
func checkOutputs[T tensor.Float](p *prep.Preprocessing, out tensor.Matrix[T], bits int) error {
	for i, v := range out.Data {
		if v-v == 0 {
			continue
		}
		r, j := i/out.Cols, i%out.Cols
		what := "the class probabilities are"
		if p.Task != prep.Classify && j < len(p.Targets) {
			what = fmt.Sprintf("the prediction of target %q is", p.Targets[j])
		}
		return &prep.RowError{Row: r, Err: fmt.Errorf("%s %v: beyond the range of float%d (a float64 model holds more)", what, float64(v), bits)}
	}
	return nil
}

// finite reports whether the loss and every metric are finite numbers.
func finite(loss float64, metrics map[string]float64) bool {
	if loss-loss != 0 { // NaN or ±Inf
		return false
	}
	for _, v := range metrics {
		if v-v != 0 {
			return false
		}
	}
	return true
}
