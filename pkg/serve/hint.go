package serve

import "github.com/densetrain/densetrain/pkg/csvdata"

// clientHint renders the settings an error advises (csvdata.Hint) for an
// HTTP client, who cannot change the model's options: a missing value is
// sent as an empty cell (null in JSON), and a float64 model is trained by
// whoever runs the server.
func clientHint(h csvdata.Hint) string {
	switch h.Field {
	case "NA":
		return "an empty cell instead (null in JSON)"
	case "Float64":
		return "--precision f64 (train fit)"
	case "Strict":
		return "the server's --strict"
	}
	return csvdata.GoHint("PredictOptions", h)
}
