package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// writeWidest writes a table as wide as fit accepts: one-hot width
// csvdata.DefaultMaxColumns, with long column names that JSON escapes
// (quotes, backslashes) and a text column of long categories.
func writeWidest(t *testing.T, path string, rows int) {
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	numeric := csvdata.DefaultMaxColumns - 3 // and 3 one-hot columns
	pad := strings.Repeat("x", 100)
	for j := range numeric {
		fmt.Fprintf(w, `"feature ""%d"" \ %s",`, j, pad)
	}
	fmt.Fprintf(w, "colour,y\n")
	cats := []string{strings.Repeat("red ", 200), strings.Repeat("green ", 150), strings.Repeat("blue ", 180)}
	for i := range rows {
		for j := range numeric {
			fmt.Fprintf(w, "%d.%d,", (i*7+j)%10, j%10)
		}
		fmt.Fprintf(w, "%s,%d\n", cats[i%3], i%2)
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// TestWidestTableLoads: a model of the widest table fit accepts, whose
// header is far beyond 1 MiB, loads in predict, summary, export and serve.
func TestWidestTableLoads(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	data, model := filepath.Join(dir, "wide.csv"), filepath.Join(dir, "wide.safetensors")
	writeWidest(t, data, 6)
	code, _, stderr := drive(t, bin, "fit", "--data", data, "--hidden", "2", "--epochs", "1", "--out", model)
	require.Equal(t, 0, code, stderr)
	st, err := os.Stat(model)
	require.NoError(t, err)
	t.Logf("%d-byte model file", st.Size())

	code, _, stderr = drive(t, bin, "predict", "--model", model, "--data", data, "--out", filepath.Join(dir, "p.csv"))
	assert.Equal(t, 0, code, stderr)
	code, stdout, stderr := drive(t, bin, "summary", "--model", model)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "100000")
	code, _, stderr = drive(t, bin, "export", "--model", model, "--out", filepath.Join(dir, "wide.onnx"))
	assert.Equal(t, 0, code, stderr)

	cmd := exec.Command(bin, "serve", "--model", model, "--addr", "127.0.0.1:0")
	errPipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(errPipe)
	lines.Buffer(nil, 1<<20)
	require.True(t, lines.Scan(), "serve printed nothing")
	assert.Regexp(t, regexp.MustCompile(`^serving .*wide\.safetensors as wide on http://`), lines.Text())
}
