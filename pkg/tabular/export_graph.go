package tabular

import (
	"fmt"
	"strconv"

	"github.com/densetrain/densetrain/internal/onnxpb"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// The ONNX types the export uses.
const (
	onnxFloat  = int32(onnxpb.TensorProto_FLOAT)
	onnxDouble = int32(onnxpb.TensorProto_DOUBLE)
	onnxInt64  = int32(onnxpb.TensorProto_INT64)
	onnxString = int32(onnxpb.TensorProto_STRING)
)

// graphBuilder accumulates an ONNX graph: its nodes, initializers, inputs
// and outputs. Every value (and node) gets a name no other has, made from
// a readable base, so that a column may be called anything.
type graphBuilder struct {
	g    *onnxpb.GraphProto
	used map[string]bool
	elem int32 // the model's element type: onnxFloat or onnxDouble
	text bool  // a text column: RegexFullMatch, opset 20
}

func newGraphBuilder(f64 bool) *graphBuilder {
	b := &graphBuilder{g: &onnxpb.GraphProto{Name: "densetrain"}, used: map[string]bool{}, elem: onnxFloat}
	if f64 {
		b.elem = onnxDouble
	}
	return b
}

// reserve claims a name as it is (a graph input or output), reporting
// whether it was free.
func (b *graphBuilder) reserve(name string) bool {
	if name == "" || b.used[name] {
		return false
	}
	b.used[name] = true
	return true
}

// fresh returns a new unique name: base, or base_2, base_3…
func (b *graphBuilder) fresh(base string) string {
	name := base
	for i := 2; b.used[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	b.used[name] = true
	return name
}

// dim is one dimension of a declared shape: a symbolic one (param) or a
// fixed size.
type dim struct {
	param string
	size  int64
}

// batch is the symbolic number of rows.
var batch = dim{param: "N"}

// valueInfo declares a tensor value of an element type and shape.
func valueInfo(name string, elem int32, dims ...dim) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		sd := &onnxpb.TensorShapeProto_Dimension{}
		if d.param != "" {
			sd.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d.param}
		} else {
			sd.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d.size}
		}
		shape.Dim = append(shape.Dim, sd)
	}
	return &onnxpb.ValueInfoProto{Name: name, Type: &onnxpb.TypeProto{
		Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: elem, Shape: shape}},
	}}
}

// input declares a graph input named exactly name; the caller has
// reserved the name.
func (b *graphBuilder) input(name string, elem int32, dims ...dim) string {
	b.g.Input = append(b.g.Input, valueInfo(name, elem, dims...))
	return name
}

// output makes value the graph output name (reserved by the caller) of
// the type and shape given, through an Identity node.
func (b *graphBuilder) output(value, name string, elem int32, dims ...dim) {
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{OpType: "Identity", Name: name, Input: []string{value}, Output: []string{name}})
	b.g.Output = append(b.g.Output, valueInfo(name, elem, dims...))
}

// op adds a node of the default domain and returns its output, named from
// base.
func (b *graphBuilder) op(opType, base string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	out := b.fresh(base)
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{OpType: opType, Name: out,
		Input: inputs, Output: []string{out}, Attribute: attrs})
	return out
}

// initializer adds a constant tensor and returns its name.
func (b *graphBuilder) initializer(t *onnxpb.TensorProto, base string) string {
	t.Name = b.fresh(base)
	b.g.Initializer = append(b.g.Initializer, t)
	return t.Name
}

// values adds a constant of the model's element type (vals rounded to it
// once, as the library converts them) and returns its name.
func (b *graphBuilder) values(base string, vals []float64, dims ...int64) string {
	if b.elem == onnxDouble {
		return b.initializer(&onnxpb.TensorProto{DataType: onnxDouble, Dims: dims, DoubleData: vals}, base)
	}
	f := make([]float32, len(vals))
	for i, v := range vals {
		f[i] = float32(v)
	}
	return b.initializer(&onnxpb.TensorProto{DataType: onnxFloat, Dims: dims, FloatData: f}, base)
}

// doubles adds a float64 constant, whatever the model's precision.
func (b *graphBuilder) doubles(base string, vals []float64, dims ...int64) string {
	return b.initializer(&onnxpb.TensorProto{DataType: onnxDouble, Dims: dims, DoubleData: vals}, base)
}

// int64s adds an int64 constant.
func (b *graphBuilder) int64s(base string, vals []int64, dims ...int64) string {
	return b.initializer(&onnxpb.TensorProto{DataType: onnxInt64, Dims: dims, Int64Data: vals}, base)
}

// strs adds a string constant.
func (b *graphBuilder) strs(base string, vals []string, dims ...int64) string {
	return b.initializer(&onnxpb.TensorProto{DataType: onnxString, Dims: dims, StringData: bytesOf(vals)}, base)
}

// weights adds a constant holding a network's parameters as they are.
func weights[T tensor.Float](b *graphBuilder, base string, vals []T, dims ...int64) string {
	t := &onnxpb.TensorProto{Dims: dims}
	switch v := any(vals).(type) {
	case []float32:
		t.DataType, t.FloatData = onnxFloat, append([]float32(nil), v...)
	case []float64:
		t.DataType, t.DoubleData = onnxDouble, append([]float64(nil), v...)
	default:
		panic(fmt.Sprintf("weights: %T", vals))
	}
	return b.initializer(t, base)
}

func bytesOf(s []string) [][]byte {
	out := make([][]byte, len(s))
	for i, v := range s {
		out[i] = []byte(v)
	}
	return out
}

// Node attributes.

func attrInt(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_INT, I: v}
}

func attrFloat(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_FLOAT, F: v}
}
