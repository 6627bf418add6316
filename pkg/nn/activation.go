package nn

import (
	"fmt"
	"math"
	"strings"
	"unsafe"

	"github.com/densetrain/densetrain/internal/floatslice"
)

// Activation is an element-wise (or, for Softmax, row-wise) output function
// of a layer.
type Activation int

// The activations. Linear is also accepted as "none", the tutorial's name.
const (
	Linear    Activation = iota // identity
	Sigmoid                     // 1/(1+e^−z), evaluated stably for large |z|
	Tanh                        // hyperbolic tangent
	ReLU                        // max(z, 0)
	LeakyReLU                   // z for z > 0, LeakySlope·z otherwise
	Softmax                     // row-wise e^z / Σe^z, shifted by the row maximum
)

// LeakySlope is the slope of LeakyReLU for negative inputs (PyTorch's default).
const LeakySlope = 0.01

var activationNames = [...]string{"linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"}

// String returns the activation's name as ParseActivation accepts it.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ActivationChoices lists the names ParseActivation takes, for messages.
const ActivationChoices = "linear (or none), sigmoid, tanh, relu, leaky_relu or softmax"

// ParseActivation returns the activation with the given name: linear (or
// none), sigmoid, tanh, relu, leaky_relu (or leakyrelu) or softmax.
func ParseActivation(name string) (Activation, error) {
	switch n := strings.ToLower(strings.TrimSpace(name)); n {
	case "none", "identity":
		return Linear, nil
	case "leakyrelu", "leaky-relu":
		return LeakyReLU, nil
	default:
		for i, s := range activationNames {
			if s == n {
				return Activation(i), nil
			}
		}
	}
	return 0, fmt.Errorf("nn: unknown activation %q (want %s)", name, ActivationChoices)
}

// sigmoid is the logistic function, computed without overflow for any z.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// biasActivate replaces each row r of z by act(r + bias) in one pass.
func biasActivate[T Float](act Activation, z Matrix[T], bias []T) {
	n := z.Cols
	for r := 0; r < z.Rows; r++ {
		row := z.Data[r*n : (r+1)*n : (r+1)*n]
		b := bias[:n:n]
		switch act {
		case Linear:
			for j := range row {
				row[j] += b[j]
			}
		case ReLU:
			for j := range row {
				row[j] = max(row[j]+b[j], 0)
			}
		case LeakyReLU:
			for j := range row {
				v := row[j] + b[j]
				if v < 0 {
					v *= LeakySlope
				}
				row[j] = v
			}
		case Sigmoid:
			for j := range row {
				row[j] = T(sigmoid(float64(row[j] + b[j])))
			}
		case Tanh:
			for j := range row {
				row[j] = T(math.Tanh(float64(row[j] + b[j])))
			}
		case Softmax:
			for j := range row {
				row[j] += b[j]
			}
			softmaxRow(row)
		}
	}
}

// softmaxRow replaces row by its softmax, shifted by the maximum so that no
// exponential overflows.
func softmaxRow[T Float](row []T) {
	m := row[0]
	for _, v := range row[1:] {
		m = max(m, v)
	}
	var s float64
	for j, v := range row {
		e := math.Exp(float64(v - m))
		row[j] = T(e)
		s += e
	}
	inv := 1 / s
	for j := range row {
		row[j] = T(float64(row[j]) * inv)
	}
}

// activationBackward turns dy, the gradient with respect to a layer's output
// y = act(z), into the gradient with respect to z, in place.
//
// Each derivative is act'(z), the derivative at the pre-activation z; it is
// written in terms of y only because y = act(z) determines it exactly:
// σ'(z) = y(1−y), tanh'(z) = 1−y², and relu's slope is 1 where y > 0. (The
// tutorial's bug was to evaluate σ' at y, i.e. σ'(σ(z)).) Softmax applies
// its Jacobian: dz = y ⊙ (dy − ⟨dy, y⟩).
func activationBackward[T Float](act Activation, y, dy Matrix[T]) {
	n := y.Rows * y.Cols
	yd, gd := y.Data[:n:n], dy.Data[:n:n]
	switch act {
	case Linear:
	case ReLU:
		reluBackward(yd, gd)
	case LeakyReLU:
		for i, v := range yd {
			if v <= 0 {
				gd[i] *= LeakySlope
			}
		}
	case Sigmoid:
		for i, v := range yd {
			gd[i] *= v * (1 - v)
		}
	case Tanh:
		for i, v := range yd {
			gd[i] *= 1 - v*v
		}
	case Softmax:
		c := y.Cols
		for r := 0; r < y.Rows; r++ {
			yr, gr := yd[r*c:(r+1)*c], gd[r*c:(r+1)*c]
			var dot T
			for j, v := range yr {
				dot += v * gr[j]
			}
			for j, v := range yr {
				gr[j] = v * (gr[j] - dot)
			}
		}
	}
}

// reluBackward zeroes g[i] where the ReLU output y[i] is not positive. About
// half of a layer's units are active in no pattern a branch predictor can
// learn, so it works on the bits without a branch: for y's bits read as a
// signed integer s, (−s >> 31) &^ (s >> 31) is all ones exactly when s > 0,
// that is when y > 0 or y is a NaN with the sign bit clear.
func reluBackward[T Float](y, g []T) {
	if len(y) == 0 {
		return
	}
	if unsafe.Sizeof(y[0]) == 4 {
		reluBackward32(floatslice.As32(y), floatslice.As32(g))
	} else {
		reluBackward64(floatslice.As64(y), floatslice.As64(g))
	}
}

func reluBackward32(y, g []float32) {
	g = g[:len(y)]
	for i, v := range y {
		s := int32(math.Float32bits(v))
		g[i] = math.Float32frombits(math.Float32bits(g[i]) & uint32((-s>>31)&^(s>>31)))
	}
}

func reluBackward64(y, g []float64) {
	g = g[:len(y)]
	for i, v := range y {
		s := int64(math.Float64bits(v))
		g[i] = math.Float64frombits(math.Float64bits(g[i]) & uint64((-s>>63)&^(s>>63)))
	}
}
