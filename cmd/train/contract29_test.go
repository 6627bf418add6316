package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contract29 lists fits of issue 29's features: date columns, robust
// scaling with smooth clipping, ensembles, a learned feature scale, the
// PBLD numeric embedding.
var contract29 = map[string][]string{
	"dates robust":          {"--data", "../../testdata/dates.csv", "--target", "sold", "--ignore", "units", "--scale", "robust", "--missing-indicator", "--epochs", "4", "--val-split", "0.2"},
	"ensemble of 3":         {"--data", "../../testdata/iris.csv", "--ensemble", "3", "--epochs", "5", "--dropout", "0.2", "--hidden", "16,8"},
	"ensemble dates robust": {"--data", "../../testdata/dates.csv", "--target", "units", "--ignore", "sold", "--ensemble", "2", "--scale", "robust", "--epochs", "4"},
	"feature scale":         {"--data", "../../testdata/digits.csv", "--feature-scale", "6", "--ensemble", "2", "--input-dropout", "0.1", "--epochs", "3", "--hidden", "16"},
	"pbld":                  {"--data", "../../testdata/dates.csv", "--target", "sold", "--ignore", "units", "--numeric-embedding", "pbld", "--ensemble", "2", "--epochs", "3", "--hidden", "8"},
	"pbld f64 regression":   {"--data", "../../testdata/diabetes.csv", "--numeric-embedding", "pbld", "--precision", "f64", "--ensemble", "1", "--epochs", "3"},
	"dates regression f64":  {"--data", "../../testdata/dates.csv", "--target", "units", "--ignore", "sold", "--precision", "f64", "--impute", "median", "--epochs", "4"},
}

// TestIssue29FeaturesKeepTheBitContract: each fit of contract29 writes the
// same model file with workers 1, 2 and 3, and under mpirun -np 2.
func TestIssue29FeaturesKeepTheBitContract(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	mpiBin := ""
	if _, err := exec.LookPath("mpirun"); err == nil && !testing.Short() {
		mpiBin = filepath.Join(dir, "train-mpi")
		if b, err := exec.Command("go", "build", "-tags", "mpi", "-o", mpiBin, ".").CombinedOutput(); err != nil {
			t.Logf("no MPI build (%v: %s): the two-rank leg is left out", err, b)
			mpiBin = ""
		}
	} else {
		t.Log("no mpirun (or -short): the two-rank leg is left out")
	}
	for name, args := range contract29 {
		t.Run(name, func(t *testing.T) {
			var first []byte
			check := func(leg, model string) {
				b, err := os.ReadFile(model)
				require.NoError(t, err)
				if first == nil {
					first = b
					return
				}
				assert.True(t, bytes.Equal(first, b), "%s wrote another model file", leg)
			}
			for _, w := range []string{"1", "2", "3"} {
				model := filepath.Join(dir, "m"+w)
				code, _, errOut := drive(t, bin, append([]string{"fit", "--quiet", "--workers", w, "--out", model}, args...)...)
				require.Equal(t, 0, code, errOut)
				check("workers "+w, model)
			}
			if mpiBin != "" {
				model := filepath.Join(dir, "mpi")
				o, err := exec.Command("mpirun", append([]string{"--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-np", "2",
					mpiBin, "fit", "--quiet", "--workers", "1", "--out", model}, args...)...).CombinedOutput()
				require.NoError(t, err, "%s", o)
				check("mpirun -np 2", model)
			}
		})
	}
}
