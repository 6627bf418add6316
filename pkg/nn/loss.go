package nn

import (
	"fmt"
	"math"
)

// Loss is a training objective. Its value for a batch is the mean over the
// batch's samples of a per-sample loss, each multiplied by the sample's
// weight when there are weights (Keras' "sum over batch size" reduction).
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
	// Eval returns Σᵢ wᵢ·lossᵢ over the rows of out against target, with
	// wᵢ = weights[i] (1 when weights is nil). If grad.Data is non-nil it
	// also writes scale·∂(that sum)/∂out into grad, which has out's shape.
	Eval(out, target Matrix[T], weights []T, scale T, grad Matrix[T]) float64
}

// elementwise is a loss that averages a function of (output, target) over
// the outputs of a sample.
type elementwise[T Float] struct {
	name  string
	head  Activation
	unit  bool                                 // targets must lie in [0, 1]
	fn    func(o, y float64) (loss, d float64) // value and ∂/∂o
	delta float64                              // Huber's δ, saved in model files
	// smooth is the label smoothing ε of a loss with unit targets: each
	// target t is trained as t·(1−ε) + ε/2 (Keras' BinaryCrossentropy).
	smooth float64
}

// MSE returns the mean squared error: the mean over samples and outputs of
// (o−y)², as in Keras and PyTorch.
func MSE[T Float]() Loss[T] {
	return elementwise[T]{name: "mse", fn: func(o, y float64) (float64, float64) { return (o - y) * (o - y), 2 * (o - y) }}
}

// HalfMSE returns the tutorial's squared error 0.5·(o−y)², averaged over
// samples and outputs; its gradient is (o−y)/outputs per sample.
func HalfMSE[T Float]() Loss[T] {
	return elementwise[T]{name: "half_mse", fn: func(o, y float64) (float64, float64) { return 0.5 * (o - y) * (o - y), o - y }}
}

// MAE returns the mean absolute error |o−y|, averaged over samples and
// outputs. Its gradient at o = y is taken as 0.
func MAE[T Float]() Loss[T] {
	return elementwise[T]{name: "mae", fn: func(o, y float64) (float64, float64) {
		d := o - y
		s := 0.0
		if d > 0 {
			s = 1
		} else if d < 0 {
			s = -1
		}
		return math.Abs(d), s
	}}
}

// Huber returns the Huber loss with threshold delta (Keras' default is 1):
// 0.5·d² where |d| ≤ delta, delta·(|d| − 0.5·delta) beyond, d = o−y,
// averaged over samples and outputs. It panics if delta is not positive.
func Huber[T Float](delta float64) Loss[T] {
	if !(delta > 0) {
		panic(fmt.Sprintf("nn: Huber delta %v, want > 0", delta))
	}
	return elementwise[T]{name: "huber", delta: delta, fn: func(o, y float64) (float64, float64) {
		d := o - y
		if math.Abs(d) <= delta {
			return 0.5 * d * d, d
		}
		return delta * (math.Abs(d) - 0.5*delta), math.Copysign(delta, d)
	}}
}

// BinaryCrossEntropy returns the binary cross-entropy from logits, fused
// with sigmoid, averaged over outputs like Keras. Targets have one column
// per output with values in [0, 1]. Per output it computes
// max(z,0) − z·t + log(1+e^−|z|), which never overflows, with gradient
// σ(z) − t.
func BinaryCrossEntropy[T Float]() Loss[T] {
	return elementwise[T]{name: "binary_cross_entropy", head: Sigmoid, unit: true, fn: func(z, t float64) (float64, float64) {
		return max(z, 0) - z*t + math.Log1p(math.Exp(-math.Abs(z))), sigmoid(z) - t
	}}
}

func (e elementwise[T]) Name() string     { return e.name }
func (e elementwise[T]) Head() Activation { return e.head }

func (e elementwise[T]) CheckTarget(target Matrix[T], outputs int) error {
	if target.Cols != outputs {
		return fmt.Errorf("nn: %s needs %d target columns (one per output), got %d", e.name, outputs, target.Cols)
	}
	if e.unit {
		for i, v := range target.Data {
			if !(v >= 0 && v <= 1) {
				return fmt.Errorf("nn: %s target row %d: %v is outside [0, 1]", e.name, i/outputs, v)
			}
		}
	}
	return nil
}

func (e elementwise[T]) Eval(out, target Matrix[T], weights []T, scale T, grad Matrix[T]) float64 {
	k := out.Cols
	f := 1 / float64(k) // mean over outputs
	var total float64
	for r := 0; r < out.Rows; r++ {
		o, y := out.Data[r*k:(r+1)*k:(r+1)*k], target.Data[r*k:(r+1)*k:(r+1)*k]
		w := 1.0
		if weights != nil {
			w = float64(weights[r])
		}
		c := float64(scale) * f * w
		var sum float64
		for j, v := range o {
			t := float64(y[j])
			if e.smooth != 0 {
				t = t*(1-e.smooth) + 0.5*e.smooth
			}
			l, d := e.fn(float64(v), t)
			sum += l
			if grad.Data != nil {
				grad.Data[r*k+j] = T(c * d)
			}
		}
		total += w * sum * f
	}
	return total
}

