package nn_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeaderEditsAreRefused: the checksum covers the header too, so an
// edit of the preprocessing, the label order, an activation or a tensor
// entry is refused as damage, naming the file, instead of changing every
// answer silently.
func TestHeaderEditsAreRefused(t *testing.T) {
	m, _ := trainedClassifier[float32](t, 1)
	m.Preprocessing = []byte(`{"mean":[5.84,3.05],"labels":["a","b","c"]}`)
	good := saved(t, m)
	edit := func(from, to string) []byte {
		t.Helper()
		require.Equal(t, 1, bytes.Count(good, []byte(from)), "%q once in the file", from)
		return bytes.Replace(good, []byte(from), []byte(to), 1)
	}
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"a mean's byte flipped", edit("5.84", "4.84")},
		{"labels swapped", edit(`[\"a\",\"b\",\"c\"]`, `[\"c\",\"b\",\"a\"]`)},
		{"an activation changed", edit(`tanh`, `relu`)},
		{"a metadata key added", editHeaderRaw(t, good, func(h map[string]any) { h["__metadata__"].(map[string]any)["extra"] = "x" })},
		{"a new file passed off as format 1", editHeaderRaw(t, good, func(h map[string]any) { h["__metadata__"].(map[string]any)["format_version"] = "1" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readBytes(tc.file)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "checksum mismatch")
			assert.NotContains(t, err.Error(), "\n")
			path := filepath.Join(t.TempDir(), "edited.safetensors")
			writeFile(t, path, tc.file)
			_, err = nn.LoadFile[float32](path)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), path+": "), err.Error())
		})
	}
	back, err := readBytes(good)
	require.NoError(t, err)
	assert.Equal(t, string(m.Preprocessing), string(back.Preprocessing))
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// docChecksum computes a file's checksum as the package doc (internal/safetensors/checksum.go)
// describes it, independently of the package's code.
func docChecksum[E any](t *testing.T, meta map[string]string, header map[string]E, data []byte) string {
	h := sha256.New()
	num := func(v int64) { h.Write(binary.LittleEndian.AppendUint64(nil, uint64(v))) }
	str := func(s string) { num(int64(len(s))); h.Write([]byte(s)) }
	keys := slices.Sorted(maps.Keys(meta))
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "checksum" })
	num(int64(len(keys)))
	for _, k := range keys {
		str(k)
		str(meta[k])
	}
	num(int64(len(header)))
	for _, name := range slices.Sorted(maps.Keys(header)) {
		b, err := json.Marshal(header[name])
		require.NoError(t, err)
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int64  `json:"shape"`
			Offsets [2]int64 `json:"data_offsets"`
		}
		require.NoError(t, json.Unmarshal(b, &e))
		str(name)
		str(e.DType)
		num(int64(len(e.Shape)))
		for _, d := range e.Shape {
			num(d)
		}
		num(e.Offsets[0])
		num(e.Offsets[1])
	}
	h.Write(data)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// resealed gives a model file the checksum of its header and data.
func resealed(t *testing.T, b []byte) []byte {
	n := binary.LittleEndian.Uint64(b[:8])
	var h map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b[8:8+n], &h))
	var meta map[string]string
	if json.Unmarshal(h["__metadata__"], &meta) != nil || meta == nil {
		return b // nothing to seal
	}
	delete(h, "__metadata__")
	meta["checksum"] = docChecksum(t, meta, h, b[8+n:])
	h["__metadata__"], _ = json.Marshal(meta)
	nh, err := json.Marshal(h)
	require.NoError(t, err)
	return append(append(binary.LittleEndian.AppendUint64(nil, uint64(len(nh))), nh...), b[8+n:]...)
}

// TestOlderFormatsStillLoad: a file of format 1 or 2, whose checksum is
// the SHA-256 of the data alone, loads; its header is not covered.
func TestOlderFormatsStillLoad(t *testing.T) {
	m, x := trainedClassifier[float32](t, 1)
	for _, version := range []string{"1", "2"} {
		old := editHeaderRaw(t, saved(t, m), func(h map[string]any) {
			meta := h["__metadata__"].(map[string]any)
			meta["format_version"] = version
			meta["checksum"] = "" // set below, once the header's length is known
		})
		n := binary.LittleEndian.Uint64(old[:8])
		sum := sha256.Sum256(old[8+n:])
		old = editHeaderRaw(t, old, func(h map[string]any) {
			h["__metadata__"].(map[string]any)["checksum"] = "sha256:" + hex.EncodeToString(sum[:])
		})
		back, err := readBytes(old)
		require.NoError(t, err, "format %s", version)
		want, _ := m.Predict(context.Background(), x)
		got, err := back.Predict(context.Background(), x)
		require.NoError(t, err)
		assert.Equal(t, want.Data, got.Data)
		flipped := bytes.Clone(old)
		flipped[len(flipped)-3] ^= 1
		_, err = readBytes(flipped)
		assert.ErrorContains(t, err, "checksum mismatch: the tensor data is damaged", "format %s", version)
	}
}

// TestCheckpointStateEditsAreRefused: a checkpoint's checksum covers its
// state too: an edited learning rate is refused on resume.
func TestCheckpointStateEditsAreRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	m, x, y := nntest.ResumeCase[float32](t, "adam")
	_, err := train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, CheckpointPath: path})
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	edited := editHeaderRaw(t, b, func(h map[string]any) {
		meta := h["__metadata__"].(map[string]any)
		state := meta["state"].(string)
		require.Contains(t, state, `"learning_rate":0.01`)
		meta["state"] = strings.Replace(state, `"learning_rate":0.01`, `"learning_rate":10`, 1)
	})
	writeFile(t, path, edited)
	m2, _, _ := nntest.ResumeCase[float32](t, "adam")
	_, err = train.Fit(context.Background(), m2, train.InMemory(x, y), train.Options{Epochs: 2, CheckpointPath: path, Resume: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+": checkpoint: checksum mismatch")
}
