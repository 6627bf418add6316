package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
)

// testFraction is the share of the rows (of each class, for classification)
// held out for testing.
const testFraction = 0.25

// naStrings are the cell values that pandas' read_csv reads as missing with
// keep_default_na=True (besides the empty cell); a row whose target is one of
// them has no target on the scikit-learn side.
var naStrings = []string{"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
	"1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}

// table is a CSV file kept as raw text: the header line and each record
// exactly as written in the file (quotes, spacing and line end included).
type table struct {
	header  []string // the header's field names
	rawHead []byte   // the header line as written
	raw     [][]byte // each record as written
	target  []string // each record's target cell
	holes   []int    // missing cells per column
	text    []bool   // whether a column holds a cell that is not a number
	col     int      // the target's column
}

// readTable reads path and keeps its records' raw text. target names the
// target column; "" means the last one. It returns the table and the
// resolved name of the target.
func readTable(path, target string) (*table, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // ragged rows are densetrain's business, not ours
	var t table
	col := -1
	var start int64
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", err
		}
		end := r.InputOffset()
		raw := bytes.TrimLeft(data[start:end], "\r\n") // blank lines before a record are not part of it
		start = end
		if t.header == nil {
			t.header, t.rawHead = slices.Clone(rec), withNewline(raw)
			t.holes, t.text = make([]int, len(rec)), make([]bool, len(rec))
			if target == "" {
				col = len(rec) - 1
			} else {
				col = slices.Index(rec, target)
			}
			if col < 0 {
				return nil, "", fmt.Errorf("%s: no column %q in the header", path, target)
			}
			continue
		}
		for j, c := range rec {
			if j >= len(t.holes) {
				continue
			}
			if missing(c) {
				t.holes[j]++
			} else if _, err := strconv.ParseFloat(strings.TrimSpace(c), 64); err != nil {
				t.text[j] = true
			}
		}
		cell := ""
		if col < len(rec) {
			cell = rec[col]
		}
		t.raw = append(t.raw, withNewline(raw))
		t.target = append(t.target, cell)
	}
	if t.header == nil {
		return nil, "", fmt.Errorf("%s: empty file", path)
	}
	t.col = col
	return &t, t.header[col], nil
}

// withNewline returns b ending with a line end (the file's last record may
// have none).
func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(slices.Clip(b), '\n')
	}
	return b
}

// missing reports whether a target cell counts as missing.
func missing(cell string) bool {
	s := strings.TrimSpace(cell)
	return s == "" || slices.Contains(naStrings, s)
}

// split draws the k-th hold-out split with a PCG source seeded by seed: for
// each group of rows (the rows of one class for classification, all rows for
// regression) a shuffled 25 % (rounded) goes to the test side, the rest to
// the train side. Rows with a missing target always go to the train side.
// Both sides keep the file's row order.
func (t *table) split(seed uint64, classify bool) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	groups := map[string][]int{}
	for i, cell := range t.target {
		switch {
		case missing(cell):
			train = append(train, i)
		case classify:
			groups[cell] = append(groups[cell], i)
		default:
			groups[""] = append(groups[""], i)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order is random; the draws must not be
	for _, k := range keys {
		rows := groups[k]
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		n := int(math.Round(testFraction * float64(len(rows))))
		test = append(test, rows[:n]...)
		train = append(train, rows[n:]...)
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test
}

// write writes the header and the given records to path.
func (t *table) write(path string, rows []int) error {
	var b bytes.Buffer
	b.Write(t.rawHead)
	for _, i := range rows {
		b.Write(t.raw[i])
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// profile describes a table for the notes under the report: its text
// feature columns, its missing feature cells per column, the rows with a missing target and,
// for classification, the class counts.
func (t *table) profile(classify bool) string {
	var text, holes []string
	total := 0
	for j, name := range t.header {
		if j == t.col {
			continue
		}
		if t.text[j] {
			text = append(text, name)
		}
		if t.holes[j] > 0 {
			holes = append(holes, fmt.Sprintf("%s %d", name, t.holes[j]))
			total += t.holes[j]
		}
	}
	parts := []string{"text features: " + orNone(text)}
	parts = append(parts, fmt.Sprintf("missing cells: %d (%s)", total, orNone(holes)))
	na := 0
	counts := map[string]int{}
	for _, cell := range t.target {
		if missing(cell) {
			na++
		} else if classify {
			counts[cell]++
		}
	}
	if na > 0 {
		parts = append(parts, fmt.Sprintf("%d rows without a target", na))
	}
	if classify {
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if counts[a] != counts[b] {
				return counts[b] - counts[a]
			}
			return strings.Compare(a, b)
		})
		var cls []string
		for _, k := range keys {
			cls = append(cls, fmt.Sprintf("%s %d", k, counts[k]))
		}
		parts = append(parts, "classes: "+strings.Join(cls, ", "))
		if len(keys) > 0 {
			parts = append(parts, fmt.Sprintf("majority-class accuracy %.3f", float64(counts[keys[0]])/float64(len(t.target)-na)))
		}
	}
	return strings.Join(parts, "; ")
}

// orNone joins names with commas, or says "none".
func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
