package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWeightFlags: --sample-weight with a column of 1s saves the model of
// the same table with the column ignored, byte for byte; --class-weight
// balanced and explicit weights other than 1 save other models, the same
// for 1 and 3 workers.
func TestWeightFlags(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("x1,w,x2,label\n")
	for range 240 {
		x1, x2 := rng.NormFloat64(), rng.NormFloat64()
		label := "no"
		if x1-x2 > 1.2 {
			label = "yes"
		}
		fmt.Fprintf(&b, "%.3f,1,%.3f,%s\n", x1, x2, label)
	}
	data := filepath.Join(dir, "w.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	fit := func(name string, args ...string) []byte {
		t.Helper()
		out := filepath.Join(dir, name+".safetensors")
		code, _, stderr := drive(t, bin, append([]string{"fit", "--data", data, "--epochs", "3", "--quiet", "--out", out}, args...)...)
		require.Equal(t, 0, code, stderr)
		m, err := os.ReadFile(out)
		require.NoError(t, err)
		return m
	}
	ignored := fit("ignored", "--ignore", "w")
	assert.True(t, bytes.Equal(ignored, fit("ones", "--sample-weight", "w")), "weights of 1 are no weights")
	balanced := fit("balanced", "--ignore", "w", "--class-weight", "balanced", "--workers", "1")
	assert.False(t, bytes.Equal(ignored, balanced))
	assert.True(t, bytes.Equal(balanced, fit("balanced3", "--ignore", "w", "--class-weight", "balanced", "--workers", "3")))
	assert.False(t, bytes.Equal(ignored, fit("explicit", "--sample-weight", "w", "--class-weight", "no=1,yes=4")))
	assert.True(t, bytes.Equal(ignored, fit("explicit1", "--sample-weight", "w", "--class-weight", "no=1,yes=1")))
}
