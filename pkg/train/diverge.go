package train

import (
	"fmt"

	"github.com/densetrain/densetrain/pkg/nn"
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
		return fmt.Sprintf("train: training diverged at epoch %d: the validation loss is %v; "+
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
	return fmt.Sprintf("train: training diverged at epoch %d, batch %d: the loss is %v; %s; "+
		"try a lower learning rate (now %g) or standardized inputs", e.Epoch, e.Batch, e.Loss, where, e.LearningRate)
}

// diverged diagnoses a non-finite batch loss: non-finite inputs or targets,
// else the first layer whose weights, then outputs on the batch, then
// gradient hold a NaN or an Inf, else a loss that overflowed on finite
// outputs.
// After an update that overflowed, only the weights are examined.
func (t *trainer[T]) diverged(epoch, batch int, loss float64, idx []int, updated bool) error {
	m := t.m
	err := &DivergenceError{Epoch: epoch, Batch: batch, Loss: loss, Layer: -1, LearningRate: nn.LearningRate(m.Optimizer())}
	found := func(i int, where string) error {
		err.Layer, err.LayerName, err.Where = i, m.Layers()[i].Name(), where
		return err
	}
	pass := t.pass(idx)
	if updated {
		if i, where := m.Diagnose(pass, nn.Matrix[T]{}, nil, true); i >= 0 {
			return found(i, where)
		}
	}
	a := nn.NewMatrix[T](len(idx), t.src.Width(), nil)
	if ld, ok := t.src.(Loader); ok { // every rank diagnoses the same batch
		if lerr := ld.Load(idx); lerr != nil {
			return lerr
		}
	}
	if gerr := t.src.Gather(idx, a); gerr != nil {
		return gerr
	}
	for _, s := range idx {
		if !nn.Finite(t.y.Row(s)) {
			return err
		}
	}
	if !nn.Finite(a.Data) {
		return err
	}
	return found(m.Diagnose(pass, a, t.grad(), false))
}
