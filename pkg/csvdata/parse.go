package csvdata

import (
	"bytes"

	"golang.org/x/sync/errgroup"
)

// parseChunk parses records into rows base, base+1, …, split into one
// contiguous range per worker. It returns the error that comes first in
// the file.
func (r *reader[T]) parseChunk(buf []byte, starts, ends, lines []int, base int, cols [][]field, known []map[string]int) error {
	w := min(r.opt.Workers, len(starts))
	errs := make([]*ParseError, w)
	var g errgroup.Group
	for k := range w {
		lo, hi := k*len(starts)/w, (k+1)*len(starts)/w
		g.Go(func() error {
			for i := lo; i < hi; i++ {
				r.lines[base+i] = int32(lines[i])
				var err *ParseError
				if cols[k], err = r.parseRecord(trimCR(buf[starts[i]:ends[i]]), lines[i], base+i, cols[k][:0], known); err != nil {
					errs[k] = err
					return nil
				}
			}
			return nil
		})
	}
	_ = g.Wait()
	var first *ParseError
	for _, e := range errs {
		if e != nil && e.before(first) {
			first = e
		}
	}
	if first != nil {
		return first
	}
	return nil
}

// parseRecord parses one record into row.
func (r *reader[T]) parseRecord(rec []byte, line, row int, fs []field, known []map[string]int) ([]field, *ParseError) {
	if bytes.IndexByte(rec, '"') < 0 && r.nCat == 0 {
		if ok := r.parseSimple(rec, row); ok {
			return fs, nil
		}
		// Fall through: the general path finds and reports the problem.
	}
	fs, col, err := splitFields(rec, fs)
	if err != nil {
		return fs, r.errAt(line, col, "%v", err)
	}
	if len(fs) != len(r.header) {
		col := len(rec) + 1
		if len(fs) > len(r.header) {
			col = fs[len(r.header)].col
		}
		return fs, r.errAt(line, col, "row has %d fields, the header has %d", len(fs), len(r.header))
	}
	xrow := r.x[row*r.width : (row+1)*r.width]
	for j, f := range fs {
		ro := r.roles[j]
		if ro.kind == skip {
			continue
		}
		v := f.value()
		if len(v) == 0 {
			return fs, r.errAt(line, f.col, "empty value in column %q", ro.name)
		}
		switch ro.kind {
		case numeric:
			x, err := parseNumber(v)
			if err == errNotNumber && r.opt.Schema == nil {
				r.switched[j].Store(true) // a text column after all: parse again
				continue
			}
			if err == errNotNumber {
				return fs, r.errAt(line, f.col, "%q in column %q is not a number", v, ro.name)
			}
			if err != nil {
				return fs, r.errAt(line, f.col, "%q in column %q: %v", v, ro.name, err)
			}
			t := T(x)
			if t-t != 0 { // finite in float64, beyond float32's range
				return fs, r.errAt(line, f.col, "%q in column %q is beyond the range of float32 (use --precision f64)", v, ro.name)
			}
			xrow[ro.idx] = t
		case categorical:
			if known != nil {
				if _, ok := known[ro.idx][string(v)]; !ok {
					return fs, r.errAt(line, f.col, "category %q of column %q was not seen in training", v, ro.name)
				}
			}
			r.cats[ro.idx][row] = string(v)
		case target:
			if _, err := parseNumber(v); err == errNonFinite {
				return fs, r.errAt(line, f.col, "%q in column %q: %v", v, ro.name, err)
			}
			r.tgts[ro.idx][row] = string(v)
		}
	}
	return fs, nil
}

// parseSimple parses a record without quotes whose fields are all numbers
// or targets, straight from its bytes: unsigned integers of up to 15 digits
// are converted while the field is scanned, other numbers go through
// fastNumber. It reports false, leaving the row to the general path, on
// anything unusual: a wrong field count, an empty field, a value that is
// not a plain number.
func (r *reader[T]) parseSimple(rec []byte, row int) bool {
	xrow := r.x[row*r.width : (row+1)*r.width]
	kinds, idxs := r.kinds, r.idxs[:len(r.kinds)]
	i, n := 0, len(kinds)
	for j, kind := range kinds {
		start := i
		if kind == numeric {
			if j < n-1 && i+1 < len(rec) && rec[i] == '0' && rec[i+1] == ',' { // zeros are common: sparse data
				xrow[idxs[j]] = 0
				i += 2
				continue
			}
			var mant uint64
			for i < len(rec) {
				c := rec[i]
				if c < '0' || c > '9' {
					break
				}
				mant = mant*10 + uint64(c-'0')
				i++
			}
			idx := idxs[j]
			if digits := i - start; digits > 0 && digits <= 15 && (i == len(rec) || rec[i] == ',') {
				xrow[idx] = T(mant)
			} else {
				i = fieldEnd(rec, start)
				x, ok := fastNumber(rec[start:i])
				if !ok {
					return false
				}
				xrow[idx] = T(x)
			}
		} else {
			i = fieldEnd(rec, start)
			if kind == target {
				v := bytes.Trim(rec[start:i], " \t")
				if len(v) == 0 || maybeNonFinite(v) { // the general path reports these
					return false
				}
				r.tgts[idxs[j]][row] = string(v)
			}
		}
		if j < n-1 {
			if i >= len(rec) || rec[i] != ',' {
				return false
			}
			i++
		}
	}
	return i == len(rec)
}

// fieldEnd returns the offset of the comma ending the field at start, or
// len(rec).
func fieldEnd(rec []byte, start int) int {
	if k := bytes.IndexByte(rec[start:], ','); k >= 0 {
		return start + k
	}
	return len(rec)
}

// maybeNonFinite reports whether v might spell NaN or Inf.
func maybeNonFinite(v []byte) bool {
	c := v[0]
	if (c == '+' || c == '-') && len(v) > 1 {
		c = v[1]
	}
	return c == 'n' || c == 'N' || c == 'i' || c == 'I'
}
