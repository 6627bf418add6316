package prep

import (
	"errors"
	"fmt"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// ErrUnknownLabel is what a *LabelError is (errors.Is): a class not seen
// in training.
var ErrUnknownLabel = errors.New("class label not seen in training")

// LabelError is a target value that is none of the model's classes: the
// Err of the *RowError of Targets, EachClass and ClassIndices (and, from
// package tabular, of a *csvdata.ParseError at its line). It is
// ErrUnknownLabel for errors.Is.
type LabelError struct {
	Column string // the target column
	Label  string // the value, as written
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("%s in target column %s: %v", csvdata.Quote(e.Label), csvdata.Quote(e.Column), ErrUnknownLabel)
}

// Is reports whether target is ErrUnknownLabel.
func (e *LabelError) Is(target error) bool { return target == ErrUnknownLabel }

// ShapeError is data of another shape than the preprocessing was made
// for: a matrix with another number of input columns, another number of
// target columns.
type ShapeError struct {
	What      string // what is counted: "input columns", "target columns"
	Got, Want int    // the data's number, the preprocessing's
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("the data has %d %s, the model %d", e.Got, e.What, e.Want)
}
