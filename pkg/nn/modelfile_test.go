package nn_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func trainedClassifier[T nn.Float](t *testing.T, workers int) (*nn.Model[T], nn.Matrix[T]) {
	rng := rand.New(rand.NewPCG(30, 30))
	x := nntest.RandMatrix[T](rng, 90, 5)
	y := nntest.RandLabels[T](rng, 90, 3)
	m := nn.NewModel[T]()
	h := nn.NewDense[T](5, 7, nn.Tanh, "hidden")
	h.L2 = 1e-3
	m.Add(h)
	m.Add(nn.NewDense[T](7, 3, nn.Softmax, "out"))
	require.NoError(t, m.Compile(nn.CrossEntropy[T](), nn.NewAdam[T](0.01), nn.WithSeed(4)))
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 3, BatchSize: 16, Parallelism: train.Parallelism{Workers: workers}})
	require.NoError(t, err)
	m.Preprocessing = []byte(`{"labels":["a","b","c"]}`)
	return m, x
}

func saved[T nn.Float](t *testing.T, m *nn.Model[T]) []byte {
	var b bytes.Buffer
	_, err := m.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

func TestSaveLoadPredictIdentical(t *testing.T) {
	m, x := trainedClassifier[float32](t, 2)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	require.NoError(t, m.SaveFile(path))
	back, err := nn.LoadFile[float32](path)
	require.NoError(t, err)
	want, _ := m.Predict(context.Background(), x)
	got, err := back.Predict(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, want.Data, got.Data)
	assert.Equal(t, m.Params(), back.Params())
	assert.Equal(t, m.Summary(), back.Summary())
	assert.Equal(t, string(m.Preprocessing), string(back.Preprocessing))
	assert.Equal(t, saved(t, m), saved(t, back), "a loaded model saves to the same bytes")

	as64, err := nn.LoadFile[float64](path) // other precision: converted
	require.NoError(t, err)
	for i, v := range m.Params() {
		assert.Equal(t, float64(v), as64.Params()[i])
	}
	_, err = nn.LoadFile[float32](filepath.Join(t.TempDir(), "missing"))
	assert.Error(t, err)
}

// TestIndependentReader reads a saved file with a minimal safetensors reader
// written here from the format's description.
func TestIndependentReader(t *testing.T) {
	m, _ := trainedClassifier[float64](t, 1)
	b := saved(t, m)
	n := binary.LittleEndian.Uint64(b[:8])
	require.Zero(t, n%8, "header padded to 8 bytes")
	var header map[string]struct {
		DType   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	raw := map[string]json.RawMessage{}
	require.NoError(t, json.Unmarshal(b[8:8+n], &raw))
	var meta map[string]string
	require.NoError(t, json.Unmarshal(raw["__metadata__"], &meta))
	delete(raw, "__metadata__")
	hb, _ := json.Marshal(raw)
	require.NoError(t, json.Unmarshal(hb, &header))
	data := b[8+n:]
	read := func(name string) []float64 {
		e := header[name]
		require.Equal(t, "F64", e.DType, name)
		var v []float64
		for o := e.Offsets[0]; o < e.Offsets[1]; o += 8 {
			v = append(v, math.Float64frombits(binary.LittleEndian.Uint64(data[o:])))
		}
		return v
	}
	assert.Equal(t, []int{5, 7}, header["layers.0.weight"].Shape)
	assert.Equal(t, m.LayerParams(0), append(read("layers.0.weight"), read("layers.0.bias")...))
	assert.Equal(t, m.LayerParams(1), append(read("layers.1.weight"), read("layers.1.bias")...))
	assert.Equal(t, "densetrain", meta["format"])
	assert.Equal(t, "3", meta["format_version"])
	assert.Equal(t, meta["checksum"], docChecksum(t, meta, header, data), "the checksum as the package doc describes it")
	assert.Contains(t, meta["architecture"], `"activation":"tanh"`)
	for _, k := range []string{"time", "date", "worker"} {
		assert.NotContains(t, strings.ToLower(string(b[8:8+n])), k)
	}
}

func TestModelFileIsTheSameForAnyWorkerCount(t *testing.T) {
	m1, _ := trainedClassifier[float32](t, 1)
	want := saved(t, m1)
	for _, w := range []int{2, 3} {
		m, _ := trainedClassifier[float32](t, w)
		assert.Equal(t, want, saved(t, m), "workers %d", w)
	}
}

func readBytes(b []byte) (*nn.Model[float32], error) {
	return nn.ReadModel[float32](bytes.NewReader(b), int64(len(b)))
}

// editHeader rewrites the JSON header with f, re-frames the file and
// seals it with the checksum of its new header, so that the edit reaches
// the checks that come after the checksum's.
func editHeader(t *testing.T, b []byte, f func(h map[string]any)) []byte {
	return resealed(t, editHeaderRaw(t, b, f))
}

// editHeaderRaw rewrites the JSON header with f and re-frames the file,
// leaving its checksum as it was.
func editHeaderRaw(t *testing.T, b []byte, f func(h map[string]any)) []byte {
	n := binary.LittleEndian.Uint64(b[:8])
	var h map[string]any
	require.NoError(t, json.Unmarshal(b[8:8+n], &h))
	f(h)
	nh, err := json.Marshal(h)
	require.NoError(t, err)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(nh)))
	return append(append(out, nh...), b[8+n:]...)
}

