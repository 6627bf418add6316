// Command accuracy compares the test accuracy (classification) or R²
// (regression) of densetrain's command-line tool, run with its defaults,
// with a scikit-learn pipeline built as a careful user would build it, on
// messy real tables and on two clean controls, and prints a Markdown table.
//
// Usage, from the repository root:
//
//	go run ./benchmarks/accuracy [-train BIN] [-dir DIR] [-clean-dir DIR]
//	    [-splits N] [-seed S] [-python PATH] [-only NAME] [-extra "FLAGS"]
//	    [-sklearn-extra "ARGS"]
//
// Each dataset is split -splits times (split k seeded with seed+k) into 75 %
// training and 25 % test rows, stratified by class for classification; rows
// without a target go to the training side. Both tools get the same two CSV
// files, written with each record's original text:
//   - densetrain: `train fit --data train.csv --target T --quiet` (plus the
//     dataset's flags and -extra), then `train evaluate --json` on test.csv;
//   - scikit-learn: sklearn_ref.py (mean or constant imputation, standard
//     scaling, one-hot text columns, MLPClassifier or MLPRegressor with
//     early stopping on or off as 5-fold cross-validation on the training
//     rows chooses; -sklearn-extra "--no-select" always early-stops).
//
// Each tool's scores are averaged over the splits (mean ± sample standard
// deviation). A tool that fails shows its error line in its cell; the run
// goes on.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// dataset is one table of the benchmark.
type dataset struct {
	file   string   // file name
	clean  bool     // in -clean-dir (a control) rather than -dir
	target string   // target column; "" for the last one
	task   string   // classify or regress
	fit    []string // extra flags for `train fit`
	drop   []string // columns scikit-learn drops (identifiers)
}

// datasets lists the benchmark's tables: the messy ones, then the clean
// controls.
var datasets = []dataset{
	{file: "scat.csv", target: "Species", task: "classify"},
	{file: "Sacramento.csv", target: "price", task: "regress"},
	{file: "stackoverflow.csv", target: "Remote", task: "classify"},
	{file: "diabetes_holes.csv", target: "target", task: "regress",
		fit: []string{"--ignore", "patient_id"}, drop: []string{"patient_id"}},
	{file: "iris.csv", clean: true, task: "classify"},
	{file: "diabetes.csv", clean: true, target: "target", task: "regress"},
}

// metricKey is the evaluation key of d's score in both tools' JSON.
func (d dataset) metricKey() string {
	if d.task == "classify" {
		return "accuracy"
	}
	return "r2"
}

// options are the command's flags.
type options struct {
	train, dir, cleanDir, python, only, extra, skExtra string
	splits                                             int
	seed                                               uint64
	built                                              bool // train was built by the command
}

func main() {
	var o options
	flag.StringVar(&o.train, "train", "", "a prebuilt densetrain `train` binary (default: go build ./cmd/train into a temporary folder)")
	flag.StringVar(&o.dir, "dir", "", "folder of the messy tables (default: ../shared/data/messy from the repository root)")
	flag.StringVar(&o.cleanDir, "clean-dir", "", "folder of the clean controls iris.csv and diabetes.csv (default: ../shared/data from the repository root)")
	flag.IntVar(&o.splits, "splits", 5, "number of seeded 75/25 hold-out splits per dataset")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the first split (split k uses seed+k)")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", "Python with scikit-learn and pandas")
	flag.StringVar(&o.only, "only", "", "run only this dataset (file name, with or without .csv)")
	flag.StringVar(&o.extra, "extra", "", "extra flags for `train fit`, split at spaces (for experiments)")
	flag.StringVar(&o.skExtra, "sklearn-extra", "", "extra arguments for sklearn_ref.py, split at spaces (for experiments, e.g. \"--mlp early_stopping=False\")")
	flag.Parse()
	if flag.NArg() > 0 || o.splits < 1 {
		fmt.Fprintln(os.Stderr, "accuracy: bad usage (see -h)")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "accuracy:", err)
		os.Exit(1)
	}
}

