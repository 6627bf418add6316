package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/densetrain/densetrain/pkg/csvdata"

	"github.com/densetrain/densetrain/pkg/tabular"
)

// The files commands read: tables (--data, --val) and saved models
// (--model), and the flags shared by predict and evaluate, which use a
// model on a table. (outputs.go checks the files they write.)

// stdin is what --data - reads.
var stdin io.Reader = os.Stdin

// source is the table named by a --data flag (see dataFiles): "-" is
// standard input; several files are one table, named as the flag gives
// them.
func source(value string) tabular.Source {
	if value == "-" {
		return tabular.Reader("stdin", stdin)
	}
	paths, err := dataFiles(value)
	if err != nil || len(paths) == 1 {
		return tabular.File(value) // dataFiles' error is the command's, first
	}
	src := tabular.Files(paths...)
	src.Name = value
	return src
}

// dataFiles returns the files a --data value names: a file; the files a
// glob pattern matches (`parts/part-*.csv.gz`, sorted, as Spark and Dask
// number them); or the files of a comma-separated list — one table, each
// file with the same header.
func dataFiles(value string) ([]string, error) {
	if _, err := os.Stat(value); err == nil || value == "-" {
		return []string{value}, nil
	}
	if strings.ContainsAny(value, "*?[") {
		paths, err := filepath.Glob(value)
		switch {
		case err != nil:
			return nil, fmt.Errorf("--data %s: %v", csvdata.Quote(value), err)
		case len(paths) == 0:
			return nil, fmt.Errorf("--data %s: no file matches the pattern", csvdata.Quote(value))
		}
		return paths, nil
	}
	if strings.Contains(value, ",") {
		paths := strings.Split(value, ",")
		if slices.Contains(paths, "") {
			return nil, fmt.Errorf("--data %s: an empty name in the list", csvdata.Quote(value))
		}
		return paths, nil
	}
	return []string{value}, nil
}

// dataIns are the files a --data value names, as inputs no output may
// replace.
func dataIns(value string) []namedPath {
	paths, _ := dataFiles(value)
	var ins []namedPath
	for _, p := range paths {
		ins = append(ins, namedPath{"data", p})
	}
	return ins
}

// loadModel reads a model file written by train fit, for every command
// that uses one; a file that does not load is the user's error (exit 2).
func loadModel(path string) (*tabular.Model, error) {
	m, err := tabular.Load(path)
	if err != nil {
		return nil, usageError(err)
	}
	return m, nil
}

// userError marks the library's input errors as the user's.
func userError(err error) error {
	if errors.As(err, new(*tabular.InputError)) {
		return usageError(err)
	}
	return err
}

// useFlags are the flags of the commands that use a model on a table
// (predict and evaluate).
type useFlags struct {
	model, data, na, delimiter string
	strict                     bool
	workers                    int
}

// newUseFlags returns the flag set of the command name with the use
// flags defined on it; data describes the --data file.
func newUseFlags(name, data string) (*flag.FlagSet, *useFlags) {
	fs, u := newFlags(name), new(useFlags)
	fs.StringVar(&u.model, "model", "", "model file (required)")
	fs.StringVar(&u.data, "data", "", data+"; plain or gzip, a glob pattern or a comma-separated list of files read as one table, - for standard input (required)")
	fs.StringVar(&u.na, "na", "", "more tokens that mean a missing value, besides the model's, comma-separated")
	fs.StringVar(&u.delimiter, "delimiter", "", "field separator (default: sniffed from the header)")
	fs.BoolVar(&u.strict, "strict", false, "a category not seen in training is an error (default: encoded as all zeros, and counted on stderr)")
	fs.IntVar(&u.workers, "workers", 0, "worker goroutines, at most 1024 (default 0: one per CPU); results do not depend on it")
	return fs, u
}

// open checks, in this order, the required flags, the files the command
// will write (outs, which may be none: each must be writable and not
// --data or --model) and the other flags, then loads the model. It
// returns the model and the options that use it on --data: the flags
// mapped as they are (tabular checks them, and flagError names the flag
// of a setting it refuses).
func (u *useFlags) open(stderr io.Writer, outs ...namedPath) (*tabular.Model, tabular.PredictOptions, error) {
	var o tabular.PredictOptions
	if err := requireFlags(namedPath{"model", u.model}, namedPath{"data", u.data}); err != nil {
		return nil, o, err
	}
	if _, err := dataFiles(u.data); err != nil {
		return nil, o, usageError(err)
	}
	if len(outs) > 0 {
		if err := checkOutputs(outs, append(dataIns(u.data), namedPath{"model", u.model})); err != nil {
			return nil, o, usageError(err)
		}
	}
	delim, err := parseDelimiter(u.delimiter)
	if err != nil {
		return nil, o, usageError(err)
	}
	na, err := listFlag("na", u.na)
	if err != nil {
		return nil, o, usageError(err)
	}
	m, err := loadModel(u.model)
	if err != nil {
		return nil, o, err
	}
	return m, tabular.PredictOptions{Strict: u.strict, NA: na, Delimiter: delim, Workers: u.workers, Warn: stderr, Hints: flagHint}, nil
}

// badData is dataFiles' error for a --data value, if any.
func badData(value string) error {
	_, err := dataFiles(value)
	return err
}
