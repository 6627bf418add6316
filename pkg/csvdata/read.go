package csvdata

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/densetrain/densetrain/pkg/nn"
	"golang.org/x/sync/errgroup"
)

// Options configures Read. The zero value takes the last column as the
// target and infers the features from the file.
type Options struct {
	// Targets names the target columns by header name, or by 0-based index
	// (negative counts from the end). Default: the last column.
	Targets []string
	// NoTargets reads features only; with a Schema, target columns that are
	// present are skipped (for prediction).
	NoTargets bool
	// Schema, when set, fixes the feature columns and their categories, as
	// learnt from training data: other columns are skipped and an unknown
	// category is an error.
	Schema *Schema
	// Workers parse in parallel (default GOMAXPROCS).
	Workers int
	// ChunkBytes is the read size (default 8 MiB); MaxRecordBytes bounds one
	// record (default 64 MiB).
	ChunkBytes, MaxRecordBytes int
}

// Schema lists the feature columns in matrix order.
type Schema struct {
	Features []FeatureColumn `json:"features"`
}

// FeatureColumn is one input column used as a feature: numeric (one matrix
// column) or categorical (one-hot: one matrix column per category).
type FeatureColumn struct {
	Name       string   `json:"name"`
	Categories []string `json:"categories,omitempty"`
}

// Width returns the number of matrix columns of the schema.
func (s Schema) Width() int {
	w := 0
	for _, f := range s.Features {
		w += max(len(f.Categories), 1)
	}
	return w
}

// Names returns the matrix column names: the column name, or
// "name=category" for one-hot columns.
func (s Schema) Names() []string {
	var n []string
	for _, f := range s.Features {
		if f.Categories == nil {
			n = append(n, f.Name)
		}
		for _, c := range f.Categories {
			n = append(n, f.Name+"="+c)
		}
	}
	return n
}

// Column is a target column. Strings holds every value as written;
// Numbers holds them as numbers too when every value is one, and is nil
// otherwise, with FirstText the first row that is not a number (-1 when
// all are).
type Column struct {
	Name      string
	Numbers   []float64
	Strings   []string
	FirstText int
}

// Table is a parsed CSV file.
type Table[T nn.Float] struct {
	Header  []string     // the file's column names
	X       nn.Matrix[T] // features, one row per record
	Schema  Schema       // the feature columns, in X's order
	Targets []Column
	Lines   []int32 // the file line of each row, for messages
}

// role is what a file column is for.
type role struct {
	kind int // skip, numeric, categorical or target
	idx  int // matrix column, categorical index or target index
	name string
}

const (
	skip = iota
	numeric
	categorical
	target
)