// CrossEntropy returns the categorical cross-entropy fused with softmax.
// The target is either one column of integer class labels 0…K−1 or K
// columns of one-hot (or probability) rows.
func CrossEntropy[T Float]() Loss[T] { return crossEntropy[T]{} }

// crossEntropy's smooth is its label smoothing ε: each target row t (of
// sum s) is trained as (1−ε)·t + ε·s/K, mixed with the uniform
// distribution over the K classes as in PyTorch's and Keras' cross-entropy.
type crossEntropy[T Float] struct{ smooth float64 }

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
				return &LabelError{Row: i, Label: float64(v), Classes: outputs}
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
// log-sum-exp shifted by the row maximum; gradient scale·w·(softmax(z)·Σt − t),
// t smoothed first when there is label smoothing.
func (ce crossEntropy[T]) Eval(out, target Matrix[T], weights []T, scale T, grad Matrix[T]) float64 {
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
		eps := ce.smooth
		var zMean float64 // the mean logit, which smoothing's uniform part weighs
		if eps != 0 {
			for _, v := range z {
				zMean += float64(v)
			}
			zMean /= float64(k)
			tz = (1-eps)*tz + eps*ts*zMean
		}
		w := 1.0
		if weights != nil {
			w = float64(weights[r])
		}
		sum += w * (ts*lse - tz)
		if grad.Data == nil {
			continue
		}
		g := grad.Data[r*k : (r+1)*k : (r+1)*k]
		c := scale * T(w)
		u, keep := c*T(eps*ts/float64(k)), T(1-eps) // the uniform part of t (0 without smoothing) and the rest's weight
		for j, v := range z {
			g[j] = c*T(math.Exp(float64(v)-lse)*ts) - u
		}
		if labels {
			g[int(target.Data[r])] -= c * keep
		} else {
			for j, t := range target.Row(r) {
				g[j] -= c * keep * t
			}
		}
	}
	return sum
}

// MaxLabelSmoothing bounds label smoothing: at 1 every target would be uniform.
const MaxLabelSmoothing = 1

// LabelSmoothing returns loss with label smoothing eps in [0, 1): the
// targets of cross_entropy are mixed with the uniform distribution over
// the classes, (1−ε)·t + ε/K, and those of binary_cross_entropy become
// t·(1−ε) + ε/2, as Keras' and PyTorch's label_smoothing. Training then
// rewards less confident answers. Other losses have no labels to smooth:
// an error, as is an eps outside [0, 1).
func LabelSmoothing[T Float](loss Loss[T], eps float64) (Loss[T], error) {
	if !(eps >= 0 && eps < MaxLabelSmoothing) {
		return nil, fmt.Errorf("nn: label smoothing %v, want 0 or more and below 1", eps)
	}
	switch l := loss.(type) {
	case crossEntropy[T]:
		l.smooth = eps
		return l, nil
	case elementwise[T]:
		if l.unit {
			l.smooth = eps
			return l, nil
		}
	}
	if eps == 0 {
		return loss, nil
	}
	return nil, fmt.Errorf("nn: label smoothing needs a classification loss (cross_entropy or binary_cross_entropy), not %s", loss.Name())
}

// LossLabelSmoothing returns a loss's label smoothing (LabelSmoothing; 0:
// none), which its model files keep.
func LossLabelSmoothing[T Float](l Loss[T]) float64 {
	switch l := l.(type) {
	case crossEntropy[T]:
		return l.smooth
	case elementwise[T]:
		return l.smooth
	}
	return 0
}

// LossByName returns the loss with the given name: mse, half_mse, mae,
// huber (with delta, 1 when 0), cross_entropy (or ce) and
// binary_cross_entropy (or bce).
func LossByName[T Float](name string, delta float64) (Loss[T], error) {
	switch name {
	case "mse":
		return MSE[T](), nil
	case "half_mse":
		return HalfMSE[T](), nil
	case "mae":
		return MAE[T](), nil
	case "huber":
		if delta == 0 {
			delta = 1
		}
		if !(delta > 0) {
			return nil, fmt.Errorf("nn: huber delta %v, want > 0", delta)
		}
		return Huber[T](delta), nil
	case "cross_entropy", "ce":
		return CrossEntropy[T](), nil
	case "binary_cross_entropy", "bce":
		return BinaryCrossEntropy[T](), nil
	}
	return nil, fmt.Errorf("nn: unknown loss %q (want mse, half_mse, mae, huber, cross_entropy or binary_cross_entropy)", name)
}

// lossDelta returns the parameter a loss needs to be rebuilt by LossByName.
func lossDelta[T Float](l Loss[T]) float64 {
	if e, ok := l.(elementwise[T]); ok {
		return e.delta
	}
	return 0
}

// LabelError is a class label that is not an integer in [0, Classes): the
// target of row Row (0-based) of a cross-entropy loss.
type LabelError struct {
	Row     int
	Label   float64
	Classes int
}

// Error implements error.
func (e *LabelError) Error() string {
	return fmt.Sprintf("nn: cross_entropy target row %d: class label %v is not an integer in [0, %d)", e.Row, e.Label, e.Classes)
}
