package csvdata

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is an error at a position of a CSV file. Line and Column are
// 1-based; Column counts bytes from the start of the line, and is 0 when the
// error concerns the whole line; Line is 0 when it concerns the whole file.
type ParseError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// before reports whether e comes before o in the file.
func (e *ParseError) before(o *ParseError) bool {
	return o == nil || e.Line < o.Line || (e.Line == o.Line && e.Column < o.Column)
}

// MaxQuoted is the longest value or column name that Quote echoes whole.
const MaxQuoted = 40

// Quote returns s quoted as %q writes it, or, when s is longer than
// MaxQuoted bytes (a pasted value, a line of a file that is not CSV), its
// first bytes quoted, an ellipsis and its length: "abcdefgh"… (1048576
// bytes). Every message that echoes a value or a column name goes through
// it, so that it stays a short line whatever the input.
func Quote(s string) string { return QuoteN(s, MaxQuoted) }

// QuoteN is Quote with a limit of n bytes: a longer s keeps its first
// 2n/3 bytes, cut back to a whole UTF-8 character.
func QuoteN(s string, n int) string { return quoteN(s, n) }

// Short is Quote for a value held as bytes.
func Short(b []byte) string { return quoteN(b, MaxQuoted) }

func quoteN[S ~string | ~[]byte](s S, n int) string {
	if len(s) <= n {
		return strconv.Quote(string(s))
	}
	k := 2 * n / 3
	for k > 0 && !utf8.RuneStart(s[k]) {
		k--
	}
	return fmt.Sprintf("%q… (%d bytes)", string(s[:k]), len(s))
}

// columnHint is a hint to add file column j to the list field: by its
// name, or by its index when the name is too long to echo.
func (r *reader[T]) columnHint(field string, j int) Hint {
	if len(r.header[j]) > MaxQuoted {
		return Hint{Field: field, Value: strconv.Itoa(j)}
	}
	return Hint{Field: field, Value: r.header[j]}
}

// maxListed is the most column names a message lists.
const maxListed = 20

// headerList lists the file's column names for a message: the first
// maxListed of them, each cut short if long.
func (r *reader[T]) headerList() string {
	var b strings.Builder
	for i, h := range r.header[:min(len(r.header), maxListed)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ListName(h))
	}
	if len(r.header) > maxListed {
		fmt.Fprintf(&b, " … (%d columns)", len(r.header))
	}
	return b.String()
}

// ListName writes a name (a column's, a class label) for a list in a
// message: as it is, or quoted as Quote does when it is long, has
// surrounding spaces, a comma, a quote or a control character — so that
// the message stays on one line and the name is told apart from its
// neighbours.
func ListName(h string) string {
	if len(h) > MaxQuoted || h != strings.TrimSpace(h) || strings.ContainsFunc(h, func(c rune) bool {
		return c == ',' || c == '"' || c == utf8.RuneError || unicode.IsControl(c)
	}) {
		return Quote(h)
	}
	return h
}

// maxPathShown is the longest path an error shows whole: longer ones are
// no file name a system takes (a component has at most 255 bytes), and
// are cut short as values are.
const maxPathShown = 1024

// ShortPath returns err with the path of an *os.PathError in it cut short
// (Quote) when it is longer than any file name, so that a pasted value
// given for a file does not make a message of its size.
func ShortPath(err error) error {
	var pe *os.PathError
	if !errors.As(err, &pe) || len(pe.Path) <= maxPathShown {
		return err
	}
	return fmt.Errorf("%s %s: %w", pe.Op, Quote(pe.Path), pe.Err)
}

// ErrMissing is what a *MissingError is (errors.Is): a missing number
// where imputation is off.
var ErrMissing = errors.New("missing value, and imputation is off")

// MissingError is a missing number where imputation is off: a missing
// cell of a numeric column read with Options.MissingIsError (the Err of a
// *ParseError at the cell), or a NaN that prep.Inputs finds for a
// preprocessing that does not impute. It is ErrMissing for errors.Is.
type MissingError struct {
	Column string // the column's name
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("missing value in column %s (imputation is off)", Quote(e.Column))
}

// Is reports whether target is ErrMissing.
func (e *MissingError) Is(target error) bool { return target == ErrMissing }

// ColumnNotFoundError is a column that the header lacks: one Options names
// (a target, an ignored or a categorical column) or one of the Schema's
// features (the file has not a column a model needs). It is the Err of a
// *ParseError at line 1.
type ColumnNotFoundError struct {
	Role    string // "target", "ignored", "categorical" or "feature"
	Name    string // the column, as named
	columns string // the header's names, listed for the message
}

func (e *ColumnNotFoundError) Error() string {
	if e.Role == "feature" {
		return fmt.Sprintf("column %s, a feature of the model, is missing", Quote(e.Name))
	}
	return fmt.Sprintf("%s column %s not found (columns: %s)", e.Role, Quote(e.Name), e.columns)
}

// errAt is a *ParseError of the reader's file at line and column.
func (r *reader[T]) errAt(line, col int, format string, args ...any) *ParseError {
	return &ParseError{File: r.path, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

// hintAt is errAt for a message that advises settings: its Hint arguments
// are rendered by Options.Hints.
func (r *reader[T]) hintAt(line, col int, format string, args ...any) *ParseError {
	e := NewHintError(format, args...)
	e.Render = r.opt.Hints
	return &ParseError{File: r.path, Line: line, Column: col, Err: e}
}

// NoRowsError is the error of a table with no data row after its header
// (line: the first line after it).
func NoRowsError(file string, line int) *ParseError {
	return &ParseError{File: file, Line: line, Err: errors.New("no data rows after the header")}
}

// NoTargetsError is the error of a table whose every row lacks a target;
// skipped counts them, from the first.
func NoTargetsError(file string, skipped Cells) *ParseError {
	return &ParseError{File: file, Err: fmt.Errorf("every row has a missing target (column %s, first at line %d)", Quote(skipped.Column), skipped.Line)}
}
