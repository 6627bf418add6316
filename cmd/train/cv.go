package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// cvCommand cross-validates fit's settings on a table (tabular.CV): it
// takes fit's flags for reading and training, and prints each fold's
// metrics and their mean ± sd, as a table or (--json) one JSON object,
// which --out writes to a file too. A line a fold goes to stderr as each
// ends (none with --quiet).
func cvCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var a cvArgs
	c, o := &a.fit, &a.o
	fs := cvFlags(&a)
	if err := parseTrainFlags(fs, c, args, stdout); err != nil {
		return err
	}
	if err := c.checkTrain(); err != nil {
		return usageError(err)
	}
	out := a.out
	if out != "" && !strings.HasSuffix(out, ".json") {
		return usageError(fmt.Errorf("--out %s: want a .json file", csvdata.Quote(out)))
	}
	tc, err := c.config(stderr)
	if err != nil {
		return usageError(err)
	}
	if out != "" {
		if err := checkOutputs([]namedPath{{"out", out}}, append(dataIns(c.data), namedPath{"val", c.val})); err != nil {
			return usageError(err)
		}
	}
	if o.Folds == 0 { // the library's default, as its 0 means
		o.Folds = tabular.DefaultFolds
	}
	if c.quiet { // (warnings of the data still go to stderr)
		tc.Notes = nil
	} else {
		o.Fold = func(f tabular.FoldResult) {
			fmt.Fprintf(stderr, "fold %d/%d: %d training rows, %d tested, %d epochs: %s\n", f.Fold, o.Folds, f.TrainRows, f.TestRows, f.Epochs, metricsLine(f.Metrics))
		}
	}
	r, err := tabular.CV(ctx, source(c.data), tc, *o)
	if err != nil {
		return userError(flagError(fs, err))
	}
	js, err := cvJSON(r)
	if err != nil {
		return err
	}
	if out != "" {
		if err := atomicfile.WriteContext(ctx, out, func(w io.Writer) error { _, err := w.Write(js); return err }); err != nil {
			return writeError(err)
		}
	}
	if a.asJSON {
		_, err := stdout.Write(js)
		return err
	}
	return writeCVTable(stdout, r)
}

// cvArgs holds the cv command's flags: fit's (trainFlags) and its own.
type cvArgs struct {
	fit    fitConfig
	o      tabular.CVOptions
	out    string
	asJSON bool
}

// cvFlags returns the cv command's flag set, its flags bound to a.
func cvFlags(a *cvArgs) *flag.FlagSet {
	fs := newFlags("cv")
	trainFlags(fs, &a.fit)
	fs.IntVar(&a.o.Folds, "folds", tabular.DefaultFolds, "number of folds: each is tested on by a model fitted on the others (stratified by class for a classification, shuffled for a regression; seeded by --seed)")
	fs.StringVar(&a.o.Group, "group", "", "column whose rows of one value never straddle folds (a patient's, say): not a feature; at least --folds distinct values")
	fs.BoolVar(&a.asJSON, "json", false, "print one JSON object: the folds' metrics, their mean and sd")
	fs.StringVar(&a.out, "out", "", "also write the JSON object to this .json file")
	return fs
}

// cvMetrics lists the metrics in the order the table shows them.
var cvMetrics = []string{"loss", "accuracy", "rmse", "mae", "r2"}

// metricsLine writes metrics as "loss 0.123 accuracy 0.95".
func metricsLine(m map[string]float64) string {
	var parts []string
	for _, k := range cvMetrics {
		if v, ok := m[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %.6g", k, v))
		}
	}
	return strings.Join(parts, " ")
}

// writeCVTable prints a fold a line, then the mean ± sd of each metric.
func writeCVTable(w io.Writer, r *tabular.CVResult) error {
	var names []string
	for _, k := range cvMetrics {
		if _, ok := r.Mean[k]; ok {
			names = append(names, k)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-6s %8s %8s %7s", "fold", "train", "test", "epochs")
	for _, k := range names {
		fmt.Fprintf(&b, " %21s", k)
	}
	b.WriteString("\n")
	for _, f := range r.Folds {
		fmt.Fprintf(&b, "%-6d %8d %8d %7d", f.Fold, f.TrainRows, f.TestRows, f.Epochs)
		for _, k := range names {
			fmt.Fprintf(&b, " %21.6g", f.Metrics[k])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%-6s %8s %8d %7s", "mean", "", r.Rows, "")
	for _, k := range names {
		fmt.Fprintf(&b, " %21s", fmt.Sprintf("%.4g ± %.2g", r.Mean[k], r.SD[k]))
	}
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}

// cvJSON is the result as one JSON object, a line: the task, the rows,
// each fold's metrics, their mean and sd (a value that is not a finite
// number is null).
func cvJSON(r *tabular.CVResult) ([]byte, error) {
	type fold struct {
		Fold      int                 `json:"fold"`
		TrainRows int                 `json:"train_rows"`
		TestRows  int                 `json:"test_rows"`
		Epochs    int                 `json:"epochs"`
		Metrics   map[string]*float64 `json:"metrics"`
	}
	v := struct {
		Task  string              `json:"task"`
		Rows  int                 `json:"rows"`
		Folds []fold              `json:"folds"`
		Mean  map[string]*float64 `json:"mean"`
		SD    map[string]*float64 `json:"sd"`
	}{Task: r.Task.String(), Rows: r.Rows, Mean: finiteOrNull(r.Mean), SD: finiteOrNull(r.SD)}
	for _, f := range r.Folds {
		v.Folds = append(v.Folds, fold{f.Fold, f.TrainRows, f.TestRows, f.Epochs, finiteOrNull(f.Metrics)})
	}
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}

// finiteOrNull maps each value to itself, or to nil (JSON's null) when
// it is not a finite number.
func finiteOrNull(m map[string]float64) map[string]*float64 {
	out := make(map[string]*float64, len(m))
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}
