package prep

import (
	"context"
	"sync/atomic"

	"github.com/densetrain/densetrain/pkg/tensor"
	"golang.org/x/sync/errgroup"
)

// fillInPlace is Inputs without indicators: it writes only where a value
// is missing, rather than copying every value onto itself.
func fillInPlace[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T], fill []T) error {
	return eachRowInPlace(ctx, x, func(row []T, r int) error { return fillRow(p, row, fill, r) })
}

// fillRow fills the missing values of row r (the schema's columns), eight
// values at a time, one value at a time only in a block with a NaN (or an
// infinity).
func fillRow[T tensor.Float](p *Preprocessing, row, fill []T, r int) error {
	for lo := 0; lo < len(row); lo += 8 {
		block := row[lo:min(lo+8, len(row))]
		if len(block) == 8 { // v−v is 0 unless v is NaN or ±Inf; four sums, no chain
			b := block[:8:8]
			if (b[0]-b[0])+(b[4]-b[4]) == 0 && (b[1]-b[1])+(b[5]-b[5]) == 0 &&
				(b[2]-b[2])+(b[6]-b[6]) == 0 && (b[3]-b[3])+(b[7]-b[7]) == 0 {
				continue
			}
		}
		for j, v := range block {
			if v != v { // NaN: missing
				if p.Impute == NoImpute {
					return p.missingError(r, lo+j)
				}
				block[j] = fill[lo+j]
			}
		}
	}
	return nil
}

// Transform returns the scaled model inputs for x: Inputs, then
// ScaleInputs; it stops with ctx's error when ctx ends.
func Transform[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T]) (tensor.Matrix[T], error) {
	return TransformWorkers(ctx, p, x, 1)
}

// transformRows is how many rows a worker of TransformWorkers takes at a
// time.
const transformRows = 1024

// TransformWorkers is Transform with x's rows shared by workers (0: one
// per CPU), each row filled and scaled in one go, with Transform's bits.
// A problem is reported at the first row that has one.
func TransformWorkers[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T], workers int) (tensor.Matrix[T], error) {
	w := p.Schema.Width()
	if x.Cols != w {
		return x, &ShapeError{What: "input columns", Got: x.Cols, Want: w}
	}
	if len(p.Offset) != p.InputWidth() || len(p.Scale) != len(p.Offset) {
		return x, &ShapeError{What: "scaled columns", Got: len(p.Offset), Want: p.InputWidth()}
	}
	fill := fillValues[T](p)
	out := x
	if len(p.Indicators) > 0 {
		out = tensor.NewMatrix[T](x.Rows, p.InputWidth(), nil)
	}
	row := func(r int) error {
		dst := out.Row(r)
		if len(p.Indicators) > 0 {
			copy(dst, x.Row(r))
			if err := inputRow(p, dst, fill, r); err != nil {
				return err
			}
		} else if err := fillRow(p, dst, fill, r); err != nil {
			return err
		}
		return scaleRow(p, dst, r)
	}
	chunks := (x.Rows + transformRows - 1) / transformRows
	errs := make([]error, chunks) // the first error of each chunk: the earliest is reported
	var next atomic.Int64
	var g errgroup.Group
	for range min(max(workers, 1), chunks) {
		g.Go(func() error {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return nil
				}
				if err := ctx.Err(); err != nil {
					errs[c] = err
					return nil
				}
				for r := c * transformRows; r < min((c+1)*transformRows, x.Rows); r++ {
					if err := row(r); err != nil {
						errs[c] = err
						break
					}
				}
			}
		})
	}
	_ = g.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
