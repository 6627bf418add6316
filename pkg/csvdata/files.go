package csvdata

import (
	"context"
	"slices"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// ReadFiles reads files of one table (see OpenFiles) into memory: the
// Table Read gives of the file they make one after the other, each header
// but the first left out, with Files saying which rows come from which
// file and cells naming their file. The files are read twice (Learn, then
// Parts with the schema learnt, into a matrix allocated once); with
// opt.Schema, once. One file is read as ReadFile reads it.
func ReadFiles[T tensor.Float](ctx context.Context, paths []string, opt Options) (*Table[T], error) {
	if len(paths) == 1 {
		return ReadFile[T](ctx, paths[0], opt)
	}
	schema := opt.Schema
	f, err := OpenFiles(ctx, paths, opt)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t := &Table[T]{}
	rows := -1 // unknown: the matrix grows
	if schema == nil {
		s, err := Learn[T](ctx, f, nil)
		if err != nil {
			return nil, err
		}
		schema, rows = &s.Schema, s.Rows
		t.Header, t.Schema, t.Missing, t.Skipped, t.Delimiter = s.Header, s.Schema, s.Missing, s.Skipped, s.Delimiter
		if err := f.checkBudget(rows, s.Schema.Width()*int(unsafe.Sizeof(T(0)))+8*len(s.Targets)); err != nil {
			return nil, err
		}
		t.X = tensor.NewMatrix[T](0, s.Schema.Width(), make([]T, 0, rows*s.Schema.Width()))
		for _, k := range s.Targets {
			c := Column{Name: k.Name, FirstText: -1, Written: k.Written}
			if k.Text {
				c.Strings, c.Written = make([]string, 0, rows), nil
			} else {
				c.Numbers = make([]float64, 0, rows)
			}
			t.Targets = append(t.Targets, c)
		}
	}
	err = Parts(ctx, f, schema, func(p *Table[T]) error {
		if t.Header == nil { // with a schema: the first part says
			t.Header, t.Schema, t.Delimiter = p.Header, p.Schema, p.Delimiter
			t.X.Cols = p.X.Cols
			for _, c := range p.Targets {
				t.Targets = append(t.Targets, Column{Name: c.Name, FirstText: -1})
			}
		}
		if rows < 0 {
			t.Missing, t.Unseen = MergeCells(t.Missing, p.Missing), MergeCells(t.Unseen, p.Unseen)
			t.Skipped = t.Skipped.Add(p.Skipped)
			if err := f.checkBudget(t.X.Rows+p.X.Rows, p.X.Cols*int(unsafe.Sizeof(T(0)))+8*len(p.Targets)); err != nil {
				return err
			}
		}
		t.X.Data = append(t.X.Data, p.X.Data...)
		t.X.Rows += p.X.Rows
		t.Lines.appendLines(p.Lines)
		t.Files = append(t.Files, p.Files...)
		for k, c := range p.Targets { // learnt numbers as numbers; else as written
			if tc := &t.Targets[k]; tc.Numbers != nil {
				tc.Numbers = append(tc.Numbers, c.Numbers...)
			} else {
				for i := range c.Len() {
					tc.Strings = append(tc.Strings, c.Text(i))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.Schema.SortCells(t.Missing)
	t.Schema.SortCells(t.Unseen)
	for k := range t.Targets {
		if c := &t.Targets[k]; c.Strings != nil {
			c.FirstText = -1
			for i, s := range c.Strings {
				if !IsNumber(s) {
					c.FirstText = i
					break
				}
			}
			if c.FirstText < 0 { // all numbers, as targetColumn keeps them
				c.Numbers = make([]float64, len(c.Strings))
				for i, s := range c.Strings {
					c.Numbers[i], _ = parseNumber([]byte(s))
				}
			}
		}
	}
	return t, nil
}

// checkBudget refuses rows of rowBytes each (a matrix row, its targets)
// that would take more than the memory budget (as Read refuses a file).
func (f *File) checkBudget(rows, rowBytes int) error {
	budget, what := f.opt.budget()
	need := int64(rows) * int64(rowBytes+f.opt.ExtraRowBytes)
	if budget == 0 || need <= budget {
		return nil
	}
	return &ParseError{File: f.Name(), Err: &MemoryError{Rows: rows, Need: need, Budget: what}}
}

// Add returns the cells of c and o, c's coming first in the table: the
// first of them (o's when c has none) with both counts.
func (c Cells) Add(o Cells) Cells {
	switch {
	case o.Count == 0:
		return c
	case c.Count == 0:
		return o
	}
	c.Count += o.Count
	return c
}

// MergeCells adds the cells of more (of a later part of a table) to
// cells, by column, a column new to cells coming after its others.
func MergeCells(cells, more []Cells) []Cells {
	for _, c := range more {
		i := slices.IndexFunc(cells, func(d Cells) bool { return d.Column == c.Column })
		if i < 0 {
			cells = append(cells, c)
			continue
		}
		cells[i] = cells[i].Add(c)
	}
	return cells
}

// SortCells puts cells of feature columns in the order of s's features,
// as Read lists them.
func (s Schema) SortCells(cells []Cells) {
	order := make(map[string]int, len(s.Features))
	for i, f := range s.Features {
		order[f.Name] = i
	}
	slices.SortStableFunc(cells, func(a, b Cells) int { return order[a.Column] - order[b.Column] })
}
