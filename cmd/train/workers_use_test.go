package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPredictAndEvaluateTakeWorkers: predict and evaluate have --workers
// (0, the default, one per CPU), and their output does not depend on it:
// predict on 1 and 3 workers writes the same bytes, evaluate prints the
// same metrics; a negative count is refused with exit 2, naming the flag,
// before anything is read or written.
func TestPredictAndEvaluateTakeWorkers(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	for _, m := range []struct{ name, data string }{
		{"iris", "../../testdata/iris.csv"},
		{"diabetes", "../../testdata/diabetes.csv"},
	} {
		model := filepath.Join(dir, m.name+".safetensors")
		code, _, errOut := drive(t, bin, "fit", "--data", m.data, "--epochs", "2", "--out", model, "--quiet", "--workers", "0")
		require.Equal(t, 0, code, errOut)
		var preds []string
		var evals []string
		for _, w := range []string{"1", "3", "0"} {
			out := filepath.Join(dir, m.name+"_w"+w+".csv")
			code, stdout, errOut := drive(t, bin, "predict", "--model", model, "--data", m.data, "--workers", w, "--out", out)
			require.Equal(t, 0, code, errOut)
			assert.Empty(t, stdout)
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			preds = append(preds, string(b))
			code, stdout, errOut = drive(t, bin, "evaluate", "--model", model, "--data", m.data, "--workers", w, "--json")
			require.Equal(t, 0, code, errOut)
			evals = append(evals, stdout)
		}
		for i := 1; i < len(preds); i++ {
			assert.Equal(t, preds[0], preds[i], "%s: predict on 1 worker and on another number", m.name)
			assert.Equal(t, evals[0], evals[i], "%s: evaluate on 1 worker and on another number", m.name)
		}
		out := filepath.Join(dir, m.name+"_bad.csv")
		for _, cmd := range [][]string{{"predict", "--out", out}, {"evaluate"}} {
			args := append(append([]string{}, cmd...), "--model", model, "--data", m.data, "--workers", "-2")
			code, stdout, errOut := drive(t, bin, args...)
			assert.Equal(t, 2, code, errOut)
			assert.Empty(t, stdout)
			assert.Equal(t, "train "+cmd[0]+": --workers -2: want 0 (one per CPU) or more\n", errOut)
		}
		assert.NoFileExists(t, out)
	}
}
