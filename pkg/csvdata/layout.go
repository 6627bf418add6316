package csvdata

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
)

// The matrix is written in its final, one-hot layout as the records are
// parsed: a numeric column at its matrix column, a categorical one as a
// block of one matrix column per category, where the parser sets a 1.
// Under a schema the categories are known before the first record; when
// they are learnt, they are fixed from the first chunk's records (read
// once more for them, in parallel) before it is parsed. A category met
// only later is coded apart (per worker, as before); if any is, the
// layout changes and finish moves the rows to the final one (relayout).
// Most files show every category in their first chunk: then the matrix
// needs no second copy and no final pass.

// setLayout places the feature columns in a row, in schema order, the
// categorical ones with the categories of frozen (per categorical column,
// category → index).
func (r *reader[T]) setLayout(frozen []map[string]uint32) {
	r.frozen, r.laidOut = frozen, true
	r.catIdx = make([]catIndex, len(frozen))
	for c, m := range frozen {
		r.catIdx[c] = newCatIndex(m)
	}
	r.catOff = make([]int32, r.nCat)
	off := int32(0)
	for _, j := range r.featCols {
		switch r.kinds[j] {
		case numeric:
			r.idxs[j] = off
			off++
		case categorical:
			c := r.idxs[j]
			r.catOff[c] = off
			off += int32(max(len(frozen[c]), 1))
		case date:
			r.idxs[j] = off
			off += int32(DateColumnWidth(r.dateKinds[j]))
		}
	}
	r.width = int(off)
	// zrun[j] counts the numeric columns from j on that lie in
	// consecutive matrix columns, the last file column excluded.
	r.zrun = make([]int32, len(r.kinds))
	for j := len(r.kinds) - 2; j >= 0; j-- {
		if r.kinds[j] == numeric {
			r.zrun[j] = 1
			if r.kinds[j+1] == numeric && r.idxs[j+1] == r.idxs[j]+1 {
				r.zrun[j] += r.zrun[j+1]
			}
		}
	}
}

// firstLayout learns the categories of the first chunk's records and
// lays the row out with them. Records that do not split (errors found
// when they are parsed) and values that are not UTF-8 are passed over;
// a column keeps at most MaxCategories. If the one-hot width would pass
// MaxColumns, no category is fixed: finish then reports the width, as it
// would have after reading every record.
func (r *reader[T]) firstLayout(c *chunk) {
	w := max(min(len(r.workers), len(c.starts)/block), 1)
	parts := make([][]map[string]bool, w)
	var g errgroup.Group
	for k := range w {
		g.Go(func() error {
			sets := make([]map[string]bool, r.nCat)
			for i := range sets {
				sets[i] = map[string]bool{}
			}
			var fs []field
			for i := k * len(c.starts) / w; i < (k+1)*len(c.starts)/w; i++ {
				var err error
				fs, _, err = splitFields(trimCR(c.buf[c.starts[i]:c.ends[i]]), fs[:0], r.sep)
				if err != nil || len(fs) != len(r.header) {
					continue
				}
				for cat, j := range r.catCols {
					v := fs[j].value()
					if r.isNA(v) {
						v = nil
					}
					if !sets[cat][string(v)] && len(sets[cat]) < r.opt.MaxCategories && utf8.Valid(v) {
						sets[cat][string(v)] = true
					}
				}
			}
			parts[k] = sets
			return nil
		})
	}
	_ = g.Wait()
	lists := make([][]string, r.nCat)
	width := r.width
	for cat := range lists {
		for _, sets := range parts {
			for v := range sets[cat] {
				lists[cat] = append(lists[cat], v)
			}
		}
		slices.Sort(lists[cat])
		lists[cat] = slices.Compact(lists[cat])
		lists[cat] = lists[cat][:min(len(lists[cat]), r.opt.MaxCategories)]
		width += len(lists[cat])
	}
	if width > r.opt.MaxColumns {
		lists = make([][]string, r.nCat)
	}
	r.frozenList = lists
	frozen := make([]map[string]uint32, r.nCat)
	for cat, l := range lists {
		frozen[cat] = make(map[string]uint32, len(l))
		for i, v := range l {
			frozen[cat][v] = uint32(i)
		}
	}
	r.setLayout(frozen)
}

// late reports whether a category was met that the layout lacks.
func (r *reader[T]) late() bool {
	for _, w := range r.workers {
		for _, d := range w.dicts {
			if len(d.values) > 0 {
				return true
			}
		}
	}
	return false
}

