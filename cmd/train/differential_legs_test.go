package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// answers are one path's predictions of a table: the labels (a
// classifier) and the probabilities or values, row-major, rows × cols.
type answers struct {
	labels     []string
	nums       []float64
	rows, cols int
}

func fromPredictions(p *tabular.Predictions) answers {
	if p.ClassNames != nil {
		m := p.Probabilities
		return answers{labels: p.Labels, nums: m.Data[:m.Rows*m.Cols], rows: m.Rows, cols: m.Cols}
	}
	m := p.Values
	return answers{nums: m.Data[:m.Rows*m.Cols], rows: m.Rows, cols: m.Cols}
}

// fromCSV reads the CSV that train predict and serve's /predict write.
func fromCSV(t *testing.T, m *tabular.Model, text string) answers {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	a := answers{rows: len(recs) - 1, cols: len(recs[0])}
	first := 0
	if m.Prep.Task == prep.Classify {
		first = 1
		a.cols--
	}
	for _, r := range recs[1:] {
		if first == 1 {
			a.labels = append(a.labels, r[0])
		}
		for _, s := range r[first:] {
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			a.nums = append(a.nums, v)
		}
	}
	return a
}

// fromInfer reads a V2 inference response.
func fromInfer(t *testing.T, body string) answers {
	t.Helper()
	var resp struct {
		Outputs []struct {
			Name  string
			Shape []int
			Data  json.RawMessage
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &resp))
	var a answers
	for _, o := range resp.Outputs {
		if o.Name == "label" {
			require.NoError(t, json.Unmarshal(o.Data, &a.labels))
			continue
		}
		require.Len(t, o.Shape, 2)
		a.rows, a.cols = o.Shape[0], o.Shape[1]
		require.NoError(t, json.Unmarshal(o.Data, &a.nums))
	}
	return a
}

// rawTable is a table's cells as a CSV reader that neither trims nor
// interprets them gives them: the quotes taken off, nothing else.
type rawTable struct {
	header []string
	rows   [][]string
}

// readRaw reads a table (gzip or not, the delimiter sniffed from the
// header as csvdata does) with encoding/csv.
func readRaw(t *testing.T, path string) rawTable {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		b, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	head, _, _ := bytes.Cut(b, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(b))
	best := 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if n := bytes.Count(head, []byte(string(d))); n > best {
			best, r.Comma = n, d
		}
	}
	recs, err := r.ReadAll()
	require.NoError(t, err, path)
	return rawTable{header: recs[0], rows: recs[1:]}
}

// column returns the raw cells of a column.
func (r rawTable) column(t *testing.T, name string) []string {
	t.Helper()
	j := slices.Index(r.header, name)
	require.GreaterOrEqual(t, j, 0, "column %q", name)
	out := make([]string, len(r.rows))
	for i, rec := range r.rows {
		out[i] = rec[j]
	}
	return out
}

// number parses a numeric cell as a caller of the ONNX model or of the
// infer endpoint does: trimmed, a missing-value token is NaN.
func number(t *testing.T, m *tabular.Model, cell string) float64 {
	t.Helper()
	v := strings.Trim(cell, " \t")
	if v == "" || slices.Contains(csvdata.DefaultNA, v) || slices.Contains(m.Prep.NA, v) {
		return math.NaN()
	}
	x, err := strconv.ParseFloat(v, 64)
	require.NoError(t, err, "cell %q", cell)
	if !m.Float64() {
		x = float64(float32(x))
	}
	return x
}

// inferBody is the V2 inference request of a raw table: text cells as
// they are, numbers parsed (null when missing).
func inferBody(t *testing.T, m *tabular.Model, raw rawTable) []byte {
	t.Helper()
	type input struct {
		Name     string `json:"name"`
		Shape    []int  `json:"shape"`
		Datatype string `json:"datatype"`
		Data     []any  `json:"data"`
	}
	var req struct {
		Inputs []input `json:"inputs"`
	}
	float := "FP32"
	if m.Float64() {
		float = "FP64"
	}
	for _, f := range m.Prep.Schema.Features {
		in := input{Name: f.Name, Shape: []int{len(raw.rows), 1}, Datatype: "BYTES"}
		for _, cell := range raw.column(t, f.Name) {
			if f.Categories != nil || f.Date != "" { // a date as written
				in.Data = append(in.Data, cell)
				continue
			}
			in.Datatype = float
			if x := number(t, m, cell); !math.IsNaN(x) {
				in.Data = append(in.Data, x)
			} else {
				in.Data = append(in.Data, nil)
			}
		}
		req.Inputs = append(req.Inputs, in)
	}
	b, err := json.Marshal(req)
	require.NoError(t, err)
	return b
}

