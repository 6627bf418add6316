package csvdata

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/internal/cpus"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Read parses the CSV file at path (plain or gzip). Errors are *ParseError
// values naming the file, line and column, except I/O errors.
func Read[T tensor.Float](path string, opt Options) (*Table[T], error) {
	return ReadFile[T](context.Background(), path, opt)
}

// ReadFile is Read with a context: cancelling it stops the read between
// chunks with the context's error.
func ReadFile[T tensor.Float](ctx context.Context, path string, opt Options) (*Table[T], error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	src, err := openFile(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return read[T](ctx, src, opt)
}

// ReadFrom parses a CSV stream (plain or gzip, such as standard input),
// naming it name in errors. The stream is first copied as it comes to an
// unlinked temporary file (in os.TempDir): a column whose first values are
// missing may have to be read again.
func ReadFrom[T tensor.Float](ctx context.Context, name string, r io.Reader, opt Options) (*Table[T], error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	src, err := spool(ctx, name, r, opt)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return read[T](ctx, src, opt)
}

// ReadBytes reads CSV text held in memory (plain or gzip), named name in
// messages, as ReadFile reads a file: no temporary file, no copy.
func ReadBytes[T tensor.Float](ctx context.Context, name string, b []byte, opt Options) (*Table[T], error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	src, err := sourceOf(name, memory{bytes.NewReader(b)}, int64(len(b)))
	if err != nil {
		return nil, err
	}
	return read[T](ctx, src, opt)
}

// withDefaults fills in the zero options and checks the delimiter.
func (opt Options) withDefaults() (Options, error) {
	w, want := cpus.Workers(opt.Workers)
	if want != "" {
		return opt, fmt.Errorf("Options.Workers %d: %s", opt.Workers, want)
	}
	opt.Workers = w
	if opt.ChunkBytes <= 0 {
		opt.ChunkBytes = 8 << 20
	}
	if opt.MaxRecordBytes <= 0 {
		opt.MaxRecordBytes = 64 << 20
	}
	// A chunk's record offsets are int32: its buffer, which grows to hold
	// one long record, stays under 2 GiB.
	opt.ChunkBytes, opt.MaxRecordBytes = min(opt.ChunkBytes, maxChunkBytes), min(opt.MaxRecordBytes, maxChunkBytes)
	if opt.MaxColumns <= 0 {
		opt.MaxColumns = DefaultMaxColumns
	}
	if opt.MaxCategories <= 0 {
		opt.MaxCategories = DefaultMaxCategories
	}
	// Category codes carry the worker that made them: keep them in 31 bits.
	opt.Workers = min(opt.Workers, max(1, (1<<31-1)/(opt.MaxCategories+2)), 1024)
	return opt, CheckDelimiter(opt.Delimiter)
}

// read parses src.
func read[T tensor.Float](ctx context.Context, src *source, opt Options) (*Table[T], error) {
	r := &reader[T]{ctx: ctx, path: src.name, opt: opt, src: src, sep: opt.Delimiter}
	r.na = make(map[string]bool, len(DefaultNA)+len(opt.NA))
	for _, s := range append(slices.Clone(DefaultNA), opt.NA...) {
		r.na[s] = true
		if s != "" {
			r.naFirst[s[0]] = true
			r.naNumeric = r.naNumeric || strings.ContainsRune("0123456789+-.", rune(s[0]))
		}
	}
	return r.read()
}

type reader[T tensor.Float] struct {
	ctx  context.Context
	path string
	opt  Options
	src  *source
	sep  byte
	na   map[string]bool
	// naFirst holds the first bytes of the NA tokens; naNumeric says
	// whether one of them may look like a number.
	naFirst   [256]bool
	naNumeric bool

	header   []string
	columnOf map[string]int // file column of each header name (fileColumn)
	roles    []role
	kinds    []uint8 // roles[j].kind, compact for the hot loop
	idxs     []int32 // a numeric column's matrix column, else roles[j].idx
	zrun     []int32 // see setLayout
	featCols []int   // file column of each feature, in schema order
	schema   Schema
	width    int // matrix width during parsing (layout.go)
	laidOut  bool
	frozen   []map[string]uint32 // per categorical column: the layout's categories
	catIdx   []catIndex          // the same, for parseSimple
	// frozenList lists them, sorted, when they were learnt; catOff is each
	// categorical column's first matrix column.
	frozenList [][]string
	catOff     []int32
	nTarget    int
	nCat       int
	catCols    []int // file column of each categorical column
	rowCap     int   // rows the per-row storage below holds
	x          []T
	codes      [][]uint32  // per categorical column, per row
	tgts       [][]string  // per target column read as text, per row
	tnum       [][]float64 // per target column read as numbers, per row
	// tgtText says per target whether it is read as text (targets.go);
	// textTargets lists the file columns of targets found to hold text.
	tgtText     []bool
	textTargets map[int]bool
	lines       Lines  // of the rows so far
	skipRow     []bool // per row: a target is missing
	workers     []*worker
	known       []map[string]uint32 // per categorical column, from a schema
	aliases     []map[string]uint32 // per categorical column, a padded category's trimmed value (nil: none)
	forced      map[int]bool        // columns declared categorical
	ignored     map[int]bool
	forceCat    map[int]bool   // columns found to be text after all
	forceDate   map[int]string // columns found to be dates after all, and their kind
	dateKinds   []string       // per file column: a date column's kind (FeatureColumn.Date)
	firstSeen   []cellAt       // per file column: its first present value (firstValues)
	checked     lineCounter    // the text checks, once the header is read
}

func (r *reader[T]) read() (*Table[T], error) {
	dataOff, dataLine, err := r.readHeader()
	if err != nil {
		return nil, err
	}
	if r.opt.Schema == nil { // else the schema gives the types
		if err := r.firstValues(dataOff, dataLine); err != nil {
			return nil, err
		}
	}
	// Each pass that reads the file again changes a column's type
	// (number → categories or dates, date → time or categories,
	// categories → dates): a few passes settle every column.
	for pass := 0; ; pass++ {
		if pass == maxTypePasses {
			return nil, &ParseError{File: r.path, Err: fmt.Errorf("the column types did not settle in %d passes over the file (a bug: please report it with the file)", maxTypePasses)}
		}
		if err := r.plan(); err != nil {
			return nil, err
		}
		r.rowCap, r.x, r.lines, r.skipRow, r.codes, r.tgts, r.tnum = 0, nil, Lines{}, nil, nil, nil, nil // sized by the first chunk
		r.tgtText = nil                                                                                  // told by the first chunk
		r.workers = make([]*worker, r.opt.Workers)
		for k := range r.workers {
			r.workers[k] = newWorker(len(r.header), r.nCat, r.nTarget, r.opt.Schema == nil)
		}
		rows, err := r.parse(dataOff, dataLine)
		if err != nil {
			return nil, err
		}
		if rows == 0 {
			return nil, NoRowsError(r.path, dataLine)
		}
		again, err := r.checkTypes(rows)
		if err != nil {
			return nil, err
		}
		if !again {
			return r.finish(rows)
		}
	}
}

// maxTypePasses bounds the passes over a file that checkTypes asks for.
const maxTypePasses = 8

// readHeader reads the header record and the first data record (if any):
// it returns the file offset and line number where the data starts.
func (r *reader[T]) readHeader() (int64, int, error) {
	rd, err := r.src.open(0)
	if err != nil {
		return 0, 0, err
	}
	buf := make([]byte, 0, r.smallBuffer())
	eof := false
	// What is read is checked as text as it comes: an endless first line
	// is refused once it passes the limit.
	check := lineCounter{path: r.path, maxRecord: r.opt.MaxRecordBytes}
	for {
		bom := 0
		if bytes.HasPrefix(buf, utf8BOM) {
			bom = 3
		}
		s32, e32, l32, _, _, _ := records(buf[bom:], 1, eof, nil, nil, nil)
		starts, ends, lines := ints(s32, 0), ints(e32, 0), ints(l32, 1)
		if len(starts) >= 2 || eof {
			if len(starts) == 0 {
				return 0, 0, r.errAt(1, 0, "empty file: no header line")
			}
			// The reader checks the rest from where the data starts.
			r.checked = lineCounter{path: r.path, maxRecord: r.opt.MaxRecordBytes}
			head := trimCR(buf[bom+starts[0] : bom+ends[0]])
			if r.sep == 0 {
				r.sep = sniff(head)
			}
			hf, col, err := splitFields(head, nil, r.sep)
			if err != nil {
				return 0, 0, r.errAt(lines[0], col, "%v", err)
			}
			if len(hf) > r.opt.MaxColumns {
				return 0, 0, r.errAt(lines[0], 0, "%d columns, more than the limit of %d", len(hf), r.opt.MaxColumns)
			}
			r.header = make([]string, len(hf))
			for i, f := range hf {
				if err := r.checkUTF8(f, lines[0]); err != nil {
					return 0, 0, err
				}
				r.header[i] = string(f.value())
			}
			if len(starts) < 2 {
				_ = r.checked.feed(buf)
				return int64(len(buf)), lines[0] + 1, nil
			}
			if _, col, err := splitFields(trimCR(buf[bom+starts[1]:bom+ends[1]]), nil, r.sep); err != nil {
				return 0, 0, r.errAt(lines[1], col, "%v", err)
			}
			_ = r.checked.feed(buf[:bom+starts[1]])
			return int64(bom + starts[1]), lines[1], nil
		}
		if len(buf) >= r.opt.MaxRecordBytes {
			return 0, 0, r.errAt(1, 0, "the header and first row are longer than %d bytes", r.opt.MaxRecordBytes)
		}
		k, err := rd.Read(buf[len(buf):cap(buf)])
		if perr := check.feed(buf[len(buf) : len(buf)+k]); perr != nil {
			return 0, 0, perr
		}
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			eof = true
		} else if err != nil {
			return 0, 0, r.src.readErr(err)
		}
		if len(buf) == cap(buf) {
			if err := r.lineFits(check, int64(len(buf))); err != nil {
				return 0, 0, err
			}
			buf = slices.Grow(buf, cap(buf))
		}
	}
}

