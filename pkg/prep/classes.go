package prep

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// Labels returns a column's distinct classes, in the order of the class
// indices. When every value is a number, values that are equal as numbers
// are one class ("1" and "1.0", as a numeric column in pandas or
// scikit-learn), named as first written, in numeric order; otherwise the
// distinct values as written, in lexical order. A text column of more
// than two classes, every one a date (csvdata.ParseDate), and more classes
// than half its rows is an error: dates to predict, not classes, are
// meant (a few dates, such as quarters, are classes). A number of 2⁵³ or
// more in magnitude is an error (a *RowError): float64 does not keep
// every integer that large, so two labels could be one number. It stops
// with ctx's error when ctx ends.
func Labels(ctx context.Context, c csvdata.Column) ([]string, error) {
	if c.Numbers != nil {
		first := make(map[float64]string, 16)
		for i, v := range c.Numbers {
			if err := every(ctx, i); err != nil {
				return nil, err
			}
			if math.Abs(v) >= 1<<53 {
				return nil, &RowError{Row: i, Err: csvdata.NewHintError("class label %s in target column %s is a number of magnitude 2^53 or more, which float64 does not keep exactly (two such labels could be one class): to keep the labels as written, declare the column with %s",
					csvdata.Quote(c.Text(i)), csvdata.Quote(c.Name), csvdata.Hint{Field: "Categorical", Value: c.Name})}
			}
			if _, ok := first[v]; !ok {
				first[v] = c.Text(i)
			}
		}
		values := slices.Sorted(maps.Keys(first))
		l := make([]string, len(values))
		for i, v := range values {
			l[i] = first[v]
		}
		return l, nil
	}
	seen := make(map[string]bool, 16)
	for i, s := range c.Strings {
		if err := every(ctx, i); err != nil {
			return nil, err
		}
		seen[s] = true
	}
	labels := slices.Sorted(maps.Keys(seen))
	if len(labels) > 2 && 2*len(labels) > c.Len() && !slices.ContainsFunc(labels, func(l string) bool { _, ok := csvdata.ParseDate([]byte(l)); return !ok }) {
		return nil, fmt.Errorf("target column %s holds dates, %d distinct in %d rows (such as %s): a classifier would learn a class of a row or two per date; to predict a date, give it as a number (such as days since a start)",
			csvdata.Quote(c.Name), len(labels), c.Len(), csvdata.Quote(labels[0]))
	}
	return labels, nil
}

// ClassIndices returns the class index, among labels, of each value of c:
// matched as written, or, when every label is a number, by numeric value.
// A value that is no class is a *RowError wrapping ErrUnknownLabel.
func ClassIndices(ctx context.Context, labels []string, c csvdata.Column) ([]int, error) {
	out := make([]int, c.Len())
	err := EachClass(ctx, labels, c, func(i, k int) { out[i] = k })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachClass calls each with each row of c and its class index among
// labels, as ClassIndices finds it, without a slice of them all; it stops
// at the first value that is no class, and returns its *RowError, or
// with ctx's error when ctx ends.
func EachClass(ctx context.Context, labels []string, c csvdata.Column, each func(row, class int)) error {
	return eachClass(ctx, NewClassIndex(labels), c, each)
}

// eachClass is EachClass with the classes' index.
func eachClass(ctx context.Context, x ClassIndex, c csvdata.Column, each func(row, class int)) error {
	byText, byValue := x.byText, x.byValue
	for i := range c.Len() {
		if err := every(ctx, i); err != nil {
			return err
		}
		var (
			k  int
			ok bool
		)
		if c.Strings == nil && byValue != nil { // numbers, and number labels
			k, ok = byValue[c.Numbers[i]]
		} else {
			s := c.Text(i)
			k, ok = byText[s]
			if !ok && byValue != nil {
				v, err := strconv.ParseFloat(s, 64)
				if c.Numbers != nil {
					v, err = c.Numbers[i], nil
				}
				if err == nil {
					k, ok = byValue[v]
				}
			}
		}
		if !ok {
			return &RowError{Row: i, Err: &LabelError{Column: c.Name, Label: c.Text(i)}}
		}
		each(i, k)
	}
	return nil
}

// ClassIndex finds a class among labels as EachClass does: a value as
// written, or, when every label is a number and no two are the same
// number, by its numeric value ("0" finds the class written "0.0").
type ClassIndex struct {
	byText  map[string]int
	byValue map[float64]int // nil unless every label is a distinct number
}

// NewClassIndex returns the ClassIndex of labels.
func NewClassIndex(labels []string) ClassIndex {
	x := ClassIndex{byText: make(map[string]int, len(labels)), byValue: make(map[float64]int, len(labels))}
	for i, l := range labels {
		x.byText[l] = i
		if x.byValue == nil {
			continue
		}
		v, err := strconv.ParseFloat(l, 64)
		if _, twice := x.byValue[v]; err != nil || twice { // "7" and "07": only as written
			x.byValue = nil
			continue
		}
		x.byValue[v] = i
	}
	return x
}

// ClassIndex returns the ClassIndex of the model's classes: as written
// only when the target was declared text (TextTarget).
func (p *Preprocessing) ClassIndex() ClassIndex {
	x := NewClassIndex(p.Labels)
	if p.TextTarget {
		x.byValue = nil
	}
	return x
}

// TextTargets returns the targets to read as text (csvdata's
// Options.Categorical) from a table the model evaluates: a classifier's
// target unless its classes are matched by number (ClassIndex) — read as
// numbers, "07" and "7" would be one, where the model's classes may hold
// both (a target of text, or declared text) —; a regression's none. A
// target of distinct number classes (0/1, digits) is read as numbers: no
// string a row.
func (p *Preprocessing) TextTargets() []string {
	if p.Task == Classify && p.ClassIndex().byValue == nil {
		return slices.Clone(p.Targets)
	}
	return nil
}

// Of returns the index of the class that s names, and whether one does.
func (x ClassIndex) Of(s string) (int, bool) {
	if k, ok := x.byText[s]; ok || x.byValue == nil {
		return k, ok
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	k, ok := x.byValue[v]
	return k, ok
}
