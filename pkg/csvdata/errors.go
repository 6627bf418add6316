package csvdata

import "fmt"

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
