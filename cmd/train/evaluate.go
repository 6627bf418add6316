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
// (non-finite values left out, JSON has no numbers for them).
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
	ev, err := m.Evaluate(ctx, source(u.data), o)
	if err != nil {
		return userError(err)
	}
	metrics := ev.Metrics
	if *asJSON {
		for k, v := range metrics {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				delete(metrics, k)
			}
		}
		return json.NewEncoder(stdout).Encode(metrics)
	}
	for _, k := range []string{"loss", "accuracy", "rmse", "mae", "r2"} {
		if v, ok := metrics[k]; ok {
			fmt.Fprintf(stdout, "%s %.6g\n", k, v)
		}
	}
	return nil
}
