package prep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// fitScaler fits the input scaling on the training rows of the model's
// inputs x (one-hot and indicator columns are never scaled).
func fitScaler[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T], train rowSel, scaler Scaler) (err error) {
	scaler = scaler.Resolved()
	p.Scaler = scaler
	oneHot := append(p.oneHot(), slices.Repeat([]bool{true}, len(p.Indicators))...)
	switch scaler {
	case Standard:
		p.Offset, p.Scale, err = stats(ctx, x, train, oneHot)
	case MinMax:
		p.Offset, p.Scale, err = ranges(ctx, x, train, oneHot)
	case NoScale:
		p.Offset, p.Scale = make([]float64, x.Cols), slices.Repeat([]float64{1}, x.Cols)
	default:
		_, err = ParseScaler(string(scaler))
	}
	return err
}

// ranges returns each column's minimum over the selected rows and
// its range, 1 for constant and one-hot columns (whose minimum is 0).
func ranges[T tensor.Float](ctx context.Context, x tensor.Matrix[T], rows rowSel, oneHot []bool) ([]float64, []float64, error) {
	lo, hi := make([]float64, x.Cols), make([]float64, x.Cols)
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	each := func(r int) {
		for j, v := range x.Row(r) {
			lo[j], hi[j] = min(lo[j], float64(v)), max(hi[j], float64(v))
		}
	}
	if err := forRows(ctx, x.Rows, rows, each); err != nil {
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
func stats[T tensor.Float](ctx context.Context, x tensor.Matrix[T], rows rowSel, oneHot []bool) ([]float64, []float64, error) {
	mean, m2 := make([]float64, x.Cols), make([]float64, x.Cols)
	n := 0
	each := func(r int) { // Welford's update, stable for large offsets
		n++
		for j, v := range x.Row(r) {
			d := float64(v) - mean[j]
			mean[j] += d / float64(n)
			m2[j] += d * (float64(v) - mean[j])
		}
	}
	if err := forRows(ctx, x.Rows, rows, each); err != nil {
		return nil, nil, err
	}
	scale := make([]float64, x.Cols)
	for j := range scale {
		scale[j] = math.Sqrt(m2[j] / float64(max(n, 1)))
		if !isFinite(mean[j]) || !isFinite(scale[j]) {
			// Values near float64's limits: the squares overflowed. Again
			// on the values divided by the largest magnitude.
			var err error
			if mean[j], scale[j], err = scaledStats(ctx, x, rows, j); err != nil {
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

// ErrScaledRange is wrapped by ScaleInputs for a value whose scaled value
// is beyond the range of the matrix's precision (a value far outside the
// training rows' range, under float32).
var ErrScaledRange = errors.New("beyond the model's precision once scaled")

// ScaleInputs applies the fitted scaler (Standard, MinMax or NoScale) to
// x's columns in place: (x − Offset)/Scale, computed in float64 and
// rounded once. A result beyond T's range is a *RowError
// wrapping ErrScaledRange that names the column.
func ScaleInputs[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T]) error {
	if x.Cols != len(p.Offset) {
		return &ShapeError{What: "input columns", Got: x.Cols, Want: len(p.Offset)}
	}
	mean, scale := p.Offset, p.Scale
	for r := 0; r < x.Rows; r++ {
		if err := every(ctx, r); err != nil {
			return err
		}
		row := x.Row(r)
		for j, v := range row {
			s := T((float64(v) - mean[j]) / scale[j])
			if s-s != 0 && v-v == 0 {
				return &RowError{Row: r, Err: fmt.Errorf("%v in column %s: %w (float%d; the training rows' scale is %v)",
					v, csvdata.Quote(p.inputName(j)), ErrScaledRange, unsafe.Sizeof(v)*8, scale[j])}
			}
			row[j] = s
		}
	}
	return nil
}

// scaledStats returns column j's mean and population standard deviation
// over the rows, computed on the values divided by their largest magnitude
// and scaled back, so that no square overflows (the deviation is at most
// that magnitude). Missing values (NaN) are left out; a column with an
// infinite value gives NaN.
func scaledStats[T tensor.Float](ctx context.Context, x tensor.Matrix[T], rows rowSel, j int) (mean, dev float64, err error) {
	big := 0.0
	if err := forRows(ctx, x.Rows, rows, func(r int) {
		if v := math.Abs(float64(x.Data[r*x.Cols+j])); v > big { // NaN, a missing value, is left out
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
	err = forRows(ctx, x.Rows, rows, func(r int) {
		v := float64(x.Data[r*x.Cols+j]) / big
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
