package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// result is one tool's outcome on one split.
type result struct {
	score   float64 // accuracy or R² on the test rows
	seconds float64 // training time
	err     string  // the tool's error line; "" on success
	early   int     // scikit-learn: 1 when cross-validation chose early stopping, 0 when not, -1 when it did not choose
}

// runDensetrain fits bin with its defaults (plus the dataset's and the
// user's extra flags) on train.csv and evaluates the model on test.csv in
// dir. seconds is the wall time of the whole `train fit` process: reading
// the CSV, preprocessing, training and saving.
func runDensetrain(bin, dir string, d dataset, target string, extra []string) result {
	model := filepath.Join(dir, "m.safetensors")
	args := []string{"fit", "--data", filepath.Join(dir, "train.csv"), "--target", target,
		"--out", model, "--quiet"}
	args = append(args, d.fit...)
	args = append(args, extra...)
	start := time.Now()
	_, stderr, err := execute(bin, args...)
	secs := time.Since(start).Seconds()
	// The files' folder is temporary: name them train.csv and test.csv.
	short := func(s string) string { return strings.ReplaceAll(s, dir+string(filepath.Separator), "") }
	if err != nil {
		return result{err: short(errorLine(stderr, err, false))}
	}
	stdout, stderr, err := execute(bin, "evaluate", "--model", model,
		"--data", filepath.Join(dir, "test.csv"), "--json")
	if err != nil {
		return result{err: short(errorLine(stderr, err, false))}
	}
	score, err := metric(stdout, d.metricKey())
	if err != nil {
		return result{err: "evaluate: " + err.Error()}
	}
	return result{score: score, seconds: secs}
}

// runSklearn runs the scikit-learn reference pipeline (sklearn_ref.py) on
// train.csv and test.csv in dir. seconds is the pipeline's fit time as the
// script measures it.
// extra are more arguments for the script (--mlp KEY=VALUE, for
// experiments).
func runSklearn(python, script, dir string, d dataset, target string, extra []string) result {
	args := []string{script, filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv"), target, d.task}
	for _, c := range d.drop {
		args = append(args, "--drop", c)
	}
	args = append(args, extra...)
	stdout, stderr, err := execute(python, args...)
	if err != nil {
		return result{err: errorLine(stderr, err, true)}
	}
	score, err := metric(stdout, d.metricKey())
	if err != nil {
		return result{err: err.Error()}
	}
	secs, _ := metric(stdout, "seconds")
	r := result{score: score, seconds: secs, early: -1}
	var obj struct {
		EarlyStopping *bool `json:"early_stopping"`
	}
	if json.Unmarshal(lastLine(stdout), &obj) == nil && obj.EarlyStopping != nil {
		r.early = 0
		if *obj.EarlyStopping {
			r.early = 1
		}
	}
	return r
}

// execute runs name with args and returns its stdout and stderr.
func execute(name string, args ...string) (stdout, stderr []byte, err error) {
	return executeIn("", name, args...)
}

// executeIn runs name with args in dir ("" for the working directory) and
// returns its stdout and stderr.
func executeIn(dir, name string, args ...string) (stdout, stderr []byte, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// errorLine picks the line of stderr that says what went wrong: the first
// non-empty one (densetrain reports bad input in one line), or the last one
// when last is set (the exception line of a Python traceback). Without any,
// it describes err.
func errorLine(stderr []byte, err error, last bool) string {
	var lines []string
	for l := range strings.SplitSeq(string(stderr), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	switch {
	case len(lines) == 0:
		return err.Error()
	case last:
		return lines[len(lines)-1]
	default:
		return lines[0]
	}
}

// lastLine returns the last non-empty line of out.
func lastLine(out []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return lines[len(lines)-1]
}

// metric reads key from the JSON object on the last non-empty line of out.
func metric(out []byte, key string) (float64, error) {
	line := lastLine(out)
	var obj map[string]any
	if err := json.Unmarshal(line, &obj); err != nil {
		return 0, fmt.Errorf("output %q is not a JSON object", line)
	}
	v, ok := obj[key].(float64)
	if !ok {
		return 0, fmt.Errorf("no %q in %s", key, line)
	}
	return v, nil
}
