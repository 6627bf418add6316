package nn

import "context"

// PredictBlock is the number of rows Predict pushes through the layers at
// once; ctx is checked between blocks.
const PredictBlock = 256

// Predict returns the model's outputs for the rows of x, on the calling
// goroutine (pkg/train's Predict spreads the blocks over workers, with the
// same bits). With a fused loss the output activation is applied
// (probabilities), see Compile. Predict may be called from several
// goroutines at once; while a trainer changes the weights it fails with
// ErrBusy (see Guard). It stops with ctx's error when ctx ends.
func (m *Model[T]) Predict(ctx context.Context, x Matrix[T]) (Matrix[T], error) {
	if err := m.acquire(); err != nil {
		return Matrix[T]{}, err
	}
	defer m.release()
	if err := m.CheckInput(x); err != nil {
		return Matrix[T]{}, err
	}
	out := NewMatrix[T](x.Rows, m.OutputSize(), nil)
	f := m.NewForwarder(min(PredictBlock, x.Rows))
	for lo := 0; lo < x.Rows; lo += PredictBlock {
		if err := ctx.Err(); err != nil {
			return Matrix[T]{}, err
		}
		hi := min(lo+PredictBlock, x.Rows)
		f.Predict(x.SliceRows(lo, hi), out.SliceRows(lo, hi))
	}
	return out, nil
}
