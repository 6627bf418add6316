package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// useFlags are the flags of the commands that use a model on a table.
type useFlags struct {
	model, data, na, delimiter string
	strict                     bool
}

func (u *useFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}, data string) {
	fs.StringVar(&u.model, "model", "", "model file (required)")
	fs.StringVar(&u.data, "data", "", data+"; plain or gzip, - for standard input (required)")
	fs.StringVar(&u.na, "na", "", "more tokens that mean a missing value, besides the model's, comma-separated")
	fs.StringVar(&u.delimiter, "delimiter", "", "field separator (default: sniffed from the header)")
	fs.BoolVar(&u.strict, "strict", false, "a category not seen in training is an error (default: encoded as all zeros, and counted on stderr)")
}

// open checks the flags and loads the model.
func (u *useFlags) open(stderr io.Writer) (*tabular.Model, tabular.PredictOptions, error) {
	if u.model == "" || u.data == "" {
		return nil, tabular.PredictOptions{}, usageError(fmt.Errorf("--model and --data are required"))
	}
	delim, err := parseDelimiter(u.delimiter)
	if err == nil {
		err = checkList("na", u.na)
	}
	if err != nil {
		return nil, tabular.PredictOptions{}, usageError(err)
	}
	m, err := tabular.Load(u.model)
	if err != nil {
		return nil, tabular.PredictOptions{}, usageError(err)
	}
	return m, tabular.PredictOptions{Strict: u.strict, NA: list(u.na), Delimiter: delim, Warn: stderr}, nil
}

// userError marks the library's input errors as the user's.
func userError(err error) error {
	if errors.As(err, new(*tabular.InputError)) {
		return usageError(err)
	}
	return err
}

func predictCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var u useFlags
	fs := newFlags("predict")
	u.register(fs, "CSV file to predict; the target columns may be absent")
	out := fs.String("out", "", "write the predictions to this CSV file instead of stdout")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *out != "" && u.model != "" && u.data != "" {
		if err := checkOutputs([]namedPath{{"out", *out}}, []namedPath{{"data", u.data}, {"model", u.model}}); err != nil {
			return usageError(err)
		}
	}
	m, o, err := u.open(stderr)
	if err != nil {
		return err
	}
	pred, err := m.Predict(ctx, source(u.data), o)
	if err != nil {
		return userError(err)
	}
	write := func(w io.Writer) error { return pred.WriteCSV(ctxWriter{ctx, w}) }
	if *out == "" {
		return write(stdout)
	}
	if err := atomicfile.Write(*out, write); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return usageError(err)
	}
	return nil
}

// ctxWriter stops a long output when ctx is cancelled: its writes fail
// with the context's error.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

func evaluateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var u useFlags
	fs := newFlags("evaluate")
	u.register(fs, "CSV file with the target columns; rows with a missing target are skipped")
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

func summaryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("summary")
	model := fs.String("model", "", "model file (required)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *model == "" {
		return usageError(fmt.Errorf("--model is required"))
	}
	m, err := tabular.Load(*model)
	if err != nil {
		return usageError(err)
	}
	s, p := m.Summary(), m.Prep
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"layers": s.Layers, "total_params": s.Total, "loss": m.LossName(),
			"task": p.Task, "targets": p.Targets, "labels": p.Labels, "inputs": p.Schema.Names(),
		})
	}
	fmt.Fprint(stdout, s)
	fmt.Fprintf(stdout, "task: %s of %s", p.Task, strings.Join(p.Targets, ", "))
	if p.Labels != nil {
		fmt.Fprintf(stdout, " (classes: %s)", strings.Join(p.Labels, ", "))
	}
	fmt.Fprintf(stdout, "\ninputs: %d columns from %d features", p.InputWidth(), len(p.Schema.Features))
	if len(p.Indicators) > 0 {
		fmt.Fprintf(stdout, " (%d missing indicators)", len(p.Indicators))
	}
	fmt.Fprintf(stdout, "; loss: %s\n", m.LossName())
	return nil
}
