package csvdata

import (
	"fmt"
	"slices"
	"unsafe"

	"golang.org/x/sync/errgroup"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// minIdentifierRows is the least number of values for which a text column
// whose values are all distinct counts as an identifier.
const minIdentifierRows = 20

// checkTypes applies the type rules once the file is parsed, when types
// are inferred: a column that holds text in at least half its present
// cells is categorical (pandas reads a column of numbers and text as
// text), and one first taken for numbers is parsed again as categorical
// (it reports true then); a column of numbers with fewer text values is
// an error, since its text is more likely a missing-value token (such as
// "?") than a category.
func (r *reader[T]) checkTypes(rows int) (bool, error) {
	again := false
	for j, ro := range r.roles {
		if ro.kind == target && !r.tgtText[ro.idx] && merged(r.workers, j).other > 0 {
			if r.textTargets == nil {
				r.textTargets = map[int]bool{}
			}
			r.textTargets[j], again = true, true
		}
	}
	if r.opt.Schema != nil || again {
		return again, nil
	}
	for j, ro := range r.roles {
		if ro.kind == date {
			a, err := r.checkDates(j, rows)
			if err != nil {
				return false, err
			}
			again = again || a
			continue
		}
		if ro.kind != numeric && (ro.kind != categorical || r.forced[j]) {
			continue
		}
		s := merged(r.workers, j)
		present := rows - s.missing
		if ro.kind == categorical && s.dates > present-s.dates {
			// Mostly dates, after text in the first cell: checkDates
			// decides, as if the first cell had been a date.
			setForced(&r.forceDate, j, DateOnly)
			delete(r.forceCat, j)
			again = true
			continue
		}
		if s.other == 0 {
			continue
		}
		texts, numbers := s.other, present-s.other
		firstText := s.oth1
		if ro.kind == categorical {
			texts, numbers = numbers, texts
			firstText = r.firstSeen[j]
		}
		if texts >= numbers && ro.kind == categorical {
			continue // categories, some written as numbers (drive "4", "f", "r")
		}
		if texts >= numbers && ro.kind == numeric {
			// Dates, the first beyond firstValues' sample or after a
			// number: checkDates then decides, as if the first cell had
			// been a date (an error at the number, or categories).
			if _, ok := ParseDate([]byte(firstText.value)); ok {
				setForced(&r.forceDate, j, DateOnly)
				again = true
				continue
			}
		}
		if texts >= numbers {
			if r.forceCat == nil {
				r.forceCat = map[int]bool{}
			}
			r.forceCat[j], again = true, true
			continue
		}
		const mixed = "column %s mixes numbers and text (%d numbers, %d text values, the first %s here): "
		const cat = "if the column holds categories, declare it with %s"
		if v := firstText.value; IsDecimalComma(v) { // no missing-value token: a number, as Europe writes it
			return false, r.hintAt(firstText.line, firstText.col, mixed+"%s is a number written with a decimal comma, which is read as text: write the column's numbers with a decimal point; "+cat,
				Quote(ro.name), numbers, texts, Quote(v), Quote(v), r.columnHint("Categorical", j))
		}
		if v := firstText.value; len(v) <= MaxQuoted { // else no one means a missing value by it
			return false, r.hintAt(firstText.line, firstText.col, mixed+"if %s means a missing value, declare it with %s; "+cat,
				Quote(ro.name), numbers, texts, Quote(v), Quote(v), Hint{Field: "NA", Value: v}, r.columnHint("Categorical", j))
		}
		return false, r.hintAt(firstText.line, firstText.col, mixed+cat,
			Quote(ro.name), numbers, texts, Quote(firstText.value), r.columnHint("Categorical", j))
	}
	return again, nil
}

// checkDates applies the type rules to date column j: a value written
// with a time makes it a column of times (read again); text that is no
// date in at least half its present cells makes it categorical (read
// again); less text is an error at the first, as in a numeric column.
func (r *reader[T]) checkDates(j, rows int) (bool, error) {
	s, name := merged(r.workers, j), r.roles[j].name
	if s.other == 0 {
		if s.timed && r.dateKinds[j] == DateOnly {
			setForced(&r.forceDate, j, DateTime)
			return true, nil
		}
		return false, nil
	}
	dates := rows - s.missing - s.other
	if s.other >= dates {
		setForced(&r.forceCat, j, true)
		delete(r.forceDate, j)
		return true, nil
	}
	v := s.oth1.value
	const mixed = "column %s mixes dates and text (%d dates, %d text values, the first %s here): "
	const cat = "if the column holds categories, declare it with %s"
	// --na NUMBER would make that number missing in every column (a 0/1
	// target's zeros too): no hint of it for a number.
	if _, err := parseNumber([]byte(v)); err != nil && len(v) <= MaxQuoted {
		return false, r.hintAt(s.oth1.line, s.oth1.col, mixed+"if %s means a missing value, declare it with %s; "+cat,
			Quote(name), dates, s.other, Quote(v), Quote(v), Hint{Field: "NA", Value: v}, r.columnHint("Categorical", j))
	}
	return false, r.hintAt(s.oth1.line, s.oth1.col, mixed+cat, Quote(name), dates, s.other, Quote(v), r.columnHint("Categorical", j))
}

// setForced sets m[j] to v, making the map first.
func setForced[V any](m *map[int]V, j int, v V) {
	if *m == nil {
		*m = map[int]V{}
	}
	(*m)[j] = v
}

// finish drops the rows whose target is missing, builds the categories and
// the one-hot matrix, and types the targets.
func (r *reader[T]) finish(rows int) (*Table[T], error) {
	t := &Table[T]{Header: r.header, Schema: r.schema, Delimiter: r.sep}
	for _, ro := range r.roles {
		if ro.kind == target {
			j := r.fileColumn(ro.name)
			if s := merged(r.workers, j); s.missing > 0 && (t.Skipped.Column == "" || s.firstMissing.line < t.Skipped.Line) {
				t.Skipped = Cells{Column: ro.name, Line: s.firstMissing.line, Offset: s.firstMissing.col}
			}
		}
	}
	kept := r.compact(rows)
	t.Skipped.Count = rows - kept
	rows = kept
	if rows == 0 && !r.opt.part {
		return nil, NoTargetsError(r.path, t.Skipped)
	}
	t.Lines = r.lines
	remap, err := r.categories(t, rows)
	if err != nil {
		return nil, err
	}
	if w := t.Schema.Width(); w > r.opt.MaxColumns {
		return nil, &ParseError{File: r.path, Err: fmt.Errorf("one-hot encoding gives %d matrix columns, more than the limit of %d (a text column with too many distinct values?)", w, r.opt.MaxColumns)}
	}
	x := r.x[:rows*r.width]
	if remap != nil {
		x = r.relayout(rows, t.Schema, remap)
	}
	t.X = tensor.NewMatrix(rows, t.Schema.Width(), x)
	for _, fc := range t.Schema.Features {
		j := r.fileColumn(fc.Name)
		s := merged(r.workers, j)
		if s.missing > 0 {
			t.Missing = append(t.Missing, Cells{Column: fc.Name, Count: s.missing, Line: s.firstMissing.line, Offset: s.firstMissing.col})
		}
		if r.known != nil && s.other > 0 {
			t.Unseen = append(t.Unseen, Cells{Column: fc.Name, Count: s.other, First: s.oth1.value, Line: s.oth1.line, Offset: s.oth1.col})
		}
	}
	t.Targets = make([]Column, r.nTarget)
	for j, ro := range r.roles {
		if ro.kind != target {
			continue
		}
		if r.tgtText[ro.idx] {
			t.Targets[ro.idx] = r.targetColumn(ro.name, r.tgts[ro.idx][:rows])
			if r.forced[j] { // declared text: its numbers are not its values
				t.Targets[ro.idx].Numbers = nil
			}
		} else {
			t.Targets[ro.idx] = Column{Name: ro.name, Numbers: r.tnum[ro.idx][:rows], FirstText: -1, Written: r.writtenForms(ro.idx)}
		}
	}
	if r.nTarget == 0 {
		t.Targets = nil
	}
	return t, nil
}

// targetColumn makes a target Column of vals, converting them to numbers
// in parallel, a share of the rows per worker.
func (r *reader[T]) targetColumn(name string, vals []string) Column {
	rows, w := len(vals), len(r.workers)
	nums := make([]float64, rows)
	first := make([]int, w)
	var g errgroup.Group
	for k := range w {
		lo, hi := k*rows/w, (k+1)*rows/w
		g.Go(func() error {
			first[k] = -1
			for i := lo; i < hi; i++ {
				x, err := parseNumber(unsafe.Slice(unsafe.StringData(vals[i]), len(vals[i])))
				if err != nil {
					first[k] = i
					break
				}
				nums[i] = x
			}
			return nil
		})
	}
	_ = g.Wait()
	for _, i := range first {
		if i >= 0 {
			return Column{Name: name, Strings: vals, FirstText: i}
		}
	}
	return Column{Name: name, Numbers: nums, Strings: vals, FirstText: -1}
}

// fileColumn returns the file column of a header name (−1: none), from a
// map built on the first call: a wide table asks for every column.
func (r *reader[T]) fileColumn(name string) int {
	if r.columnOf == nil {
		r.columnOf = make(map[string]int, len(r.header))
		for j, h := range r.header {
			if _, dup := r.columnOf[h]; !dup {
				r.columnOf[h] = j
			}
		}
	}
	if j, ok := r.columnOf[name]; ok {
		return j
	}
	return -1
}

// compact moves the kept rows (those with every target) down over the
// skipped ones and returns their number.
func (r *reader[T]) compact(rows int) int {
	if !slices.Contains(r.skipRow[:rows], true) {
		return rows
	}
	r.lines = r.lines.keep(r.skipRow[:rows])
	w, n := r.width, 0
	for i := range rows {
		if r.skipRow[i] {
			continue
		}
		if n != i {
			copy(r.x[n*w:(n+1)*w], r.x[i*w:(i+1)*w])
			for _, c := range r.codes {
				c[n] = c[i]
			}
			for _, tg := range r.tgts {
				if tg != nil {
					tg[n] = tg[i]
				}
			}
			for _, tg := range r.tnum {
				if tg != nil {
					tg[n] = tg[i]
				}
			}
		}
		n++
	}
	return n
}

// categories fills in the learnt categories of the schema (the sorted
// union of the layout's and the workers' dictionaries) and, when the
// workers met categories the layout lacks, returns per categorical column
// the new index of each layout category, then per worker of each of its
// own (see relayout); nil when the layout stands. A column whose values
// are all distinct is refused as an identifier.
func (r *reader[T]) categories(t *Table[T], rows int) ([][][]uint32, error) {
	if r.opt.Schema != nil || r.nCat == 0 {
		return nil, nil
	}
	late := r.late()
	var remap [][][]uint32
	if late {
		remap = make([][][]uint32, r.nCat)
	}
	c := 0
	for i := range t.Schema.Features {
		fc := &t.Schema.Features[i]
		if fc.Categories == nil {
			continue
		}
		all := slices.Clone(r.frozenList[c])
		for _, w := range r.workers {
			all = append(all, w.dicts[c].values...)
		}
		slices.Sort(all)
		all = slices.Compact(all)
		j := r.catCols[c]
		if len(all) > r.opt.MaxCategories {
			return nil, r.hintAt(0, 0, "column %s has %d distinct values, more than %d: an identifier? Leave it out with %s (or raise %s)",
				Quote(fc.Name), len(all), r.opt.MaxCategories, r.columnHint("Ignore", j), Hint{Field: "MaxCategories"})
		}
		present := rows - merged(r.workers, j).missing
		if !r.forced[j] && !r.opt.part && present >= minIdentifierRows && len(all) == present && !slices.Contains(all, "") {
			return nil, r.hintAt(0, 0, "column %s has a distinct text value in every row (%d): an identifier, which cannot help predict; leave it out with %s (or keep it with %s)",
				Quote(fc.Name), present, r.columnHint("Ignore", j), r.columnHint("Categorical", j))
		}
		fc.Categories = all
		if late {
			lists := [][]string{r.frozenList[c]}
			for _, w := range r.workers {
				lists = append(lists, w.dicts[c].values)
			}
			for _, l := range lists {
				m := make([]uint32, len(l))
				for k, v := range l {
					idx, _ := slices.BinarySearch(all, v)
					m[k] = uint32(idx)
				}
				remap[c] = append(remap[c], m)
			}
		}
		c++
	}
	return remap, nil
}
