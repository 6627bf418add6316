package prep

import (
	"fmt"
	"slices"
	"strings"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// The options of the preprocessing are typed names: Task, Scaler and
// Imputation. Each is the name it is written as (in a model file, a
// configuration, a command line), has a Parse function that refuses any
// other name with a *NameError, and says what its zero value means
// (Resolved): the one place where each default is decided.

// Task is what a model predicts from its target columns.
type Task string

// The tasks. Auto leaves the choice to DetectTask (tabular.Fit does); a
// Preprocessing's task is Classify or Regress.
const (
	Auto     Task = "auto"
	Classify Task = "classify"
	Regress  Task = "regress"
)

// Tasks lists the tasks, Auto first.
var Tasks = []Task{Auto, Classify, Regress}

// ParseTask returns the task named s.
func ParseTask(s string) (Task, error) { return parse("task", s, Tasks) }

// Resolved returns the task t stands for: Auto for the zero value.
func (t Task) Resolved() Task { return or(t, Auto) }

func (t Task) String() string { return string(t.Resolved()) }

// Scaler is an input scaling, as scikit-learn's scalers.
type Scaler string

// The input scalings.
const (
	Standard Scaler = "standard" // (x − mean)/std, StandardScaler
	MinMax   Scaler = "minmax"   // (x − min)/(max − min) into [0, 1], MinMaxScaler
	// Robust is (x − median)/IQR, as RobustScaler (half the range where the
	// quartiles are equal), then smoothly clipped into (−3, 3):
	// z/√(1+(z/3)²), RealMLP's robust scaling and smooth clipping. An
	// outlier at predict time, far beyond the training rows, then stays
	// within the inputs the network was trained on.
	Robust  Scaler = "robust"
	NoScale Scaler = "none" // inputs as they are
)

// RobustClip is the bound of Robust's smooth clipping.
const RobustClip = 3

// Scalers lists the scalings, Standard first.
var Scalers = []Scaler{Standard, MinMax, Robust, NoScale}

// ParseScaler returns the scaling named s.
func ParseScaler(s string) (Scaler, error) { return parse("scaler", s, Scalers) }

// Resolved returns the scaling s stands for: Standard for the zero value.
func (s Scaler) Resolved() Scaler { return or(s, Standard) }

func (s Scaler) String() string { return string(s.Resolved()) }

// Imputation is how missing numbers are filled, as scikit-learn's
// SimpleImputer strategies; NoImpute makes a missing number an error.
type Imputation string

// The imputations.
const (
	Mean     Imputation = "mean"
	Median   Imputation = "median"
	NoImpute Imputation = "error"
)

// Imputations lists the imputations, Mean first.
var Imputations = []Imputation{Mean, Median, NoImpute}

// ParseImputation returns the imputation named s.
func ParseImputation(s string) (Imputation, error) { return parse("imputation", s, Imputations) }

// Resolved returns the imputation i stands for: Mean for the zero value.
func (i Imputation) Resolved() Imputation { return or(i, Mean) }

func (i Imputation) String() string { return string(i.Resolved()) }

// MissingIsError reports whether a missing number is an error rather than
// filled: csvdata.Options.MissingIsError for a table read for i.
func (i Imputation) MissingIsError() bool { return i == NoImpute }

// NameError is a name that is none of an option's.
type NameError struct {
	Option string   // what the name was given for: "imputation"
	Name   string   // the name given
	Want   []string // the names there are
}

func (e *NameError) Error() string {
	return fmt.Sprintf("unknown %s %s: %s", e.Option, csvdata.Quote(e.Name), e.Wanted())
}

// Wanted says which names there are: "want mean, median or error".
func (e *NameError) Wanted() string {
	n := len(e.Want)
	if n == 1 {
		return "want " + e.Want[0]
	}
	return "want " + strings.Join(e.Want[:n-1], ", ") + " or " + e.Want[n-1]
}

// ParseName returns the value of names named s, or a *NameError for an
// option of that name. The typed options here and in package tabular
// parse through it.
func ParseName[N ~string](option, s string, names []N) (N, error) { return parse(option, s, names) }

func parse[N ~string](option, s string, names []N) (N, error) {
	if slices.Contains(names, N(s)) {
		return N(s), nil
	}
	want := make([]string, len(names))
	for i, n := range names {
		want[i] = string(n)
	}
	return "", &NameError{Option: option, Name: s, Want: want}
}

// or returns v, or def when v is the zero value.
func or[N ~string](v, def N) N {
	if v == "" {
		return def
	}
	return v
}
