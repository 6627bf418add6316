package tabular

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
)

// WriteCSV writes the predictions as CSV, one row per input row: for
// classification the predicted label and each class's probability
// (columns "prediction", "p_LABEL"…), for regression each target's value.
// Numbers are the shortest decimals that round-trip in the model's
// precision.
func (p *Predictions) WriteCSV(w io.Writer) error {
	pw := NewPredictionWriter(w)
	if err := pw.Write(p); err != nil {
		return err
	}
	return pw.Flush()
}

// PredictionWriter writes predictions as CSV, as WriteCSV does, a part at
// a time (PredictParts): the header with the first part, then each part's
// rows.
type PredictionWriter struct {
	bw     *bufio.Writer
	cw     *csv.Writer
	header bool // written
	rec    []string
}

// NewPredictionWriter returns a PredictionWriter to w.
func NewPredictionWriter(w io.Writer) *PredictionWriter {
	bw := bufio.NewWriterSize(w, 1<<16)
	return &PredictionWriter{bw: bw, cw: csv.NewWriter(bw)}
}

// Write writes p's rows (the header first, on the first call).
func (pw *PredictionWriter) Write(p *Predictions) error {
	cw, rec := pw.cw, pw.rec[:0]
	if !pw.header {
		pw.header = true
		if p.ClassNames != nil {
			rec = append(rec, "prediction")
			for _, l := range p.ClassNames {
				rec = append(rec, "p_"+l)
			}
		} else {
			rec = append(rec, p.TargetNames...)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	bits := p.bits
	if bits == 0 {
		bits = 64
	}
	m := p.Values
	if p.ClassNames != nil {
		m = p.Probabilities
	}
	for i := range m.Rows {
		rec = rec[:0]
		if p.ClassNames != nil {
			rec = append(rec, p.Labels[i])
		}
		for _, v := range m.Row(i) {
			rec = append(rec, strconv.FormatFloat(v, 'g', -1, bits))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	pw.rec = rec
	return cw.Error()
}

// Flush writes what is buffered.
func (pw *PredictionWriter) Flush() error {
	pw.cw.Flush()
	if err := pw.cw.Error(); err != nil {
		return err
	}
	return pw.bw.Flush()
}