// unixTime is a date cell's Unix time in seconds (nil when missing), as a
// caller of the ONNX model computes it with Go's time package.
func unixTime(t *testing.T, m *tabular.Model, cell string) any {
	t.Helper()
	v := strings.Trim(cell, " \t")
	if v == "" || slices.Contains(csvdata.DefaultNA, v) || slices.Contains(m.Prep.NA, v) {
		return nil
	}
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339Nano} {
		if tm, err := time.Parse(layout, v); err == nil {
			return float64(tm.Unix()) + float64(tm.Nanosecond())/1e9
		}
	}
	t.Fatalf("%q: no date", v)
	return nil
}

// ortRun runs an exported model on a raw table.
type ortRun func(t *testing.T, m *tabular.Model, model string, raw rawTable, dir string) answers

// ortRunner returns the onnxruntime leg, or nil (said in the log) when
// DENSETRAIN_ORT_NODE is unset. Set but unusable (no node, no package
// there) is a failure, so that CI never leaves the leg out silently.
func ortRunner(t *testing.T) ortRun {
	t.Helper()
	pkg := os.Getenv("DENSETRAIN_ORT_NODE")
	if pkg == "" {
		t.Log("onnxruntime leg left out: set DENSETRAIN_ORT_NODE to an onnxruntime-node package folder and have node on PATH")
		return nil
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "DENSETRAIN_ORT_NODE is set but node is not on PATH")
	_, err = os.Stat(filepath.Join(pkg, "package.json"))
	require.NoError(t, err, "DENSETRAIN_ORT_NODE=%s is not the onnxruntime-node package folder", pkg)
	script, err := filepath.Abs("../../pkg/tabular/testdata/ort_run.js")
	require.NoError(t, err)
	return func(t *testing.T, m *tabular.Model, model string, raw rawTable, dir string) answers {
		t.Helper()
		type column struct {
			Type string `json:"type"`
			Data []any  `json:"data"`
		}
		cols := map[string]column{}
		for _, f := range m.Prep.Schema.Features {
			c := column{Type: "string"}
			if f.Categories == nil {
				c.Type = "float32"
				if m.Float64() || f.Date != "" {
					c.Type = "float64"
				}
			}
			for _, cell := range raw.column(t, f.Name) {
				if f.Date != "" {
					c.Data = append(c.Data, unixTime(t, m, cell))
				} else if f.Categories != nil {
					c.Data = append(c.Data, cell)
				} else if x := number(t, m, cell); !math.IsNaN(x) {
					c.Data = append(c.Data, x)
				} else {
					c.Data = append(c.Data, nil)
				}
			}
			cols[f.Name] = c
		}
		b, err := json.Marshal(cols)
		require.NoError(t, err)
		in := filepath.Join(dir, "columns.json")
		require.NoError(t, os.WriteFile(in, b, 0o644))
		cmd := exec.Command(node, script, model, in)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "node ort_run.js: %s", stderr.String())
		var outs map[string]struct {
			Dims []int
			Data []any
		}
		require.NoError(t, json.Unmarshal(out, &outs))
		var a answers
		for name, o := range outs {
			if name == "label" {
				for _, v := range o.Data {
					a.labels = append(a.labels, fmt.Sprint(v))
				}
				continue
			}
			require.Len(t, o.Dims, 2)
			a.rows, a.cols = o.Dims[0], o.Dims[1]
			for _, v := range o.Data {
				x, ok := v.(float64)
				require.True(t, ok, "%s: %v", name, v)
				a.nums = append(a.nums, x)
			}
		}
		return a
	}
}

// tolerance is the export's acceptance bound: absolute on probabilities
// (1e-5 float32, 1e-10 float64), relative 1e-5 on regression values.
type tolerance struct {
	bound    float64
	relative bool
}

func newTolerance(m *tabular.Model) tolerance {
	switch {
	case m.Prep.Task != prep.Classify:
		return tolerance{1e-5, true}
	case m.Float64():
		return tolerance{1e-10, false}
	}
	return tolerance{1e-5, false}
}

// check compares one path's answers with Predict's and logs the largest
// difference and the rows beyond the bound.
func (tol tolerance) check(t *testing.T, leg string, want, got answers) {
	t.Helper()
	require.Equal(t, [2]int{want.rows, want.cols}, [2]int{got.rows, got.cols}, "%s: rows × columns", leg)
	worst, off := 0.0, []int{} // off: the rows beyond the bound
	for i, w := range want.nums {
		d := math.Abs(got.nums[i] - w)
		if tol.relative {
			d /= math.Max(math.Abs(w), math.SmallestNonzeroFloat64)
		}
		worst = max(worst, d)
		if row := i / want.cols; !(d <= tol.bound) && !slices.Contains(off, row) {
			off = append(off, row)
		}
	}
	sameLabels := slices.Equal(want.labels, got.labels)
	t.Logf("%s: %d rows, labels identical: %v, max |Δ| %.3g%s, rows beyond %.0e: %d",
		leg, want.rows, sameLabels, worst, map[bool]string{true: " relative"}[tol.relative], tol.bound, len(off))
	assert.True(t, sameLabels, "%s: labels differ", leg)
	assert.Empty(t, off[:min(len(off), 8)], "%s: rows beyond the bound (0-based, the first 8)", leg)
}
