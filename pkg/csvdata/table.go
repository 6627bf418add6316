package csvdata

import (
	"fmt"
	"strings"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// Options configures Read. The zero value takes the last column as the
// target, sniffs the separator and infers the features from the file.
type Options struct {
	// Targets names the target columns by header name, or by 0-based index
	// (negative counts from the end). Default: the last column. Rows whose
	// target is missing are skipped and counted in Table.Skipped.
	Targets []string
	// NoTargets reads features only; with a Schema, target columns that are
	// present are skipped (for prediction).
	NoTargets bool
	// Schema, when set, fixes the feature columns and their categories, as
	// learnt from training data: other columns are skipped, and a category
	// the schema does not know is encoded as all zeros and counted in
	// Table.Unseen (an error with StrictCategories).
	Schema           *Schema
	StrictCategories bool
	// Categorical names columns (as Targets does) whose values are text
	// categories even where they look like numbers: "01" and "1" differ.
	// A target named here is read as text (Column.Strings), with a Schema
	// too. Ignore names columns to leave out.
	Categorical, Ignore []string
	// NA lists tokens that mean a missing value, besides the empty cell and
	// DefaultNA. A missing numeric feature is NaN in the matrix (to be
	// imputed); a missing text feature is the category "" (its own
	// category). MissingIsError makes a missing numeric feature an error.
	NA             []string
	MissingIsError bool
	// Delimiter separates fields; 0 sniffs it from the header among ',',
	// ';', tab and '|'. One CheckDelimiter refuses is an error.
	Delimiter byte
	// MaxCategories bounds the distinct values of a text column (default
	// DefaultMaxCategories): more make it a likely identifier, an error.
	MaxCategories int
	// Workers parse in parallel (0: one per CPU, runtime.GOMAXPROCS;
	// negative: an error).
	Workers int
	// ChunkBytes is the read size (default 8 MiB); MaxRecordBytes bounds one
	// record (default 64 MiB). Each is at most 512 MiB.
	ChunkBytes, MaxRecordBytes int
	// MaxColumns bounds the columns of the file and of the matrix after
	// one-hot encoding (default DefaultMaxColumns), so that a malformed or
	// hostile file is rejected before it costs memory.
	MaxColumns int
	// MaxSpoolBytes bounds the copy of a stream (ReadFrom, a pipe or a
	// device given as a path) made before it is read; default: 90% of the
	// space free in the temporary directory when the copy starts.
	MaxSpoolBytes int64
	// MemoryBudget bounds the memory the table may take while it is read
	// (its matrix, category codes, targets and lines): a table that would
	// take more is refused before its storage is allocated — for a gzip
	// file of unknown size, as its storage grows. Default (0): MemoryLimit;
	// negative: no bound.
	MemoryBudget int64
	// Hints renders the settings that errors advise (HintError.Render):
	// nil names fields of Options (OptionsHint); tabular names its
	// Config's, the train command its flags.
	Hints func(Hint) string
	// ExtraRowBytes is the memory the caller will need per row once the
	// table is read (its own arrays: targets as the model takes them,
	// row indices), counted against MemoryBudget with the table's own.
	ExtraRowBytes int

	// part is set when the text is a part of a file (File.Parts): a part
	// whose rows all lack a target is no error, and no text column is an
	// identifier in a part, the whole file deciding (File.Learn).
	part bool
}

// DefaultMaxColumns is the default of Options.MaxColumns.
const DefaultMaxColumns = 100_000

// DefaultMaxCategories is the default of Options.MaxCategories.
const DefaultMaxCategories = 1000

// DefaultNA lists the tokens that always mean a missing value, as written
// (case matters), besides the empty cell.
var DefaultNA = []string{"NA", "N/A", "NaN", "nan", "null", "NULL"}

// Schema lists the feature columns in matrix order.
type Schema struct {
	Features []FeatureColumn `json:"features"`
}

// FeatureColumn is one input column used as a feature: numeric (one matrix
// column; Categories is nil), categorical (one-hot: one matrix column per
// category, sorted; "" is the missing value's category) or a date column
// (Date is DateOnly or DateTime: the matrix columns of date.go).
type FeatureColumn struct {
	Name       string   `json:"name"`
	Categories []string `json:"categories,omitempty"`
	Date       string   `json:"date,omitempty"`
}

// Width returns the number of matrix columns of the column.
func (f FeatureColumn) Width() int {
	if f.Date != "" {
		return DateColumnWidth(f.Date)
	}
	return max(len(f.Categories), 1)
}

// Names returns the column's matrix column names: its name (numeric),
// "name=category" (one-hot; "name=" for the missing category) or
// "name.part" (a date's: name.year, name.month, …).
func (f FeatureColumn) Names() []string {
	switch {
	case f.Date != "":
		n := make([]string, f.Width())
		for i := range n {
			n[i] = f.Name + "." + dateParts[i]
		}
		return n
	case f.Categories == nil:
		return []string{f.Name}
	}
	n := make([]string, len(f.Categories))
	for i, c := range f.Categories {
		n[i] = f.Name + "=" + c
	}
	return n
}

// Width returns the number of matrix columns of the schema.
func (s Schema) Width() int {
	w := 0
	for _, f := range s.Features {
		w += f.Width()
	}
	return w
}

// Names returns the matrix column names (FeatureColumn.Names), in order.
func (s Schema) Names() []string {
	var n []string
	for _, f := range s.Features {
		n = append(n, f.Names()...)
	}
	return n
}

// Column is a target column. When every value is a number, Numbers holds
// them, Strings is nil (a string a row would take more memory than the
// matrix of a narrow table) and Written how each distinct number was
// first written (nil when there are more than DefaultMaxCategories); Text
// gives a value as written. Otherwise Strings holds every value as
// written, Numbers is nil, and FirstText is the first row that is not a
// number (-1 when all are: a target Options.Categorical names).
type Column struct {
	Name      string
	Numbers   []float64
	Strings   []string
	FirstText int
	Written   map[float64]string
}

// Cells counts cells of one column that need the caller's attention, with
// the first of them: its value, line and column.
type Cells struct {
	Column       string
	Count        int
	First        string
	Line, Offset int
	File         string `json:",omitempty"` // of a table of several files; else the table's
}

// Table is a parsed CSV file.
type Table[T tensor.Float] struct {
	Header  []string         // the file's column names
	X       tensor.Matrix[T] // features, one row per record; NaN where missing
	Schema  Schema           // the feature columns, in X's order
	Targets []Column
	Lines   Lines // the file line of each row, for messages
	// Missing counts the missing cells of each feature column that has any
	// (in schema order).
	Missing []Cells
	// Unseen counts, under a Schema, the values of each categorical column
	// that the schema does not know (encoded as all zeros).
	Unseen []Cells
	// Skipped counts the rows left out because a target was missing.
	Skipped Cells
	// Delimiter is the field separator used.
	Delimiter byte
	// Files says which file each row comes from, for a table of several
	// files (ReadFiles): rows in order, so many from each.
	Files []FileRows
}

// FileRows says that Rows rows of a table come from the file Name.
type FileRows struct {
	Name string
	Rows int
}

// Len is the number of rows.
func (t *Table[T]) Len() int { return t.X.Rows }

// Where returns the file (empty: the table's one file) and the line of
// row, which must be in [0, X.Rows).
func (t *Table[T]) Where(row int) (string, int) {
	file, r := "", row
	for _, f := range t.Files {
		if r < f.Rows || len(t.Files) == 1 {
			file = f.Name
			break
		}
		r -= f.Rows
	}
	return file, t.Lines.Line(row)
}

// role is what a file column is for.
type role struct {
	kind int // skip, numeric, categorical, target or date
	idx  int // matrix column, categorical index or target index
	name string
}

const (
	skip = iota
	numeric
	categorical
	target
	date
)

// CheckDelimiter returns an error for a byte that cannot separate fields:
// one that is part of numbers (a digit, '.', '-', '+', 'e', 'E'), the
// quote, a line end, or a byte of a multi-byte UTF-8 character. Zero, for
// a delimiter sniffed from the header, is fine.
func CheckDelimiter(b byte) error {
	switch {
	case b == 0:
		return nil
	case b >= '0' && b <= '9' || strings.IndexByte(".-+eE", b) >= 0:
		return fmt.Errorf("delimiter %q is part of numbers: fields could not be told from values; use one such as , ; | or tab", b)
	case b == '"' || b == '\n' || b == '\r':
		return fmt.Errorf("delimiter %q quotes fields or ends records; use one such as , ; | or tab", b)
	case b >= 0x80:
		return fmt.Errorf("delimiter byte 0x%02x is part of a multi-byte UTF-8 character; use an ASCII one such as , ; | or tab", b)
	}
	return nil
}

// NewMatrix returns a zeroed matrix for rows of a table, its pages
// prepared as Read prepares its own (huge pages where the kernel gives
// them, or faulted in by threads): random row reads across a matrix of
// gigabytes then miss the TLB less.
func NewMatrix[T tensor.Float](rows, cols, threads int) tensor.Matrix[T] {
	x := make([]T, rows*cols)
	prefault(x, threads)
	return tensor.NewMatrix(rows, cols, x)
}
