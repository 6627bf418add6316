package csvdata

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// Summary is what Learn finds of a whole file: what Read's Table says of
// it, without its rows.
type Summary struct {
	Header    []string
	Schema    Schema // the feature columns and their categories, as Read learns them
	Delimiter byte
	Rows      int // the rows kept (those with every target)
	Targets   []TargetKind
	Missing   []Cells // per feature column with missing cells, in schema order
	Skipped   Cells   // the rows left out for a missing target
}

// TargetKind is what Learn finds of a target column: whether it holds
// text (Read's Column then has Strings, and no Numbers), and, when it
// holds numbers, how each distinct number was first written (nil when
// there are more than DefaultMaxCategories).
type TargetKind struct {
	Name    string
	Text    bool
	Written map[float64]string `json:"-"`
}

// Learn reads every part of f and returns what Read would find of the
// whole file: a column is categorical when a part finds it so, its
// categories are the union of the parts', and the whole file's rules
// (a column of numbers and text, an identifier, too many categories) are
// applied to the union. each, when not nil, is called with every part's
// own table (its own layout, which Summary.Schema may extend).
func Learn[T tensor.Float](ctx context.Context, f *File, each func(*Table[T]) error) (*Summary, error) {
	l, err := learnShare(ctx, f, each)
	if err != nil {
		return nil, err
	}
	return l.finish(f)
}

