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
	taken := (x.n + stride - 1) / stride // rows taken, at most
	group := max(1, medianBytes/(8*max(taken, 1)))
	vals := make([][]float64, min(group, len(cols))) // 8 bytes a row and column, reused by each group
	for k := range vals {
		vals[k] = make([]float64, 0, taken)
	}
	for len(cols) > 0 {
		g := cols[:min(group, len(cols))]
		cols = cols[len(g):]
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
			vals[k] = vals[k][:0]
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

// scaleClip4 is scale4 with the smooth clipping of the columns clip marks,
// four values at a time (independent divisions and square roots), in
// float64, rounded once: the bits of one at a time (scaleRow's loop).
func scaleClip4[T tensor.Float](row []T, mean, scale []float64, clip []bool, c float64) int {
	j := 0
	for ; j+4 <= len(row); j += 4 {
		w, m, sc, k := row[j:j+4:j+4], mean[j:j+4:j+4], scale[j:j+4:j+4], clip[j:j+4:j+4]
		v0, v1, v2, v3 := w[0], w[1], w[2], w[3]
		z0 := (float64(v0) - m[0]) / sc[0]
		z1 := (float64(v1) - m[1]) / sc[1]
		z2 := (float64(v2) - m[2]) / sc[2]
		z3 := (float64(v3) - m[3]) / sc[3]
		if k[0] {
			z0 = smoothClip(z0, c)
		}
		if k[1] {
			z1 = smoothClip(z1, c)
		}
		if k[2] {
			z2 = smoothClip(z2, c)
		}
		if k[3] {
			z3 = smoothClip(z3, c)
		}
		s0, s1, s2, s3 := T(z0), T(z1), T(z2), T(z3)
		if s0-s0 != 0 && v0-v0 == 0 || s1-s1 != 0 && v1-v1 == 0 || s2-s2 != 0 && v2-v2 == 0 || s3-s3 != 0 && v3-v3 == 0 {
			return j
		}
		w[0], w[1], w[2], w[3] = s0, s1, s2, s3
	}
	return j
}
