package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const messyDir = "../../testdata/messy/"

// TestMessyTablesTrainWithDefaults: the real tables of testdata/messy
// (missing cells, text categories, an identifier, dollars) train with the
// defaults and evaluate to sane figures.
func TestMessyTablesTrainWithDefaults(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	for _, c := range []struct {
		file, target string
		extra        []string
		metric       string
		floor        float64
	}{
		{"scat.csv", "Species", nil, "accuracy", 0.7},
		{"Sacramento.csv", "price", nil, "r2", 0.6},
		{"stackoverflow.csv", "Remote", nil, "accuracy", 0.85},
		{"diabetes_holes.csv", "target", []string{"--ignore", "patient_id"}, "r2", 0.4},
	} {
		model := filepath.Join(dir, c.file+".safetensors")
		args := append([]string{"fit", "--data", messyDir + c.file, "--target", c.target, "--out", model, "--quiet"}, c.extra...)
		code, _, stderr := drive(t, bin, args...)
		require.Equal(t, 0, code, "%s: %s", c.file, stderr)
		code, stdout, stderr := drive(t, bin, "evaluate", "--model", model, "--data", messyDir+c.file, "--json")
		require.Equal(t, 0, code, "%s: %s", c.file, stderr)
		var m map[string]float64
		require.NoError(t, json.Unmarshal([]byte(stdout), &m))
		assert.Greater(t, m[c.metric], c.floor, "%s: %s", c.file, stdout)
	}
}

// TestInputsAsUsersHaveThem: gzip (any name), tab, semicolon and pipe
// separators and standard input give the very same model as the plain
// comma file.
func TestInputsAsUsersHaveThem(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	plain, err := os.ReadFile(messyDir + "scat.csv")
	require.NoError(t, err)
	fit := func(stdin []byte, data string) []byte {
		out := filepath.Join(dir, "m.safetensors")
		cmd := exec.Command(bin, "fit", "--data", data, "--target", "Species", "--epochs", "3", "--out", out, "--quiet")
		var e bytes.Buffer
		cmd.Stdin, cmd.Stderr = bytes.NewReader(stdin), &e
		require.NoError(t, cmd.Run(), e.String())
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		return b
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	ref := fit(nil, messyDir+"scat.csv")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(plain)
	require.NoError(t, zw.Close())
	assert.Equal(t, ref, fit(nil, write("scat.data", z.Bytes())), "gzip")
	assert.Equal(t, ref, fit(plain, "-"), "stdin")
	assert.Equal(t, ref, fit(z.Bytes(), "-"), "gzip on stdin")
	for _, sep := range []string{"\t", ";", "|"} { // scat has no quoted fields
		assert.Equal(t, ref, fit(nil, write("scat.txt", []byte(strings.ReplaceAll(string(plain), ",", sep)))), "%q", sep)
	}
}

// TestMessyMessagesOnStderr: fit counts the rows it skips; predict counts
// unseen categories per column and still predicts every row; with
// --strict it stops at the first.
func TestMessyMessagesOnStderr(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	train := filepath.Join(dir, "train.csv")
	require.NoError(t, os.WriteFile(train, []byte("color,x,y\nred,1,a\nblue,,b\nred,3,\nblue,4,b\nred,NA,a\nblue,6,NA\n"), 0o644))
	model := filepath.Join(dir, "m.safetensors")
	code, _, stderr := drive(t, bin, "fit", "--data", train, "--epochs", "2", "--out", model)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, train+`: skipped 2 rows with a missing target (column "y", first at line 4)`+"\n")
	for _, cmd := range [][]string{{"fit", "--out", model}, {"cv", "--folds", "2"}} { // --quiet: no epochs, the warnings still
		code, stdout, stderr := drive(t, bin, append(cmd, "--data", train, "--epochs", "2", "--quiet")...)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stderr, train+`: skipped 2 rows with a missing target (column "y", first at line 4)`+"\n", cmd[0])
		assert.NotContains(t, stderr, "epoch 1/", cmd[0])
		assert.NotContains(t, stderr, "fold 1/", cmd[0])
		assert.NotEmpty(t, stdout)
	}
	test := filepath.Join(dir, "test.csv")
	require.NoError(t, os.WriteFile(test, []byte("x,color\n1,green\n2,red\n,\n"), 0o644))
	code, stdout, stderr := drive(t, bin, "predict", "--model", model, "--data", test)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 4, strings.Count(stdout, "\n"), stdout)
	assert.Equal(t, test+`: column "color": 2 values not seen in training, encoded as all zeros (the first "green" at line 2; --strict makes this an error)`+"\n", stderr)
	code, _, stderr = drive(t, bin, "predict", "--model", model, "--data", test, "--strict")
	assert.Equal(t, 2, code)
	assert.Equal(t, "train predict: "+test+`:2:3: category "green" of column "color" was not seen in training`+"\n", stderr)
}

