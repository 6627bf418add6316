package serve

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// inferRequest is a KServe V2 inference request. Decoded requests are
// pooled (requests), so that the inputs' structs and value slices of one
// request serve the next.
type inferRequest struct {
	ID         *string        `json:"id,omitempty"`
	Inputs     inputList      `json:"inputs"`
	Parameters jsontext.Value `json:"parameters,omitempty"`
	Outputs    jsontext.Value `json:"outputs,omitempty"`
}

// requests pools decoded requests; one that held more than maxPooled
// values is dropped rather than kept.
var requests = sync.Pool{New: func() any { return new(inferRequest) }}

const maxPooled = 1 << 16

// release returns a request to the pool once nothing refers to its
// values any more.
func (r *inferRequest) release() {
	total := 0
	for i := range r.Inputs.items {
		total += cap(r.Inputs.items[i].Data.numbers) + cap(r.Inputs.items[i].Data.texts)
	}
	if total <= maxPooled {
		requests.Put(r)
	}
}

// requestInput is one input tensor of a request (decoded by its
// decode; "parameters" is ignored).
type requestInput struct {
	Name     string
	Shape    []int64
	Datatype string
	Data     tensorData
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
	body, ok := h.readBody(w, r, false)
	if !ok {
		return
	}
	defer body.done()
	req := requests.Get().(*inferRequest)
	defer req.release() // after Predict: the columns are the request's values
	cols, n, id, want, err := h.decode(req, body.b)
	body.b = nil // decoded: the columns do not refer to it
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.As(err, new(tooLarge)):
			status = http.StatusRequestEntityTooLarge
		case errors.As(err, new(badRequest)):
			status = http.StatusBadRequest
		}
		writeError(w, status, err)
		return
	}
	pred, err := h.m.PredictColumns(r.Context(), cols, tabular.PredictOptions{Strict: h.o.Strict, Workers: 1, Hints: h.o.clientHint})
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
			{"label", "BYTES", []int{n}, strs(pred.Labels)},
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
	if want != nil {
		resp.Outputs = slices.DeleteFunc(resp.Outputs, func(o responseOutput) bool { return !want[o.Name] })
	}
	writeResponse(w, &resp)
}

// requestOutput is an output a request names.
type requestOutput struct {
	Name string `json:"name"`
}

// requestedOutputs returns the outputs a request's "outputs" names (nil:
// every output, as when it is absent); an unknown or repeated name is a
// bad request. Their "parameters" are ignored.
func (h *handler) requestedOutputs(v jsontext.Value) (map[string]bool, error) {
	if len(v) == 0 || v.Kind() == 'n' {
		return nil, nil
	}
	var outs []requestOutput
	if err := jsonv2.Unmarshal(v, &outs); err != nil || slices.ContainsFunc(outs, func(o requestOutput) bool { return o.Name == "" }) {
		return nil, badf(`malformed request at /outputs: want a list of objects with a "name" string`)
	}
	if len(outs) == 0 { // none named: every output, as the protocol says of none
		return nil, nil
	}
	var names []string
	for _, o := range h.outputs() {
		names = append(names, o.Name)
	}
	want := make(map[string]bool, len(outs))
	for _, o := range outs {
		switch {
		case !slices.Contains(names, o.Name):
			return nil, badf("unknown output %q (the model's: %s)", o.Name, strings.Join(names, ", "))
		case want[o.Name]:
			return nil, badf("output %q requested twice", o.Name)
		}
		want[o.Name] = true
	}
	return want, nil
}

// decode decodes a request into req (from the pool), checks it against
// the model's inputs and returns its columns — req's values, valid until
// req is released —, the number of rows, the request's id and the outputs
// it asks for (nil: all).
func (h *handler) decode(req *inferRequest, body []byte) ([]tabular.Column, int, *string, map[string]bool, error) {
	cols, n, err := h.decodeInputs(req, body)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	want, err := h.requestedOutputs(req.Outputs)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	return cols, n, req.ID, want, nil
}

// decodeInputs is decode's part that reads the inputs.
func (h *handler) decodeInputs(req *inferRequest, body []byte) ([]tabular.Column, int, error) {
	req.ID, req.Parameters, req.Outputs, req.Inputs.n = nil, nil, nil, 0
	// A value takes two bytes at least ("1,").
	req.Inputs.room, req.Inputs.maxRows = len(body)/2+1, h.o.MaxRows
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) { // decodes as no member at all
		return nil, 0, badf("malformed request: want an object, not null")
	}
	if err := jsonv2.Unmarshal(body, req); err != nil {
		return nil, 0, requestError(err)
	}
	feats := h.m.Prep.Schema.Features
	cols := make([]*requestInput, len(feats))
	n := -1
	for i := range req.Inputs.n {
		in := &req.Inputs.items[i]
		j, ok := h.index[in.Name]
		switch {
		case !ok:
			return nil, 0, badf("unknown input %q", in.Name)
		case cols[j] != nil:
			return nil, 0, badf("input %q given twice", in.Name)
		}
		cols[j] = in
		want := h.float
		if feats[j].Categories != nil || feats[j].Date != "" {
			want = "BYTES"
		}
		if feats[j].Date != "" && in.Datatype == "FP64" { // a date's Unix time, as the ONNX export takes it
			want = "FP64"
		}
		if in.Datatype != want {
			if feats[j].Date != "" {
				want = "BYTES (the date as written) or FP64 (its Unix time in seconds)"
			}
			return nil, 0, badf("input %q: datatype %q, want %s", in.Name, in.Datatype, want)
		}
		rows, err := rowsOf(in.Shape)
		if err != nil {
			return nil, 0, badf("input %q: %v", in.Name, err)
		}
		if rows > h.o.MaxRows {
			return nil, 0, tooLarge{fmt.Errorf("input %q: %d rows, over %d", in.Name, rows, h.o.MaxRows)}
		}
		if n >= 0 && rows != n {
			return nil, 0, badf("input %q: %d rows, other inputs have %d", in.Name, rows, n)
		}
		n = rows
	}
	for j, c := range cols {
		if c == nil {
			return nil, 0, badf("missing input %q", feats[j].Name)
		}
	}
	if n == 0 {
		return nil, 0, badf("no rows")
	}
	out := make([]tabular.Column, len(feats))
	for j, c := range cols {
		out[j].Name = c.Name
		var err error
		if feats[j].Categories != nil || c.Datatype == "BYTES" {
			out[j].Texts, err = c.Data.strings(n)
		} else {
			out[j].Numbers, err = c.Data.floats(n)
		}
		if err != nil {
			return nil, 0, badf("input %q: %v", c.Name, err)
		}
	}
	return out, n, nil
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
