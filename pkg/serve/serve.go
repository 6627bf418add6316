package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tabular"
)

// DefaultMaxBody is the default of Options.MaxBody: 64 MiB.
const DefaultMaxBody = 64 << 20

// Platform is the platform the metadata endpoint reports.
const Platform = "densetrain"

// Options configures NewHandler.
type Options struct {
	// Name is the model's name in the URLs (required).
	Name string
	// Strict makes a category not seen in training a 400 error;
	// otherwise it is encoded as all zeros, as train predict does.
	Strict bool
	// MaxBody bounds a request's body in bytes (0: DefaultMaxBody);
	// a larger body is answered 413, before it is read when its
	// Content-Length says so. For /predict it bounds a gzip body's
	// inflated size too.
	MaxBody int64
	// The body bytes that the requests being served hold at once are
	// bounded by twice MaxBody (room for one gzip body and its inflated
	// bytes). A request waits up to QueueWait for room, then is answered
	// 503 with Retry-After; so is one whose body of unknown length
	// (chunked, or inflated from gzip) outgrows the room left.
	//
	// QueueWait is how long a request may wait for room for its body
	// (0: DefaultQueueWait).
	QueueWait time.Duration
	// MaxRows bounds the rows of a request (0: DefaultMaxRows): the
	// N of an inference request's shape, the lines of a /predict body;
	// more is answered 413.
	MaxRows int
	// Log, when not nil, gets one line per request: method, path,
	// status, duration and response bytes. Writes to it are serialized.
	Log io.Writer
	// Hints, when not nil, renders a setting that an error advises and
	// that the server's operator, not the client, can change (Field
	// "Float64" or "Strict"): a command names its flags. "" falls back to
	// the Go names.
	Hints func(csvdata.Hint) string
}

// handler serves one model.
type handler struct {
	m     *tabular.Model
	o     Options
	bits  int            // 32 or 64
	float string         // FP32 or FP64
	index map[string]int // feature name → position in the schema
	mu    sync.Mutex
	// budget holds the bodies' bytes.
	budget *budget
}

// NewHandler returns the HTTP handler that serves m under the name
// o.Name (see the package doc). It panics when m is nil or o.Name is empty.
func NewHandler(m *tabular.Model, o Options) http.Handler {
	if m == nil || m.Prep == nil {
		panic("serve: NewHandler with a nil model")
	}
	if o.Name == "" {
		panic("serve: NewHandler with an empty Options.Name")
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.QueueWait <= 0 {
		o.QueueWait = DefaultQueueWait
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	h := &handler{m: m, o: o, bits: 32, float: "FP32", index: map[string]int{},
		// Room for two bodies of MaxBody, with what allocation rounds
		// their buffers up by.
		budget: newBudget(2*(o.MaxBody+o.MaxBody/8+16<<10), o.QueueWait)}
	for j, f := range m.Prep.Schema.Features {
		h.index[f.Name] = j
	}
	if m.Float64() {
		h.bits, h.float = 64, "FP64"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/health/live", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"live": true})
	})
	mux.HandleFunc("GET /v2/health/ready", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"ready": true})
	})
	mux.HandleFunc("GET /v2", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": Platform, "version": serverVersion(), "extensions": []string{}})
	})
	mux.HandleFunc("GET /v2/models/{name}", h.model(h.metadata))
	mux.HandleFunc("GET /v2/models/{name}/ready", h.model(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": h.o.Name, "ready": true})
	}))
	mux.HandleFunc("POST /v2/models/{name}/infer", h.model(h.infer))
	mux.HandleFunc("POST /predict", h.predictCSV)
	return h.wrap(mux)
}

// serverVersion is the version of the module the server was built from,
// as the server metadata reports it: "(devel)" for a build of a working
// tree.
func serverVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// model answers 404 for a name other than the model's.
func (h *handler) model(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if name := r.PathValue("name"); name != h.o.Name {
			writeError(w, http.StatusNotFound, fmt.Errorf("unknown model %q (this server has %q)", name, h.o.Name))
			return
		}
		next(w, r)
	}
}

