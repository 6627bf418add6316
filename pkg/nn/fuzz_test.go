package nn

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadModel feeds arbitrary bytes to ReadModel. It must not panic nor
// allocate beyond what the input justifies; an error is one line; a model it
// accepts can predict and writes back the same bytes. Seeds: small valid
// model files in both precisions, the model files of testdata/bad/ at the
// repository root, and testdata/fuzz/FuzzReadModel.
//
//	go test -run '^$' -fuzz FuzzReadModel -fuzztime 10m ./pkg/nn
func FuzzReadModel(f *testing.F) {
	for _, seed := range fuzzSeedModels(f) {
		f.Add(seed)
	}
	files, _ := filepath.Glob("../../testdata/bad/*.safetensors")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadModel[float32](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line", msg)
			}
			return
		}
		if _, err := m.Predict(context.Background(), NewMatrix[float32](2, m.InputSize(), nil)); err != nil {
			t.Fatalf("an accepted model cannot predict: %v", err)
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil && !strings.Contains(err.Error(), "not compiled") {
			t.Fatalf("an accepted model cannot be written: %v", err)
		}
	})
}

// fuzzSeedModels returns the files of two small models, float32 and float64.
func fuzzSeedModels(f *testing.F) [][]byte {
	var out [][]byte
	for _, f64 := range []bool{false, true} {
		var buf bytes.Buffer
		var err error
		if f64 {
			m := NewModel[float64]()
			m.Add(NewDense[float64](3, 4, ReLU, "h"))
			m.Add(NewDense[float64](4, 2, Softmax, "o"))
			if err = m.Compile(CrossEntropy[float64](), NewAdam[float64](1e-3), WithSeed(1)); err == nil {
				m.Preprocessing = []byte(`{"version":1}`)
				_, err = m.WriteTo(&buf)
			}
		} else {
			m := NewModel[float32]()
			m.Add(NewDense[float32](2, 3, Tanh, "h"))
			m.Add(NewDense[float32](3, 1, Linear, "o"))
			if err = m.Compile(MSE[float32](), NewSGD[float32](0.1), WithSeed(2)); err == nil {
				_, err = m.WriteTo(&buf)
			}
		}
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
	return out
}
