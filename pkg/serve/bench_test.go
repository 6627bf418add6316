package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/tabular"
)

// wideModel trains a 100→64→1 regression model (the load test's shape) on
// random rows and returns it with a single-row infer request.
func wideModel(b *testing.B) (*tabular.Model, []byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	var csv strings.Builder
	for j := range 100 {
		fmt.Fprintf(&csv, "x%d,", j)
	}
	csv.WriteString("y\n")
	for range 500 {
		for range 100 {
			fmt.Fprintf(&csv, "%g,", rng.NormFloat64())
		}
		fmt.Fprintf(&csv, "%g\n", rng.NormFloat64())
	}
	m, err := tabular.Fit(context.Background(), tabular.Bytes("wide.csv", []byte(csv.String())),
		tabular.Config{Task: "regress", Epochs: 1, Hidden: []int{64}, Seed: 1, Workers: 1})
	require.NoError(b, err)
	return m, request(rng, 1)
}

// table is a CSV table of n random rows for wideModel.
func table(rng *rand.Rand, n int) []byte {
	var b strings.Builder
	for j := range 100 {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "x%d", j)
	}
	b.WriteByte('\n')
	for range n {
		for j := range 100 {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(rng.NormFloat64(), 'g', -1, 32))
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// request is an infer request of n random rows for wideModel.
func request(rng *rand.Rand, n int) []byte {
	var inputs []map[string]any
	for j := range 100 {
		data := make([]float64, n)
		for i := range data {
			data[i] = float64(float32(rng.NormFloat64()))
		}
		inputs = append(inputs, map[string]any{"name": fmt.Sprintf("x%d", j), "datatype": "FP32", "shape": []int{n, 1}, "data": data})
	}
	b, err := json.Marshal(map[string]any{"id": "1", "inputs": inputs})
	if err != nil {
		panic(err)
	}
	return b
}

// oneRow cuts an infer request for a whole file down to its first row.
func oneRow(b *testing.B, m *tabular.Model, path string) []byte {
	req := requestFor(b, m, path, true)
	for _, in := range req["inputs"].([]map[string]any) {
		in["shape"] = []int{1, 1}
		switch d := in["data"].(type) {
		case []string:
			in["data"] = d[:1]
		case []*float64:
			in["data"] = d[:1]
		}
	}
	return mustJSON(b, req)
}

// BenchmarkInfer measures the handler alone (no network) on single-row
// infer requests, on a 1 000-row one, and on 1 000 rows of CSV for
// /predict.
func BenchmarkInfer(b *testing.B) {
	wide, wideBody := wideModel(b)
	sm := model(b, scat)
	for _, c := range []struct {
		name string
		m    *tabular.Model
		body []byte
		rows int
		path string
	}{{"wide", wide, wideBody, 1, "/v2/models/m/infer"}, {"scat", sm, oneRow(b, sm, scat), 1, "/v2/models/m/infer"},
		{"wide1000", wide, request(rand.New(rand.NewPCG(3, 4)), 1000), 1000, "/v2/models/m/infer"},
		{"csv1000", wide, table(rand.New(rand.NewPCG(3, 4)), 1000), 1000, "/predict"}} {
		b.Run(c.name, func(b *testing.B) {
			h := NewHandler(c.m, Options{Name: "m"})
			b.ReportAllocs()
			for b.Loop() {
				r, _ := http.NewRequest("POST", c.path, bytes.NewReader(c.body))
				w := newRecorder()
				h.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("%d %s", w.status, w.body.Bytes())
				}
			}
			b.ReportMetric(float64(c.rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