// run benchmarks every selected dataset and prints the report.
func run(o options) error {
	root := repoRoot()
	if o.dir == "" {
		o.dir = filepath.Join(root, "..", "shared", "data", "messy")
	}
	if o.cleanDir == "" {
		o.cleanDir = filepath.Join(root, "..", "shared", "data")
	}
	tmp, err := os.MkdirTemp("", "accuracy")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.train == "" {
		o.train, o.built = filepath.Join(tmp, "train"), true
		if _, stderr, err := executeIn(root, "go", "build", "-o", o.train, "./cmd/train"); err != nil {
			return fmt.Errorf("go build ./cmd/train: %v\n%s", err, stderr)
		}
	}
	script := filepath.Join(root, "benchmarks", "accuracy", "sklearn_ref.py")
	var rows []row
	var notes []string
	for _, d := range datasets {
		if o.only != "" && o.only != d.file && o.only+".csv" != d.file {
			continue
		}
		dir := o.dir
		if d.clean {
			dir = o.cleanDir
		}
		path := filepath.Join(dir, d.file)
		if _, err := os.Stat(path); err != nil {
			notes = append(notes, fmt.Sprintf("%s: skipped (%v)", d.file, err))
			continue
		}
		r, note := bench(o, d, path, tmp, script)
		rows = append(rows, r)
		notes = append(notes, note)
	}
	if len(rows) == 0 && o.only != "" {
		return fmt.Errorf("-only %q: no such dataset", o.only)
	}
	report(os.Stdout, o, rows, notes)
	return nil
}

// bench runs both tools on every split of one dataset.
func bench(o options, d dataset, path, tmp, script string) (row, string) {
	r := row{name: d.file, task: d.task, metric: d.metricKey()}
	t, target, err := readTable(path, d.target)
	if err != nil {
		r.dense = []result{{err: err.Error()}}
		r.sk = r.dense
		return r, fmt.Sprintf("%s: %v", d.file, err)
	}
	r.rows = len(t.raw)
	dir := filepath.Join(tmp, strings.TrimSuffix(d.file, ".csv"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.dense = []result{{err: err.Error()}}
		r.sk = r.dense
		return r, d.file + ": " + err.Error()
	}
	for k := range o.splits {
		train, test := t.split(o.seed+uint64(k), d.task == "classify")
		if err := t.write(filepath.Join(dir, "train.csv"), train); err != nil {
			r.dense = append(r.dense, result{err: err.Error()})
			r.sk = append(r.sk, result{err: err.Error()})
			continue
		}
		if err := t.write(filepath.Join(dir, "test.csv"), test); err != nil {
			r.dense = append(r.dense, result{err: err.Error()})
			r.sk = append(r.sk, result{err: err.Error()})
			continue
		}
		dr := runDensetrain(o.train, dir, d, target, strings.Fields(o.extra))
		sr := runSklearn(o.python, script, dir, d, target, strings.Fields(o.skExtra))
		r.dense = append(r.dense, dr)
		r.sk = append(r.sk, sr)
		fmt.Fprintf(os.Stderr, "%s split %d/%d (%d train, %d test): densetrain %s, scikit-learn %s\n",
			d.file, k+1, o.splits, len(train), len(test), dr, sr)
	}
	note := fmt.Sprintf("%s (target %s, %d columns): %s", d.file, target, len(t.header), t.profile(d.task == "classify"))
	early, chose := 0, 0
	for _, sr := range r.sk {
		if sr.err == "" && sr.early >= 0 {
			early += sr.early
			chose++
		}
	}
	if chose > 0 {
		note += fmt.Sprintf("; scikit-learn's cross-validation chose early stopping in %d of %d splits", early, chose)
	}
	return r, note
}

// String formats a result for the progress lines.
func (r result) String() string {
	if r.err != "" {
		return "error: " + r.err
	}
	return fmt.Sprintf("%.4f (%.2f s)", r.score, r.seconds)
}

// repoRoot returns the nearest folder at or above the working directory that
// holds a go.mod, or the working directory.
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return wd
		}
	}
}