// tensorMeta is an input's or output's metadata.
type tensorMeta struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	Shape    []int  `json:"shape"`
}

func (h *handler) metadata(w http.ResponseWriter, r *http.Request) {
	p := h.m.Prep
	var in []tensorMeta
	for _, f := range p.Schema.Features {
		dt := h.float
		if f.Categories != nil || f.Date != "" { // a date as written (or FP64, its Unix time)
			dt = "BYTES"
		}
		in = append(in, tensorMeta{f.Name, dt, []int{-1, 1}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": h.o.Name, "platform": Platform, "inputs": in, "outputs": h.outputs(),
	})
}

// outputs is the model's outputs' metadata, in the order infer answers
// them.
func (h *handler) outputs() []tensorMeta {
	p := h.m.Prep
	if p.Task == prep.Classify {
		return []tensorMeta{{"label", "BYTES", []int{-1}}, {"probabilities", h.float, []int{-1, len(p.Labels)}}}
	}
	return []tensorMeta{{"value", h.float, []int{-1, len(p.Targets)}}}
}

// predictCSV answers a CSV table with the CSV of train predict.
func (h *handler) predictCSV(w http.ResponseWriter, r *http.Request) {
	body, ok := h.readBody(w, r, true)
	if !ok {
		return
	}
	defer body.done()
	if lines := bytes.Count(body.b, []byte{'\n'}); lines > h.o.MaxRows+1 {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("a table of %d lines, over %d rows", lines, h.o.MaxRows))
		return
	}
	pred, err := h.m.Predict(r.Context(), tabular.Bytes("request", body.b),
		tabular.PredictOptions{Strict: h.o.Strict, Workers: 1, Hints: h.o.clientHint})
	if err != nil {
		writePredictError(w, err)
		return
	}
	body.b = nil // the answer does not need the table
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	if pred.WriteCSV(bw) == nil {
		bw.Flush()
	}
}

// writePredictError answers Predict's error: 400 for the input's fault.
func writePredictError(w http.ResponseWriter, err error) {
	if errors.As(err, new(*tabular.InputError)) {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeError(w, http.StatusInternalServerError, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error": "encoding the response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// recorder remembers a response's status and size, and turns the plain
// text error answers of http.Error (the mux's 404 and 405) into
// {"error": …}, as every other error is.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	plain  bool // a text/plain error: Write rewrites it as JSON
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
		h := r.Header()
		if status >= 400 && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			r.plain = true
			h.Set("Content-Type", "application/json")
			h.Del("Content-Length")
			h.Del("X-Content-Type-Options")
		}
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if r.plain {
		// http.Error writes its message in one call.
		msg := strings.TrimSpace(string(b))
		j, _ := json.Marshal(map[string]string{"error": msg})
		n, err := r.ResponseWriter.Write(append(j, '\n'))
		r.bytes += int64(n)
		if err != nil {
			return 0, err
		}
		return len(b), nil
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// wrap adds the panic recovery and the request log.
func (h *handler) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.logf("serve: panic serving %s %s: %v", r.Method, strconv.Quote(r.URL.Path), v)
				if rec.status == 0 {
					writeError(rec, http.StatusInternalServerError, errors.New("internal error"))
				}
			}
			if h.o.Log != nil {
				if rec.status == 0 {
					rec.status = http.StatusOK
				}
				h.logf("%s %s %d %s %dB", r.Method, strconv.Quote(r.URL.Path), rec.status,
					time.Since(start).Round(time.Microsecond), rec.bytes)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// logf writes a line to Log (the standard logger when nil).
func (h *handler) logf(format string, args ...any) {
	if h.o.Log == nil {
		log.Printf(format, args...)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(h.o.Log, format+"\n", args...)
}
