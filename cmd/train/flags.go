package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// The flag handling every command shares: parsing (errors reported by run
// in one line, -h on stdout), required flags, and the parsers of the flag
// values that are lists or characters.

// newFlags returns a flag set whose errors run reports in one line.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args; -h prints the flags to stdout.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usageError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("unexpected argument %s", csvdata.Quote(fs.Arg(0))))
	}
	return nil
}

// requireFlags refuses a command line that leaves one of the flags given
// empty, naming all of them: "--model is required", "--model and --data
// are required".
func requireFlags(flags ...namedPath) error {
	names := make([]string, len(flags))
	missing := false
	for i, f := range flags {
		names[i] = "--" + f.flag
		missing = missing || f.path == ""
	}
	if !missing {
		return nil
	}
	if len(names) == 1 {
		return usageError(fmt.Errorf("%s is required", names[0]))
	}
	return usageError(fmt.Errorf("%s and %s are required", strings.Join(names[:len(names)-1], ", "), names[len(names)-1]))
}

// parseDropout reads --dropout: rates separated by commas (tabular.Config
// checks their range and their number).
func parseDropout(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var rates []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("--dropout %s: want rates in [0, 1) separated by commas", csvdata.Quote(s))
		}
		rates = append(rates, r)
	}
	return rates, nil
}

// parseShuffle reads --shuffle: "global" (or empty) is 0, "window:K"
// is K (tabular.Config checks its range).
func parseShuffle(s string) (int, error) {
	if s == "" || s == "global" {
		return 0, nil
	}
	k, ok := strings.CutPrefix(s, "window:")
	n, err := strconv.Atoi(k)
	if !ok || err != nil || n < 1 {
		return 0, fmt.Errorf("--shuffle %s: want global or window:K, K blocks of 1024 rows (1 to %d)", csvdata.Quote(s), tabular.MaxShuffleWindow)
	}
	return n, nil
}

// parseHidden reads --hidden: layer sizes separated by commas (tabular.Config
// checks that each is positive); empty (or blank) is no hidden layer, an
// empty slice rather than nil.
func parseHidden(s string) ([]int, error) {
	sizes := []int{}
	if strings.TrimSpace(s) == "" {
		return sizes, nil // no hidden layer
	}
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("--hidden %s: want positive layer sizes separated by commas", csvdata.Quote(s))
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// joinInts writes sizes as --hidden takes them: "128,64".
func joinInts(sizes []int) string {
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// parseDelimiter reads --delimiter: one character, or \t for a tab; empty
// sniffs it.
func parseDelimiter(s string) (byte, error) {
	switch {
	case s == "":
		return 0, nil
	case s == `\t` || s == "tab" || s == "\t":
		return '\t', nil
	case len(s) == 1:
		if err := csvdata.CheckDelimiter(s[0]); err != nil {
			return 0, fmt.Errorf("--delimiter: %w", err)
		}
		return s[0], nil
	}
	// A long value is cut short: a line, not the whole of a pasted value.
	return 0, fmt.Errorf("--delimiter %s: want one character such as , ; | or \\t", csvdata.QuoteN(s, 12))
}

// listFlag reads a list flag's value (--target, --categorical,
// --ignore, --na) as parseList does, and refuses one that parseList
// cannot read, or that has an empty item (two commas in a row, one at an
// end, or ""): a typo, not to be repaired silently.
func listFlag(flag, s string) ([]string, error) {
	items, err := parseList(s)
	if err != nil {
		return nil, fmt.Errorf("--%s %s: %v (quote a name that holds a comma or a quote as CSV does: \"id,code\", \"say \"\"hi\"\"\")", flag, csvdata.Quote(s), err)
	}
	if slices.Contains(items, "") {
		return nil, fmt.Errorf("--%s %s: an empty item in the comma-separated list", flag, csvdata.Quote(s))
	}
	return items, nil
}

// parseList reads a list flag's value as one CSV record, as encoding/csv
// reads it: "id,code",other is two names; a quoted item may hold commas,
// doubled quotes and newlines. Items are trimmed of spaces and tabs, as
// csvdata trims the cells of a table. Empty gives nil.
func parseList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord, r.TrimLeadingSpace, r.ReuseRecord = -1, true, false
	items, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, err
	}
	if _, err := r.Read(); err != io.EOF {
		return nil, errors.New("a line break outside quotes")
	}
	for i, it := range items {
		items[i] = strings.Trim(it, " \t") // as csvdata trims every cell, quoted or not
	}
	return items, nil
}

// classWeightWant is what --class-weight takes.
const classWeightWant = "want balanced, or LABEL=WEIGHT pairs separated by commas (weights finite and ≥ 0)"

// parseClassWeight reads --class-weight: empty, "balanced", or LABEL=W
// pairs read as a list flag (a label with a comma quoted as CSV does),
// each split at its last '=' (tabular.Config checks the weights and the
// labels).
func parseClassWeight(s string) (tabular.ClassWeight, error) {
	switch s {
	case "":
		return tabular.ClassWeight{}, nil
	case "balanced":
		return tabular.ClassWeight{Balanced: true}, nil
	}
	bad := fmt.Errorf("--class-weight %s: %s", csvdata.Quote(s), classWeightWant)
	items, err := listFlag("class-weight", s)
	if err != nil {
		return tabular.ClassWeight{}, err
	}
	w := tabular.ClassWeight{Labels: make(map[string]float64, len(items))}
	for _, it := range items {
		i := strings.LastIndexByte(it, '=')
		if i <= 0 {
			return w, bad
		}
		label := strings.TrimSpace(it[:i])
		v, err := strconv.ParseFloat(strings.TrimSpace(it[i+1:]), 64)
		if err != nil || label == "" {
			return w, bad
		}
		if _, dup := w.Labels[label]; dup {
			return w, fmt.Errorf("--class-weight %s: class %s weighed twice", csvdata.Quote(s), csvdata.Quote(label))
		}
		w.Labels[label] = v
	}
	return w, nil
}
