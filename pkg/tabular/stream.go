package tabular

import (
	"context"
	"slices"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/tensor"
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
	if src.path == "" {
		pr, err := predict(ctx, m, net, src, o)
		if err != nil {
			return err
		}
		return each(pr)
	}
	f, err := csvdata.Open(ctx, src.path, m.readOptions(o, false))
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
	order := make(map[string]int, len(m.Prep.Schema.Features))
	for i, f := range m.Prep.Schema.Features {
		order[f.Name] = i
	}
	slices.SortStableFunc(unseen, func(a, b csvdata.Cells) int { return order[a.Column] - order[b.Column] })
	warnUnseen(o.Warn, src.Name, unseen, o.hints())
	return nil
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
