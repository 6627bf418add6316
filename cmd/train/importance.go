package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/densetrain/densetrain/internal/atomicfile"
	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// importanceCommand prints the permutation importance of each column of
// a table for a model (tabular's Importance): a table of column, mean and
// sd by mean descending, or with --json one object; --out writes the same
// to a .csv (one row per column, each repeat's value too) or .json file
// and --plot draws a bar chart, both atomically.
func importanceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, u := newUseFlags("importance", "CSV file with the target columns; rows with a missing target are skipped")
	repeats := fs.Int("repeats", tabular.DefaultImportanceRepeats, fmt.Sprintf("shuffles of each column, 1 to %d", tabular.MaxImportanceRepeats))
	seed := fs.Uint64("seed", 0, "seed of the shuffles")
	asJSON := fs.Bool("json", false, "print one JSON object")
	out := fs.String("out", "", "also write the importances to this .csv or .json file")
	plotPath := fs.String("plot", "", "draw the mean importances, with their sd, into this .png file")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	var outs []namedPath
	switch {
	case *out != "" && !strings.HasSuffix(*out, ".csv") && !strings.HasSuffix(*out, ".json"):
		return usageError(fmt.Errorf("--out %s: want a .csv or .json file", csvdata.Quote(*out)))
	case *plotPath != "" && !strings.HasSuffix(*plotPath, ".png"):
		return usageError(fmt.Errorf("--plot %s: want a .png file", csvdata.Quote(*plotPath)))
	case *repeats == 0: // the library's 0 is its default; given on purpose, it is a mistake
		return usageError(fmt.Errorf("--repeats 0: %s", repeatsWant))
	}
	if *out != "" {
		outs = append(outs, namedPath{"out", *out})
	}
	if *plotPath != "" {
		outs = append(outs, namedPath{"plot", *plotPath})
	}
	m, o, err := u.open(stderr, outs...)
	if err != nil {
		return err
	}
	imp, err := m.Importance(ctx, source(u.data), tabular.ImportanceOptions{PredictOptions: o, Repeats: *repeats, Seed: *seed})
	if err != nil {
		return userError(flagError(fs, err))
	}
	if *out != "" {
		write := func(w io.Writer) error { return importanceJSON(w, imp) }
		if strings.HasSuffix(*out, ".csv") {
			write = func(w io.Writer) error { return importanceCSV(w, imp) }
		}
		if err := atomicfile.WriteContext(ctx, *out, write); err != nil {
			return writeError(err)
		}
	}
	if *plotPath != "" {
		if err := plotImportance(ctx, *plotPath, imp); err != nil {
			return writeError(err)
		}
	}
	if *asJSON {
		return importanceJSON(stdout, imp)
	}
	return importanceText(stdout, imp)
}

// repeatsWant is what --repeats takes.
var repeatsWant = fmt.Sprintf("want 1 to %d", tabular.MaxImportanceRepeats)

// importanceText writes the baseline, then a table of each column's mean
// and sd, aligned.
func importanceText(w io.Writer, imp *tabular.Importance) error {
	if _, err := fmt.Fprintf(w, "baseline %s %.6g on %d rows; %d shuffles per column, seed %d\n", imp.Metric, imp.Baseline, imp.Rows, imp.Repeats, imp.Seed); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "column\tmean\tsd")
	for _, c := range imp.Columns {
		fmt.Fprintf(tw, "%s\t%.6g\t%.6g\n", csvdata.ListName(c.Name), c.Mean, c.SD)
	}
	return tw.Flush()
}

// importanceJSON writes the importances as one JSON object: the metric,
// the baseline, the rows, repeats and seed, and the columns by mean
// descending, each with its name, mean, sd and per-repeat values.
func importanceJSON(w io.Writer, imp *tabular.Importance) error {
	type column struct {
		Name   string    `json:"name"`
		Mean   float64   `json:"mean"`
		SD     float64   `json:"sd"`
		Values []float64 `json:"values"`
	}
	cols := make([]column, len(imp.Columns))
	for i, c := range imp.Columns {
		cols[i] = column{c.Name, c.Mean, c.SD, c.Values}
	}
	return json.NewEncoder(w).Encode(struct {
		Metric   string   `json:"metric"`
		Baseline float64  `json:"baseline"`
		Rows     int      `json:"rows"`
		Repeats  int      `json:"repeats"`
		Seed     uint64   `json:"seed"`
		Columns  []column `json:"columns"`
	}{imp.Metric, imp.Baseline, imp.Rows, imp.Repeats, imp.Seed, cols})
}

// importanceCSV writes the importances as CSV through encoding/csv: a
// row per column, by mean descending, with its mean, sd and each
// repeat's value (repeat_1 …).
func importanceCSV(w io.Writer, imp *tabular.Importance) error {
	cw := csv.NewWriter(w)
	rec := []string{"column", "mean", "sd"}
	for r := range imp.Repeats {
		rec = append(rec, "repeat_"+strconv.Itoa(r+1))
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, c := range imp.Columns {
		rec = append(rec[:0], c.Name, num(c.Mean), num(c.SD))
		for _, v := range c.Values {
			rec = append(rec, num(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
