package serve

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
)

// floats marshals numbers as encoding/json writes float32 (bits 32) or
// float64 values, so that each is the shortest decimal that round-trips
// in the model's precision; NaN and infinities, which JSON cannot hold,
// are null.
type floats struct {
	v    []float64
	bits int
}

// MarshalJSON writes the array as encoding/json would.
func (f floats) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i := range f.v {
		if i > 0 {
			b = append(b, ',')
		}
		b = f.append(b, i)
	}
	return append(b, ']'), nil
}

// append appends value i as encoding/json writes it (its floatEncoder:
// 'f' format, or 'e' for magnitudes below 1e-6 or from 1e21 on, with the
// exponent's leading zero dropped).
func (f floats) append(b []byte, i int) []byte {
	v := f.v[i]
	if f.bits == 32 {
		v = float64(float32(v))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if a := math.Abs(v); a != 0 {
		if f.bits == 64 && (a < 1e-6 || a >= 1e21) || f.bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, v, format, -1, f.bits)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// strs is an array of strings, of few distinct values (labels): each is
// encoded once.
type strs []string

// writeResponse writes an inference response as json.Marshal would, but
// streaming: its data arrays, most of its bytes, are written 16 KB at a
// time, never whole in memory; a small response is one Write.
func writeResponse(w http.ResponseWriter, resp *inferResponse) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	b := make([]byte, 0, 1024)
	flush := func() {
		if len(b) >= 16<<10 {
			w.Write(b)
			b = b[:0]
		}
	}
	enc := func(v any) {
		j, _ := json.Marshal(v) // names, ids and shapes: they marshal
		b = append(b, j...)
	}
	b = append(b, `{"model_name":`...)
	enc(resp.ModelName)
	if resp.ID != nil {
		b = append(b, `,"id":`...)
		enc(*resp.ID)
	}
	b = append(b, `,"outputs":[`...)
	for k, o := range resp.Outputs {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		enc(o.Name)
		b = append(b, `,"datatype":`...)
		enc(o.Datatype)
		b = append(b, `,"shape":`...)
		enc(o.Shape)
		b = append(b, `,"data":[`...)
		switch d := o.Data.(type) {
		case floats:
			for i := range d.v {
				if i > 0 {
					b = append(b, ',')
				}
				b = d.append(b, i)
				flush()
			}
		case strs:
			var seen map[string][]byte
			for i, s := range d {
				if i > 0 {
					b = append(b, ',')
				}
				e, ok := seen[s]
				if !ok {
					e, _ = json.Marshal(s)
					if seen == nil {
						seen = map[string][]byte{}
					}
					if len(seen) < 1024 {
						seen[s] = e
					}
				}
				b = append(b, e...)
				flush()
			}
		}
		b = append(b, "]}"...)
	}
	b = append(b, "]}\n"...)
	w.Write(b)
}