// Read parses the CSV file at path. Errors are *ParseError values naming
// the file, line and column, except I/O errors.
func Read[T nn.Float](path string, opt Options) (*Table[T], error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.ChunkBytes <= 0 {
		opt.ChunkBytes = 8 << 20
	}
	if opt.MaxRecordBytes <= 0 {
		opt.MaxRecordBytes = 64 << 20
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := &reader[T]{path: path, opt: opt, f: f}
	return r.read()
}

type reader[T nn.Float] struct {
	path string
	opt  Options
	f    *os.File

	header  []string
	roles   []role
	kinds   []uint8 // roles[j].kind, compact for the hot loop
	idxs    []int32 // roles[j].idx
	schema  Schema
	width   int // numeric matrix width during parsing
	nTarget int
	nCat    int
	x       []T
	cats    [][]string // per categorical column, per row
	tgts    [][]string // per target column, per row
	lines   []int32    // per row

	// Without a schema, a column is categorical when any of its values is
	// not a number. A numeric column that meets text is marked in switched
	// and the file is parsed again with it in forceCat.
	switched []atomic.Bool
	forceCat map[int]bool
}

func (r *reader[T]) errAt(line, col int, format string, args ...any) *ParseError {
	return &ParseError{File: r.path, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

func (r *reader[T]) read() (*Table[T], error) {
	upper, err := r.countLines()
	if err != nil {
		return nil, err
	}
	dataOff, dataLine, first, err := r.readHeader()
	if err != nil {
		return nil, err
	}
	for {
		if err := r.plan(first); err != nil {
			return nil, err
		}
		r.x = make([]T, upper*r.width)
		r.lines = make([]int32, upper)
		r.cats = make([][]string, r.nCat)
		for i := range r.cats {
			r.cats[i] = make([]string, upper)
		}
		r.tgts = make([][]string, r.nTarget)
		for i := range r.tgts {
			r.tgts[i] = make([]string, upper)
		}
		r.switched = make([]atomic.Bool, len(r.header))
		rows, err := r.parse(dataOff, dataLine)
		if err != nil {
			return nil, err
		}
		if rows == 0 {
			return nil, r.errAt(dataLine, 0, "no data rows after the header")
		}
		again := false
		for j := range r.switched {
			if r.switched[j].Load() {
				if r.forceCat == nil {
					r.forceCat = map[int]bool{}
				}
				r.forceCat[j], again = true, true
			}
		}
		if !again {
			return r.finish(rows)
		}
	}
}

// countLines returns an upper bound on the number of records: the number
// of line ends, plus one for a last line without one.
func (r *reader[T]) countLines() (int, error) {
	buf := make([]byte, r.opt.ChunkBytes)
	n, last := 0, byte('\n')
	for {
		k, err := r.f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if k > 0 {
			last = buf[k-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		n++
	}
	if n == 0 {
		return 0, r.errAt(1, 0, "empty file: no header line")
	}
	_, err := r.f.Seek(0, io.SeekStart)
	return n, err
}

// readHeader reads the header record and the first data record (if any):
// it returns the file offset and line number where the data starts, and
// the first data record's fields.
func (r *reader[T]) readHeader() (int64, int, []field, error) {
	buf := make([]byte, 0, min(r.opt.ChunkBytes, 1<<20))
	eof := false
	for {
		bom := 0
		if bytes.HasPrefix(buf, []byte("\xEF\xBB\xBF")) {
			bom = 3
		}
		starts, ends, lines, _, _ := records(buf[bom:], 1, eof, nil, nil, nil)
		if len(starts) >= 2 || eof {
			if len(starts) == 0 {
				return 0, 0, nil, r.errAt(1, 0, "empty file: no header line")
			}
			head := trimCR(buf[bom+starts[0] : bom+ends[0]])
			hf, col, err := splitFields(head, nil)
			if err != nil {
				return 0, 0, nil, r.errAt(lines[0], col, "%v", err)
			}
			r.header = make([]string, len(hf))
			for i, f := range hf {
				r.header[i] = string(f.value())
			}
			if len(starts) < 2 {
				return int64(len(buf)), lines[0] + 1, nil, nil
			}
			first, col, err := splitFields(trimCR(buf[bom+starts[1]:bom+ends[1]]), nil)
			if err != nil {
				return 0, 0, nil, r.errAt(lines[1], col, "%v", err)
			}
			return int64(bom + starts[1]), lines[1], first, nil
		}
		if len(buf) >= r.opt.MaxRecordBytes {
			return 0, 0, nil, r.errAt(1, 0, "the header and first row are longer than %d bytes", r.opt.MaxRecordBytes)
		}
		k, err := r.f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			eof = true
		} else if err != nil {
			return 0, 0, nil, err
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, cap(buf))
		}
	}
}

// plan decides each column's role and the matrix layout.
func (r *reader[T]) plan(first []field) error {
	r.roles, r.schema, r.width, r.nCat, r.nTarget = nil, Schema{}, 0, 0, 0
	seen := make(map[string]int, len(r.header))
	for i, h := range r.header {
		if h == "" {
			return r.errAt(1, 0, "column %d has an empty name", i+1)
		}
		if j, dup := seen[h]; dup {
			return r.errAt(1, 0, "duplicate column name %q (columns %d and %d)", h, j+1, i+1)
		}
		seen[h] = i
	}
	r.roles = make([]role, len(r.header))
	if !r.opt.NoTargets {
		names := r.opt.Targets
		if len(names) == 0 {
			names = []string{strconv.Itoa(len(r.header) - 1)}
		}
		for t, name := range names {
			i, ok := seen[name]
			if !ok {
				k, err := strconv.Atoi(name)
				if err != nil || k < -len(r.header) || k >= len(r.header) {
					return r.errAt(1, 0, "target column %q not found (columns: %s)", name, strings.Join(r.header, ", "))
				}
				i = (k + len(r.header)) % len(r.header)
			}
			if r.roles[i].kind == target {
				return r.errAt(1, 0, "target column %q given twice", r.header[i])
			}
			r.roles[i] = role{kind: target, idx: t, name: r.header[i]}
		}
		r.nTarget = len(names)
	}
	if s := r.opt.Schema; s != nil {
		r.schema = *s
	} else {
		for i, h := range r.header {
			if r.roles[i].kind == target {
				continue
			}
			fc := FeatureColumn{Name: h}
			if r.forceCat[i] {
				fc.Categories = []string{}
			} else if first != nil && i < len(first) {
				if _, err := parseNumber(first[i].value()); err == errNotNumber && len(first[i].value()) > 0 {
					fc.Categories = []string{} // categorical; filled in by finish
				}
			}
			r.schema.Features = append(r.schema.Features, fc)
		}
	}
	defer func() {
		r.kinds, r.idxs = make([]uint8, len(r.roles)), make([]int32, len(r.roles))
		for j, ro := range r.roles {
			r.kinds[j], r.idxs[j] = uint8(ro.kind), int32(ro.idx)
		}
	}()
	for _, fc := range r.schema.Features {
		i, ok := seen[fc.Name]
		if !ok {
			return r.errAt(1, 0, "column %q, a feature of the model, is missing", fc.Name)
		}
		if r.roles[i].kind == target {
			return r.errAt(1, 0, "column %q is both a feature and a target", fc.Name)
		}
		if fc.Categories != nil {
			r.roles[i] = role{kind: categorical, idx: r.nCat, name: fc.Name}
			r.nCat++
		} else {
			r.roles[i] = role{kind: numeric, idx: r.width, name: fc.Name}
			r.width++
		}
	}
	return nil
}

// parse reads the data records from offset off (line line on) into the
// matrix and string columns, chunk by chunk, each chunk's records split
// among the workers. It returns the number of rows.
func (r *reader[T]) parse(off int64, line int) (int, error) {
	if _, err := r.f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	buf := make([]byte, r.opt.ChunkBytes)
	var starts, ends, lines []int
	carry, rows := 0, 0
	cols := make([][]field, r.opt.Workers) // per-worker field buffers
	known := r.categoryIndex()
	for eof := false; !eof; {
		k, err := io.ReadFull(r.f, buf[carry:])
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			eof = true
		case err != nil:
			return 0, err
		}
		n := carry + k
		var done, nextLine int
		starts, ends, lines, done, nextLine = records(buf[:n], line, eof, starts[:0], ends[:0], lines[:0])
		if len(starts) == 0 && !eof {
			if n >= r.opt.MaxRecordBytes {
				return 0, r.errAt(line, 0, "a row is longer than %d bytes", r.opt.MaxRecordBytes)
			}
			buf = append(buf[:n], make([]byte, len(buf))...) // one record spans the chunk: grow
			carry = n
			continue
		}
		if rows+len(starts) > len(r.x)/max(r.width, 1) && r.width > 0 {
			return 0, r.errAt(line, 0, "more rows than lines: the file changed while being read")
		}
		if err := r.parseChunk(buf, starts, ends, lines, rows, cols, known); err != nil {
			return 0, err
		}
		rows += len(starts)
		carry = copy(buf, buf[done:n])
		line = nextLine
	}
	return rows, nil
}

// categoryIndex maps each categorical column's known categories (from a
// schema) to their index; nil when categories are learnt from the data.
func (r *reader[T]) categoryIndex() []map[string]int {
	if r.opt.Schema == nil {
		return nil
	}
	var idx []map[string]int
	for _, fc := range r.schema.Features {
		if fc.Categories == nil {
			continue
		}
		m := make(map[string]int, len(fc.Categories))
		for i, c := range fc.Categories {
			m[c] = i
		}
		idx = append(idx, m)
	}
	return idx
}

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
			xrow[ro.idx] = T(x)
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
		x = r.expand(rows, t.Schema)
	}
	t.X = nn.NewMatrix(rows, t.Schema.Width(), x)
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
