package tabular

import (
	"context"
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Source is a CSV table to read: a file (plain or gzip) or a stream.
type Source struct {
	// Name names the table in messages (the path for a file).
	Name  string
	paths []string // a file, or files of one table
	r     io.Reader
	b     []byte
	mem   bool
}

// File is the CSV file at path (gzip is recognised by its first bytes).
func File(path string) Source { return Source{Name: path, paths: []string{path}} }

// Files is the table of the CSV files at paths, read as one file: each
// with a header line naming the same columns in the same order, the rows
// of each in turn (parts of a table as Spark, Dask or tf.data write them,
// part-00000.csv.gz …). Messages name the file of a row; Name, which
// names the table, is the first path and how many more.
func Files(paths ...string) Source {
	if len(paths) == 1 {
		return File(paths[0])
	}
	name := ""
	if len(paths) > 0 {
		name = fmt.Sprintf("%s and %d more files", paths[0], len(paths)-1)
	}
	return Source{Name: name, paths: paths}
}

// Reader is a CSV stream named name in messages, such as standard input.
// It is copied as it comes to an unlinked temporary file, read from there.
func Reader(name string, r io.Reader) Source { return Source{Name: name, r: r} }

// Bytes is CSV text held in memory (plain or gzip), named name in
// messages: read where it is, with no temporary file (an HTTP request's
// body, say).
func Bytes(name string, b []byte) Source { return Source{Name: name, b: b, mem: true} }

// read parses the source; its errors are input errors.
func read[T tensor.Float](ctx context.Context, s Source, opt csvdata.Options) (*csvdata.Table[T], error) {
	var (
		tab *csvdata.Table[T]
		err error
	)
	switch {
	case s.mem:
		tab, err = csvdata.ReadBytes[T](ctx, s.Name, s.b, opt)
	case s.r != nil:
		tab, err = csvdata.ReadFrom[T](ctx, s.Name, s.r, opt)
	case len(s.paths) == 0: // the zero Source, or a nil reader
		return nil, inputError(fmt.Errorf("tabular: source %q has no data: make it with File, Files, Reader (of a non-nil io.Reader) or Bytes", s.Name))
	default:
		tab, err = csvdata.ReadFiles[T](ctx, s.paths, opt)
	}
	if err != nil && ctx.Err() == nil {
		return nil, inputError(err)
	}
	return tab, err
}

// InputError is an error in the input: the data or a setting that does not
// fit it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputError(err error) error { return &InputError{err} }
