package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLabelsThroughTheCLI: class labels with commas and quotes come back
// quoted in the predictions header and rows; numeric labels written two
// ways ("0" and "0.0") are one class, named as first written.
func TestLabelsThroughTheCLI(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	city := write("city.csv", "a,city\n1,\"New York, NY\"\n2,\"say \"\"hi\"\"\"\n3,\"New York, NY\"\n4,\"say \"\"hi\"\"\"\n")
	code, _, errOut := drive(t, bin, "fit", "--data", city, "--epochs", "2", "--quiet", "--out", filepath.Join(dir, "c"))
	require.Equal(t, 0, code, errOut)
	code, out, errOut := drive(t, bin, "predict", "--model", filepath.Join(dir, "c"), "--data", city)
	require.Equal(t, 0, code, errOut)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err, out)
	assert.Equal(t, []string{"prediction", "p_New York, NY", `p_say "hi"`}, recs[0])
	assert.Len(t, recs, 5)
	for _, r := range recs[1:] {
		assert.Contains(t, []string{"New York, NY", `say "hi"`}, r[0])
	}

	labels := write("labels.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0.0\n7,8,1.0\n")
	code, _, errOut = drive(t, bin, "fit", "--data", labels, "--epochs", "2", "--quiet", "--out", filepath.Join(dir, "l"))
	require.Equal(t, 0, code, errOut)
	code, out, errOut = drive(t, bin, "summary", "--model", filepath.Join(dir, "l"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "(classes: 0, 1)")
	code, out, errOut = drive(t, bin, "evaluate", "--model", filepath.Join(dir, "l"), "--data", write("eval.csv", "a,b,y\n1,2,0.00\n3,4,1e0\n"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "accuracy")
}
