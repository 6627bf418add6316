package nn

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

// LayerSpec describes a layer for summaries and model files.
type LayerSpec struct {
	Kind       string  `json:"kind"` // a registered kind: "dense", "dropout", or one of RegisterLayer's
	Name       string  `json:"name"`
	Inputs     int     `json:"inputs"`
	Units      int     `json:"units"`
	Activation string  `json:"activation,omitempty"` // dense
	L1         float64 `json:"l1,omitempty"`         // dense
	L2         float64 `json:"l2,omitempty"`         // dense
	MaxNorm    float64 `json:"max_norm,omitempty"`   // dense
	Rate       float64 `json:"rate,omitempty"`       // dropout
	// Config holds the settings of other kinds, as their factories read it.
	Config json.RawMessage `json:"config,omitempty"`
	Params int             `json:"params"`
}

// Specced is implemented by layers that can describe themselves, which
// Summary and SaveFile need.
type Specced interface {
	Spec() LayerSpec
}

// Spec implements Specced.
func (d *Dense[T]) Spec() LayerSpec {
	return LayerSpec{Kind: "dense", Name: d.name, Inputs: d.In, Units: d.Units, Activation: d.Act.String(),
		L1: d.L1, L2: d.L2, MaxNorm: d.MaxNorm, Params: d.ParamCount()}
}

// Summary lists a model's layers, like Keras' model.summary().
type Summary struct {
	Layers []LayerSpec `json:"layers"`
	Total  int         `json:"total_params"`
}

// Summary describes the model's layers and parameter counts.
func (m *Model[T]) Summary() Summary {
	var s Summary
	for _, l := range m.layers {
		spec := LayerSpec{Kind: fmt.Sprintf("%T", l), Name: l.Name(), Inputs: l.InputSize(), Units: l.OutputSize(), Params: l.ParamCount()}
		if sp, ok := l.(Specced); ok {
			spec = sp.Spec()
		}
		s.Layers = append(s.Layers, spec)
		s.Total += spec.Params
	}
	return s
}

// String formats the summary as a table.
func (s Summary) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "#\tlayer\tkind\tactivation\toutput shape\tparams")
	for i, l := range s.Layers {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t(batch, %d)\t%d\n", i, l.Name, l.Kind, l.Activation, l.Units, l.Params)
	}
	w.Flush()
	fmt.Fprintf(&b, "total parameters: %d\n", s.Total)
	return b.String()
}
