package serve

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
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
	var inputs []map[string]any
	for j := range 100 {
		inputs = append(inputs, map[string]any{"name": fmt.Sprintf("x%d", j), "datatype": "FP32", "shape": []int{1, 1}, "data": []float64{rng.NormFloat64()}})
	}
	return m, mustJSON(b, map[string]any{"id": "1", "inputs": inputs})
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

// BenchmarkInferOneRow measures the handler alone (no network) on
// single-row infer requests.
func BenchmarkInferOneRow(b *testing.B) {
	wide, wideBody := wideModel(b)
	sm := model(b, scat)
	for _, c := range []struct {
		name string
		m    *tabular.Model
		body []byte
	}{{"wide", wide, wideBody}, {"scat", sm, oneRow(b, sm, scat)}} {
		b.Run(c.name, func(b *testing.B) {
			h := NewHandler(c.m, Options{Name: "m"})
			b.ReportAllocs()
			for b.Loop() {
				r, _ := http.NewRequest("POST", "/v2/models/m/infer", bytes.NewReader(c.body))
				w := newRecorder()
				h.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("%d %s", w.status, w.body.Bytes())
				}
			}
		})
	}
}
