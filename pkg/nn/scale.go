package nn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// Scale multiplies each input by its own learned scale: out = in ⊙ s,
// per unit, the learnable feature scale of RealMLP (Holzmüller et al.
// 2024), a soft selection of the inputs in front of the first Dense layer.
//
// The scale is kept as s = Factor·u, and u is the parameter: an
// optimizer that normalizes its steps (Adam, RMSprop) then moves s Factor
// times as fast as the weights, RealMLP's learning-rate factor for the
// scale, without a learning rate per parameter. Init sets u = 1/Factor
// (s = 1: the identity). Since in·diag(s)·W = in·(diag(s)·W), a trained
// Scale in front of a Dense layer can be folded into its weights
// (FoldScale), and the network answers without it.
type Scale[T Float] struct {
	Units  int     // inputs (and outputs) per sample
	Factor float64 // s = Factor·u, positive
	name   string
}

// MinScaleFactor and MaxScaleFactor bound a Scale's Factor: u = 1/Factor
// and s = Factor·u stay normal float32 numbers.
const (
	MinScaleFactor = 1e-6
	MaxScaleFactor = 1e6
)

// NewScale returns a Scale layer of units units and learning-rate factor
// factor. It panics if units is not positive or factor is not in
// [MinScaleFactor, MaxScaleFactor].
func NewScale[T Float](units int, factor float64, name string) *Scale[T] {
	if units < 1 || !(factor >= MinScaleFactor && factor <= MaxScaleFactor) {
		panic(fmt.Sprintf("nn: scale layer %q with %d units and factor %v", name, units, factor))
	}
	return &Scale[T]{Units: units, Factor: factor, name: name}
}

// Name implements Layer.
func (s *Scale[T]) Name() string { return s.name }

// InputSize implements Layer.
func (s *Scale[T]) InputSize() int { return s.Units }

// OutputSize implements Layer.
func (s *Scale[T]) OutputSize() int { return s.Units }

// ParamCount implements Layer: one parameter per unit.
func (s *Scale[T]) ParamCount() int { return s.Units }

// Init implements Layer: every scale 1 (u = 1/Factor); it draws nothing.
func (s *Scale[T]) Init(params []T, _ *rand.Rand) {
	for j := range params {
		params[j] = T(1 / s.Factor)
	}
}

// Scales writes the scales s = Factor·u of params into dst (length Units).
func (s *Scale[T]) Scales(params []T, dst []T) {
	f := T(s.Factor)
	for j, u := range params[:s.Units] {
		dst[j] = f * u
	}
}

type scaleConfig struct {
	Factor float64 `json:"factor"`
}

// Spec implements Specced.
func (s *Scale[T]) Spec() LayerSpec {
	cfg, _ := json.Marshal(scaleConfig{s.Factor})
	return LayerSpec{Kind: "scale", Name: s.name, Inputs: s.Units, Units: s.Units, Config: cfg, Params: s.Units}
}

func scaleFactory[T Float](sp LayerSpec) (Layer[T], error) {
	var cfg scaleConfig
	if err := json.Unmarshal(sp.Config, &cfg); err != nil {
		return nil, fmt.Errorf("scale: its config: %v", err)
	}
	if sp.Inputs != sp.Units || !(cfg.Factor >= MinScaleFactor && cfg.Factor <= MaxScaleFactor) {
		return nil, fmt.Errorf("scale with %d inputs, %d units and factor %v", sp.Inputs, sp.Units, cfg.Factor)
	}
	return NewScale[T](sp.Units, cfg.Factor, sp.Name), nil
}

// Forward implements Layer.
func (s *Scale[T]) Forward(_ Pass, params []T, in, out Matrix[T]) {
	f := T(s.Factor)
	u := params[:s.Units]
	for r := range in.Rows {
		x, y := in.Row(r), out.Row(r)
		for j, v := range x {
			y[j] = v * (f * u[j])
		}
	}
}

// Backward implements Layer: ∂L/∂uⱼ = Factor·Σᵣ dOutᵣⱼ·inᵣⱼ, and
// dIn = dOut ⊙ s.
func (s *Scale[T]) Backward(_ Pass, params []T, b *Backprop[T]) {
	f := T(s.Factor)
	u, g := params[:s.Units], b.Grads[:s.Units]
	if !b.Accumulate {
		clear(g)
	}
	for r := range b.In.Rows {
		x, d := b.In.Row(r), b.DOut.Row(r)
		for j, v := range x {
			g[j] += f * (d[j] * v)
		}
		if b.DIn.Data != nil {
			di := b.DIn.Row(r)
			for j, v := range d {
				di[j] = v * (f * u[j])
			}
		}
	}
}

// FoldScale folds a Scale layer's scales into the Dense layer that takes
// its output: row j of the weights (input j's) is multiplied by sⱼ. scale
// and dense are the two layers' parameters; dense's are changed.
func FoldScale[T Float](s *Scale[T], scale []T, d *Dense[T], dense []T) {
	if d.In != s.Units {
		panic(fmt.Sprintf("nn: FoldScale of %d scales into a dense layer of %d inputs", s.Units, d.In))
	}
	f := T(s.Factor)
	w, _ := d.split(dense)
	for j := range d.In {
		sj := f * scale[j]
		row := w.Data[j*d.Units : (j+1)*d.Units]
		for c := range row {
			row[c] *= sj
		}
	}
}
