package nn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// DenseGroups is Groups Dense layers side by side, each on its own block of
// the inputs: group g takes inputs [g·In, (g+1)·In) and gives outputs
// [g·Units, (g+1)·Units), out_g = act(in_g·W_g + b_g). It is the
// block-diagonal Dense layer of Groups independent networks run as one (an
// ensemble), without the zeros: Groups·In·Units weights, not Groups² times
// that. The parameters are the Groups weight matrices (In × Units each,
// input-major), then the Groups·Units biases. The activation works element
// by element: softmax, which mixes a row, is refused.
type DenseGroups[T Float] struct {
	Groups, In, Units int // groups; inputs and units of each
	Act               Activation
	name              string
}

// NewDenseGroups returns a DenseGroups layer. It panics if a size is not
// positive or the activation is Softmax.
func NewDenseGroups[T Float](groups, in, units int, act Activation, name string) *DenseGroups[T] {
	if groups < 1 || in < 1 || units < 1 || act == Softmax {
		panic(fmt.Sprintf("nn: dense groups layer %q of %d groups of %d inputs and %d units, %s", name, groups, in, units, act))
	}
	return &DenseGroups[T]{Groups: groups, In: in, Units: units, Act: act, name: name}
}

// Name implements Layer.
func (d *DenseGroups[T]) Name() string { return d.name }

// InputSize implements Layer.
func (d *DenseGroups[T]) InputSize() int { return d.Groups * d.In }

// OutputSize implements Layer.
func (d *DenseGroups[T]) OutputSize() int { return d.Groups * d.Units }

// ParamCount implements Layer.
func (d *DenseGroups[T]) ParamCount() int { return d.Groups * (d.In*d.Units + d.Units) }

// Activation returns the layer's activation.
func (d *DenseGroups[T]) Activation() Activation { return d.Act }

// Weights returns group g's weight matrix (In × Units) within params.
func (d *DenseGroups[T]) Weights(params []T, g int) Matrix[T] {
	nw := d.In * d.Units
	return Matrix[T]{Rows: d.In, Cols: d.Units, Data: params[g*nw : (g+1)*nw]}
}

// Biases returns the biases of every group, group after group, within
// params.
func (d *DenseGroups[T]) Biases(params []T) []T {
	nw := d.Groups * d.In * d.Units
	return params[nw : nw+d.Groups*d.Units]
}

// groupsConfig is a DenseGroups' LayerSpec.Config.
type groupsConfig struct {
	Groups int `json:"groups"`
}

// Spec implements Specced: kind "dense_groups", Inputs and Units those of
// the whole layer, Config the number of groups.
func (d *DenseGroups[T]) Spec() LayerSpec {
	cfg, _ := json.Marshal(groupsConfig{d.Groups})
	return LayerSpec{Kind: "dense_groups", Name: d.name, Inputs: d.InputSize(), Units: d.OutputSize(),
		Activation: d.Act.String(), Config: cfg, Params: d.ParamCount()}
}

// Init implements Layer: GlorotUniform, each group as a Dense layer.
func (d *DenseGroups[T]) Init(params []T, rng *rand.Rand) {
	var init GlorotUniform
	for g := range d.Groups {
		w := d.Weights(params, g)
		for i := range w.Data {
			w.Data[i] = T(init.Weight(rng, d.In, d.Units))
		}
	}
	for i, b := 0, d.Biases(params); i < len(b); i++ {
		b[i] = T(init.Bias(rng, d.In, d.Units))
	}
}

// Forward implements Layer.
func (d *DenseGroups[T]) Forward(_ Pass, params []T, in, out Matrix[T]) {
	for g := range d.Groups {
		GemmBlock(false, false, in.Rows, d.Units, d.In, 1, in, g*d.In, d.Weights(params, g), 0, 0, out, g*d.Units)
	}
	biasActivate(d.Act, out, d.Biases(params))
}

// Backward implements Layer.
func (d *DenseGroups[T]) Backward(_ Pass, params []T, b *Backprop[T]) {
	activationBackward(d.Act, b.Out, b.DOut) // DOut now holds dL/dz
	var beta T
	if b.Accumulate {
		beta = 1
	}
	for g := range d.Groups {
		gw := d.Weights(b.Grads, g)
		GemmBlock(true, false, d.In, d.Units, b.In.Rows, 1, b.In, g*d.In, b.DOut, g*d.Units, beta, gw, 0) // gW_g (+)= in_gᵀ·dz_g
		if b.DIn.Data != nil {
			GemmBlock(false, true, b.DOut.Rows, d.In, d.Units, 1, b.DOut, g*d.Units, d.Weights(params, g), 0, 0, b.DIn, g*d.In) // dIn_g = dz_g·W_gᵀ
		}
	}
	b.ColSums(b.DOut, d.Biases(b.Grads)) // gb (+)= 1ᵀ·dz
}

// denseGroupsFactory builds a DenseGroups layer from its LayerSpec.
func denseGroupsFactory[T Float](sp LayerSpec) (Layer[T], error) {
	act, err := ParseActivation(sp.Activation)
	if err != nil {
		return nil, err
	}
	var cfg groupsConfig
	if err := json.Unmarshal(sp.Config, &cfg); err != nil {
		return nil, fmt.Errorf("dense_groups config: %w", err)
	}
	g := cfg.Groups
	if g < 1 || act == Softmax || sp.Inputs%g != 0 || sp.Units%g != 0 {
		return nil, fmt.Errorf("dense_groups of %d groups, %d inputs, %d units, %s", g, sp.Inputs, sp.Units, act)
	}
	return NewDenseGroups[T](g, sp.Inputs/g, sp.Units/g, act, sp.Name), nil
}
