package csvdata

import (
	"math"
	"strconv"
)

// Targets are kept as numbers while the file is read (8 bytes a row)
// when their values look like numbers, as text (a string a row, 16 bytes
// and its bytes) only when they do not: a narrow table's targets would
// otherwise take more memory than its matrix. Whether they look like
// numbers is told from the first chunk's first present value of each; a
// target first taken for numbers that turns out to hold text is read
// again as text, like a feature column (checkTypes). How each distinct
// number was first written is kept, for up to MaxCategories of them: a
// class label is named as written ("1.0").

// maxWritten bounds the distinct numbers of a target whose first written
// form is kept, per worker.
const maxWritten = DefaultMaxCategories

// writtenAt is how a number was first written, and the row where.
type writtenAt struct {
	text string
	row  int
}

// targetModes decides, from the first records of chunk c, which targets
// are read as text: those Options.Categorical names, those whose first
// present value is not a number, and those found to hold text in an
// earlier read (textTargets).
func (r *reader[T]) targetModes(c *chunk) {
	r.tgtText = make([]bool, r.nTarget)
	decided := make([]bool, r.nTarget)
	left := 0
	for j, ro := range r.roles {
		if ro.kind != target {
			continue
		}
		if r.textTargets[j] || r.forced[j] {
			r.tgtText[ro.idx], decided[ro.idx] = true, true
		} else {
			left++
		}
	}
	var fs []field
	for i := 0; i < len(c.starts) && left > 0; i++ {
		var err error
		fs, _, err = splitFields(trimCR(c.buf[c.starts[i]:c.ends[i]]), fs[:0], r.sep)
		if err != nil || len(fs) != len(r.header) {
			continue
		}
		for j, ro := range r.roles {
			if ro.kind != target || decided[ro.idx] {
				continue
			}
			v := fs[j].value()
			if r.isNA(v) {
				continue
			}
			_, err := parseNumber(v)
			r.tgtText[ro.idx], decided[ro.idx] = err == errNotNumber, true
			left--
		}
	}
}

// noteWritten keeps how the number x of target t, at row row, was
// written, if it is the first of its value this worker meets.
func (w *worker) noteWritten(t int, x float64, v []byte, row int) {
	m := w.written[t]
	if m == nil {
		if w.writtenFull[t] {
			return
		}
		m = map[float64]writtenAt{}
		w.written[t] = m
	}
	if _, ok := m[x]; ok {
		return
	}
	if len(m) == maxWritten {
		w.writtenFull[t], w.written[t] = true, nil // too many: no names kept
		return
	}
	m[x] = writtenAt{text: string(v), row: row}
}

// writtenForms merges the workers' first written forms of target t: nil
// when one worker met too many distinct numbers.
func (r *reader[T]) writtenForms(t int) map[float64]string {
	first := map[float64]writtenAt{}
	for _, w := range r.workers {
		if w.writtenFull[t] {
			return nil
		}
		for x, at := range w.written[t] {
			if f, ok := first[x]; !ok || at.row < f.row {
				first[x] = at
			}
		}
	}
	out := make(map[float64]string, len(first))
	for x, at := range first {
		out[x] = at.text
	}
	return out
}

// Len returns the number of values of the column.
func (c Column) Len() int { return max(len(c.Strings), len(c.Numbers)) }

// Text returns value i as written: from Strings, or, when only Numbers
// are kept, as its number was first written (Written), else in the
// shortest form that reads back the same.
func (c Column) Text(i int) string {
	if c.Strings != nil {
		return c.Strings[i]
	}
	x := c.Numbers[i]
	if s, ok := c.Written[x]; ok {
		return s
	}
	if math.IsNaN(x) {
		return "NaN"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
