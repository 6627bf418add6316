package nn

import (
	"fmt"
	"math"
)

// Loss is a training objective. Its value for a batch is the mean over the
// batch's samples of a per-sample loss.
type Loss[T Float] interface {
	// Name returns the loss's name.
	Name() string
	// Head is the output activation the loss is fused with, or Linear. When
	// the model's last layer has this activation, training feeds the loss
	// the layer's pre-activations (logits) instead, for a stable loss and
	// gradient, and Predict applies the activation.
	Head() Activation
	// CheckTarget reports whether target suits a model with the given number
	// of outputs. It is called once per Fit or Evaluate, not per step.
	CheckTarget(target Matrix[T], outputs int) error
	// Eval returns the sum over the rows of out of the per-sample losses
	// against target. If grad.Data is non-nil it also writes
	// scale·∂(sum)/∂out into grad, which has out's shape.
	Eval(out, target Matrix[T], scale T, grad Matrix[T]) float64
}

func checkSameShape[T Float](name string, target Matrix[T], outputs int) error {
	if target.Cols != outputs {
		return fmt.Errorf("nn: %s needs %d target columns (one per output), got %d", name, outputs, target.Cols)
	}
	return nil
}

// MSE returns the mean squared error: the mean over samples and outputs of
// (o−y)², as in Keras and PyTorch.
func MSE[T Float]() Loss[T] { return squared[T]{half: false} }

// HalfMSE returns the tutorial's squared error 0.5·(o−y)², averaged over
// samples and outputs; its gradient is (o−y)/outputs per sample.
func HalfMSE[T Float]() Loss[T] { return squared[T]{half: true} }

type squared[T Float] struct{ half bool }

func (s squared[T]) Name() string {
	if s.half {
		return "half_mse"
	}
	return "mse"
}

func (squared[T]) Head() Activation { return Linear }

func (s squared[T]) CheckTarget(target Matrix[T], outputs int) error {
	return checkSameShape(s.Name(), target, outputs)
}

func (s squared[T]) Eval(out, target Matrix[T], scale T, grad Matrix[T]) float64 {
	n := out.Rows * out.Cols
	o, y := out.Data[:n:n], target.Data[:n:n]
	f := 1 / float64(out.Cols) // mean over outputs
	if s.half {
		f *= 0.5
	}
	var sum float64
	for i, v := range o {
		d := float64(v - y[i])
		sum += d * d
	}
	if grad.Data != nil {
		g := grad.Data[:n:n]
		c := T(2*f) * scale
		for i, v := range o {
			g[i] = c * (v - y[i])
		}
	}
	return sum * f
}

// CrossEntropy returns the categorical cross-entropy fused with softmax.
// The target is either one column of integer class labels 0…K−1 or K
// columns of one-hot (or probability) rows.
func CrossEntropy[T Float]() Loss[T] { return crossEntropy[T]{} }

type crossEntropy[T Float] struct{}

func (crossEntropy[T]) Name() string     { return "cross_entropy" }
func (crossEntropy[T]) Head() Activation { return Softmax }

func (crossEntropy[T]) CheckTarget(target Matrix[T], outputs int) error {
	if outputs < 2 {
		return fmt.Errorf("nn: cross_entropy needs at least 2 outputs, got %d (use binary_cross_entropy for one)", outputs)
	}
	switch target.Cols {
	case 1:
		for i, v := range target.Data {
			// Compare as floats first: int(v) is undefined for huge v.
			if !(v >= 0 && v < T(outputs)) || v != T(math.Trunc(float64(v))) {
				return fmt.Errorf("nn: cross_entropy target row %d: class label %v is not an integer in [0, %d)", i, v, outputs)
			}
		}
	case outputs:
		for i := 0; i < target.Rows; i++ {
			for _, v := range target.Row(i) {
				if !(v >= 0 && v <= 1) {
					return fmt.Errorf("nn: cross_entropy target row %d: probability %v is outside [0, 1]", i, v)
				}
			}
		}
	default:
		return fmt.Errorf("nn: cross_entropy needs 1 target column of class labels or %d one-hot columns, got %d", outputs, target.Cols)
	}
	return nil
}

// Eval takes logits z. Per sample: Σt·lse(z) − Σ tⱼzⱼ, with lse the
// log-sum-exp shifted by the row maximum; gradient scale·(softmax(z)·Σt − t).
func (crossEntropy[T]) Eval(out, target Matrix[T], scale T, grad Matrix[T]) float64 {
	k := out.Cols
	labels := target.Cols == 1
	var sum float64
	for r := 0; r < out.Rows; r++ {
		z := out.Data[r*k : (r+1)*k : (r+1)*k]
		m := z[0]
		for _, v := range z[1:] {
			m = max(m, v)
		}
		var s float64
		for _, v := range z {
			s += math.Exp(float64(v - m))
		}
		lse := float64(m) + math.Log(s)
		var tz, ts float64 // Σ t·z and Σ t
		if labels {
			tz, ts = float64(z[int(target.Data[r])]), 1
		} else {
			for j, t := range target.Row(r) {
				tz += float64(t) * float64(z[j])
				ts += float64(t)
			}
		}
		sum += ts*lse - tz
		if grad.Data == nil {
			continue
		}
		g := grad.Data[r*k : (r+1)*k : (r+1)*k]
		for j, v := range z {
			g[j] = scale * T(math.Exp(float64(v)-lse)*ts)
		}
		if labels {
			g[int(target.Data[r])] -= scale
		} else {
			for j, t := range target.Row(r) {
				g[j] -= scale * t
			}
		}
	}
	return sum
}

// BinaryCrossEntropy returns the binary cross-entropy from logits, fused
// with sigmoid, averaged over outputs like Keras. Targets have one column
// per output with values in [0, 1].
func BinaryCrossEntropy[T Float]() Loss[T] { return binaryCrossEntropy[T]{} }

type binaryCrossEntropy[T Float] struct{}

func (binaryCrossEntropy[T]) Name() string     { return "binary_cross_entropy" }
func (binaryCrossEntropy[T]) Head() Activation { return Sigmoid }

func (b binaryCrossEntropy[T]) CheckTarget(target Matrix[T], outputs int) error {
	if err := checkSameShape(b.Name(), target, outputs); err != nil {
		return err
	}
	for i, v := range target.Data {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("nn: binary_cross_entropy target row %d: %v is outside [0, 1]", i/outputs, v)
		}
	}
	return nil
}

// Eval takes logits z. Per output: max(z,0) − z·t + log(1+e^−|z|), which
// never overflows; gradient scale·(σ(z) − t)/outputs.
func (binaryCrossEntropy[T]) Eval(out, target Matrix[T], scale T, grad Matrix[T]) float64 {
	n := out.Rows * out.Cols
	z, t := out.Data[:n:n], target.Data[:n:n]
	f := 1 / float64(out.Cols)
	var sum float64
	for i, v := range z {
		zf, tf := float64(v), float64(t[i])
		sum += max(zf, 0) - zf*tf + math.Log1p(math.Exp(-math.Abs(zf)))
	}
	if grad.Data != nil {
		g := grad.Data[:n:n]
		c := float64(scale) * f
		for i, v := range z {
			g[i] = T(c * (sigmoid(float64(v)) - float64(t[i])))
		}
	}
	return sum * f
}
