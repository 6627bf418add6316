package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/densetrain/densetrain/internal/gemm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenFile holds the SHA-256 of the model files that goldenCases train,
// as the binary that wrote it trained them, and the kernels it ran on.
const goldenFile = "testdata/golden_models.txt"

// goldenCases are fits whose model files must not change when the code
// around the arithmetic does (memory layout, row lists, shuffles): small
// tables, and a narrow one of 1.2 million rows (above the sizes from which
// fit collects garbage between phases and makes the targets in place),
// with and without a validation split, on one worker and on two.
func goldenCases(narrow, narrowReg string) map[string][]string {
	data := func(name string) string { return filepath.Join("..", "..", "testdata", name) }
	return map[string][]string{
		"iris":           {"--data", data("iris.csv"), "--epochs", "5"},
		"iris_val":       {"--data", data("iris.csv"), "--epochs", "5", "--val-split", "0.2"},
		"digits":         {"--data", data("digits.csv"), "--epochs", "2"},
		"digits_val":     {"--data", data("digits.csv"), "--epochs", "2", "--val-split", "0.25", "--workers", "1"},
		"diabetes":       {"--data", data("diabetes.csv"), "--epochs", "5"},
		"diabetes_val":   {"--data", data("diabetes.csv"), "--epochs", "5", "--val-split", "0.3"},
		"narrow":         {"--data", narrow, "--epochs", "1", "--batch", "1024"},
		"narrow_w1":      {"--data", narrow, "--epochs", "1", "--batch", "1024", "--workers", "1"},
		"narrow_noval":   {"--data", narrow, "--epochs", "1", "--batch", "1024", "--val-split", "0"},
		"narrow_reg":     {"--data", narrowReg, "--epochs", "1", "--batch", "1024", "--val-split", "0.15"},
		"narrow_reg_f64": {"--data", narrowReg, "--epochs", "1", "--batch", "1024", "--precision", "f64"},
		// the options around the trainer: precision, dropout, worker
		// counts, optimizers, schedules, penalties and the messy tables
		"iris_f64":            {"--data", data("iris.csv"), "--epochs", "5", "--precision", "f64"},
		"digits_dropout":      {"--data", data("digits.csv"), "--epochs", "2", "--dropout", "0.3,0.1", "--input-dropout", "0.1"},
		"digits_dropout_w3":   {"--data", data("digits.csv"), "--epochs", "2", "--dropout", "0.3,0.1", "--input-dropout", "0.1", "--workers", "3"},
		"digits_w1":           {"--data", data("digits.csv"), "--epochs", "2", "--workers", "1"},
		"digits_w3":           {"--data", data("digits.csv"), "--epochs", "2", "--workers", "3"},
		"digits_f64_w3":       {"--data", data("digits.csv"), "--epochs", "2", "--workers", "3", "--precision", "f64", "--hidden", "32"},
		"diabetes_momentum":   {"--data", data("diabetes.csv"), "--epochs", "6", "--optimizer", "momentum", "--lr-schedule", "cosine", "--l2", "1e-4", "--max-norm", "3", "--loss", "huber", "--batch", "16"},
		"iris_rmsprop":        {"--data", data("iris.csv"), "--epochs", "6", "--optimizer", "rmsprop", "--l1", "1e-4", "--activation", "tanh", "--scale", "minmax"},
		"iris_adamw_sgd":      {"--data", data("iris.csv"), "--epochs", "4", "--optimizer", "adamw", "--patience", "0", "--hidden", "16,8,4"},
		"iris_nesterov":       {"--data", data("iris.csv"), "--epochs", "4", "--optimizer", "nesterov", "--activation", "sigmoid", "--loss", "ce"},
		"messy_diabetes":      {"--data", data("messy/diabetes_holes.csv"), "--epochs", "4", "--ignore", "patient_id", "--impute", "median", "--missing-indicator"},
		"messy_stackoverflow": {"--data", data("messy/stackoverflow.csv"), "--epochs", "2"},
		"messy_sacramento":    {"--data", data("messy/Sacramento.csv"), "--epochs", "3", "--scale-target", "none", "--loss", "mae"},
		"messy_scat":          {"--data", data("messy/scat.csv"), "--epochs", "5", "--val-split", "0.2"},
	}
}