// columns resolves a list of column names or 0-based indexes (negative
// from the end) to file columns.
func (r *reader[T]) columns(what string, names []string, seen map[string]int) (map[int]bool, error) {
	out := map[int]bool{}
	for _, name := range names {
		i, ok := seen[name]
		if !ok {
			k, err := strconv.Atoi(name)
			if err != nil || k < -len(r.header) || k >= len(r.header) {
				return nil, &ParseError{File: r.path, Line: 1, Err: &ColumnNotFoundError{Role: what, Name: name, columns: r.headerList()}}
			}
			i = (k + len(r.header)) % len(r.header)
		}
		out[i] = true
	}
	return out, nil
}

// plan decides each column's role and the matrix layout.
func (r *reader[T]) plan() error {
	r.roles, r.schema, r.width, r.nCat, r.nTarget, r.catCols, r.featCols = nil, Schema{}, 0, 0, 0, nil, nil
	seen := make(map[string]int, len(r.header))
	for i, h := range r.header {
		if h == "" {
			return r.errAt(1, 0, "column %d has an empty name", i+1)
		}
		if j, dup := seen[h]; dup {
			return r.errAt(1, 0, "duplicate column name %s (columns %d and %d)", Quote(h), j+1, i+1)
		}
		seen[h] = i
	}
	var err error
	if r.ignored, err = r.columns("ignored", r.opt.Ignore, seen); err != nil {
		return err
	}
	r.roles = make([]role, len(r.header))
	r.dateKinds = make([]string, len(r.header))
	if !r.opt.NoTargets {
		names := r.opt.Targets
		if len(names) == 0 {
			names = []string{strconv.Itoa(len(r.header) - 1)}
		}
		for t, name := range names {
			cols, err := r.columns("target", []string{name}, seen)
			if err != nil {
				return err
			}
			for i := range cols {
				if r.roles[i].kind == target {
					return r.errAt(1, 0, "target column %s given twice", Quote(r.header[i]))
				}
				if r.ignored[i] {
					return r.errAt(1, 0, "column %s is both a target and ignored", Quote(r.header[i]))
				}
				r.roles[i] = role{kind: target, idx: t, name: r.header[i]}
			}
		}
		r.nTarget = len(names)
	}
	// (after the targets: a target that Categorical names too and the file
	// lacks is missing as the target)
	if r.forced, err = r.columns("categorical", r.opt.Categorical, seen); err != nil {
		return err
	}
	if s := r.opt.Schema; s != nil {
		r.schema = *s
	} else {
		for i, h := range r.header {
			if r.roles[i].kind == target || r.ignored[i] {
				continue
			}
			fc := FeatureColumn{Name: h}
			if r.forced[i] || r.forceCat[i] {
				fc.Categories = []string{}
			} else if k := r.forceDate[i]; k != "" {
				fc.Date = k
			} else if v := r.firstSeen[i]; v.line != 0 {
				if _, err := parseNumber([]byte(v.value)); err == errNotNumber {
					if _, ok := ParseDate([]byte(v.value)); ok {
						fc.Date = DateOnly // DateTime if checkTypes finds a time
					} else {
						fc.Categories = []string{} // categorical; filled in by finish
					}
				}
			}
			r.schema.Features = append(r.schema.Features, fc)
		}
		if len(r.schema.Features) == 0 {
			return r.errAt(1, 0, "no feature columns: the file has %d columns, all of them targets or ignored", len(r.header))
		}
	}
	for _, fc := range r.schema.Features {
		i, ok := seen[fc.Name]
		if !ok { // a model from before cells were trimmed may name a padded header
			i, ok = seen[strings.Trim(fc.Name, " \t")]
		}
		if !ok {
			return &ParseError{File: r.path, Line: 1, Err: &ColumnNotFoundError{Role: "feature", Name: fc.Name}}
		}
		if r.roles[i].kind == target {
			return r.errAt(1, 0, "column %s is both a feature and a target", Quote(fc.Name))
		}
		r.featCols = append(r.featCols, i)
		if fc.Date != "" {
			if fc.Date != DateOnly && fc.Date != DateTime || fc.Categories != nil {
				return r.errAt(1, 0, "column %s: unknown date kind %s", Quote(fc.Name), Quote(fc.Date))
			}
			r.dateKinds[i] = fc.Date
			r.roles[i] = role{kind: date, idx: r.width, name: fc.Name}
			r.width += fc.Width()
		} else if fc.Categories != nil {
			r.roles[i] = role{kind: categorical, idx: r.nCat, name: fc.Name}
			r.catCols = append(r.catCols, i)
			r.nCat++
		} else {
			r.roles[i] = role{kind: numeric, idx: r.width, name: fc.Name}
			r.width++
		}
	}
	r.kinds, r.idxs = make([]uint8, len(r.roles)), make([]int32, len(r.roles))
	for j, ro := range r.roles {
		r.kinds[j], r.idxs[j] = uint8(ro.kind), int32(ro.idx)
	}
	r.known, r.aliases, r.laidOut, r.frozenList = nil, nil, false, nil
	if r.opt.Schema != nil {
		r.known, r.aliases = knownCategories(r.schema)
	}
	if r.known != nil || r.nCat == 0 {
		r.setLayout(r.known) // else from the first chunk
	}
	return nil
}

// isNA reports whether a value means a missing one.
func (r *reader[T]) isNA(v []byte) bool {
	return len(v) == 0 || r.naFirst[v[0]] && r.na[string(v)]
}
