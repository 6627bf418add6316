package csvdata

import "sort"

// Lines maps a table's rows to their lines in the file, for messages. It
// holds runs of rows on consecutive lines rather than a line a row: a file
// without blank lines or records of several lines is one run, 16 bytes
// whatever its rows. The zero value maps no rows.
type Lines struct {
	runs []lineRun
	n    int
}

// lineRun says that rows from row on, up to the next run's, are on
// consecutive lines from line.
type lineRun struct{ row, line int }

// Len returns the number of rows.
func (l Lines) Len() int { return l.n }

// Line returns the line (counted from 1) of row, which must be in [0, Len()).
func (l Lines) Line(row int) int {
	k := sort.Search(len(l.runs), func(k int) bool { return l.runs[k].row > row }) - 1
	return l.runs[k].line + row - l.runs[k].row
}

// All returns every row's line, in 4 bytes each (nil for no rows).
func (l Lines) All() []int32 {
	if l.n == 0 {
		return nil
	}
	out := make([]int32, l.n)
	for k, ru := range l.runs {
		end := l.n
		if k+1 < len(l.runs) {
			end = l.runs[k+1].row
		}
		for r := ru.row; r < end; r++ {
			out[r] = int32(ru.line + r - ru.row)
		}
	}
	return out
}

// add appends row, on line, which must be the row after the last one.
func (l *Lines) add(row, line int) {
	if k := len(l.runs) - 1; k < 0 || l.runs[k].line+row-l.runs[k].row != line {
		l.runs = append(l.runs, lineRun{row, line})
	}
	l.n = row + 1
}

// keep returns the lines of the rows that skip does not flag, renumbered
// from 0.
func (l Lines) keep(skip []bool) Lines {
	var out Lines
	n, k := 0, 0
	for r := range l.n {
		for k+1 < len(l.runs) && l.runs[k+1].row <= r {
			k++
		}
		if !skip[r] {
			out.add(n, l.runs[k].line+r-l.runs[k].row)
			n++
		}
	}
	return out
}

// linesOf returns the Lines of rows on the given lines, in order.
func linesOf(lines ...int) Lines {
	var l Lines
	for r, line := range lines {
		l.add(r, line)
	}
	return l
}

// appendLines appends the rows of o, in its order.
func (l *Lines) appendLines(o Lines) {
	for k, ru := range o.runs {
		end := o.n
		if k+1 < len(o.runs) {
			end = o.runs[k+1].row
		}
		l.add(l.n+0, ru.line) // the run's first row, a new run unless it continues the last
		l.n += end - ru.row - 1
	}
}

// Add appends a row, on line.
func (l *Lines) Add(line int) { l.add(l.n, line) }
