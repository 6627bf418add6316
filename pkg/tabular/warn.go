package tabular

import (
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// warnSkipped says how many rows lacked a target.
func warnSkipped(w io.Writer, name string, s csvdata.Cells) {
	if w != nil && s.Count > 0 {
		fmt.Fprintf(w, "%s: skipped %d rows with a missing target (column %s, first at line %d)\n", name, s.Count, csvdata.Quote(s.Column), s.Line)
	}
}

// warnEmpty says which feature columns have no value in any row of tab:
// the network learns nothing of them (their input is the same in every
// training row, so its weights keep their initial values), and a value
// given to predict would move its answers by those.
func warnEmpty[T tensor.Float](w io.Writer, name string, tab *csvdata.Table[T], render func(csvdata.Hint) string) {
	if w == nil || tab.X.Rows == 0 {
		return
	}
	for _, m := range tab.Missing {
		if m.Count == tab.X.Rows {
			fmt.Fprintf(w, "%s: column %s has no value in any of the %d rows: the model learns nothing of it, and a value of it given to predict would move the answers by untrained weights; leave it out with %s\n",
				name, csvdata.Quote(m.Column), m.Count, render(csvdata.Hint{Field: "Ignore", Value: m.Column}))
		}
	}
}

// warnDecimalComma says which text columns hold numbers written with a
// decimal comma (3,14), some of them maybe plain (3): read as text, as
// pandas reads them without decimal=",", each value is a category of its
// own, and their order is lost. A classification target of such labels
// (labels, nil for none) is named too: a regression was likely meant.
func warnDecimalComma(w io.Writer, name string, s csvdata.Schema, target string, labels []string) {
	if w == nil {
		return
	}
	for _, f := range s.Features {
		if eg, ok := commaNumbers(f.Categories); ok {
			fmt.Fprintf(w, "%s: column %s holds numbers written with a decimal comma (such as %s): they are read as text, a category each; write them with a decimal point to train on them as numbers\n",
				name, csvdata.Quote(f.Name), csvdata.Quote(eg))
		}
	}
	if eg, ok := commaNumbers(labels); ok {
		fmt.Fprintf(w, "%s: target column %s holds numbers written with a decimal comma (such as %s): they are read as text, a class each; write them with a decimal point for a regression\n",
			name, csvdata.Quote(target), csvdata.Quote(eg))
	}
}

// commaNumbers reports whether values (the missing one, "", aside) are at
// least three numbers, some written with a decimal comma and the others
// plain, and returns one with a comma.
func commaNumbers(values []string) (string, bool) {
	n, eg := 0, ""
	for _, v := range values {
		switch {
		case v == "":
			continue
		case csvdata.IsDecimalComma(v):
			eg = v
		case !csvdata.IsNumber(v):
			return "", false
		}
		n++
	}
	return eg, n >= 3 && eg != ""
}

// warnUnseen says, per column, how many categories were not seen in
// training (encoded as all zeros), and with render (nil: none, as for
// Fit's validation file, which has no strict setting) what makes that an
// error.
func warnUnseen(w io.Writer, name string, cells []csvdata.Cells, render func(csvdata.Hint) string) {
	if w == nil {
		return
	}
	for _, u := range cells {
		first := csvdata.Quote(u.First)
		if u.First == "" {
			first = "a missing value"
		}
		strict := ""
		if render != nil {
			strict = "; " + render(csvdata.Hint{Field: "Strict"}) + " makes this an error"
		}
		at := fmt.Sprintf("line %d", u.Line)
		if u.File != "" && u.File != name { // a table of several files
			at += " of " + u.File
		}
		fmt.Fprintf(w, "%s: column %s: %d values not seen in training, encoded as all zeros (the first %s at %s%s)\n",
			name, csvdata.Quote(u.Column), u.Count, first, at, strict)
	}
}
