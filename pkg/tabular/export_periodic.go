package tabular

import (
	"fmt"
	"math"

	"github.com/densetrain/densetrain/internal/onnxpb"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// periodic adds an nn.Periodic layer on x (rows × In): the embedded
// columns gathered once, then for each group
//
//	a = x·W + B (rows × E × M, W and B the frequencies and phases times
//	the factor), z = cos(2π·a), y = z·L + C per column (a batched MatMul
//	over the E columns), and the group's output x ‖ y, flattened,
//
// the groups concatenated after one another.
func periodic[T tensor.Float](b *graphBuilder, l *nn.Periodic[T], params []T, base, x string) string {
	e, m, v := len(l.Embed), l.M, l.D-1
	idx := make([]int64, e)
	for i, j := range l.Embed {
		idx[i] = int64(j)
	}
	xe := b.op("Gather", base+"/numeric", []string{x, b.int64s(base+"/columns", idx, int64(e))}, attrInt("axis", 1))
	xe = b.op("Unsqueeze", base+"/numeric3", []string{xe, b.int64s(base+"/axis2", []int64{2}, 1)}) // rows × E × 1
	twoPi := b.values(base+"/two_pi", []float64{2 * math.Pi})
	f := T(l.Factor)
	outs := make([]string, l.Groups)
	for g := range l.Groups {
		gb := fmt.Sprintf("%s.%d", base, g)
		w, ph := make([]T, 0, e*m), make([]T, 0, e*m)
		lin, c := make([]T, 0, e*m*v), make([]T, 0, e*v)
		for k := range e {
			wk, bk, lk, ck := l.Views(params, g, k)
			for _, u := range wk {
				w = append(w, f*u)
			}
			for _, u := range bk {
				ph = append(ph, f*u)
			}
			for _, u := range lk {
				lin = append(lin, f*u)
			}
			for _, u := range ck {
				c = append(c, f*u)
			}
		}
		a := b.op("Mul", gb+"/wx", []string{xe, weights(b, gb+".frequencies", w, int64(e), int64(m))})
		a = b.op("Add", gb+"/phase", []string{a, weights(b, gb+".phases", ph, int64(e), int64(m))})
		a = b.op("Mul", gb+"/angle", []string{a, twoPi})
		z := b.op("Cos", gb+"/cos", []string{a})                                                // rows × E × M
		z = b.op("Transpose", gb+"/by_column", []string{z}, attrInts("perm", []int64{1, 0, 2})) // E × rows × M
		y := b.op("MatMul", gb+"/linear", []string{z, weights(b, gb+".linear", lin, int64(e), int64(m), int64(v))})
		y = b.op("Transpose", gb+"/by_row", []string{y}, attrInts("perm", []int64{1, 0, 2})) // rows × E × (D−1)
		y = b.op("Add", gb+"/bias", []string{y, weights(b, gb+".bias", c, int64(e), int64(v))})
		y = b.op("Reshape", gb+"/flat", []string{y, b.int64s(gb+"/shape", []int64{0, int64(e * v)}, 2)})
		outs[g] = b.op("Concat", gb+"/out", []string{x, y}, attrInt("axis", 1))
	}
	if len(outs) == 1 {
		return outs[0]
	}
	return b.op("Concat", base+"/groups", outs, attrInt("axis", 1))
}

func attrInts(name string, v []int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_INTS, Ints: v}
}
