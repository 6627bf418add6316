package csvdata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// A table of several files can be learnt by several processes, each
// reading a share of the files (OpenPieces, LearnShare): what each finds
// travels as bytes (MarshalBinary, UnmarshalLearnt), and MergeShares
// merges the shares, in file order, into the Summary Learn finds of the
// whole table — the same merge Learn makes of a file's parts.

// Learnt is what Learn finds of a share of a table's files before the
// whole table's rules are applied.
type Learnt struct {
	name string // the share's first file, in messages
	s    *Summary
	cols []learnt
}

// LearnShare reads every part of f, a share of a table's files, and
// returns what they say of the table.
func LearnShare[T tensor.Float](ctx context.Context, f *File) (*Learnt, error) {
	return learnShare[T](ctx, f, nil)
}

// Rows returns the rows the share keeps (0 when it has none).
func (l *Learnt) Rows() int {
	if l.s == nil {
		return 0
	}
	return l.s.Rows
}

// MergeShares returns the Summary of the table of the files paths (read
// with opt) from what the shares of its files found, in file order; a
// share of no files is nil.
func MergeShares(ctx context.Context, paths []string, opt Options, shares []*Learnt) (*Summary, error) {
	f, err := OpenFiles(ctx, paths, opt)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	all := &Learnt{}
	for _, l := range shares {
		if err := all.add(l); err != nil {
			return nil, err
		}
	}
	return all.finish(f)
}

// add merges o, of the files after l's, into l.
func (l *Learnt) add(o *Learnt) error {
	if o == nil || o.s == nil {
		return nil
	}
	if l.s == nil {
		l.name, l.s, l.cols = o.name, o.s, o.cols
		return nil
	}
	s, t := l.s, o.s
	if !slices.Equal(s.Header, t.Header) || len(l.cols) != len(o.cols) || len(s.Targets) != len(t.Targets) {
		return &ParseError{File: o.name, Line: 1, Err: fmt.Errorf("the header is not %s's: the files of a table must have the same columns, in the same order", l.name)}
	}
	for i := range l.cols {
		c, d := &l.cols[i], &o.cols[i]
		if d.missing > 0 {
			if c.missing == 0 {
				c.firstMissing = d.firstMissing
			}
			c.missing += d.missing
		}
		c.present += d.present
		if c.numbers == 0 {
			c.numbers = d.numbers
		}
		if c.text == 0 {
			c.text = d.text
		}
		if c.dates == 0 {
			c.dates = d.dates
		}
		if c.date != DateTime {
			c.date = max(c.date, d.date) // "datetime" > "date" > ""
		}
		c.cat = c.cat || d.cat
		c.missingCategories = c.missingCategories || d.missingCategories
		for v := range d.cats {
			c.cats[v] = true
		}
	}
	for k := range s.Targets {
		tk, uk := &s.Targets[k], t.Targets[k]
		tk.Text = tk.Text || uk.Text
		if tk.Written != nil {
			tk.addWritten(uk.Written)
		}
	}
	s.Skipped = s.Skipped.Add(t.Skipped)
	s.Rows += t.Rows
	return nil
}

// learntJSON is a Learnt as bytes.
type learntJSON struct {
	Name      string
	Empty     bool
	Header    []string
	Features  []string
	Delimiter byte
	Rows      int
	Targets   []targetJSON
	Skipped   Cells
	Cols      []colJSON
}

type targetJSON struct {
	Name      string
	Text      bool
	NoWritten bool
	Values    []uint64 // the bits of the numbers, in the order of Texts
	Texts     []string
}

type colJSON struct {
	Cat, MissingCategories bool
	Cats                   []string
	Present, Missing       int
	Numbers, Text          int
	Dates                  int
	Date                   string
	FirstMissing           Cells
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (l *Learnt) MarshalBinary() ([]byte, error) {
	j := learntJSON{Name: l.name, Empty: l.s == nil}
	if s := l.s; s != nil {
		j.Header, j.Delimiter, j.Rows, j.Skipped = s.Header, s.Delimiter, s.Rows, s.Skipped
		for _, fc := range s.Schema.Features {
			j.Features = append(j.Features, fc.Name)
		}
		for _, tk := range s.Targets {
			tj := targetJSON{Name: tk.Name, Text: tk.Text, NoWritten: tk.Written == nil}
			for _, v := range slices.Sorted(maps.Keys(tk.Written)) {
				tj.Values, tj.Texts = append(tj.Values, math.Float64bits(v)), append(tj.Texts, tk.Written[v])
			}
			j.Targets = append(j.Targets, tj)
		}
		for _, c := range l.cols {
			j.Cols = append(j.Cols, colJSON{Cat: c.cat, MissingCategories: c.missingCategories, Cats: slices.Sorted(maps.Keys(c.cats)),
				Present: c.present, Missing: c.missing, Numbers: c.numbers, Text: c.text, Dates: c.dates, Date: c.date, FirstMissing: c.firstMissing})
		}
	}
	return json.Marshal(j)
}

// UnmarshalLearnt returns the Learnt that MarshalBinary made b of.
func UnmarshalLearnt(b []byte) (*Learnt, error) {
	var j learntJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("csvdata: a share's summary: %w", err)
	}
	l := &Learnt{name: j.Name}
	if j.Empty {
		return l, nil
	}
	if len(j.Features) != len(j.Cols) {
		return nil, fmt.Errorf("csvdata: a share's summary has %d features and %d columns", len(j.Features), len(j.Cols))
	}
	s := &Summary{Header: j.Header, Delimiter: j.Delimiter, Rows: j.Rows, Skipped: j.Skipped,
		Schema: Schema{Features: make([]FeatureColumn, len(j.Features))}}
	for i, name := range j.Features {
		s.Schema.Features[i].Name = name
	}
	for _, tj := range j.Targets {
		tk := TargetKind{Name: tj.Name, Text: tj.Text}
		if !tj.NoWritten {
			tk.Written = make(map[float64]string, len(tj.Values))
			for i, v := range tj.Values {
				tk.Written[math.Float64frombits(v)] = tj.Texts[i]
			}
		}
		s.Targets = append(s.Targets, tk)
	}
	l.s, l.cols = s, make([]learnt, len(j.Cols))
	for i, c := range j.Cols {
		l.cols[i] = learnt{cat: c.Cat, missingCategories: c.MissingCategories, cats: make(map[string]bool, len(c.Cats)),
			present: c.Present, missing: c.Missing, numbers: c.Numbers, text: c.Text, dates: c.Dates, date: c.Date, firstMissing: c.FirstMissing}
		for _, v := range c.Cats {
			l.cols[i].cats[v] = true
		}
	}
	return l, nil
}

// CountLines returns the number of line ends in bytes [from, to) of the
// plain file at path: what the pieces before a piece (OpenPieces) need
// to number their lines.
func CountLines(ctx context.Context, path string, from, to int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, ShortPath(err)
	}
	defer f.Close()
	var buf [1 << 20]byte
	var n int64
	for at := from; at < to; {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k, err := f.ReadAt(buf[:min(int64(len(buf)), to-at)], at)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		at += int64(k)
		if err == io.EOF {
			break
		} else if err != nil {
			return 0, &ParseError{File: path, Err: err}
		}
	}
	return n, nil
}
