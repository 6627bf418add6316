package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMPISettingIsRefusedByEveryRank: under mpirun, a setting the library
// refuses (checked in tabular.Fit, once MPI has started) is met by every
// rank at the same point: the job ends with exit 2 and the flag's one-line
// message, not with an MPI_Abort of the whole job.
func TestMPISettingIsRefusedByEveryRank(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the MPI binary and starts mpirun")
	}
	if _, err := exec.LookPath("mpirun"); err != nil {
		t.Skip("no mpirun")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "train-mpi")
	if b, err := exec.Command("go", "build", "-tags", "mpi", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Skipf("no MPI build: %v: %s", err, b)
	}
	out := filepath.Join(dir, "m.safetensors")
	cmd := exec.Command("mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-np", "2",
		bin, "fit", "--quiet", "--data", filepath.Join("..", "..", "testdata", "iris.csv"), "--impute", "mode", "--out", out)
	o, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", o)
	assert.Equal(t, 2, ee.ExitCode(), "%s", o)
	assert.Contains(t, string(o), `train fit: --impute "mode": want mean, median or error`)
	assert.False(t, strings.Contains(string(o), "MPI_ABORT"), "%s", o)
	assert.NoFileExists(t, out)
}