// relayout builds the matrix of the final schema s from the parsed rows,
// when categories were met that the layout lacked: numeric values move to
// their columns, and each category's 1 is set anew from its code, through
// remap (per categorical column: the new index of each frozen category,
// then of each worker's later ones).
func (r *reader[T]) relayout(rows int, s Schema, remap [][][]uint32) []T {
	w, nw := s.Width(), uint32(len(r.workers))
	out := make([]T, rows*w)
	prefault(out, len(r.workers))
	var srcOff, dstOff []int32 // numeric and date columns
	catOff := make([]int, r.nCat)
	off := 0
	for i, j := range r.featCols {
		switch r.kinds[j] {
		case numeric:
			srcOff, dstOff = append(srcOff, r.idxs[j]), append(dstOff, int32(off))
		case date: // its matrix columns, one by one
			for k := range int32(s.Features[i].Width()) {
				srcOff, dstOff = append(srcOff, r.idxs[j]+k), append(dstOff, int32(off)+k)
			}
		default:
			catOff[r.idxs[j]] = off
		}
		off += s.Features[i].Width()
	}
	var g errgroup.Group
	for k := range len(r.workers) {
		lo, hi := k*rows/len(r.workers), (k+1)*rows/len(r.workers)
		g.Go(func() error {
			for row := lo; row < hi; row++ {
				dst, src := out[row*w:(row+1)*w], r.x[row*r.width:(row+1)*r.width]
				for i, o := range srcOff {
					dst[dstOff[i]] = src[o]
				}
				for cat, codes := range r.codes {
					code, nf := codes[row], uint32(len(r.frozenList[cat]))
					if code < nf {
						code = remap[cat][0][code]
					} else {
						code -= nf
						code = remap[cat][1+code%nw][code/nw]
					}
					dst[catOff[cat]+int(code)] = 1
				}
			}
			return nil
		})
	}
	_ = g.Wait()
	return out
}

// catIndex finds the index of a layout category from the value's bytes
// without hashing a string: open addressing on its first eight bytes and
// its length, the rest compared only for longer values. (Three lookups a
// row through a map[string]uint32 cost more than the rest of the row's
// text columns.)
type catIndex struct {
	slots []catSlot
	shift uint
}

type catSlot struct {
	head  uint64 // the first eight bytes, zero-padded
	n     int32  // the length + 1; 0 for an empty slot
	code  uint32
	value string
}

// newCatIndex indexes the categories of m (category → index).
func newCatIndex(m map[string]uint32) catIndex {
	bits := uint(1)
	for 1<<bits < 2*len(m)+2 {
		bits++
	}
	x := catIndex{slots: make([]catSlot, 1<<bits), shift: 64 - bits}
	for v, code := range m {
		b := []byte(v)
		h, head := x.hash(b)
		for x.slots[h].n != 0 {
			h = (h + 1) & (len(x.slots) - 1)
		}
		x.slots[h] = catSlot{head: head, n: int32(len(b) + 1), code: code, value: v}
	}
	return x
}

// hash returns v's first slot and head.
func (x *catIndex) hash(v []byte) (int, uint64) {
	var head uint64
	switch {
	case len(v) >= 8:
		head = binary.LittleEndian.Uint64(v)
	case cap(v) >= 8: // a field in a chunk: load past it, keep its bytes
		head = binary.LittleEndian.Uint64(v[:8]) & (1<<(8*len(v)) - 1)
	default:
		for i, c := range v {
			head |= uint64(c) << (8 * i)
		}
	}
	return int(((head ^ uint64(len(v))<<59) * 0x9E3779B97F4A7C15) >> x.shift), head
}

// lookup returns the index of the category v, if the layout has it.
func (x *catIndex) lookup(v []byte) (uint32, bool) {
	h, head := x.hash(v)
	for {
		s := &x.slots[h]
		if s.n == 0 {
			return 0, false
		}
		if s.head == head && int(s.n) == len(v)+1 && (len(v) <= 8 || s.value == string(v)) {
			return s.code, true
		}
		h = (h + 1) & (len(x.slots) - 1)
	}
}

// knownCategories returns, per categorical column of a schema, its
// categories' indices and (nil when none) the trimmed values of its padded
// categories: a model from before quoted cells were trimmed may hold one,
// and the trimmed cell is that category.
func knownCategories(schema Schema) (known, aliases []map[string]uint32) {
	for _, fc := range schema.Features {
		if fc.Categories == nil {
			continue
		}
		m := make(map[string]uint32, len(fc.Categories))
		for i, c := range fc.Categories {
			m[c] = uint32(i)
		}
		known, aliases = append(known, m), append(aliases, PaddedCategories(fc.Categories))
	}
	return known, aliases
}

// PaddedCategories maps the trimmed value of each category with
// surrounding spaces or tabs to its index, unless that value is a
// category itself (the first padded one wins); nil when there are none.
// Cells are trimmed, so only a model from before quoted cells were
// trimmed holds such a category, and the trimmed cell means it.
func PaddedCategories(categories []string) map[string]uint32 {
	var alias map[string]uint32
	for i, c := range categories {
		t := strings.Trim(c, " \t")
		if t == c {
			continue
		}
		if _, own := slices.BinarySearch(categories, t); own {
			continue
		}
		if _, seen := alias[t]; !seen {
			if alias == nil {
				alias = map[string]uint32{}
			}
			alias[t] = uint32(i)
		}
	}
	return alias
}
