package csvdata

import "github.com/densetrain/densetrain/pkg/tensor"

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
	// MaxColumns bounds the columns of the file and of the matrix after
	// one-hot encoding (default DefaultMaxColumns), so that a malformed or
	// hostile file is rejected before it costs memory.
	MaxColumns int
}

// DefaultMaxColumns is the default of Options.MaxColumns.
const DefaultMaxColumns = 100_000

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
type Table[T tensor.Float] struct {
	Header  []string     // the file's column names
	X       tensor.Matrix[T] // features, one row per record
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