func TestDamagedModelFilesFailClearly(t *testing.T) {
	m, _ := trainedClassifier[float32](t, 1)
	good := saved(t, m)
	meta := func(key, val string) func(map[string]any) {
		return func(h map[string]any) { h["__metadata__"].(map[string]any)[key] = val }
	}
	tensor := func(name, key string, val any) func(map[string]any) {
		return func(h map[string]any) { h[name].(map[string]any)[key] = val }
	}
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"huge header length", append(binary.LittleEndian.AppendUint64(nil, 1<<40), good[8:]...), "header length"},
		{"header not json", append(binary.LittleEndian.AppendUint64(nil, 4), []byte("{{{{")...), "not valid JSON"},
		{"future version", editHeader(t, good, meta("format_version", "4")), "newer than this program"},
		{"other format", editHeader(t, good, meta("format", "pytorch")), "format"},
		{"wrong dtype", editHeader(t, good, tensor("layers.0.weight", "dtype", "I8")), "dtype"},
		{"lying shape", editHeader(t, good, tensor("layers.0.weight", "shape", []int{5, 8})), "shape"},
		{"lying offsets", editHeader(t, good, tensor("layers.1.bias", "data_offsets", []int{0, 12})), "byte offsets"},
		{"huge claimed shape", editHeader(t, good, meta("architecture",
			`{"layers":[{"kind":"dense","name":"h","inputs":1000000,"units":1000000,"activation":"relu"}],"loss":"mse"}`)), "2^31"},
		{"large claimed shape", editHeader(t, good, meta("architecture",
			`{"layers":[{"kind":"dense","name":"h","inputs":30000,"units":30000,"activation":"relu"}],"loss":"mse"}`)), "900030000 parameters, the tensors hold 66"},
		{"huge tensor shape", editHeader(t, good, tensor("layers.0.weight", "shape", []int64{1000000, 1000000})), "larger than the file"},
		{"architecture not matching the weights", editHeader(t, good, meta("architecture",
			`{"layers":[{"kind":"dense","name":"h","inputs":5,"units":9,"activation":"tanh"},{"kind":"dense","name":"o","inputs":9,"units":3,"activation":"softmax"}],"loss":"cross_entropy"}`)), "84 parameters"},
		{"architecture with the right count but other shapes", editHeader(t, good, meta("architecture",
			`{"layers":[{"kind":"dense","name":"h","inputs":5,"units":8,"activation":"tanh"},{"kind":"dense","name":"o","inputs":8,"units":2,"activation":"softmax"}],"loss":"cross_entropy"}`)), "shape"},
		{"unknown layer kind", editHeader(t, good, meta("architecture", `{"layers":[{"kind":"conv"}],"loss":"mse"}`)), "unknown kind"},
		{"extra tensor", editHeader(t, good, func(h map[string]any) { h["extra"] = h["layers.0.bias"] }), "tensors"},
		{"truncated data", good[:len(good)-3], "need"},
		{"flipped data byte", func() []byte { b := bytes.Clone(good); b[len(b)-5] ^= 0x10; return b }(), "checksum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readBytes(tc.file)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// TestEveryTruncationAndFlipFailsSafely: no prefix of a model file loads,
// and no single flipped byte panics or changes the weights, the
// architecture or the preprocessing silently.
func TestEveryTruncationAndFlipFailsSafely(t *testing.T) {
	m, _ := trainedClassifier[float32](t, 1)
	good := saved(t, m)
	t.Logf("%d-byte file: every prefix and every single-bit flip tried", len(good))
	for n := range len(good) {
		_, err := readBytes(good[:n])
		require.Error(t, err, "prefix of %d bytes loaded", n)
	}
	for i := range good {
		b := bytes.Clone(good)
		b[i] ^= 0x04
		back, err := readBytes(b)
		if err == nil {
			require.Equal(t, m.Params(), back.Params(), "flip at byte %d changed the weights silently", i)
			require.Equal(t, m.Summary(), back.Summary(), "flip at byte %d changed the architecture silently", i)
			require.Equal(t, string(m.Preprocessing), string(back.Preprocessing), "flip at byte %d changed the preprocessing silently", i)
		}
	}
}

func TestSaveFileLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	m := nn.NewModel[float32]()
	m.Add(nn.NewDense[float32](2, 2, nn.ReLU, "a"))
	err := m.SaveFile(filepath.Join(dir, "m.safetensors"))
	assert.ErrorContains(t, err, "not compiled")
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries, fmt.Sprint(entries))
}

