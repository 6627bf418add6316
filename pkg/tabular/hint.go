package tabular

import (
	"errors"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// The settings that errors and warnings advise (csvdata.Hint) are named as
// fields of the options the caller gave: Config's for Fit, PredictOptions'
// for Predict and Evaluate (Config.Precision F64 for a float64 model,
// which only training makes) — `"?" in Config.NA`, `PredictOptions.Strict`.
// Config.Hints and PredictOptions.Hints name them otherwise: the train
// command names its flags.

// ConfigHint renders a hint as a field of Config, the default of
// Config.Hints (Strict, which Config has not, as PredictOptions.Strict;
// Float64 as Config.Precision F64).
func ConfigHint(h csvdata.Hint) string {
	switch h.Field {
	case "Strict":
		return csvdata.GoHint("PredictOptions", h)
	case "Float64":
		return "Config.Precision F64"
	}
	return csvdata.GoHint("Config", h)
}

// PredictHint renders a hint as a field of PredictOptions, the default of
// PredictOptions.Hints; a field it has not (Float64, which needs a new
// model) as one of Config.
func PredictHint(h csvdata.Hint) string {
	switch h.Field {
	case "NA", "Strict":
		return csvdata.GoHint("PredictOptions", h)
	}
	return ConfigHint(h)
}

func (c Config) hints() func(csvdata.Hint) string {
	if c.Hints != nil {
		return c.Hints
	}
	return ConfigHint
}

func (o PredictOptions) hints() func(csvdata.Hint) string {
	if o.Hints != nil {
		return o.Hints
	}
	return PredictHint
}

// withHints has the hints of err's *csvdata.HintError, if any, rendered
// by render; it returns err.
func withHints(err error, render func(csvdata.Hint) string) error {
	var he *csvdata.HintError
	if errors.As(err, &he) {
		he.Render = render
	}
	return err
}
