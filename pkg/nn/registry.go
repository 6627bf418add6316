package nn

import (
	"errors"
	"fmt"
	"sync"
)

// LayerFactory builds a layer of a registered kind from its LayerSpec, as
// its Spec method wrote it, when a model file or a checkpoint is read.
type LayerFactory[T Float] func(spec LayerSpec) (Layer[T], error)

// registry maps a kind and a precision to a LayerFactory[T].
var registry sync.Map

type registryKey struct {
	kind string
	bits int
}

func bitsOf[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 32
	}
	return 64
}

// RegisterLayer makes a kind of layer loadable in precision T. A model
// file and a checkpoint store each layer's Spec; LoadFile builds the layer
// with the factory of its kind, after checking the spec's sizes, and then
// checks that the layer has the spec's input and output sizes and
// parameter count. Register a kind once for each precision you load it in,
// typically from an init function; registering a kind again replaces its
// factory. "dense", "dense_groups", "dropout", "scale" and "periodic" are registered for
// float32 and float64.
//
// A layer of another kind saves its parameters as one tensor,
// "layers.i.params"; Dense saves "layers.i.weight" and "layers.i.bias".
func RegisterLayer[T Float](kind string, factory LayerFactory[T]) {
	if kind == "" || factory == nil {
		panic("nn: RegisterLayer needs a kind and a factory")
	}
	registry.Store(registryKey{kind, bitsOf[T]()}, factory)
}

// layerFactory returns the factory of kind in precision T.
func layerFactory[T Float](kind string) (LayerFactory[T], bool) {
	f, ok := registry.Load(registryKey{kind, bitsOf[T]()})
	if !ok {
		return nil, false
	}
	return f.(LayerFactory[T]), true
}

func init() {
	registerBuiltins[float32]()
	registerBuiltins[float64]()
}

func registerBuiltins[T Float]() {
	RegisterLayer[T]("dense", func(sp LayerSpec) (Layer[T], error) {
		act, err := ParseActivation(sp.Activation)
		if err != nil {
			return nil, err
		}
		if !(sp.L1 >= 0 && sp.L2 >= 0 && sp.MaxNorm >= 0) {
			return nil, fmt.Errorf("negative l1 %v, l2 %v or max_norm %v", sp.L1, sp.L2, sp.MaxNorm)
		}
		d := NewDense[T](sp.Inputs, sp.Units, act, sp.Name)
		d.L1, d.L2, d.MaxNorm = sp.L1, sp.L2, sp.MaxNorm
		return d, nil
	})
	RegisterLayer[T]("dense_groups", denseGroupsFactory[T])
	RegisterLayer[T]("scale", scaleFactory[T])
	RegisterLayer[T]("periodic", periodicFactory[T])
	RegisterLayer[T]("dropout", func(sp LayerSpec) (Layer[T], error) {
		if !(sp.Rate >= 0 && sp.Rate < 1) || sp.Inputs != sp.Units {
			return nil, fmt.Errorf("dropout with rate %v, %d inputs and %d units", sp.Rate, sp.Inputs, sp.Units)
		}
		return NewDropout[T](sp.Units, sp.Rate, sp.Name), nil
	})
}

// registered reports whether kind is registered in either precision.
func registered(kind string) bool {
	_, ok32 := registry.Load(registryKey{kind, 32})
	_, ok64 := registry.Load(registryKey{kind, 64})
	return ok32 || ok64
}

// maxSide bounds a layer's inputs and units in a model file.
const maxSide = 1 << 24

// checkSpecs checks the kinds and sizes of an architecture's layers, as
// far as they can be checked without building them, and returns the
// number of parameters, without allocating.
func checkSpecs(arch architecture) (int64, error) {
	if len(arch.Layers) == 0 {
		return 0, errors.New("the architecture has no layers")
	}
	var total int64
	for i := range arch.Layers {
		sp := &arch.Layers[i]
		if !registered(sp.Kind) {
			return 0, fmt.Errorf("layer %d has unknown kind %q (a custom layer? register it with nn.RegisterLayer)", i, sp.Kind)
		}
		if sp.Inputs < 1 || sp.Units < 1 || sp.Inputs > maxSide || sp.Units > maxSide {
			return 0, fmt.Errorf("layer %d has %d inputs and %d units", i, sp.Inputs, sp.Units)
		}
		switch sp.Kind {
		case "dense":
			if n := sp.Inputs*sp.Units + sp.Units; sp.Params != n && sp.Params != 0 {
				return 0, fmt.Errorf("layer %d (dense, %d×%d) claims %d parameters, not %d", i, sp.Inputs, sp.Units, sp.Params, n)
			}
			sp.Params = sp.Inputs*sp.Units + sp.Units // format-1 files may leave it out
		case "dropout":
			if sp.Params != 0 || sp.Inputs != sp.Units {
				return 0, fmt.Errorf("layer %d (dropout) has %d inputs, %d units and %d parameters", i, sp.Inputs, sp.Units, sp.Params)
			}
		}
		if sp.Params < 0 || sp.Params > 1<<31 {
			return 0, fmt.Errorf("layer %d has %d parameters (at most 2^31)", i, sp.Params)
		}
		if total += int64(sp.Params); total > 1<<31 {
			return 0, errors.New("the architecture claims more than 2^31 parameters")
		}
	}
	return total, nil
}

// checkLayer checks that a layer built from sp, or described by sp, has
// its sizes.
func checkLayer[T Float](i int, l Layer[T], sp LayerSpec) error {
	if l.InputSize() != sp.Inputs || l.OutputSize() != sp.Units || l.ParamCount() != sp.Params {
		return fmt.Errorf("layer %d (%q, kind %q): the spec says %d inputs, %d units and %d parameters, the layer has %d, %d and %d",
			i, sp.Name, sp.Kind, sp.Inputs, sp.Units, sp.Params, l.InputSize(), l.OutputSize(), l.ParamCount())
	}
	return nil
}