// learnShare reads every part of f and returns what they say, before the
// whole table's rules.
func learnShare[T tensor.Float](ctx context.Context, f *File, each func(*Table[T]) error) (*Learnt, error) {
	var (
		s    *Summary
		cols []learnt
	)
	err := f.parts(ctx, func(text []byte, delta, file int) error {
		t, err := readPart[T](ctx, f, text, delta, file, f.opt)
		if err != nil {
			return err
		}
		if s == nil {
			s = &Summary{Header: t.Header, Delimiter: t.Delimiter, Schema: Schema{Features: make([]FeatureColumn, len(t.Schema.Features))}}
			cols = make([]learnt, len(t.Schema.Features))
			for i, fc := range t.Schema.Features {
				s.Schema.Features[i].Name = fc.Name
				cols[i].cats = map[string]bool{}
			}
			for _, c := range t.Targets {
				s.Targets = append(s.Targets, TargetKind{Name: c.Name, Written: map[float64]string{}})
			}
		}
		if err := addPart(s, t, cols); err != nil {
			return err
		}
		if each != nil {
			return each(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Learnt{name: f.Name(), s: s, cols: cols}, nil
}

// finish applies the whole table's rules to what l says of it (f the
// table's file, or its first) and returns the Summary.
func (l *Learnt) finish(f *File) (*Summary, error) {
	s := l.s
	if s == nil {
		return nil, NoRowsError(f.Name(), 2)
	}
	if s.Rows == 0 {
		return nil, NoTargetsError(f.Name(), s.Skipped)
	}
	return s, s.finish(f, l.cols)
}

// learnt is what the parts so far say of a feature column.
type learnt struct {
	cat               bool
	cats              map[string]bool
	present, missing  int
	numbers, text     int    // the first line of a part that found numbers, text (0: none)
	dates             int    // the first line of a part that found dates (0: none)
	date              string // their kind: DateTime when any part found times
	firstMissing      Cells
	missingCategories bool // a part taken for numbers had missing cells
}

// addPart merges part t into s and cols.
func addPart[T tensor.Float](s *Summary, t *Table[T], cols []learnt) error {
	if len(t.Schema.Features) != len(cols) || len(t.Targets) != len(s.Targets) {
		return fmt.Errorf("csvdata: a part has %d features and %d targets, the first %d and %d", len(t.Schema.Features), len(t.Targets), len(cols), len(s.Targets))
	}
	rows := t.X.Rows
	missing := make(map[string]Cells, len(t.Missing))
	for _, m := range t.Missing {
		missing[m.Column] = m
	}
	at := 0
	if rows > 0 {
		at = t.Lines.Line(0)
	}
	for i, fc := range t.Schema.Features {
		c := &cols[i]
		m := missing[fc.Name]
		if m.Count > 0 {
			if c.missing == 0 {
				c.firstMissing = m
			}
			c.missing += m.Count
		}
		present := rows - m.Count
		c.present += present
		if fc.Date != "" {
			if present > 0 && c.dates == 0 {
				c.dates = at
			}
			if c.date != DateTime {
				c.date = fc.Date
			}
			continue
		}
		if fc.Categories == nil {
			if present > 0 && c.numbers == 0 {
				c.numbers = at
			}
			c.missingCategories = c.missingCategories || m.Count > 0
			continue
		}
		c.cat = true
		if present > 0 && c.text == 0 {
			c.text = at
		}
		for _, v := range fc.Categories {
			c.cats[v] = true
		}
	}
	for k, c := range t.Targets {
		tk := &s.Targets[k]
		switch {
		case c.Numbers == nil:
			tk.Text = true
		case tk.Written == nil: // too many distinct numbers already
		case c.Strings != nil:
			for i, v := range c.Numbers {
				if _, ok := tk.Written[v]; !ok {
					tk.Written[v] = c.Strings[i]
				}
				if len(tk.Written) > maxWritten {
					tk.Written = nil
					break
				}
			}
		default:
			tk.addWritten(c.Written)
		}
	}
	s.Skipped = s.Skipped.Add(t.Skipped)
	s.Rows += rows
	return nil
}

// addWritten adds to tk's first writings of its numbers those of a later
// part, w (nil: the part had too many), each number keeping its first;
// beyond maxWritten distinct numbers, tk has none.
func (tk *TargetKind) addWritten(w map[float64]string) {
	if w == nil {
		tk.Written = nil
		return
	}
	for v, t := range w {
		if _, ok := tk.Written[v]; !ok {
			tk.Written[v] = t
		}
	}
	if len(tk.Written) > maxWritten {
		tk.Written = nil
	}
}

// finish applies the whole file's rules to the merged columns and fills
// in s's schema and missing cells.
func (s *Summary) finish(f *File, cols []learnt) error {
	forced, err := f.forcedColumns(s.Header)
	if err != nil {
		return err
	}
	hint := func(format string, args ...any) error {
		e := NewHintError(format, args...)
		e.Render = f.opt.Hints
		return &ParseError{File: f.Name(), Err: e}
	}
	colHint := func(field, name string) Hint {
		if len(name) > MaxQuoted {
			return Hint{Field: field, Value: strconv.Itoa(slices.Index(s.Header, name))}
		}
		return Hint{Field: field, Value: name}
	}
	for i := range cols {
		c, fc := &cols[i], &s.Schema.Features[i]
		if c.missing > 0 {
			s.Missing = append(s.Missing, c.firstMissing)
			s.Missing[len(s.Missing)-1].Count = c.missing
		}
		if c.dates > 0 {
			if other := max(c.numbers, c.text); other > 0 && !forced[fc.Name] {
				return &ParseError{File: f.Name(), Line: max(other, c.dates), Err: NewHintError(
					"column %s mixes dates (in the rows from line %d) and other values (in the rows from line %d): if the column holds categories, declare it with %s",
					Quote(fc.Name), c.dates, other, colHint("Categorical", fc.Name))}
			}
			fc.Date = c.date
			continue
		}
		if !c.cat {
			continue
		}
		if c.numbers > 0 && !forced[fc.Name] {
			return &ParseError{File: f.Name(), Line: max(c.numbers, c.text), Err: NewHintError(
				"column %s mixes numbers (in the rows from line %d) and text (in the rows from line %d): if the column holds categories, declare it with %s",
				Quote(fc.Name), c.numbers, c.text, colHint("Categorical", fc.Name))}
		}
		if c.missingCategories {
			c.cats[""] = true
		}
		all := slices.Sorted(maps.Keys(c.cats))
		if len(all) > f.opt.MaxCategories {
			return hint("column %s has %d distinct values, more than %d: an identifier? Leave it out with %s (or raise %s)",
				Quote(fc.Name), len(all), f.opt.MaxCategories, colHint("Ignore", fc.Name), Hint{Field: "MaxCategories"})
		}
		if !forced[fc.Name] && c.present >= minIdentifierRows && len(all) == c.present && !c.cats[""] {
			return hint("column %s has a distinct text value in every row (%d): an identifier, which cannot help predict; leave it out with %s (or keep it with %s)",
				Quote(fc.Name), c.present, colHint("Ignore", fc.Name), colHint("Categorical", fc.Name))
		}
		fc.Categories = all
	}
	if w := s.Schema.Width(); w > f.opt.MaxColumns {
		return &ParseError{File: f.Name(), Err: fmt.Errorf("one-hot encoding gives %d matrix columns, more than the limit of %d (a text column with too many distinct values?)", w, f.opt.MaxColumns)}
	}
	for k := range s.Targets {
		if s.Targets[k].Text {
			s.Targets[k].Written = nil
		}
	}
	return nil
}

// forcedColumns returns the names of the columns Options.Categorical
// declares.
func (f *File) forcedColumns(header []string) (map[string]bool, error) {
	r := &reader[float32]{path: f.Name(), header: header}
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := seen[h]; !dup {
			seen[h] = i
		}
	}
	cols, err := r.columns("categorical", f.opt.Categorical, seen)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(cols))
	for j := range cols {
		out[header[j]] = true
	}
	return out, nil
}
