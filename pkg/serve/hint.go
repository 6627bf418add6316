package serve

import "github.com/densetrain/densetrain/pkg/csvdata"

// clientHint returns how the handler renders the settings an error
// advises (csvdata.Hint) for an HTTP client, who cannot change the model's
// options: a missing value is sent as an empty cell (null in JSON); what
// only whoever runs the server can change (a float64 model, Strict) is
// rendered by Options.Hints, or else by its Go name.
func (o Options) clientHint(h csvdata.Hint) string {
	if h.Field == "NA" {
		return "an empty cell instead (null in JSON)"
	}
	if o.Hints != nil {
		if s := o.Hints(h); s != "" {
			return s
		}
	}
	switch h.Field {
	case "Float64":
		return "a float64 model (tabular.Config.Precision F64)"
	case "Strict":
		return "the handler's Options.Strict"
	}
	return csvdata.GoHint("PredictOptions", h)
}
