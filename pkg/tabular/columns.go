package tabular

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Column is one feature column given as values rather than CSV text, the
// way the ONNX contract and the Open Inference Protocol carry a table:
// Numbers for a numeric column (NaN is a missing value), Texts for a text
// column (an empty string or an NA token is a missing value; surrounding
// spaces and tabs are trimmed, as from every CSV cell). A date column
// takes either: Texts as a CSV file writes its dates, or Numbers, each
// date's Unix time in seconds (as the ONNX export takes it).
type Column struct {
	Name    string
	Numbers []float64
	Texts   []string
}

// PredictColumns predicts every row of a table given column by column:
// one Column per feature of the model's schema, in any order, all of the
// same length. It gives the answers Predict gives for the same values
// written as CSV, without the text round trip — the path for a server's
// small requests. Errors are *InputError and name the column and the row
// (counted from 1); Predictions.Lines is empty and an unseen category's Line
// is its row.
func (m *Model) PredictColumns(ctx context.Context, cols []Column, o PredictOptions) (*Predictions, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, inputError(err)
	}
	r, err := m.net.predictColumns(ctx, m, cols, o)
	return r, withHints(err, o.hints())
}

func predictColumns[T tensor.Float](ctx context.Context, m *Model, net *nn.Model[T], cols []Column, o PredictOptions) (*Predictions, error) {
	x, unseen, err := encodeColumns[T](m.Prep, cols, o)
	if err != nil {
		return nil, inputError(err)
	}
	warnUnseen(o.Warn, "columns", unseen, o.hints())
	in, err := prep.TransformWorkers(ctx, m.Prep, x, o.Workers)
	if err != nil && cancelled(ctx, err) {
		return nil, err
	}
	if err != nil {
		var re *prep.RowError
		if errors.As(err, &re) {
			err = fmt.Errorf("row %d: %w", re.Row+1, re.Err)
		}
		return nil, inputError(err)
	}
	pr, err := answer(ctx, m, net, in, o.Workers)
	var re *prep.RowError
	if errors.As(err, &re) {
		return nil, inputError(fmt.Errorf("row %d: %w", re.Row+1, re.Err))
	}
	if err != nil {
		return nil, err
	}
	pr.Unseen = unseen
	return pr, nil
}

