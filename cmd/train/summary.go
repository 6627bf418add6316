package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// summaryCommand describes a saved model: its layers and parameters, the
// task and targets, its inputs and its loss, as text or one JSON object.
func summaryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("summary")
	model := fs.String("model", "", "model file (required)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := requireFlags(namedPath{"model", *model}); err != nil {
		return err
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	s, p := m.Summary(), m.Prep
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"layers": s.Layers, "total_params": s.Total, "loss": m.LossName(), "label_smoothing": m.LabelSmoothing(),
			"task": p.Task, "targets": p.Targets, "labels": p.Labels, "inputs": p.Schema.Names(),
		})
	}
	fmt.Fprint(stdout, s)
	fmt.Fprintf(stdout, "task: %s of %s", p.Task, strings.Join(p.Targets, ", "))
	if p.Labels != nil {
		labels := make([]string, len(p.Labels))
		for i, l := range p.Labels {
			labels[i] = csvdata.ListName(l)
		}
		fmt.Fprintf(stdout, " (classes: %s)", strings.Join(labels, ", "))
	}
	fmt.Fprintf(stdout, "\ninputs: %d columns from %d features", p.InputWidth(), len(p.Schema.Features))
	if len(p.Indicators) > 0 {
		fmt.Fprintf(stdout, " (%d missing indicators)", len(p.Indicators))
	}
	fmt.Fprintf(stdout, "; loss: %s", m.LossName())
	if ls := m.LabelSmoothing(); ls != 0 {
		fmt.Fprintf(stdout, " (label smoothing %v)", ls)
	}
	fmt.Fprintln(stdout)
	return nil
}