// TestOwnCorpus: testdata/messy/own holds one table with every kind of
// hole in four forms; each trains to the same model with --na ?; without
// it the '?' is reported; the unseen test cities are counted.
func TestOwnCorpus(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	own := messyDir + "own/"
	var ref []byte
	for _, f := range []string{"holes.csv", "holes.tsv", "holes_semicolon.csv", "holes.csv.gz"} {
		model := filepath.Join(dir, "m.safetensors")
		code, _, stderr := drive(t, bin, "fit", "--data", own+f, "--na", "?", "--missing-indicator", "--epochs", "5", "--out", model)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stderr, own+f+`: skipped 4 rows with a missing target (column "bought", first at line 6)`)
		b, err := os.ReadFile(model)
		require.NoError(t, err)
		if ref == nil {
			ref = b
		}
		assert.Equal(t, ref, b, f)
	}
	code, _, stderr := drive(t, bin, "fit", "--data", own+"holes.csv", "--quiet", "--out", filepath.Join(dir, "x"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `column "income" mixes numbers and text`)
	model := filepath.Join(dir, "m.safetensors")
	code, stdout, stderr := drive(t, bin, "summary", "--model", model)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "missing indicators")
	code, stdout, stderr = drive(t, bin, "predict", "--model", model, "--data", own+"unseen_test.csv")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 4, strings.Count(stdout, "\n"))
	assert.Contains(t, stderr, `column "city": 2 values not seen in training, encoded as all zeros (the first "Paris" at line 2`)
	code, stdout, stderr = drive(t, bin, "evaluate", "--model", model, "--data", own+"unseen_test.csv", "--json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, `"accuracy"`)
	assert.Contains(t, stderr, `skipped 1 rows with a missing target`)
}

// TestDefaultValidationSplitDependsOnTheTable: without --val-split, a
// small classification table trains on every row (early stopping on the
// training loss) and a regression table holds out a tenth.
func TestDefaultValidationSplitDependsOnTheTable(t *testing.T) {
	bin := binary(t)
	out := filepath.Join(t.TempDir(), "m")
	code, _, stderr := drive(t, bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--ensemble", "1", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "val_loss", "one network on a small classification: no validation")
	code, _, stderr = drive(t, bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--shared-val", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "val_loss", "an ensemble sharing one network's split")
	code, _, stderr = drive(t, bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--out", out)
	require.Equal(t, 0, code, stderr)
	for k := 1; k <= tabular.DefaultEnsemble; k++ {
		assert.Regexp(t, fmt.Sprintf(`member %d/%d: epoch 1/1 .* val_loss`, k, tabular.DefaultEnsemble), stderr, "each member validates on its own part")
	}
	code, _, stderr = drive(t, bin, "fit", "--data", messyDir+"Sacramento.csv", "--epochs", "1", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "val_loss")
	code, _, stderr = drive(t, bin, "fit", "--data", "../../testdata/iris.csv", "--epochs", "1", "--val-split", "0.2", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "val_loss")
}
