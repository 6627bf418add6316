package serve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// inferRequest is a KServe V2 inference request.
type inferRequest struct {
	ID         *string         `json:"id,omitempty"`
	Inputs     []requestInput  `json:"inputs"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Outputs    json.RawMessage `json:"outputs,omitempty"`
}

// requestInput is one input tensor of a request.
type requestInput struct {
	Name       string          `json:"name"`
	Shape      []int64         `json:"shape"`
	Datatype   string          `json:"datatype"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// inferResponse is a KServe V2 inference response.
type inferResponse struct {
	ModelName string           `json:"model_name"`
	ID        *string          `json:"id,omitempty"`
	Outputs   []responseOutput `json:"outputs"`
}

// responseOutput is one output tensor of a response.
type responseOutput struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	Shape    []int  `json:"shape"`
	Data     any    `json:"data"`
}

// badRequest is a request's fault: answered 400.
type badRequest struct{ error }

func badf(format string, args ...any) error { return badRequest{fmt.Errorf(format, args...)} }

func (h *handler) infer(w http.ResponseWriter, r *http.Request) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	table, n, id, err := h.decode(body)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.As(err, new(badRequest)) {
			status = http.StatusBadRequest
		}
		writeError(w, status, err)
		return
	}
	pred, err := h.m.Predict(r.Context(), tabular.Bytes("request", table),
		tabular.PredictOptions{Strict: h.o.Strict, Workers: 1, Delimiter: ','})
	if err != nil {
		writePredictError(w, err)
		return
	}
	resp := inferResponse{ModelName: h.o.Name, ID: id}
	if h.m.Prep.Task == prep.Classify {
		if len(pred.Labels) != n {
			writeError(w, http.StatusInternalServerError, fmt.Errorf("%d predictions for %d rows", len(pred.Labels), n))
			return
		}
		p := pred.Probabilities
		resp.Outputs = []responseOutput{
			{"label", "BYTES", []int{n}, pred.Labels},
			{"probabilities", h.float, []int{p.Rows, p.Cols}, floats{p.Data[:p.Rows*p.Cols], h.bits}},
		}
	} else {
		v := pred.Values
		if v.Rows != n {
			writeError(w, http.StatusInternalServerError, fmt.Errorf("%d predictions for %d rows", v.Rows, n))
			return
		}
		resp.Outputs = []responseOutput{{"value", h.float, []int{v.Rows, v.Cols}, floats{v.Data[:v.Rows*v.Cols], h.bits}}}
	}
	writeJSON(w, http.StatusOK, resp)
}

