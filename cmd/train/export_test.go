package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/densetrain/densetrain/internal/onnxpb"
)

// TestExportWritesONNX: train export writes an ONNX model whose inputs
// are the training table's feature columns and whose outputs are label and
// probabilities; bad usage and bad paths (a directory, the model itself,
// a link to it, a missing folder) exit 2 with one line, every file as it
// was.
func TestExportWritesONNX(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	code, _, errText := runCLI("fit", "--data", "../../testdata/iris.csv", "--out", at("model.st"), "--epochs", "1", "--quiet", "--hidden", "4")
	require.Equal(t, 0, code, errText)

	code, stdout, stderr := runCLI("export", "--model", at("model.st"), "--out", at("iris.onnx"))
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	assert.Empty(t, stderr)
	b, err := os.ReadFile(at("iris.onnx"))
	require.NoError(t, err)
	var mp onnxpb.ModelProto
	require.NoError(t, proto.Unmarshal(b, &mp))
	var names []string
	for _, in := range mp.GetGraph().GetInput() {
		names = append(names, in.GetName())
	}
	assert.Equal(t, []string{"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"}, names)
	names = nil
	for _, out := range mp.GetGraph().GetOutput() {
		names = append(names, out.GetName())
	}
	assert.Equal(t, []string{"label", "probabilities"}, names)

	require.NoError(t, os.Mkdir(at("adir"), 0o755))
	require.NoError(t, os.Symlink("model.st", at("model-link")))
	require.NoError(t, os.WriteFile(at("junk"), []byte("not a model"), 0o644))
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "--model and --out are required"},
		{"no out", []string{"--model", at("model.st")}, "--model and --out are required"},
		{"out is a directory", []string{"--model", at("model.st"), "--out", at("adir")}, "--out: " + at("adir") + ": is a directory"},
		{"out is the model", []string{"--model", at("model.st"), "--out", at("model.st")}, "--out " + at("model.st") + ": the same file as --model, which it would overwrite"},
		{"out is a link to the model", []string{"--model", at("model.st"), "--out", at("model-link")}, "the same file as --model"},
		{"out in a missing directory", []string{"--model", at("model.st"), "--out", at("none/m.onnx")}, "--out: " + at("none/m.onnx") + ": the directory"},
		{"not a model", []string{"--model", at("junk"), "--out", at("j.onnx")}, at("junk")},
		{"extra argument", []string{"--model", at("model.st"), "--out", at("x.onnx"), "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, dir)
			code, stdout, stderr := runCLI(append([]string{"export"}, c.args...)...)
			assert.Equal(t, 2, code, stderr)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "train export: "), stderr)
			assert.Contains(t, stderr, c.want)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			assert.Equal(t, before, snapshot(t, dir), "files changed")
		})
	}

	code, stdout, _ = runCLI("export", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "-out")
	code, stdout, _ = runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "export")
}
