package csvdata

import (
	"fmt"
	"slices"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// finish trims the buffers to rows, one-hot encodes categorical columns and
// types the targets.
func (r *reader[T]) finish(rows int) (*Table[T], error) {
	t := &Table[T]{Header: r.header, Schema: r.schema, Lines: r.lines[:rows]}
	x := r.x[:rows*r.width]
	if r.nCat > 0 {
		c := 0
		for i := range t.Schema.Features {
			fc := &t.Schema.Features[i]
			if fc.Categories == nil {
				continue
			}
			if r.opt.Schema == nil {
				vals := slices.Clone(r.cats[c][:rows])
				slices.Sort(vals)
				fc.Categories = slices.Compact(vals)
			}
			c++
		}
		if w := t.Schema.Width(); w > r.opt.MaxColumns {
			return nil, &ParseError{File: r.path, Err: fmt.Errorf("one-hot encoding gives %d matrix columns, more than the limit of %d (a text column with too many distinct values?)", w, r.opt.MaxColumns)}
		}
		x = r.expand(rows, t.Schema)
	}
	t.X = tensor.NewMatrix(rows, t.Schema.Width(), x)
	for _, ro := range r.roles {
		if ro.kind != target {
			continue
		}
		vals := r.tgts[ro.idx][:rows]
		col := Column{Name: ro.name, Numbers: make([]float64, rows), Strings: vals, FirstText: -1}
		for i, v := range vals {
			x, err := parseNumber([]byte(v))
			if err != nil {
				col.Numbers, col.FirstText = nil, i
				break
			}
			col.Numbers[i] = x
		}
		if t.Targets == nil {
			t.Targets = make([]Column, r.nTarget)
		}
		t.Targets[ro.idx] = col
	}
	return t, nil
}

// expand builds the final matrix: numeric values in place, categorical
// columns one-hot, in schema order.
func (r *reader[T]) expand(rows int, s Schema) []T {
	out := make([]T, rows*s.Width())
	index := make([]map[string]int, 0, r.nCat)
	for _, fc := range s.Features {
		if fc.Categories != nil {
			m := make(map[string]int, len(fc.Categories))
			for i, c := range fc.Categories {
				m[c] = i
			}
			index = append(index, m)
		}
	}
	w := s.Width()
	for row := range rows {
		dst := out[row*w : (row+1)*w]
		o, num, cat := 0, 0, 0
		for _, fc := range s.Features {
			if fc.Categories == nil {
				dst[o] = r.x[row*r.width+num]
				o, num = o+1, num+1
				continue
			}
			dst[o+index[cat][r.cats[cat][row]]] = 1
			o += len(fc.Categories)
			cat++
		}
	}
	return out
}
