package tabular

import (
	"fmt"
	"math"

	"github.com/densetrain/densetrain/internal/onnxpb"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// The steps of the exported graph, in the order they run: the inputs
// (imputed, one-hot encoded, with missing indicators), their scaling, the
// layers, and the head that turns the network's outputs into answers.

// features declares one graph input per feature column and returns the
// value holding the unscaled model inputs [N, InputWidth], as prep.Inputs
// makes them: the schema's columns in order (a numeric column with its
// missing values filled, a text column one-hot), then the missing
// indicators.
func (b *graphBuilder) features(p *prep.Preprocessing) (string, error) {
	var parts []string
	isNaN := map[int]string{} // matrix column → its IsNaN value, when needed
	indicated := map[int]bool{}
	for _, j := range p.Indicators {
		indicated[j] = true
	}
	// The inputs' names first, so that no value made on the way takes one.
	for _, f := range p.Schema.Features {
		if !b.reserve(f.Name) {
			return "", inputError(fmt.Errorf("feature column %s: an ONNX input needs a name that is not empty and not an output's (%s)", csvdata.Quote(f.Name), outputNames(p)))
		}
	}
	impute := p.Impute != prep.NoImpute
	col := 0 // the feature's first matrix column
	for _, f := range p.Schema.Features {
		if f.Date != "" { // its Unix time in seconds, float64: its parts, filled
			x := b.input(f.Name, onnxDouble, batch, dim{size: 1})
			if impute || indicated[col] {
				isNaN[col] = b.op("IsNaN", f.Name+"/missing", []string{x})
			}
			v := b.date(f, x)
			if b.elem == onnxFloat {
				v = b.op("Cast", f.Name+"/f32", []string{v}, attrInt("to", int64(onnxFloat)))
			}
			if impute {
				fill := make([]float64, f.Width())
				if p.Fill != nil {
					copy(fill, p.Fill[col:])
				}
				v = b.op("Where", f.Name+"/filled", []string{isNaN[col], b.values(f.Name+"/fill", fill, 1, int64(len(fill))), v})
			}
			parts = append(parts, v)
			col += f.Width()
			continue
		}
		if f.Categories == nil {
			x := b.input(f.Name, b.elem, batch, dim{size: 1})
			if impute || indicated[col] {
				isNaN[col] = b.op("IsNaN", f.Name+"/missing", []string{x})
			}
			if impute {
				fill := 0.0
				if p.Fill != nil {
					fill = p.Fill[col]
				}
				x = b.op("Where", f.Name+"/filled", []string{isNaN[col], b.values(f.Name+"/fill", []float64{fill}), x})
			}
			parts = append(parts, x)
			col++
			continue
		}
		x := b.input(f.Name, onnxString, batch, dim{size: 1})
		parts = append(parts, b.oneHot(f, x, naTokens(p.NA)))
		col += len(f.Categories)
	}
	for _, j := range p.Indicators {
		nan, ok := isNaN[j]
		if !ok {
			return "", inputError(fmt.Errorf("bad preprocessing: the missing indicator of input %d is not on a numeric column", j))
		}
		parts = append(parts, b.op("Cast", "indicator", []string{nan}, attrInt("to", int64(b.elem))))
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return b.op("Concat", "inputs", parts, attrInt("axis", 1)), nil
}

// scale maps the inputs x to (x − Offset)/Scale as prep.ScaleInputs does:
// in float64, smoothly clipped (Prep.Clip), rounded once to a float32
// model's precision. Columns that are not scaled (mean 0, scale 1) or
// clipped come out as they went in.
func (b *graphBuilder) scale(p *prep.Preprocessing, x string) string {
	same := p.Clip <= 0
	for j := range p.Offset {
		same = same && p.Offset[j] == 0 && p.Scale[j] == 1
	}
	if same {
		return x
	}
	w := int64(len(p.Offset))
	if b.elem == onnxFloat {
		x = b.op("Cast", "inputs/f64", []string{x}, attrInt("to", int64(onnxDouble)))
	}
	x = b.op("Sub", "centred", []string{x, b.doubles("mean", p.Offset, 1, w)})
	x = b.op("Div", "scaled", []string{x, b.doubles("scale", p.Scale, 1, w)})
	if p.Clip > 0 {
		x = b.clip(p, x)
	}
	if b.elem == onnxFloat {
		x = b.op("Cast", "scaled/f32", []string{x}, attrInt("to", int64(onnxFloat)))
	}
	return x
}

// clip is prep's smooth clipping of the scaled inputs x (float64): each
// value bounded by ±prep.ClipLimit, then z/√(1+(z/c)²), c being Clip for a
// clipped column and +Inf for another (z/Inf is 0: z unchanged).
func (b *graphBuilder) clip(p *prep.Preprocessing, x string) string {
	bound := make([]float64, len(p.Offset))
	clipped := p.Clipped()
	for j := range bound {
		bound[j] = math.Inf(1)
		if clipped[j] {
			bound[j] = p.Clip
		}
	}
	x = b.op("Clip", "bounded", []string{x, b.doubles("clip/lo", []float64{-prep.ClipLimit}), b.doubles("clip/hi", []float64{prep.ClipLimit})})
	t := b.op("Div", "clip/t", []string{x, b.doubles("clip/bound", bound, 1, int64(len(bound)))})
	t = b.op("Mul", "clip/t2", []string{t, t})
	t = b.op("Add", "clip/1+t2", []string{t, b.doubles("clip/one", []float64{1})})
	t = b.op("Sqrt", "clip/root", []string{t})
	return b.op("Div", "clipped", []string{x, t})
}

// checkExportable refuses a network with a layer the export cannot
// write: anything but Dense, DenseGroups, Dropout and Periodic.
func checkExportable[T tensor.Float](net *nn.Model[T]) error {
	for i, l := range net.Layers() {
		switch l.(type) {
		case *nn.Dense[T], *nn.DenseGroups[T], *nn.Dropout[T], *nn.Periodic[T]:
			continue
		}
		kind := fmt.Sprintf("%T", l)
		if s, ok := l.(nn.Specced); ok {
			kind = s.Spec().Kind
		}
		return inputError(fmt.Errorf("onnx export: layer %d %s (kind %s) has no ONNX mapping: only dense, dense_groups, dropout and periodic layers export", i, csvdata.Quote(l.Name()), kind))
	}
	return nil
}

// layers adds the network: each Dense layer as MatMul, Add and its
// activation; a DenseGroups layer as Split of its input into the groups'
// blocks, a MatMul each, Concat, Add and its activation; a Periodic layer
// as periodic writes it; a Dropout layer passes its input through, as in
// prediction.
func layers[T tensor.Float](b *graphBuilder, net *nn.Model[T], x string) string {
	for i, l := range net.Layers() {
		if p, ok := l.(*nn.Periodic[T]); ok {
			x = periodic(b, p, net.LayerParams(i), fmt.Sprintf("layers.%d", i), x)
			continue
		}
		if g, ok := l.(*nn.DenseGroups[T]); ok {
			x = denseGroups(b, g, net.LayerParams(i), fmt.Sprintf("layers.%d", i), x)
			continue
		}
		d, ok := l.(*nn.Dense[T])
		if !ok { // Dropout: checkExportable refused anything else
			continue
		}
		params := net.LayerParams(i)
		n := d.In * d.Units
		base := fmt.Sprintf("layers.%d", i)
		w := weights(b, base+".weight", params[:n], int64(d.In), int64(d.Units))
		bias := weights(b, base+".bias", params[n:n+d.Units], int64(d.Units))
		z := b.op("MatMul", base+"/matmul", []string{x, w})
		z = b.op("Add", base+"/z", []string{z, bias})
		x = b.activate(d.Activation(), z, base)
	}
	return x
}

// denseGroups adds a DenseGroups layer on x.
func denseGroups[T tensor.Float](b *graphBuilder, g *nn.DenseGroups[T], params []T, base, x string) string {
	split := make([]int64, g.Groups)
	for k := range split {
		split[k] = int64(g.In)
	}
	blocks := make([]string, g.Groups)
	for k := range blocks {
		blocks[k] = b.fresh(base + "/in")
	}
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{OpType: "Split", Name: b.fresh(base + "/split"),
		Input: []string{x, b.int64s(base+"/split", split, int64(g.Groups))}, Output: blocks, Attribute: []*onnxpb.AttributeProto{attrInt("axis", 1)}})
	outs := make([]string, g.Groups)
	for k := range outs {
		w := weights(b, fmt.Sprintf("%s.weight.%d", base, k), g.Weights(params, k).Data, int64(g.In), int64(g.Units))
		outs[k] = b.op("MatMul", base+"/matmul", []string{blocks[k], w})
	}
	z := b.op("Concat", base+"/concat", outs, attrInt("axis", 1))
	z = b.op("Add", base+"/z", []string{z, weights(b, base+".bias", g.Biases(params), int64(len(g.Biases(params))))})
	return b.activate(g.Activation(), z, base)
}

// activate applies an activation as nn computes it.
func (b *graphBuilder) activate(act nn.Activation, z, base string) string {
	out := base + "/" + act.String()
	switch act {
	case nn.ReLU:
		return b.op("Relu", out, []string{z})
	case nn.Tanh:
		return b.op("Tanh", out, []string{z})
	case nn.Sigmoid:
		return b.op("Sigmoid", out, []string{z})
	case nn.Softmax:
		return b.op("Softmax", out, []string{z}, attrInt("axis", -1))
	case nn.LeakyReLU:
		if b.elem == onnxFloat { // alpha is a float32 attribute: exactly float32(nn.LeakySlope)
			return b.op("LeakyRelu", out, []string{z}, attrFloat("alpha", nn.LeakySlope))
		}
		// In float64 the slope must not go through a float32 attribute.
		neg := b.op("Less", base+"/negative", []string{z, b.values(base+"/zero", []float64{0})})
		scaled := b.op("Mul", base+"/sloped", []string{z, b.values(base+"/slope", []float64{nn.LeakySlope})})
		return b.op("Where", out, []string{neg, scaled, z})
	}
	return z // linear
}

// outputNames lists the graph outputs of the task.
func outputNames(p *prep.Preprocessing) string {
	if p.Task == prep.Classify {
		return "label, probabilities"
	}
	return "value"
}

// head declares the outputs. Classification: probabilities [N, classes]
// (a single sigmoid output p becomes 1 − p, p, as predict does) and label
// [N], the class of the first largest probability (predict's argmax
// keeps the first of equal ones, as ArgMax does by default).
// Regression: value [N, targets], the network's outputs, already in the
// targets' units.
func (b *graphBuilder) head(p *prep.Preprocessing, out string, width int) error {
	if p.Task != prep.Classify {
		if width != len(p.Targets) {
			return inputError(fmt.Errorf("onnx export: the network has %d outputs for %d targets", width, len(p.Targets)))
		}
		b.output(out, "value", b.elem, batch, dim{size: int64(width)})
		return nil
	}
	k := len(p.Labels)
	switch {
	case width == 1 && k == 2:
		q := b.op("Sub", "p_first", []string{b.values("one", []float64{1}), out})
		out = b.op("Concat", "classes", []string{q, out}, attrInt("axis", 1))
	case width != k:
		return inputError(fmt.Errorf("onnx export: the network has %d outputs for %d classes", width, k))
	}
	// No attribute is 0 (keepdims, select_last_index, Gather's axis): proto3
	// does not write zeros, and a reader that wants the field present
	// would take the default. The defaults are what is meant, and keepdims
	// stays 1, with a Squeeze after.
	best := b.op("ArgMax", "best", []string{out}, attrInt("axis", 1))
	best = b.op("Squeeze", "best/row", []string{best, b.int64s("axis1", []int64{1}, 1)})
	label := b.op("Gather", "class", []string{b.strs("labels", p.Labels, int64(k)), best})
	b.output(label, "label", onnxString, batch)
	b.output(out, "probabilities", b.elem, batch, dim{size: int64(k)})
	return nil
}
