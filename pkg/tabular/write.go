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
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	var rec []string
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
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
