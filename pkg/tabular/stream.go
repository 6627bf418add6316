package tabular

import (
	"context"
	"errors"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// PredictParts is Predict for a table of any size: it reads src in parts
// (csvdata.Parts, with the model's schema) and calls each with each
// part's predictions in order — for those rows, Predict's answers bit for
// bit, with the file's lines — so that memory holds one part, not the
// table. Categories not seen in training are warned of once, counted over
// the file. A stream (Reader, Bytes) is read whole, as Predict reads it,
// and given to each at once. An error from each ends the reading and is
// returned as it is.
func (m *Model) PredictParts(ctx context.Context, src Source, o PredictOptions, each func(*Predictions) error) error {
	o, err := o.withDefaults()
	if err != nil {
		return inputError(err)
	}
	return withHints(m.net.predictParts(ctx, m, src, o, each), o.hints())
}

// eachError carries an error of modelParts' each through csvdata.Parts.
type eachError struct{ err error }

func (e eachError) Error() string { return e.err.Error() }

func predictParts[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], src Source, o PredictOptions, each func(*Predictions) error) error {
	if src.paths == nil {
		pr, err := predict(ctx, m, net, src, o)
		if err != nil {
			return err
		}
		return each(pr)
	}
	f, err := csvdata.OpenFiles(ctx, src.paths, m.readOptions(o, false))
	if err != nil {
		return readError(ctx, err)
	}
	defer f.Close()
	if o.partBytes > 0 {
		f.PartBytes = o.partBytes
	}
	b := &blockRows[T]{m: m, net: net, o: o, name: src.Name, x: tensor.NewMatrix[T](nn.PredictBlock, m.Prep.InputWidth(), nil)}
	_, unseen, err := modelParts(ctx, m, f, src.Name, o, func(tab *csvdata.Table[T], x tensor.Matrix[T]) error {
		pr, err := b.add(ctx, tab, x)
		if err != nil || pr == nil {
			return err
		}
		pr.Unseen = tab.Unseen
		return each(pr)
	})
	if err != nil {
		return err
	}
	if b.n > 0 { // the last block, shorter
		pr, err := b.answer(ctx, b.x.SliceRows(0, b.n), b.wait)
		if err != nil {
			return err
		}
		if err := each(pr); err != nil {
			return err
		}
	}
	warnUnseen(o.Warn, src.Name, unseen, o.hints())
	return nil
}

// modelParts reads f's parts with m's schema and calls each with each
// part and its model inputs; a row's problem is an input error at its
// line, each's error is returned as it is. It returns the rows the parts
// skipped for a missing target and the categories they did not know,
// counted over the file (in schema order). A file of no rows is an input
// error, as csvdata.Read makes it.
func modelParts[T tensor.Float](ctx context.Context, m *Model, f *csvdata.File, name string, o PredictOptions, each func(tab *csvdata.Table[T], x tensor.Matrix[T]) error) (csvdata.Cells, []csvdata.Cells, error) {
	var (
		skipped csvdata.Cells
		unseen  []csvdata.Cells
		rows    int
	)
	err := csvdata.Parts(ctx, f, &m.Prep.Schema, func(tab *csvdata.Table[T]) error {
		skipped, unseen = skipped.Add(tab.Skipped), csvdata.MergeCells(unseen, tab.Unseen)
		rows += tab.X.Rows
		x, err := prep.TransformWorkers(ctx, m.Prep, tab.X, o.Workers)
		if err != nil {
			return eachError{rowError(ctx, name, tab, err)}
		}
		if err := each(tab, x); err != nil {
			return eachError{err}
		}
		return nil
	})
	if e, ok := err.(eachError); ok {
		return skipped, unseen, e.err
	}
	if err != nil {
		return skipped, unseen, readError(ctx, err)
	}
	if rows == 0 && skipped.Count == 0 {
		return skipped, unseen, inputError(csvdata.NoRowsError(f.Name(), 2))
	}
	m.Prep.Schema.SortCells(unseen)
	return skipped, unseen, nil
}

// readError is an error of reading a table: an input error, unless ctx
// has ended.
func readError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return inputError(err)
}

// blockRows feeds PredictParts' rows to the network in blocks of
// nn.PredictBlock rows counted from the table's first, as Predict does
// for the whole table, a block that spans two parts waiting for the
// second: the same matrix products, so the same bits on every BLAS.
type blockRows[T tensor.Float] struct {
	m    *Model
	net  *nn.Model[T]
	o    PredictOptions
	name string
	x    tensor.Matrix[T] // the rows of the block that waits
	n    int
	wait []rowPlace // their places
}

// rowPlace is where a row is: its file (empty: the table's) and line.
type rowPlace struct {
	file string
	line int
}

// rowPlaces are the places of rows, as the places of a table.
type rowPlaces []rowPlace

func (p rowPlaces) Len() int                    { return len(p) }
func (p rowPlaces) Where(row int) (string, int) { return p[row].file, p[row].line }

