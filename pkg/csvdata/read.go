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

	"github.com/densetrain/densetrain/pkg/tensor"
)

// Read parses the CSV file at path. Errors are *ParseError values naming
// the file, line and column, except I/O errors.
func Read[T tensor.Float](path string, opt Options) (*Table[T], error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.ChunkBytes <= 0 {
		opt.ChunkBytes = 8 << 20
	}
	if opt.MaxRecordBytes <= 0 {
		opt.MaxRecordBytes = 64 << 20
	}
	if opt.MaxColumns <= 0 {
		opt.MaxColumns = DefaultMaxColumns
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := &reader[T]{path: path, opt: opt, f: f}
	return r.read()
}

type reader[T tensor.Float] struct {
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

// readHeader reads the header record and the first data record (if any):
// it returns the file offset and line number where the data starts, and
// the first data record's fields.
func (r *reader[T]) readHeader() (int64, int, []field, error) {
	buf := make([]byte, 0, min(r.opt.ChunkBytes, 1<<20))
	eof := false
	for {
		bom := 0
		if bytes.HasPrefix(buf, utf8BOM) {
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
			if len(hf) > r.opt.MaxColumns {
				return 0, 0, nil, r.errAt(lines[0], 0, "%d columns, more than the limit of %d", len(hf), r.opt.MaxColumns)
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
