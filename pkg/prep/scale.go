package prep

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// fitScaler fits the input scaling on the training rows of the model's
// inputs x (one-hot and indicator columns are never scaled).
func fitScaler[T tensor.Float](ctx context.Context, p *Preprocessing, x pass[T], scaler Scaler) (err error) {
	scaler = scaler.Resolved()
	p.Scaler = scaler
	oneHot := append(p.oneHot(), slices.Repeat([]bool{true}, len(p.Indicators))...)
	switch scaler {
	case Standard:
		p.Offset, p.Scale, err = stats(ctx, x, oneHot)
	case MinMax:
		p.Offset, p.Scale, err = ranges(ctx, x, oneHot)
	case Robust:
		p.Offset, p.Scale, err = robust(ctx, x, oneHot)
		p.Clip, p.Version = RobustClip, Version
		p.clipCols = nil
		p.clipCols = p.clipped()
	case NoScale:
		p.Offset, p.Scale = make([]float64, x.cols), slices.Repeat([]float64{1}, x.cols)
	default:
		_, err = ParseScaler(string(scaler))
	}
	return err
}

// ranges returns each column's minimum over the selected rows and
// its range, 1 for constant and one-hot columns (whose minimum is 0).
func ranges[T tensor.Float](ctx context.Context, x pass[T], oneHot []bool) ([]float64, []float64, error) {
	lo, hi := make([]float64, x.cols), make([]float64, x.cols)
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	err := x.byColumns(ctx, func(c0, c1 int) func([]T) {
		lo, hi := lo[c0:c1], hi[c0:c1]
		return func(row []T) {
			for j, v := range row[c0:c1] {
				lo[j], hi[j] = min(lo[j], float64(v)), max(hi[j], float64(v))
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	for j := range lo {
		switch {
		case oneHot[j] || lo[j] > hi[j]: // one-hot, or no rows
			lo[j], hi[j] = 0, 1
		case hi[j] == lo[j]:
			hi[j] = lo[j] + 1
		}
		hi[j] -= lo[j]
	}
	return lo, hi, nil
}

// stats returns each column's mean and population standard deviation over
// the selected rows, Welford's way; the deviation is 1 for constant
// and one-hot columns (whose mean is 0).
func stats[T tensor.Float](ctx context.Context, x pass[T], oneHot []bool) ([]float64, []float64, error) {
	mean, m2 := make([]float64, x.cols), make([]float64, x.cols)
	err := x.byColumns(ctx, func(c0, c1 int) func([]T) {
		mean, m2, k := mean[c0:c1], m2[c0:c1], 0
		return func(row []T) { // Welford's update, stable for large offsets
			k++
			welford(row[c0:c1], mean, m2, float64(k))
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return finishStats(ctx, x, mean, m2, oneHot)
}

// finishStats turns Welford's sums over the n rows of x into means and
// deviations, as stats returns them (x is read again for a column whose
// squares overflowed).
func finishStats[T tensor.Float](ctx context.Context, x pass[T], mean, m2 []float64, oneHot []bool) ([]float64, []float64, error) {
	scale := make([]float64, len(mean))
	for j := range scale {
		scale[j] = math.Sqrt(m2[j] / float64(max(x.n, 1)))
		if !isFinite(mean[j]) || !isFinite(scale[j]) {
			// Values near float64's limits: the squares overflowed. Again
			// on the values divided by the largest magnitude.
			var err error
			if mean[j], scale[j], err = scaledStats(ctx, x, j); err != nil {
				return nil, nil, err
			}
		}
		switch {
		case oneHot[j]: // one-hot columns stay 0/1
			mean[j], scale[j] = 0, 1
		case scale[j] == 0: // a constant column becomes 0, as in scikit-learn
			scale[j] = 1
		}
	}
	return mean, scale, nil
}

// welford adds row, the n-th, to the running means and sums of squared
// deviations of its columns, four columns at a time (independent
// conversions and divisions, as in scale4; the bits of one at a time).
func welford[T tensor.Float](row []T, mean, m2 []float64, n float64) {
	mean, m2 = mean[:len(row)], m2[:len(row)]
	j := 0
	for ; j+4 <= len(row); j += 4 {
		w, m, q := row[j:j+4:j+4], mean[j:j+4:j+4], m2[j:j+4:j+4]
		v0, v1, v2, v3 := float64(w[0]), float64(w[1]), float64(w[2]), float64(w[3])
		d0, d1, d2, d3 := v0-m[0], v1-m[1], v2-m[2], v3-m[3]
		m[0] += d0 / n
		m[1] += d1 / n
		m[2] += d2 / n
		m[3] += d3 / n
		q[0] += d0 * (v0 - m[0])
		q[1] += d1 * (v1 - m[1])
		q[2] += d2 * (v2 - m[2])
		q[3] += d3 * (v3 - m[3])
	}
	for ; j < len(row); j++ {
		v := float64(row[j])
		d := v - mean[j]
		mean[j] += d / n
		m2[j] += d * (v - mean[j])
	}
}

// ErrScaledRange is wrapped by ScaleInputs for a value whose scaled value
// is beyond the range of the matrix's precision (a value far outside the
// training rows' range, under float32).
var ErrScaledRange = errors.New("beyond the model's precision once scaled")

// ScaleInputs applies the fitted scaler (Standard, MinMax, Robust or
// NoScale) to x's columns in place: (x − Offset)/Scale, smoothly clipped
// under Robust (Clip), computed in float64 and rounded once. A result beyond T's range is a *RowError
// wrapping ErrScaledRange that names the column.
func ScaleInputs[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T]) error {
	if x.Cols != len(p.Offset) {
		return &ShapeError{What: "input columns", Got: x.Cols, Want: len(p.Offset)}
	}
	for r := 0; r < x.Rows; r++ {
		if err := every(ctx, r); err != nil {
			return err
		}
		if err := scaleRow(p, x.Row(r), r); err != nil {
			return err
		}
	}
	return nil
}

// scale4 scales row in place, (v − mean)/scale in float64, four values at
// a time, and returns where it stopped: at the tail of fewer than four, or
// at a group with a finite value that is not once scaled (left as it was,
// for the caller's error). Four independent conversions and divisions a
// group: one value at a time, each conversion waited for the register the
// division before had written (Go does not break that false dependency),
// and a value took 7.8 ns; four take 1.9 ns each (2-vCPU Intel Xeon,
// 2026-12-06). The bits are those of
// one at a time.
func scale4[T tensor.Float](row []T, mean, scale []float64) int {
	j := 0
	for ; j+4 <= len(row); j += 4 {
		w, m, sc := row[j:j+4:j+4], mean[j:j+4:j+4], scale[j:j+4:j+4]
		v0, v1, v2, v3 := w[0], w[1], w[2], w[3]
		s0 := T((float64(v0) - m[0]) / sc[0])
		s1 := T((float64(v1) - m[1]) / sc[1])
		s2 := T((float64(v2) - m[2]) / sc[2])
		s3 := T((float64(v3) - m[3]) / sc[3])
		if s0-s0 != 0 && v0-v0 == 0 || s1-s1 != 0 && v1-v1 == 0 || s2-s2 != 0 && v2-v2 == 0 || s3-s3 != 0 && v3-v3 == 0 {
			return j
		}
		w[0], w[1], w[2], w[3] = s0, s1, s2, s3
	}
	return j
}

// scaledStats returns column j's mean and population standard deviation
// over the rows, computed on the values divided by their largest magnitude
// and scaled back, so that no square overflows (the deviation is at most
// that magnitude). Missing values (NaN) are left out; a column with an
// infinite value gives NaN.
func scaledStats[T tensor.Float](ctx context.Context, x pass[T], j int) (mean, dev float64, err error) {
	big := 0.0
	if err := x.each(ctx, func(row []T) {
		if v := math.Abs(float64(row[j])); v > big { // NaN, a missing value, is left out
			big = v
		}
	}); err != nil {
		return 0, 0, err
	}
	if big == 0 || !isFinite(big) {
		return math.NaN(), math.NaN(), nil
	}
	var m, m2 float64
	n := 0
	err = x.each(ctx, func(row []T) {
		v := float64(row[j]) / big
		if v != v {
			return
		}
		n++
		d := v - m
		m += d / float64(n)
		m2 += d * (v - m)
	})
	return m * big, math.Sqrt(m2/float64(max(n, 1))) * big, err
}

// isFinite reports whether v is a number other than ±Inf.
func isFinite(v float64) bool { return v-v == 0 }
