package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// evaluateCommand prints a model's loss and metrics on a table with its
// targets: one "name value" line per metric, or with --json one object
// (a value that is not a finite number is null, and named on stderr: JSON
// has no numbers for them).
func evaluateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, u := newUseFlags("evaluate", "CSV file with the target columns; rows with a missing target are skipped")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	m, o, err := u.open(stderr)
	if err != nil {
		return err
	}
	ev, err := m.EvaluateParts(ctx, source(u.data), o)
	if err != nil {
		return userError(flagError(fs, err))
	}
	metrics := ev.Metrics
	if *asJSON {
		return writeMetricsJSON(stdout, stderr, metrics)
	}
	for _, k := range []string{"loss", "accuracy", "rmse", "mae", "r2"} {
		if v, ok := metrics[k]; ok {
			fmt.Fprintf(stdout, "%s %.6g\n", k, v)
		}
	}
	return nil
}

// writeMetricsJSON writes the metrics as one JSON object. A value that is
// not a finite number is written as null and named on stderr: it is never
// left out.
func writeMetricsJSON(stdout, stderr io.Writer, metrics map[string]float64) error {
	out := make(map[string]*float64, len(metrics))
	for k, v := range metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			fmt.Fprintf(stderr, "evaluate: %s is %v, written as null\n", k, v)
			out[k] = nil
			continue
		}
		out[k] = &v
	}
	return json.NewEncoder(stdout).Encode(out)
}
