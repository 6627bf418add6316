package csvdata

import (
	"bytes"
	"encoding/binary"
	"math"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/densetrain/densetrain/internal/numscan"
)

// noCode marks a category the schema does not know: all zeros.
const noCode = math.MaxUint32

// block is the most records a worker takes at a time.
const block = 1024

// parseChunk parses c's records into rows base, base+1, … with the first
// workers of r.workers. They take blocks of records in turn from a shared
// counter, so that one slowed down (sharing its core with the reader)
// holds no one up. Which worker parses a row does not change the result:
// category codes carry their worker, and counts are merged by position.
// It returns the error that comes first in the file: no block after one
// with an error is started, and every block before it is finished.
func (r *reader[T]) parseChunk(c *chunk, base, workers int) error {
	buf, starts, ends, lines := c.buf, c.starts, c.ends, c.lines
	// Blocks of up to 1024 records, at least eight per worker: long
	// records (wide files) make few per chunk, and the worker left with
	// the last block would hold the others up.
	bs := min(block, max(16, len(starts)/(8*workers)))
	nb := (len(starts) + bs - 1) / bs
	w := min(workers, nb)
	errs := make([]*ParseError, w)
	var next, stop atomic.Int64
	stop.Store(int64(nb))
	var g errgroup.Group
	for k := range w {
		g.Go(func() error {
			wk := r.workers[k]
			for {
				b := int(next.Add(1) - 1)
				if b >= int(stop.Load()) {
					return nil
				}
				for i := b * bs; i < min((b+1)*bs, len(starts)); i++ {
					if err := r.parseRecord(wk, k, trimCR(buf[starts[i]:ends[i]]), c.quotes, c.line0+int(lines[i]), base+i); err != nil {
						if errs[k] == nil || err.before(errs[k]) {
							errs[k] = err
						}
						for s := stop.Load(); int64(b) < s && !stop.CompareAndSwap(s, int64(b)); s = stop.Load() {
						}
						break
					}
				}
			}
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

// parseRecord parses one record into row, as worker k; quotes says whether
// the chunk holds a quote (the record may).
func (r *reader[T]) parseRecord(wk *worker, k int, rec []byte, quotes bool, line, row int) *ParseError {
	if (!quotes || bytes.IndexByte(rec, '"') < 0) && r.parseSimple(wk, rec, line, row) {
		return nil
	} // else the general path parses it, or finds and reports the problem
	fs, col, err := splitFields(rec, wk.fs[:0], r.sep)
	wk.fs = fs
	if err != nil {
		return r.errAt(line, col, "%v", err)
	}
	if len(fs) != len(r.header) {
		col := len(rec) + 1
		if len(fs) > len(r.header) {
			col = fs[len(r.header)].col
		}
		return r.errAt(line, col, "row has %d fields, the header has %d", len(fs), len(r.header))
	}
	xrow := r.x[row*r.width : (row+1)*r.width]
	for j, f := range fs {
		ro := r.roles[j]
		if ro.kind == skip {
			continue
		}
		v := f.value()
		missing := r.isNA(v)
		switch ro.kind {
		case numeric:
			if missing {
				if r.opt.MissingIsError {
					return &ParseError{File: r.path, Line: line, Column: f.col, Err: &MissingError{Column: ro.name}}
				}
				wk.stats[j].noteMissing(line, f.col)
				xrow[r.idxs[j]] = T(math.NaN())
				continue
			}
			x, err := parseNumber(v)
			switch {
			case err == errNotNumber && r.opt.Schema == nil:
				if e := r.checkUTF8(f, line); e != nil {
					return e
				}
				wk.stats[j].noteOther(line, f.col, v) // text: checkTypes decides
				xrow[r.idxs[j]] = T(math.NaN())
				continue
			case err == errNotNumber:
				return r.hintAt(line, f.col, "%s in column %s is not a number (if it means a missing value, declare it with %s)", Short(v), Quote(ro.name), Hint{Field: "NA"})
			case err != nil:
				return r.nonFinite(line, f.col, v, ro.name, err)
			}
			t := T(x)
			if t-t != 0 { // finite in float64, beyond float32's range
				return r.hintAt(line, f.col, "%s in column %s is beyond the range of float32 (train with %s for a float64 model)", Short(v), Quote(ro.name), Hint{Field: "Float64"})
			}
			xrow[r.idxs[j]] = t
		case date:
			cells := xrow[r.idxs[j]:][:DateColumnWidth(r.dateKinds[j])]
			if missing {
				if r.opt.MissingIsError {
					return &ParseError{File: r.path, Line: line, Column: f.col, Err: &MissingError{Column: ro.name}}
				}
				wk.stats[j].noteMissing(line, f.col)
				nanDate(cells)
				continue
			}
			if !r.putDate(wk, j, cells, v) {
				if r.opt.Schema != nil {
					return r.hintAt(line, f.col, "%s in column %s is not a date (YYYY-MM-DD, with a time: YYYY-MM-DD hh:mm[:ss]; if it means a missing value, declare it with %s)", Short(v), Quote(ro.name), Hint{Field: "NA"})
				}
				if e := r.checkUTF8(f, line); e != nil {
					return e
				}
				wk.stats[j].noteOther(line, f.col, v) // text: checkTypes decides
				nanDate(cells)
			}
		case categorical:
			key := v
			if missing {
				key = nil
				wk.stats[j].noteMissing(line, f.col)
			}
			cat := ro.idx
			c, ok := r.frozen[cat][string(key)]
			if r.known != nil {
				if !ok && r.aliases[cat] != nil {
					c, ok = r.aliases[cat][string(key)]
				}
				if !ok {
					if e := r.checkUTF8(f, line); e != nil {
						return e
					}
					if r.opt.StrictCategories && missing {
						return r.errAt(line, f.col, "a missing value of column %s was not seen in training", Quote(ro.name))
					}
					if r.opt.StrictCategories {
						return r.errAt(line, f.col, "category %s of column %s was not seen in training", Short(key), Quote(ro.name))
					}
					wk.stats[j].noteOther(line, f.col, key)
					c = noCode
				}
			} else {
				if !missing && !r.forced[j] {
					if _, err := parseNumber(v); err == nil {
						wk.stats[j].noteOther(line, f.col, v) // a number: checkTypes decides
					} else if _, ok := ParseDate(v); ok {
						wk.stats[j].dates++ // dates after text: checkTypes decides
					}
				}
				if !ok { // a category the layout lacks: coded apart
					var err *ParseError
					if c, err = r.lateCode(wk, k, cat, key, f, line); err != nil {
						return err
					}
				}
			}
			r.codes[cat][row] = c
			if ok {
				xrow[r.catOff[cat]+int32(c)] = 1
			}
		case target:
			if missing {
				r.skipRow[row] = true
				wk.stats[j].noteMissing(line, f.col)
				continue
			}
			x, err := parseNumber(v)
			if err == errNonFinite {
				return r.nonFinite(line, f.col, v, ro.name, err)
			}
			if !utf8.Valid(v) {
				return r.checkUTF8(f, line)
			}
			switch {
			case r.tgtText[ro.idx]:
				r.tgts[ro.idx][row] = wk.text(v)
			case err != nil: // text after all: read again as text (checkTypes)
				wk.stats[j].noteOther(line, f.col, v)
				r.tnum[ro.idx][row] = math.NaN()
			default:
				r.tnum[ro.idx][row] = x
				wk.noteWritten(ro.idx, x, v, row)
			}
		}
	}
	return nil
}

// lateCode returns the code of a category that the layout lacks, as
// worker k: after the layout's categories, its index in the worker's
// dictionary (which it may join) and the worker.
func (r *reader[T]) lateCode(wk *worker, k, cat int, key []byte, f field, line int) (uint32, *ParseError) {
	d := &wk.dicts[cat]
	c, ok := d.index[string(key)]
	if !ok {
		if e := r.checkUTF8(f, line); e != nil {
			return 0, e
		}
		if len(r.frozenList[cat])+len(d.values) >= r.opt.MaxCategories {
			name := r.roles[r.catCols[cat]].name
			return 0, r.hintAt(line, f.col, "column %s has more than %d distinct values: an identifier? Leave it out with %s (or raise %s)",
				Quote(name), r.opt.MaxCategories, r.columnHint("Ignore", r.catCols[cat]), Hint{Field: "MaxCategories"})
		}
		c = uint32(len(d.values))
		s := string(key)
		d.index[s] = c
		d.values = append(d.values, s)
	}
	return uint32(len(r.frozenList[cat])) + c*uint32(len(r.workers)) + uint32(k), nil
}

// parseSimple parses a record without quotes straight from its bytes:
// numbers in one pass (runs of them by numscan's vector kernels, the rest
// by scanNumber, or fastNumber for exponents), an empty
// field as missing, categories of the layout looked up without
// allocating. It reports false, leaving the row to the general path (which
// may have to undo nothing: it writes every cell again), on anything
// unusual: a wrong field count, a value that is not a plain number, a new
// or unknown category, a text that looks numeric, an NA token, a missing
// target, more than a few missing cells.
func (r *reader[T]) parseSimple(wk *worker, rec []byte, line, row int) bool {
	xrow := r.x[row*r.width : (row+1)*r.width]
	kinds, idxs := r.kinds, r.idxs[:len(r.kinds)]
	sep := r.sep
	zeros := !r.naNumeric // "0" may be an NA token
	i, n := 0, len(kinds)
	var missing, missingAt [8]int // the first few missing cells: counted once the row is done
	nMissing := 0
	zrun := r.zrun[:n]
	zero4 := (uint64('0') | uint64(sep)<<8) * 0x0001_0001_0001_0001 // "0,0,0,0,"
	wide := useNumscan && zeros                                     // no number is an NA token
	for j := 0; j < n; j++ {
		kind := kinds[j]
		start := i
		switch kind {
		case numeric:
			idx := idxs[j]
			if wide && zrun[j] > 1 { // a run of numbers: the vector kernel first
				// It reads 32 bytes at a time: let it see the chunk's bytes
				// after the record, which cannot join a field it takes
				// (each is followed by sep; the record's last is not asked).
				if m, next := numscan.Scan(xrow[idx:idx+zrun[j]], rec[:min(cap(rec), len(rec)+32)], i, sep); m > 0 {
					j, i = j+m-1, next-1 // at the last one's separator
					break
				}
			}
			switch {
			case zeros && j < n-1 && i+1 < len(rec) && rec[i] == '0' && rec[i+1] == sep: // common: sparse data
				// A run of zeros: four cells per 8-byte load while the
				// next four are zeros too.
				for zrun[j] >= 5 && i+10 <= len(rec) && binary.LittleEndian.Uint64(rec[i+2:]) == zero4 {
					x := xrow[idx:][:4]
					x[0], x[1], x[2], x[3] = 0, 0, 0, 0
					i, j, idx = i+8, j+4, idx+4
				}
				xrow[idx] = 0
				i++
			case i == len(rec) || rec[i] == sep: // empty: missing
				if r.opt.MissingIsError || nMissing == len(missing) {
					return false
				}
				xrow[idx] = T(math.NaN())
				missing[nMissing], missingAt[nMissing] = j, start
				nMissing++
			default:
				x, end, ok := scanNumber(rec, i, sep)
				if !ok {
					end = fieldEnd(rec, i, sep)
					if x, ok = fastNumber(rec[i:end]); !ok {
						return false
					}
				}
				if r.naNumeric && r.na[string(rec[i:end])] {
					return false
				}
				xrow[idx] = T(x)
				i = end
			}
		case date:
			i = fieldEnd(rec, start, sep)
			v := rec[start:i]
			if len(v) == 0 || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' || v[0] == ' ' || v[0] == '\t' ||
				!r.putDate(wk, j, xrow[idxs[j]:][:DateColumnWidth(r.dateKinds[j])], v) {
				return false // missing, padded or not a date: the general path
			}
		case categorical:
			i = fieldEnd(rec, start, sep)
			v := rec[start:i]
			empty := len(v) == 0
			if empty && nMissing == len(missing) ||
				!empty && (v[0] <= '9' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' || r.isNA(v)) {
				return false // maybe a number, spaces or an NA token: the general path
			}
			cat := idxs[j]
			c, ok := r.catIdx[cat].lookup(v)
			if !ok {
				return false
			}
			r.codes[cat][row] = c
			xrow[r.catOff[cat]+int32(c)] = 1
			if empty {
				missing[nMissing], missingAt[nMissing] = j, start
				nMissing++
			}
		default:
			i = fieldEnd(rec, start, sep)
			if kind == target {
				v := trimSpace(rec[start:i])
				if r.isNA(v) || maybeNonFinite(v) || !utf8.Valid(v) { // the general path handles these
					return false
				}
				if t := idxs[j]; r.tgtText[t] {
					r.tgts[t][row] = wk.text(v)
				} else {
					x, err := parseNumber(v)
					if err != nil {
						return false
					}
					r.tnum[t][row] = x
					wk.noteWritten(int(t), x, v, row)
				}
			}
		}
		if j < n-1 {
			if i >= len(rec) || rec[i] != sep {
				return false
			}
			i++
		}
	}
	if i != len(rec) {
		return false
	}
	for m, j := range missing[:nMissing] {
		wk.stats[j].noteMissing(line, missingAt[m]+1)
	}
	return true
}

// fieldEnd returns the offset of the separator ending the field at start,
// or len(rec).
func fieldEnd(rec []byte, start int, sep byte) int {
	if k := bytes.IndexByte(rec[start:], sep); k >= 0 {
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

// nonFinite is the error of a value v of column name that parseNumber
// refused with err (errNonFinite): a number beyond float64's range, or an
// infinity written as a word ("inf"), which may be a missing-value token.
func (r *reader[T]) nonFinite(line, col int, v []byte, name string, err error) *ParseError {
	if bytes.ContainsAny(v, "0123456789") || len(v) > MaxQuoted {
		return r.errAt(line, col, "%s in column %s: %v", Short(v), Quote(name), err)
	}
	return r.hintAt(line, col, "%s in column %s: %v (if it means a missing value, declare it with %s)", Short(v), Quote(name), err, Hint{Field: "NA", Value: string(v)})
}
