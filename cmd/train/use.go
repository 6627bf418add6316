package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
)

// loaded is a saved model with its preprocessing.
type loaded[T nn.Float] struct {
	m *nn.Model[T]
	p *prep.Preprocessing
}

func load[T nn.Float](path string) (*loaded[T], error) {
	m, err := nn.LoadFile[T](path)
	if err != nil {
		return nil, usageError(err)
	}
	p, err := prep.Unmarshal(m.Preprocessing)
	if err != nil {
		return nil, usageError(fmt.Errorf("%s: %w", path, err))
	}
	return &loaded[T]{m, p}, nil
}

// withModel runs fn in the precision of the model file at path.
func withModel(path string, f32 func() error, f64 func() error) error {
	dt, err := nn.FileDType(path)
	if err != nil {
		return usageError(err)
	}
	if dt == "F64" {
		return f64()
	}
	return f32()
}

func predictCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("predict")
	model := fs.String("model", "", "model file (required)")
	data := fs.String("data", "", "CSV file to predict; the target columns may be absent (required)")
	out := fs.String("out", "", "write the predictions to this CSV file instead of stdout")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *model == "" || *data == "" {
		return usageError(fmt.Errorf("--model and --data are required"))
	}
	return withModel(*model,
		func() error { return predict[float32](*model, *data, *out, stdout) },
		func() error { return predict[float64](*model, *data, *out, stdout) })
}

func predict[T nn.Float](model, data, out string, stdout io.Writer) error {
	l, err := load[T](model)
	if err != nil {
		return err
	}
	tab, err := readTable[T](data, csvdata.Options{Schema: &l.p.Schema, NoTargets: true})
	if err != nil {
		return err
	}
	if err := prep.Standardize(l.p, tab.X); err != nil {
		return usageError(fmt.Errorf("%s: %w", data, err))
	}
	pred, err := l.m.Predict(tab.X)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return writePredictions(w, l.p, pred) }
	if out == "" {
		return write(stdout)
	}
	if err := atomicfile.Write(out, write); err != nil {
		return usageError(err)
	}
	return nil
}

// writePredictions writes one CSV row per input row: for classification
// the predicted label and each class's probability, for regression the
// predicted value of each target.
func writePredictions[T nn.Float](w io.Writer, p *prep.Preprocessing, pred nn.Matrix[T]) error {
	var b strings.Builder
	if p.Task == prep.Classify {
		b.WriteString("prediction")
		for _, l := range p.Labels {
			b.WriteString(",p_" + l)
		}
	} else {
		b.WriteString(strings.Join(p.Targets, ","))
	}
	b.WriteByte('\n')
	for i := 0; i < pred.Rows; i++ {
		row := pred.Row(i)
		if p.Task == prep.Classify {
			probs := make([]float64, len(p.Labels))
			if len(row) == 1 { // binary cross-entropy: P(class 1)
				probs[0], probs[1] = 1-float64(row[0]), float64(row[0])
			} else {
				for j, v := range row {
					probs[j] = float64(v)
				}
			}
			best := 0
			for j, v := range probs {
				if v > probs[best] {
					best = j
				}
			}
			b.WriteString(csvField(p.Labels[best]))
			for _, v := range probs {
				b.WriteString("," + strconv.FormatFloat(v, 'g', 6, 64))
			}
		} else {
			for j, v := range row {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 64))
			}
		}
		b.WriteByte('\n')
		if b.Len() > 1<<16 || i == pred.Rows-1 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if pred.Rows == 0 {
		_, err := io.WriteString(w, b.String())
		return err
	}
	return nil
}

// csvField quotes a value when CSV needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func evaluateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("evaluate")
	model := fs.String("model", "", "model file (required)")
	data := fs.String("data", "", "CSV file with the target columns (required)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *model == "" || *data == "" {
		return usageError(fmt.Errorf("--model and --data are required"))
	}
	return withModel(*model,
		func() error { return evaluate[float32](*model, *data, *asJSON, stdout) },
		func() error { return evaluate[float64](*model, *data, *asJSON, stdout) })
}

func evaluate[T nn.Float](model, data string, asJSON bool, stdout io.Writer) error {
	l, err := load[T](model)
	if err != nil {
		return err
	}
	tab, err := readTable[T](data, csvdata.Options{Schema: &l.p.Schema, Targets: l.p.Targets})
	if err != nil {
		return err
	}
	x, y, err := modelData(l.p, tab, data)
	if err != nil {
		return err
	}
	loss, metrics, err := l.m.EvaluateMetrics(x, y)
	if err != nil {
		return err
	}
	metrics["loss"] = loss
	if asJSON {
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
	l, err := load[float64](*model)
	if err != nil {
		return err
	}
	s := l.m.Summary()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"layers": s.Layers, "total_params": s.Total, "loss": l.m.Loss().Name(),
			"task": l.p.Task, "targets": l.p.Targets, "labels": l.p.Labels, "inputs": l.p.Schema.Names(),
		})
	}
	fmt.Fprint(stdout, s)
	fmt.Fprintf(stdout, "task: %s of %s", l.p.Task, strings.Join(l.p.Targets, ", "))
	if l.p.Labels != nil {
		fmt.Fprintf(stdout, " (classes: %s)", strings.Join(l.p.Labels, ", "))
	}
	fmt.Fprintf(stdout, "\ninputs: %d columns from %d features; loss: %s\n", l.p.Schema.Width(), len(l.p.Schema.Features), l.m.Loss().Name())
	return nil
}
