package prep

import (
	"context"
	"fmt"
	"slices"
	"unsafe"

	"golang.org/x/sync/errgroup"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Blocks is a table's matrix read in blocks of consecutive rows, in
// order: the schema's columns, NaN where a number is missing, as
// csvdata's Table.X holds them. A block cache of a table larger than
// memory is one; the statistics fitted over it are those Fit finds of the
// same rows in one matrix, bit for bit, since they take the rows in the
// same order.
type Blocks[T tensor.Float] interface {
	// Rows is the number of rows.
	Rows() int
	// Each calls f with each block in order, lo being its first row; the
	// block is f's to change until f returns. It stops at f's first error.
	Each(ctx context.Context, f func(lo int, x tensor.Matrix[T]) error) error
}

// pass goes over the selected rows of a matrix of cols columns, n rows in
// all, in increasing order: a block of consecutive rows at a time (blocks,
// with the rows of held left out), or, where the rows are a list, one row
// at a time (list). byColumns visits them.
type pass[T tensor.Float] struct {
	cols, n int
	workers int
	blocks  func(f func(lo int, b tensor.Matrix[T]) error) error
	held    []int // sorted, distinct: rows blocks' f skips
	list    func(f func(row []T)) error
}

// byColumns makes a pass over the rows: visit returns, for a range of
// columns [c0, c1), the function that sees each row in order and must
// touch only those columns of what it computes. The ranges are the
// workers' (split evenly), each going over all the rows of a block at
// once: a column's values are still taken in row order, so the bits are
// those of one worker.
func (x pass[T]) byColumns(ctx context.Context, visit func(c0, c1 int) func(row []T)) error {
	w := min(x.workers, x.cols/4) // no range of fewer than 4 columns
	if x.blocks == nil || w <= 1 {
		f := visit(0, x.cols)
		if x.list != nil {
			return x.list(f)
		}
		return x.blocks(func(lo int, b tensor.Matrix[T]) error { return eachRow(ctx, b, lo, x.heldIn(lo, b.Rows), f) })
	}
	fs := make([]func([]T), w)
	for k := range w {
		fs[k] = visit(k*x.cols/w, (k+1)*x.cols/w)
	}
	return x.blocks(func(lo int, b tensor.Matrix[T]) error {
		held := x.heldIn(lo, b.Rows)
		var g errgroup.Group
		for _, f := range fs {
			g.Go(func() error { return eachRow(ctx, b, lo, held, f) })
		}
		return g.Wait()
	})
}

// each is byColumns with one function that sees every column.
func (x pass[T]) each(ctx context.Context, f func(row []T)) error {
	x.workers = 1 // a copy's
	return x.byColumns(ctx, func(int, int) func([]T) { return f })
}

// heldIn returns the rows of held in [lo, lo+n).
func (x pass[T]) heldIn(lo, n int) []int {
	a, _ := slices.BinarySearch(x.held, lo)
	b, _ := slices.BinarySearch(x.held, lo+n)
	return x.held[a:b]
}

// eachRow calls f with each row of b (whose first row is row lo of the
// matrix) but held, in order; it stops with ctx's error when ctx ends.
func eachRow[T tensor.Float](ctx context.Context, b tensor.Matrix[T], lo int, held []int, f func([]T)) error {
	h := 0
	for k := range b.Rows {
		if err := every(ctx, lo+k); err != nil {
			return err
		}
		if h < len(held) && held[h] == lo+k {
			h++
			continue
		}
		f(b.Row(k))
	}
	return nil
}

// matrixPass is the pass over the rows of x that rows selects.
func matrixPass[T tensor.Float](ctx context.Context, x tensor.Matrix[T], rows rowSel, workers int) pass[T] {
	p := pass[T]{cols: x.Cols, n: count(x.Rows, rows), workers: workers, held: rows.held}
	if rows.list != nil {
		p.list = func(f func([]T)) error { return forRows(ctx, x.Rows, rows, func(r int) { f(x.Row(r)) }) }
		return p
	}
	p.blocks = func(f func(int, tensor.Matrix[T]) error) error { return f(0, x) }
	return p
}

// blocksPass is the pass over the rows of x but held (sorted, distinct),
// each block first given to prepare (nil: none), whose result's rows are
// seen.
func blocksPass[T tensor.Float](ctx context.Context, x Blocks[T], cols int, held []int, workers int, prepare func(lo int, b tensor.Matrix[T]) (tensor.Matrix[T], error)) pass[T] {
	return pass[T]{cols: cols, n: x.Rows() - len(held), workers: workers, held: held, blocks: func(f func(int, tensor.Matrix[T]) error) error {
		return x.Each(ctx, func(lo int, b tensor.Matrix[T]) error {
			if prepare != nil {
				var err error
				if b, err = prepare(lo, b); err != nil {
					return err
				}
			}
			return f(lo, b)
		})
	}}
}

// FitBlocks is FitExcept over the blocks of a matrix too large for memory:
// p ends as FitExcept leaves it for the same rows, held and y. The blocks
// are read once for the fills, once for the scaling (more for a median,
// which holds at most 64 MiB of values a pass, or for a column whose
// values are near float64's limits).
func FitBlocks[T tensor.Float](ctx context.Context, p *Preprocessing, x Blocks[T], y tensor.Matrix[T], held []int, o Options) error {
	w := p.Schema.Width()
	var in tensor.Matrix[T]
	inputs := func(lo int, b tensor.Matrix[T]) (tensor.Matrix[T], error) {
		if len(p.Indicators) == 0 {
			out, err := Inputs(ctx, p, b) // in place
			return out, rowAt(err, lo)
		}
		if in.Rows < b.Rows {
			in = tensor.NewMatrix[T](b.Rows, p.InputWidth(), nil)
		}
		out := in.SliceRows(0, b.Rows)
		copyRows(out, b)
		return out, rowAt(inputsInPlace(ctx, p, out), lo)
	}
	workers := o.workers()
	return fitPasses(ctx, p, blocksPass(ctx, x, w, held, workers, nil), blocksPass(ctx, x, w, held, workers, inputs),
		func() (tensor.Matrix[T], error) { return y, nil }, rowSel{held: held}, o)
}

// copyRows copies the rows of src into the first columns of dst's.
func copyRows[T tensor.Float](dst, src tensor.Matrix[T]) {
	for r := range src.Rows {
		copy(dst.Row(r), src.Row(r))
	}
}

// rowAt moves a *RowError of a block starting at row lo to the table's
// row.
func rowAt(err error, lo int) error {
	if re, ok := err.(*RowError); ok {
		return &RowError{Row: re.Row + lo, Err: re.Err}
	}
	return err
}

// TransformInPlace turns rows of raw values into the model's scaled
// inputs in place: x has p.InputWidth() columns, the schema's raw values
// (NaN where missing) in its first p.Schema.Width(); the rest is
// overwritten. Each value gets the arithmetic Transform gives it, bit for
// bit; a row's problem is a *RowError (row counted in x). A Transformer
// does the same with nothing allocated per call.
func TransformInPlace[T tensor.Float](p *Preprocessing, x tensor.Matrix[T]) error {
	return NewTransformer[T](p).InPlace(x)
}

// Transformer is TransformInPlace for rows read a batch at a time: the
// fill values are converted once. It is safe for concurrent use.
type Transformer[T tensor.Float] struct {
	p    *Preprocessing
	fill []T
}

// NewTransformer returns the Transformer of p.
func NewTransformer[T tensor.Float](p *Preprocessing) *Transformer[T] {
	return &Transformer[T]{p: p, fill: fillValues[T](p)}
}

// InPlace is TransformInPlace.
func (t *Transformer[T]) InPlace(x tensor.Matrix[T]) error {
	p := t.p
	if x.Cols != p.InputWidth() || len(p.Offset) != x.Cols {
		return &ShapeError{What: "input columns", Got: x.Cols, Want: p.InputWidth()}
	}
	return eachRowInPlace(context.Background(), x, func(row []T, r int) error {
		if err := inputRow(p, row, t.fill, r); err != nil {
			return err
		}
		return scaleRow(p, row, r)
	})
}

// fillValues returns p's fill value of each schema column in T (0 where
// there is none).
func fillValues[T tensor.Float](p *Preprocessing) []T {
	fill := make([]T, p.Schema.Width())
	for j := range fill {
		if p.Fill != nil {
			fill[j] = T(p.Fill[j])
		}
	}
	return fill
}

// eachRowInPlace calls f with each row of x and its index, stopping at f's
// first error, or with ctx's error when ctx ends.
func eachRowInPlace[T tensor.Float](ctx context.Context, x tensor.Matrix[T], f func(row []T, r int) error) error {
	for r := range x.Rows {
		if err := every(ctx, r); err != nil {
			return err
		}
		if err := f(x.Row(r), r); err != nil {
			return err
		}
	}
	return nil
}

// inputsInPlace is Inputs on rows whose first p.Schema.Width() columns
// hold the raw values: the indicators are set from them, then the missing
// values filled.
func inputsInPlace[T tensor.Float](ctx context.Context, p *Preprocessing, x tensor.Matrix[T]) error {
	fill := fillValues[T](p)
	return eachRowInPlace(ctx, x, func(row []T, r int) error { return inputRow(p, row, fill, r) })
}

// inputRow is inputsInPlace on row r.
func inputRow[T tensor.Float](p *Preprocessing, row, fill []T, r int) error {
	w := len(fill)
	for k, j := range p.Indicators {
		row[w+k] = 0
		if row[j] != row[j] {
			row[w+k] = 1
		}
	}
	for j, v := range row[:w] {
		if v != v { // NaN: missing
			if p.Impute == NoImpute {
				return p.missingError(r, j)
			}
			row[j] = fill[j]
		}
	}
	return nil
}

// scaleRow is ScaleInputs on one row, r in messages.
func scaleRow[T tensor.Float](p *Preprocessing, row []T, r int) error {
	mean, scale := p.Offset[:len(row)], p.Scale[:len(row)]
	j, clip := 0, p.clipped()
	if clip == nil {
		j = scale4(row, mean, scale)
	} else {
		j = scaleClip4(row, mean, scale, clip[:len(row)], p.Clip)
	}
	for ; j < len(row); j++ {
		v := row[j]
		z := (float64(v) - mean[j]) / scale[j]
		if clip != nil && clip[j] {
			z = smoothClip(z, p.Clip)
		}
		s := T(z)
		if s-s != 0 && v-v == 0 {
			return &RowError{Row: r, Err: fmt.Errorf("%v in column %s: %w (float%d; the training rows' scale is %v)",
				v, csvdata.Quote(p.inputName(j)), ErrScaledRange, unsafe.Sizeof(v)*8, scale[j])}
		}
		row[j] = s
	}
	return nil
}
