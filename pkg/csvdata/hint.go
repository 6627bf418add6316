package csvdata

import "fmt"

// A Hint is a setting that an error's message (or a warning) advises, to
// fix the error or to change the outcome: a missing-value token to
// declare, a column to leave out. The library's messages name it as a
// field of the options the caller gave (Go); the train command renders it
// as its flag, through Options.Hints (tabular.Config.Hints).
type Hint struct {
	// Field is the setting, by its field name in Options and
	// tabular.Config: "NA", "Categorical", "Ignore", "MaxCategories"; or
	// "Float64" (a float64 model: tabular.Config.Precision F64) and "Strict"
	// (tabular.PredictOptions.Strict, Options.StrictCategories here).
	Field string
	// Value is the item the hint adds to a list field: a token, or a
	// column by name (by its 0-based index when the name is longer than
	// MaxQuoted); "" for none.
	Value string
}

// HintError is an error whose message advises settings: its Hints. Error
// renders each hint with Render; a nil Render is OptionsHint, which names
// fields of Options.
type HintError struct {
	Render func(Hint) string
	format string
	args   []any
}

// NewHintError returns the error of fmt.Sprintf(format, args...), where
// each argument that is a Hint is rendered, as a string, by the error's
// Render when its message is made.
func NewHintError(format string, args ...any) *HintError {
	return &HintError{format: format, args: args}
}

// Hints returns the settings the message advises, in its order.
func (e *HintError) Hints() []Hint {
	var hs []Hint
	for _, a := range e.args {
		if h, ok := a.(Hint); ok {
			hs = append(hs, h)
		}
	}
	return hs
}

func (e *HintError) Error() string {
	render := e.Render
	if render == nil {
		render = OptionsHint
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		if h, ok := a.(Hint); ok {
			a = render(h)
		}
		args[i] = a
	}
	return fmt.Sprintf(e.format, args...)
}

// OptionsHint renders a hint as a field of Options, the default of
// Options.Hints: `"?" in Options.NA`, `Options.MaxCategories`. Float64,
// which Options has not, is Read[float64].
func OptionsHint(h Hint) string {
	switch h.Field {
	case "Float64":
		return "Read[float64]"
	case "Strict":
		h.Field = "StrictCategories"
	}
	return GoHint("Options", h)
}

// GoHint renders a hint as the field h.Field of the struct named in, with
// its value, if any, quoted as Quote does: `"id" in Config.Ignore`,
// `Config.MaxCategories`.
func GoHint(in string, h Hint) string {
	if h.Value == "" {
		return in + "." + h.Field
	}
	return Quote(h.Value) + " in " + in + "." + h.Field
}