func TestFileDType(t *testing.T) {
	m32, _ := trainedClassifier[float32](t, 1)
	m64, _ := trainedClassifier[float64](t, 1)
	dir := t.TempDir()
	for want, m := range map[string]interface{ SaveFile(string) error }{"F32": m32, "F64": m64} {
		path := filepath.Join(dir, want)
		require.NoError(t, m.SaveFile(path))
		got, err := nn.FileDType(path)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk"), []byte("junk"), 0o644))
	_, err := nn.FileDType(filepath.Join(dir, "junk"))
	assert.ErrorContains(t, err, "junk: model file")
}

// TestReadModelDoesNotTrustTheSize: a stream that claims to be huge costs
// no more memory than the bytes really there.
func TestReadModelDoesNotTrustTheSize(t *testing.T) {
	m, _ := trainedClassifier[float32](t, 1)
	b := saved(t, m)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := nn.ReadModel[float32](bytes.NewReader(b), 1<<40)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated for a %d-byte stream", len(b))
}

// TestLabelSmoothingIsSaved checks that a model file keeps its loss's label
// smoothing: the loaded model reports the same (smoothed) loss, and a file
// of a loss without smoothing has no label_smoothing field.
func TestLabelSmoothingIsSaved(t *testing.T) {
	m, x := trainedClassifier[float64](t, 1)
	y := nntest.RandLabels[float64](rand.New(rand.NewPCG(1, 2)), x.Rows, 3)
	plain, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	assert.NotContains(t, string(saved(t, m)), "label_smoothing")

	smooth, err := nn.LabelSmoothing(m.Loss(), 0.1)
	require.NoError(t, err)
	require.NoError(t, m.Compile(smooth, nn.NewAdam[float64](0.01)))
	b := saved(t, m)
	assert.Contains(t, string(b), `\"label_smoothing\":0.1`)
	back, err := nn.ReadModel[float64](bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	want, _, err := train.Evaluate(context.Background(), m, x, y, train.EvalOptions{})
	require.NoError(t, err)
	got, _, err := train.Evaluate(context.Background(), back, x, y, train.EvalOptions{})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.NotEqual(t, plain, got, "smoothing changes the loss")
}
