package csvdata

import (
	"unicode/utf8"
	"unsafe"
)

// worker is one parsing goroutine's state, kept across chunks: its field
// buffer, its dictionaries of categories (while they are learnt) and its
// counts of cells that matter for type inference and reports.
type worker struct {
	fs    []field
	dicts []dict     // per categorical column, when learning
	stats []colStats // per file column
	arena []byte     // the bytes of the target values' strings
	// written holds per target how its numbers were first written (see
	// noteWritten); writtenFull says there were too many to keep.
	written     []map[float64]writtenAt
	writtenFull []bool
}

// text returns b as a string whose bytes live in the worker's arena: one
// allocation per block of values rather than one per value. A full block
// is left to the strings that point into it.
func (w *worker) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(w.arena)-len(w.arena) {
		w.arena = make([]byte, 0, max(len(b), 64<<10))
	}
	off := len(w.arena)
	w.arena = append(w.arena, b...)
	return unsafe.String(&w.arena[off], len(b))
}

// dict numbers the distinct values of one categorical column as one
// worker meets them.
type dict struct {
	index  map[string]uint32
	values []string
}

// colStats counts a column's cells: missing ones, and "other" ones —
// text in a numeric column, numbers in a categorical one, or categories
// unknown to the schema — with the first of each.
type colStats struct {
	missing, other     int
	firstMissing, oth1 cellAt
	timed              bool // a date column: a value was written with a time of day
	dates              int  // an inferred categorical column: its values that are dates
}

// cellAt is a cell's position and value; line 0 when there is none.
type cellAt struct {
	line, col int
	value     string
}

func newWorker(cols, cats, targets int, learning bool) *worker {
	w := &worker{stats: make([]colStats, cols), written: make([]map[float64]writtenAt, targets), writtenFull: make([]bool, targets)}
	if learning {
		w.dicts = make([]dict, cats)
		for i := range w.dicts {
			w.dicts[i].index = map[string]uint32{}
		}
	}
	return w
}

// noteMissing counts a missing cell.
func (s *colStats) noteMissing(line, col int) {
	if s.missing == 0 {
		s.firstMissing = cellAt{line: line, col: col}
	}
	s.missing++
}

// noteOther counts an "other" cell.
func (s *colStats) noteOther(line, col int, v []byte) {
	if s.other == 0 {
		s.oth1 = cellAt{line: line, col: col, value: string(v)}
	}
	s.other++
}

// earlier returns whichever of a and b comes first in the file.
func earlier(a, b cellAt) cellAt {
	if a.line == 0 || b.line != 0 && (b.line < a.line || b.line == a.line && b.col < a.col) {
		return b
	}
	return a
}

// merged sums column j's counts over the workers.
func merged(ws []*worker, j int) colStats {
	var s colStats
	for _, w := range ws {
		o := w.stats[j]
		s.missing += o.missing
		s.other += o.other
		s.firstMissing = earlier(s.firstMissing, o.firstMissing)
		s.oth1 = earlier(s.oth1, o.oth1)
		s.timed = s.timed || o.timed
		s.dates += o.dates
	}
	return s
}

// checkUTF8 reports a field whose bytes are not UTF-8 at the first bad byte.
func (r *reader[T]) checkUTF8(f field, line int) *ParseError {
	if utf8.Valid(f.b) {
		return nil
	}
	off := 0
	for off < len(f.b) {
		c, size := utf8.DecodeRune(f.b[off:])
		if c == utf8.RuneError && size <= 1 {
			break
		}
		off += size
	}
	col := f.col + off
	if f.quoted {
		col++
	}
	return r.errAt(line, col, "byte 0x%02X is not UTF-8 text: convert the file to UTF-8 (for example with iconv -f latin1 -t utf-8)", f.b[off])
}