// writeNarrow writes a table of rows rows of two small integers and a
// target: a 0/1 class, or (reg) a number with three decimals.
func writeNarrow(t *testing.T, path string, rows int, reg bool) {
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "a,b,y")
	for i := range rows {
		a, b := i*7919%100, i*104729%97
		if reg {
			fmt.Fprintf(w, "%d,%d,%.3f\n", a, b, float64(a-b)/50+float64(i%1000)/1000)
		} else {
			y := 0
			if a+b+i%20 > 105 {
				y = 1
			}
			fmt.Fprintf(w, "%d,%d,%d\n", a, b, y)
		}
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// TestModelFilesAreGolden: the model files of goldenCases are those
// testdata/golden_models.txt lists, byte for byte, where this machine runs
// the kernels they were made with (the hashes differ with the kernels;
// avx2's are avx512's).
// DENSETRAIN_GOLDEN_BIN=path/to/train DENSETRAIN_GOLDEN_WRITE=1 rewrites
// the file from that binary.
func TestModelFilesAreGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 28 models, two on 1.2 million rows, one under mpirun")
	}
	// avx2 gives avx512's bits (docs/design.md): an AVX2-only machine (an
	// AMD EPYC, say) checks the same hashes.
	kernels := runtime.GOARCH + " " + strings.Replace(gemm.Path(), "avx2", "avx512", 1)
	want := map[string]string{}
	b, err := os.ReadFile(goldenFile)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines[1:] {
		name, hash, _ := strings.Cut(l, " ")
		want[name] = hash
	}
	write := os.Getenv("DENSETRAIN_GOLDEN_WRITE") != ""
	if !write && lines[0] != "kernels "+kernels {
		t.Skipf("the hashes are of %q, this machine runs %s", lines[0], kernels)
	}
	bin := os.Getenv("DENSETRAIN_GOLDEN_BIN")
	if bin == "" {
		bin = binary(t)
	}
	dir := t.TempDir()
	narrow, narrowReg := filepath.Join(dir, "narrow.csv"), filepath.Join(dir, "narrow_reg.csv")
	writeNarrow(t, narrow, 1_200_000, false)
	writeNarrow(t, narrowReg, 1_200_000, true)
	got := map[string]string{}
	for name, args := range goldenCases(narrow, narrowReg) {
		out := filepath.Join(dir, name+".safetensors")
		o, err := exec.Command(bin, append([]string{"fit", "--quiet", "--out", out}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s: %s", name, o)
		m, err := os.ReadFile(out)
		require.NoError(t, err)
		sum := sha256.Sum256(m)
		got[name] = hex.EncodeToString(sum[:])
	}
	maps.Copy(got, goldenRuns(t, bin, dir))
	if got["mpi_np2"] == noMPI && !write {
		delete(got, "mpi_np2")
		delete(want, "mpi_np2")
	}
	if write {
		var s strings.Builder
		fmt.Fprintf(&s, "kernels %s\n", kernels)
		for _, name := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&s, "%s %s\n", name, got[name])
		}
		require.NoError(t, os.WriteFile(goldenFile, []byte(s.String()), 0o644))
		return
	}
	assert.Equal(t, want, got)
}

// noMPI stands for the two-rank model's hash where there is no mpirun.
const noMPI = "(no-mpirun)"

// goldenRuns trains the golden models that take more than one command: a
// run interrupted with SIGINT mid-epoch and resumed from its checkpoint,
// and (where mpirun and a build with -tags mpi are at hand) a job of two
// ranks. DENSETRAIN_GOLDEN_MPI_BIN names the MPI build to use instead of
// building one.
func goldenRuns(t *testing.T, bin, dir string) map[string]string {
	got := map[string]string{}
	hash := func(path string) string {
		m, err := os.ReadFile(path)
		require.NoError(t, err)
		sum := sha256.Sum256(m)
		return hex.EncodeToString(sum[:])
	}
	// killed and resumed: the checkpoint after epoch 1, SIGINT in epoch 2
	// or 3 (an exact-step checkpoint), then --resume
	out := filepath.Join(dir, "resumed.safetensors")
	args := []string{"fit", "--data", filepath.Join("..", "..", "testdata", "digits.csv"), "--hidden", "48",
		"--batch", "4", "--epochs", "4", "--workers", "3", "--dropout", "0.2", "--checkpoint-every", "1", "--out", out}
	var errText bytes.Buffer
	cmd, lines := startFit(t, bin, args, &errText)
	t.Cleanup(func() { cmd.Process.Kill() })
	waitFor(t, lines, "epoch 2/")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	for range lines {
	}
	require.Equal(t, 130, procExitCode(t, cmd.Wait()), errText.String())
	o, err := exec.Command(bin, append(args, "--resume", "--quiet")...).CombinedOutput()
	require.NoError(t, err, "%s", o)
	got["killed_resumed"] = hash(out)

	mpiBin := os.Getenv("DENSETRAIN_GOLDEN_MPI_BIN")
	if _, err := exec.LookPath("mpirun"); err != nil && mpiBin == "" {
		t.Log("no mpirun: the two-rank golden model is not checked")
		got["mpi_np2"] = noMPI
		return got
	}
	if mpiBin == "" {
		mpiBin = filepath.Join(dir, "train-mpi")
		b, err := exec.Command("go", "build", "-tags", "mpi", "-o", mpiBin, ".").CombinedOutput()
		if err != nil {
			t.Logf("no MPI build (%v: %s): the two-rank golden model is not checked", err, b)
			got["mpi_np2"] = noMPI
			return got
		}
	}
	out = filepath.Join(dir, "mpi.safetensors")
	o, err = exec.Command("mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-np", "2",
		mpiBin, "fit", "--quiet", "--data", filepath.Join("..", "..", "testdata", "digits.csv"), "--epochs", "2",
		"--dropout", "0.2", "--workers", "1", "--out", out).CombinedOutput()
	require.NoError(t, err, "%s", o)
	got["mpi_np2"] = hash(out)
	return got
}
