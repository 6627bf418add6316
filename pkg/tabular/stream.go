package tabular

import (
	"context"
	"slices"
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

// eachError carries an error of PredictParts' each through csvdata.Parts.
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
	var unseen []csvdata.Cells
	err = csvdata.Parts(ctx, f, &m.Prep.Schema, func(tab *csvdata.Table[T]) error {
		pr, err := predictTable(ctx, m, net, src.Name, tab, o)
		if err != nil {
			return eachError{err}
		}
		unseen = addCells(unseen, tab.Unseen)
		if err := each(pr); err != nil {
			return eachError{err}
		}
		return nil
	})
	if e, ok := err.(eachError); ok {
		return e.err
	}
	if err != nil {
		return readError(ctx, err)
	}
	unseen = schemaOrder(m, unseen)
	warnUnseen(o.Warn, src.Name, unseen, o.hints())
	return nil
}

// schemaOrder sorts cells of feature columns in the schema's order, as
// Read lists them.
func schemaOrder(m *Model, cells []csvdata.Cells) []csvdata.Cells {
	order := make(map[string]int, len(m.Prep.Schema.Features))
	for i, f := range m.Prep.Schema.Features {
		order[f.Name] = i
	}
	slices.SortStableFunc(cells, func(a, b csvdata.Cells) int { return order[a.Column] - order[b.Column] })
	return cells
}

// readError is an error of reading a table: an input error, unless ctx
// has ended.
func readError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return inputError(err)
}

// addCells adds the counts of more to those of cells, by column, keeping
// each column's first cell (more comes later in the file).
func addCells(cells, more []csvdata.Cells) []csvdata.Cells {
	for _, c := range more {
		found := false
		for i := range cells {
			if cells[i].Column == c.Column {
				cells[i].Count += c.Count
				found = true
			}
		}
		if !found {
			cells = append(cells, c)
		}
	}
	return cells
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
		skipped csvdata.Cells
		unseen  []csvdata.Cells
		width   = 1
	)
	// each reads the next part: its targets, and its inputs into x.
	parts := func(each func(tab *csvdata.Table[T], x tensor.Matrix[T]) error) error {
		err := csvdata.Parts(ctx, f, &m.Prep.Schema, func(tab *csvdata.Table[T]) error {
			x, err := prep.TransformWorkers(ctx, m.Prep, tab.X, o.Workers)
			if err != nil {
				return eachError{rowError(ctx, src.Name, tab, err)}
			}
			if err := each(tab, x); err != nil {
				return eachError{err}
			}
			return nil
		})
		if e, ok := err.(eachError); ok {
			return e.err
		}
		if err != nil {
			return readError(ctx, err)
		}
		return nil
	}
	err = parts(func(tab *csvdata.Table[T], x tensor.Matrix[T]) error {
		yp, err := prep.Targets[T](ctx, m.Prep, tab.Targets)
		if err != nil {
			return rowError(ctx, src.Name, tab, err)
		}
		width = yp.Cols
		y = append(y, yp.Data...)
		if tab.Skipped.Count > 0 {
			if skipped.Count == 0 {
				skipped = tab.Skipped
			} else {
				skipped.Count += tab.Skipped.Count
			}
		}
		unseen = addCells(unseen, tab.Unseen)
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
	unseen = schemaOrder(m, unseen)
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
