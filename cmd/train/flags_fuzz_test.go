package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// flagValues are the values tried for each flag of fit: typical ones,
// boundaries, and hostile ones (overflowing, not numbers, malformed lists).
var flagValues = map[string][]string{
	"epochs":            {"1", "2", "0", "-1", "1000000000", "1000000001", "9223372036854775807", "9223372036854775808", "1e3", "x"},
	"batch":             {"1", "7", "150", "0", "-5", "100000000", "9223372036854775807", "x"},
	"workers":           {"1", "3", "0", "-1", "1000000", "100000000", "9223372036854775807"},
	"hidden":            {"", "8", "8,4", "8,,4", "8,", ",", " ", "0", "-3", "1000000000", "9223372036854775807", "100000,100000", "3,3,3,3,3,3,3,3,3,3,3,3", "a"},
	"lr":                {"0.01", "0", "-1", "NaN", "+Inf", "1e308", "1e-320", "x"},
	"max-categories":    {"1", "1000", "0", "-1", "9223372036854775807"},
	"val-split":         {"0", "0.2", "0.999", "1", "1.5", "-0.1", "NaN"},
	"patience":          {"0", "1", "-1", "9223372036854775807"},
	"checkpoint-every":  {"0", "1", "-1", "9223372036854775807"},
	"seed":              {"0", "1", "18446744073709551615", "-1", "18446744073709551616"},
	"target":            {"label", "0", "-1", "4", "99", "label,", ",", "nope"},
	"ignore":            {"", "sepal_length_cm", "label", ",", "x,,y"},
	"categorical":       {"", "petal_width_cm", ",,"},
	"na":                {"", "?", ",", "5.1"},
	"delimiter":         {"", ",", ";", "\\t", ";;", "\n"},
	"precision":         {"f32", "f64", "f16"},
	"scale":             {"standard", "minmax", "none", "robust"},
	"impute":            {"mean", "median", "error", "mode"},
	"activation":        {"relu", "tanh", "swish"},
	"optimizer":         {"adam", "sgd", "rmsprop", "lion"},
	"loss":              {"auto", "mse", "bce", "hinge"},
	"task":              {"auto", "classify", "regress", "cluster"},
	"resume":            {"true", "false"},
	"quiet":             {"true", "false"},
	"dropout":           {"", "0.5", "0.5,0.2", "1", "-0.1", "0.5,,", "NaN"},
	"input-dropout":     {"0", "0.2", "0.999", "1", "-1", "NaN"},
	"feature-scale":     {"0", "6", "1e-300", "1e300", "-1", "NaN"},
	"numeric-embedding": {"", "none", "pbld", "plr", "PBLD"},
	"l1":                {"0", "1e-4", "-1", "NaN", "+Inf"},
	"max-norm":          {"0", "3", "1e-300", "-2"},
	"lr-schedule":       {"constant", "cosine", "step"},
}

// checkFitFlags runs fit in this process on iris with the given flags,
// under a 1 GiB Go memory limit and a short deadline, and checks the
// contract: no panic; exit code 0, 1 (stopped by the deadline or
// diverged) or 2, which it returns; a code-2 failure is one stderr line, allocates less than
// 64 MiB on the way, and any run less than 1.5 GiB.
func checkFitFlags(t *testing.T, flags []string) int {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"fit", "--data", "../../testdata/iris.csv", "--out", filepath.Join(dir, "m")}, flags...)
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	msg := strings.Join(flags, " ") + ": " + stderr.String()
	assert.Contains(t, []int{0, 1, 2}, code, msg)
	if code == 1 { // training failed: only by the deadline, or a divergence
		assert.True(t, ctx.Err() != nil || strings.Contains(stderr.String(), "diverged"), msg)
	}
	assert.Less(t, alloc, uint64(1536<<20), "bytes allocated: %s", msg)
	if code == 2 {
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %s", msg)
		assert.Less(t, alloc, uint64(64<<20), "bytes allocated before failing: %s", msg)
	}
	for _, trace := range []string{"goroutine ", "panic", ".go:"} {
		assert.NotContains(t, stderr.String(), trace, msg)
	}
	return code
}

// TestRandomFlagValues is the property test: 120 random combinations of
// one to four flags from flagValues, from a fixed seed.
func TestRandomFlagValues(t *testing.T) {
	if testing.Short() {
		t.Skip("runs fit 120 times")
	}
	names := make([]string, 0, len(flagValues))
	for n := range flagValues {
		names = append(names, n)
	}
	slices.Sort(names)
	rng := rand.New(rand.NewPCG(2026, 12))
	codes := map[int]int{}
	for range 120 {
		var flags []string
		for range 1 + rng.IntN(4) {
			n := names[rng.IntN(len(names))]
			v := flagValues[n][rng.IntN(len(flagValues[n]))]
			flags = append(flags, "--"+n+"="+v)
		}
		codes[checkFitFlags(t, flags)]++
	}
	t.Logf("exit codes: %v", codes)
}

// FuzzFitFlags fuzzes the flags of fit: the input is the flags, one per
// line. go test runs the seeds; go test -fuzz FuzzFitFlags explores.
func FuzzFitFlags(f *testing.F) {
	for _, s := range []string{"--hidden=8,,4", "--hidden=1000000000", "--workers=100000000\n--batch=9223372036854775807",
		"--lr=NaN", "--epochs=9223372036854775807", "--hidden=100000,100000", "--seed=-1", "--target=label,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var flags []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "-") && !strings.HasPrefix(strings.TrimLeft(l, "-"), "data") &&
				!strings.HasPrefix(strings.TrimLeft(l, "-"), "out") && !strings.Contains(l, "mpi") {
				flags = append(flags, l) // paths and MPI stay fixed
			}
		}
		checkFitFlags(t, flags)
	})
}
