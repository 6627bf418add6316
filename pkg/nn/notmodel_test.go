package nn_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/nn/nntest"
	"github.com/densetrain/densetrain/pkg/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notModels are files that are no safetensors files at all.
func notModels(t *testing.T) map[string]string {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	random[8] = '}' // whatever the seed: not the '{' a header starts with
	files := map[string][]byte{
		"table.csv":  []byte("sepal_length,sepal_width,label\n5.1,3.5,setosa\n4.9,3.0,setosa\n"),
		"random.bin": random,
		"list.json":  append([]byte{2, 0, 0, 0, 0, 0, 0, 0}, "[]"...), // JSON, but no object
	}
	paths := map[string]string{}
	for name, b := range files {
		paths[name] = filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(paths[name], b, 0o644))
	}
	return paths
}

// TestNotAModelFile: a CSV or random bytes given as a model file or a
// checkpoint say so, instead of reporting a header length of 10^18.
func TestNotAModelFile(t *testing.T) {
	for name, path := range notModels(t) {
		_, err := nn.LoadFile[float32](path)
		assert.EqualError(t, err, path+": not a densetrain model file", name)
		_, err = nn.FileDType(path)
		assert.EqualError(t, err, path+": not a densetrain model file", name)

		m, x, y := nntest.ResumeCase[float32](t, "adam")
		_, err = train.Fit(context.Background(), m, train.InMemory(x, y), train.Options{Epochs: 1, CheckpointPath: path, Resume: true})
		assert.EqualError(t, err, path+": not a densetrain checkpoint", name)
	}
}