// encodeColumns writes the columns as the matrix csvdata reads from a CSV
// file with the model's schema: numbers as they are (NaN where missing),
// categories one-hot (all zeros when unseen, counted).
func encodeColumns[T tensor.Float](p *prep.Preprocessing, cols []Column, o PredictOptions) (tensor.Matrix[T], []csvdata.Cells, error) {
	feats := p.Schema.Features
	byName := make([]*Column, len(feats))
	n := -1
	for i := range cols {
		c := &cols[i]
		j := i // columns usually come in the schema's order
		if j >= len(feats) || feats[j].Name != c.Name {
			j = slices.IndexFunc(feats, func(f csvdata.FeatureColumn) bool { return f.Name == c.Name })
		}
		switch {
		case j < 0:
			return tensor.Matrix[T]{}, nil, fmt.Errorf("unknown column %s", csvdata.Quote(c.Name))
		case byName[j] != nil:
			return tensor.Matrix[T]{}, nil, fmt.Errorf("column %s given twice", csvdata.Quote(c.Name))
		case feats[j].Date != "": // ISO text, or the Unix time in seconds (ONNX's input)
		case feats[j].Categories != nil && c.Numbers != nil:
			return tensor.Matrix[T]{}, nil, fmt.Errorf("column %s holds text categories, not numbers", csvdata.Quote(c.Name))
		case feats[j].Categories == nil && c.Texts != nil:
			return tensor.Matrix[T]{}, nil, fmt.Errorf("column %s holds numbers, not text", csvdata.Quote(c.Name))
		}
		rows := max(len(c.Numbers), len(c.Texts))
		if n >= 0 && rows != n {
			return tensor.Matrix[T]{}, nil, fmt.Errorf("column %s has %d rows, the others %d", csvdata.Quote(c.Name), rows, n)
		}
		byName[j], n = c, rows
	}
	for j, c := range byName {
		if c == nil {
			return tensor.Matrix[T]{}, nil, &csvdata.ColumnNotFoundError{Role: "feature", Name: feats[j].Name}
		}
	}
	x := tensor.NewMatrix[T](max(n, 0), p.Schema.Width(), nil)
	var unseen []csvdata.Cells
	at := 0 // the column's first matrix column
	for j, f := range feats {
		c := byName[j]
		if f.Date != "" {
			if err := encodeDates(x, at, f, c, p.NA, o.NA); err != nil {
				return x, nil, err
			}
			at += f.Width()
			continue
		}
		if f.Categories == nil {
			for i, v := range c.Numbers {
				t := T(v)
				switch {
				case math.IsInf(v, 0):
					return x, nil, fmt.Errorf("column %s, row %d: %v is not allowed (NaN is the missing value)", csvdata.Quote(c.Name), i+1, v)
				case t-t != 0 && !math.IsNaN(v):
					return x, nil, csvdata.NewHintError("column %s, row %d: %v is beyond the range of float32 (train with %s for a float64 model)", csvdata.Quote(c.Name), i+1, v, csvdata.Hint{Field: "Float64"})
				}
				x.Data[i*x.Cols+at] = t
			}
			at++
			continue
		}
		u := csvdata.Cells{Column: f.Name}
		padded := csvdata.PaddedCategories(f.Categories) // nil but for a model from before cells were trimmed
		for i, v := range c.Texts {
			v = trim(v)
			if isNA(v, p.NA, o.NA) {
				v = ""
			}
			k, ok := slices.BinarySearch(f.Categories, v)
			if c, alias := padded[v]; !ok && alias {
				k, ok = int(c), true
			}
			switch {
			case ok:
				x.Data[i*x.Cols+at+k] = 1
			case o.Strict:
				return x, nil, fmt.Errorf("column %s, row %d: category %s was not seen in training", csvdata.Quote(c.Name), i+1, csvdata.Quote(v))
			default:
				if u.Count == 0 {
					u.First, u.Line = v, i+1
				}
				u.Count++
			}
		}
		if u.Count > 0 {
			unseen = append(unseen, u)
		}
		at += len(f.Categories)
	}
	return x, unseen, nil
}

// isNA reports whether a text value means a missing one: the empty
// string, a csvdata.DefaultNA token or one of the given ones (a few
// tokens: a search beats building a set per request).
func isNA(v string, lists ...[]string) bool {
	if v == "" || slices.Contains(csvdata.DefaultNA, v) {
		return true
	}
	for _, l := range lists {
		if slices.Contains(l, v) {
			return true
		}
	}
	return false
}

// encodeDates writes the parts of date column f, given as c, at matrix
// column at of x.
func encodeDates[T tensor.Float](x tensor.Matrix[T], at int, f csvdata.FeatureColumn, c *Column, na ...[]string) error {
	var parts [csvdata.DateTimeWidth]float64
	for i := range max(len(c.Numbers), len(c.Texts)) {
		cells := x.Data[i*x.Cols+at:][:f.Width()]
		var d csvdata.Date
		ok := true
		if c.Numbers != nil {
			if math.IsNaN(c.Numbers[i]) {
				for k := range cells {
					cells[k] = T(math.NaN())
				}
				continue
			}
			if d, ok = csvdata.DateFromSeconds(c.Numbers[i]); !ok {
				return fmt.Errorf("column %s, row %d: %v is no Unix time in seconds (NaN is the missing value)", csvdata.Quote(c.Name), i+1, c.Numbers[i])
			}
		} else {
			v := trim(c.Texts[i])
			if isNA(v, na...) {
				for k := range cells {
					cells[k] = T(math.NaN())
				}
				continue
			}
			if d, ok = csvdata.ParseDate([]byte(v)); !ok {
				return fmt.Errorf("column %s, row %d: %s is not a date (YYYY-MM-DD, with a time: YYYY-MM-DD hh:mm[:ss])", csvdata.Quote(c.Name), i+1, csvdata.Quote(v))
			}
		}
		d.Features(f.Date, parts[:])
		for k := range cells {
			cells[k] = T(parts[k])
		}
	}
	return nil
}
