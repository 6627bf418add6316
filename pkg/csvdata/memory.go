package csvdata

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"unsafe"
)

// MemoryLimit returns the memory this process may use, and a phrase that
// names it for a message ("this machine's 25.2 GB of memory"): the
// machine's, its cgroup's limit, what its address-space limit leaves, or
// the Go runtime's soft limit (GOMEMLIMIT, debug.SetMemoryLimit),
// whichever is lowest. The bytes are 0 when nothing is known.
func MemoryLimit() (int64, string) {
	have, what := systemMemory()
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 && (have == 0 || uint64(limit) < have) {
		have, what = uint64(limit), "the Go memory limit of %s (GOMEMLIMIT)"
	}
	if have == 0 {
		return 0, ""
	}
	n := int64(min(have, math.MaxInt64))
	return n, fmt.Sprintf(what, SizeString(n))
}

// SizeString writes a size in B, KB, MB, GB, TB … (powers of 1000), to
// three digits.
func SizeString(b int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}
	f, i := float64(b), 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return fmt.Sprintf("%.3g %s", f, units[i])
}

// rowBytes is the memory a row takes while the table is read: its
// matrix row, its category codes, its targets (a number, or a string and
// a few bytes of text) and its skip flag (the lines are runs: nothing a
// row).
func (r *reader[T]) rowBytes() int {
	var z T
	n := r.width*int(unsafe.Sizeof(z)) + 4*r.nCat + 8*r.nTarget + 1
	for _, text := range r.tgtText {
		if text {
			n += 16
		}
	}
	return n
}

// checkBudget refuses storage for n rows of perRow bytes (for a text of
// about rows rows, the rest a margin) that would take
// the memory budget (Options.MemoryBudget), counting what is held now,
// which is copied over: one line, before anything is allocated, rather
// than a runtime crash once the memory is gone. A gzip file's size may be
// unknown: its storage grows as it is read, and is checked each time.
func (r *reader[T]) checkBudget(n, rows, perRow int) error {
	budget, what := r.opt.budget()
	if budget == 0 {
		return nil
	}
	need := float64(max(n, rows))*float64(perRow+r.opt.ExtraRowBytes) + float64(r.rowCap)*float64(perRow)
	if need <= float64(budget) {
		return nil
	}
	return &ParseError{File: r.path, Err: &MemoryError{Rows: rows, Need: int64(min(need, math.MaxInt64)), Budget: what}}
}

// MemoryError is the error of a table that would take more memory than
// its budget (Options.MemoryBudget, or MemoryLimit's).
type MemoryError struct {
	Rows   int    // about as many rows
	Need   int64  // bytes
	Budget string // names the budget and its size
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("about %s rows, which need about %s of memory, more than %s", rowsString(e.Rows), SizeString(e.Need), e.Budget)
}

// budget returns the memory the options allow a table and a phrase that
// names it: Options.MemoryBudget, or MemoryLimit's; 0 for no bound.
func (opt Options) budget() (int64, string) {
	switch b := opt.MemoryBudget; {
	case b < 0:
		return 0, ""
	case b > 0:
		return b, fmt.Sprintf("csvdata.Options.MemoryBudget of %s", SizeString(b))
	}
	return MemoryLimit()
}

// reserveCap is the most rows the first estimate reserves storage for:
// what the memory budget holds (more is refused by checkBudget), or
// maxFirstBytes' worth where no budget is known. Reserving the whole
// estimate at once spares a large file the growth copies (each holding the
// old storage and the new, half as large again) that a cap of a fixed size
// cost: 2.2× the matrix at peak for a 4 GB matrix, 1.05× for one of 1 GB.
// An estimate too large (a file whose first rows are much shorter than the
// rest) reserves address space that is never touched: only maxFirstBytes
// of it is faulted in ahead of the parse.
func (r *reader[T]) reserveCap(perRow int) float64 {
	budget := r.opt.MemoryBudget
	if budget <= 0 {
		budget, _ = MemoryLimit()
	}
	if budget <= 0 {
		budget = int64(maxFirstBytes)
	}
	return float64(budget / int64(max(perRow, 1)))
}

// rowsString writes a number of rows to three digits: 2.15 million.
func rowsString(n int) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.3g billion", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.3g million", float64(n)/1e6)
	}
	return strconv.Itoa(n)
}