// decode checks a request against the model's inputs and writes its rows
// as CSV text with the feature names as header. It returns the text, the
// number of rows and the request's id.
func (h *handler) decode(body []byte) ([]byte, int, *string, error) {
	var req inferRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, 0, nil, badf("malformed request: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, nil, badf("malformed request: data after the JSON object")
	}
	feats := h.m.Prep.Schema.Features
	index := make(map[string]int, len(feats))
	for j, f := range feats {
		index[f.Name] = j
	}
	cols := make([]*requestInput, len(feats))
	n := -1
	for i := range req.Inputs {
		in := &req.Inputs[i]
		j, ok := index[in.Name]
		switch {
		case !ok:
			return nil, 0, nil, badf("unknown input %q", in.Name)
		case cols[j] != nil:
			return nil, 0, nil, badf("input %q given twice", in.Name)
		}
		cols[j] = in
		want := h.float
		if feats[j].Categories != nil {
			want = "BYTES"
		}
		if in.Datatype != want {
			return nil, 0, nil, badf("input %q: datatype %q, want %s", in.Name, in.Datatype, want)
		}
		rows, err := rowsOf(in.Shape)
		if err != nil {
			return nil, 0, nil, badf("input %q: %v", in.Name, err)
		}
		if n >= 0 && rows != n {
			return nil, 0, nil, badf("input %q: %d rows, other inputs have %d", in.Name, rows, n)
		}
		n = rows
	}
	for j, c := range cols {
		if c == nil {
			return nil, 0, nil, badf("missing input %q", feats[j].Name)
		}
	}
	if n == 0 {
		return nil, 0, nil, badf("no rows")
	}
	cells := make([][]string, len(feats))
	for j, c := range cols {
		var err error
		if feats[j].Categories != nil {
			cells[j], err = textCells(c.Data, n)
		} else {
			cells[j], err = numberCells(c.Data, n, h.bits)
		}
		if err != nil {
			return nil, 0, nil, badf("input %q: %v", c.Name, err)
		}
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	record := make([]string, len(feats))
	for j, f := range feats {
		record[j] = f.Name
	}
	cw.Write(record)
	for i := range n {
		for j := range feats {
			record[j] = cells[j][i]
		}
		if len(record) == 1 && record[0] == "" {
			// encoding/csv writes a lone empty field as a blank
			// line, which the reader skips.
			cw.Flush()
			buf.WriteString("\"\"\n")
			continue
		}
		cw.Write(record)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, 0, nil, err
	}
	return buf.Bytes(), n, req.ID, nil
}

// rowsOf is the number of rows of a shape [N] or [N, 1].
func rowsOf(shape []int64) (int, error) {
	if len(shape) == 0 || len(shape) > 2 || len(shape) == 2 && shape[1] != 1 {
		return 0, fmt.Errorf("shape %v, want [N, 1] or [N]", shape)
	}
	if shape[0] < 0 || shape[0] > math.MaxInt32 {
		return 0, fmt.Errorf("shape %v: bad number of rows", shape)
	}
	return int(shape[0]), nil
}

// numberCells decodes n JSON numbers or nulls (missing) into CSV cells,
// written in the model's precision.
func numberCells(data json.RawMessage, n, bits int) ([]string, error) {
	var vs []*float64
	if err := json.Unmarshal(data, &vs); err != nil {
		return nil, fmt.Errorf("data: want a flat array of numbers or null: %v", err)
	}
	if len(vs) != n {
		return nil, fmt.Errorf("%d values for %d rows", len(vs), n)
	}
	cells := make([]string, n)
	for i, v := range vs {
		switch {
		case v == nil:
		case bits == 32:
			f := float32(*v)
			if math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("value %d: %v is out of float32's range", i, *v)
			}
			cells[i] = strconv.FormatFloat(float64(f), 'g', -1, 32)
		default:
			cells[i] = strconv.FormatFloat(*v, 'g', -1, 64)
		}
	}
	return cells, nil
}

// textCells decodes n JSON strings ("" missing) into CSV cells, trimmed
// of surrounding spaces and tabs as train predict reads them.
func textCells(data json.RawMessage, n int) ([]string, error) {
	var vs []string
	if err := json.Unmarshal(data, &vs); err != nil {
		return nil, fmt.Errorf("data: want a flat array of strings: %v", err)
	}
	if len(vs) != n {
		return nil, fmt.Errorf("%d values for %d rows", len(vs), n)
	}
	for i, v := range vs {
		vs[i] = strings.Trim(v, " \t")
	}
	return vs, nil
}

// floats marshals numbers as encoding/json writes float32 (bits 32) or
// float64 values, so that each is the shortest decimal that round-trips
// in the model's precision; NaN and infinities, which JSON cannot hold,
// are null.
type floats struct {
	v    []float64
	bits int
}

// MarshalJSON writes the array through encoding/json.
func (f floats) MarshalJSON() ([]byte, error) {
	vals := make([]any, len(f.v))
	for i, v := range f.v {
		if f.bits == 32 {
			v = float64(float32(v))
		}
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			// null
		case f.bits == 32:
			vals[i] = float32(v)
		default:
			vals[i] = v
		}
	}
	return json.Marshal(vals)
}
