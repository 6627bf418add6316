package prep

import (
	"context"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// sortedColumns calls each with every column j of cols and its present
// (non-NaN) values over the rows of x, sorted, counting each column's
// missing values in nan (when not nil). The columns go a group at a time,
// as many as medianBytes holds, one pass over the rows a group. With a
// stride above 1, only every stride-th row is taken (the 0th, the
// stride-th, …, in the pass's order: the same rows in memory and over
// blocks).
func sortedColumns[T tensor.Float](ctx context.Context, x pass[T], cols []int, nan []int, stride int, each func(j int, v []float64)) error {
	stride = max(stride, 1)
	group := max(1, medianBytes/(8*max((x.n+stride-1)/stride, 1)))
	for len(cols) > 0 {
		g := cols[:min(group, len(cols))]
		cols = cols[len(g):]
		vals := make([][]float64, len(g)) // 8 bytes a row and column
		r := -1
		err := x.each(ctx, func(row []T) {
			if r++; r%stride != 0 {
				return
			}
			for k, j := range g {
				v := float64(row[j])
				if math.IsNaN(v) {
					if nan != nil {
						nan[j]++
					}
					continue
				}
				vals[k] = append(vals[k], v)
			}
		})
		if err != nil {
			return err
		}
		for k, j := range g {
			slices.Sort(vals[k])
			each(j, vals[k])
			vals[k] = nil
		}
	}
	return nil
}

// quantile is the q-quantile of the sorted values v, interpolated
// linearly between the two nearest (numpy's default, and scikit-learn's
// RobustScaler's).
func quantile(v []float64, q float64) float64 {
	pos := q * float64(len(v)-1)
	lo := int(math.Floor(pos))
	if lo+1 >= len(v) {
		return v[len(v)-1]
	}
	return v[lo] + (pos-float64(lo))*(v[lo+1]-v[lo])
}

// RobustRows is the most rows Robust's quantiles are taken from: of a
// larger table, every ⌈n/RobustRows⌉-th training row (sorting every
// column of millions of rows would take longer than training; scikit-
// learn's QuantileTransformer subsamples alike, at 10⁵).
const RobustRows = 1 << 17

// robustRows is RobustRows, which tests lower.
var robustRows = RobustRows

// robust returns Robust's offsets and scales: each column's median over
// the rows (at most RobustRows of them) and its interquartile range, or half its range where the
// quartiles are equal (a column of mostly one value, such as a sparse
// count: RealMLP's fallback), or 1 (a constant column); 0 and 1 for
// one-hot columns.
func robust[T tensor.Float](ctx context.Context, x pass[T], oneHot []bool) ([]float64, []float64, error) {
	offset, scale := make([]float64, x.cols), slices.Repeat([]float64{1}, x.cols)
	var cols []int
	for j := range x.cols {
		if !oneHot[j] {
			cols = append(cols, j)
		}
	}
	err := sortedColumns(ctx, x, cols, nil, (x.n+robustRows-1)/robustRows, func(j int, v []float64) {
		if len(v) == 0 {
			return
		}
		offset[j] = quantile(v, 0.5)
		iqr := quantile(v, 0.75) - quantile(v, 0.25)
		switch half := (v[len(v)-1] - v[0]) / 2; {
		case iqr > 0:
			scale[j] = iqr
		case half > 0:
			scale[j] = half
		}
	})
	return offset, scale, err
}

// Clipped returns which input columns Clip applies to: the numeric ones
// (not one-hot or indicator columns); nil without Clip. The caller must
// not change it.
func (p *Preprocessing) Clipped() []bool { return p.clipped() }

// clipped is Clipped, kept once fitted or read (clipCols).
func (p *Preprocessing) clipped() []bool {
	if p.Clip <= 0 {
		return nil
	}
	if p.clipCols != nil {
		return p.clipCols
	}
	c := make([]bool, p.InputWidth())
	for j, oh := range p.oneHot() {
		c[j] = !oh
	}
	return c
}

// ClipLimit bounds a scaled value before smoothClip squares it (no
// overflow): beyond it, the clipped value is ±c to float64's precision.
const ClipLimit = 1e100

// smoothClip is z/√(1+(z/c)²): z near 0 kept, any z within (−c, c). The
// ONNX export computes it with the same operations, in this order.
func smoothClip(z, c float64) float64 {
	z = max(min(z, ClipLimit), -ClipLimit)
	t := z / c
	return z / math.Sqrt(1+t*t)
}