// add takes a part's inputs x (tab's rows) and returns the predictions of
// the rows whose blocks are whole (nil: none yet).
func (b *blockRows[T]) add(ctx context.Context, tab *csvdata.Table[T], x tensor.Matrix[T]) (*Predictions, error) {
	var out *Predictions
	k := 0
	if b.n > 0 { // fill the waiting block first
		k = min(nn.PredictBlock-b.n, x.Rows)
		copy(b.x.Data[b.n*x.Cols:], x.Data[:k*x.Cols])
		for r := range k {
			f, l := tab.Where(r)
			b.wait = append(b.wait, rowPlace{f, l})
		}
		if b.n += k; b.n < nn.PredictBlock {
			return nil, nil
		}
		pr, err := b.answer(ctx, b.x, b.wait)
		if err != nil {
			return nil, err
		}
		out, b.n, b.wait = pr, 0, b.wait[:0]
	}
	whole := (x.Rows - k) / nn.PredictBlock * nn.PredictBlock
	if whole > 0 {
		places := make(rowPlaces, whole)
		for r := range places {
			places[r].file, places[r].line = tab.Where(k + r)
		}
		pr, err := b.answer(ctx, x.SliceRows(k, k+whole), places)
		if err != nil {
			return nil, err
		}
		out = joinPredictions(out, pr)
	}
	for r := k + whole; r < x.Rows; r++ {
		copy(b.x.Row(b.n), x.Row(r))
		f, l := tab.Where(r)
		b.wait, b.n = append(b.wait, rowPlace{f, l}), b.n+1
	}
	return out, nil
}

// answer predicts the rows x, whose places are at.
func (b *blockRows[T]) answer(ctx context.Context, x tensor.Matrix[T], at rowPlaces) (*Predictions, error) {
	pr, err := answer(ctx, b.m, b.net, x, b.o.Workers)
	if errors.As(err, new(*prep.RowError)) {
		return nil, inputError(atRow(b.name, at, err))
	}
	if err != nil {
		return nil, err
	}
	for _, p := range at {
		pr.Lines.Add(p.line)
	}
	return pr, nil
}

// joinPredictions returns a's rows then b's (b when a is nil).
func joinPredictions(a, b *Predictions) *Predictions {
	if a == nil {
		return b
	}
	a.Labels = append(a.Labels, b.Labels...)
	a.Values = stack(a.Values, b.Values)
	a.Probabilities = stack(a.Probabilities, b.Probabilities)
	for r := range b.Lines.Len() {
		a.Lines.Add(b.Lines.Line(r))
	}
	return a
}

// stack returns a matrix of a's rows then b's.
func stack(a, b tensor.Matrix[float64]) tensor.Matrix[float64] {
	if b.Rows == 0 {
		return a
	}
	return tensor.NewMatrix(a.Rows+b.Rows, b.Cols, append(a.Data[:a.Rows*a.Cols:a.Rows*a.Cols], b.Data...))
}

// EvaluateParts is Evaluate for a table of any size: it reads src (a
// File) in parts, the targets of every row first (4 or 8 bytes a row are
// held), then the rows a part at a time, and gives Evaluate's loss and
// metrics bit for bit (train.PartEvaluation). While the parts' inputs
// take at most a quarter of the memory limit they are kept, and the file
// is read once; beyond, it is read again. A stream (Reader, Bytes) is
// evaluated as Evaluate does.
func (m *Model) EvaluateParts(ctx context.Context, src Source, o PredictOptions) (*Evaluation, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, inputError(err)
	}
	r, err := m.net.evaluateParts(ctx, m, src, o)
	return r, withHints(err, o.hints())
}

func evaluateParts[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], src Source, o PredictOptions) (*Evaluation, error) {
	if src.paths == nil {
		return evaluate(ctx, m, net, src, o)
	}
	f, err := csvdata.OpenFiles(ctx, src.paths, m.readOptions(o, true))
	if err != nil {
		return nil, readError(ctx, err)
	}
	defer f.Close()
	if o.partBytes > 0 {
		f.PartBytes = o.partBytes
	}
	budget, _ := csvdata.MemoryLimit()
	budget /= 4
	if o.keepBytes > 0 {
		budget = o.keepBytes
	}
	var (
		y       []T
		kept    []tensor.Matrix[T] // the parts' inputs, while they fit the budget
		keptLen int64
		width   = 1
	)
	parts := func(each func(tab *csvdata.Table[T], x tensor.Matrix[T]) error) error {
		_, _, err := modelParts(ctx, m, f, src.Name, o, each)
		return err
	}
	skipped, unseen, err := modelParts(ctx, m, f, src.Name, o, func(tab *csvdata.Table[T], x tensor.Matrix[T]) error {
		yp, err := prep.Targets[T](ctx, m.Prep, tab.Targets)
		if err != nil {
			return rowError(ctx, src.Name, tab, err)
		}
		width = yp.Cols
		y = append(y, yp.Data...)
		if kept != nil || len(y) == len(yp.Data) { // still keeping
			keptLen += int64(len(x.Data)) * int64(unsafe.Sizeof(x.Data[0]))
			kept = append(kept, x)
			if budget > 0 && keptLen > budget {
				kept = nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(y) == 0 {
		return nil, noTargets(src.Name, skipped)
	}
	warnSkipped(o.Warn, src.Name, skipped)
	warnUnseen(o.Warn, src.Name, unseen, o.hints())
	ym := tensor.NewMatrix(len(y)/width, width, y)
	e, err := train.NewPartEvaluation(net, ym, train.EvalOptions{Workers: o.Workers})
	if err != nil {
		return nil, err
	}
	if kept != nil {
		for _, x := range kept {
			if err := e.Add(ctx, x); err != nil {
				return nil, err
			}
		}
	} else if err := parts(func(_ *csvdata.Table[T], x tensor.Matrix[T]) error { return e.Add(ctx, x) }); err != nil {
		return nil, err
	}
	loss, metrics, err := e.Result(ctx)
	if err != nil {
		return nil, err
	}
	if !finite(loss, metrics) { // find the row whose answer is not a number
		err := parts(func(tab *csvdata.Table[T], x tensor.Matrix[T]) error {
			if _, err := answer(ctx, m, net, x, o.Workers); err != nil {
				return inputError(atRow(src.Name, tab, err))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	metrics["loss"] = loss
	return &Evaluation{Metrics: metrics, Rows: ym.Rows, Skipped: skipped, Unseen: unseen}, nil
}
