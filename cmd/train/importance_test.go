package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/densetrain/densetrain/pkg/tabular"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// importanceJSONOut is what importance --json prints.
type importanceJSONOut struct {
	Metric   string  `json:"metric"`
	Baseline float64 `json:"baseline"`
	Rows     int     `json:"rows"`
	Repeats  int     `json:"repeats"`
	Seed     uint64  `json:"seed"`
	Columns  []struct {
		Name   string    `json:"name"`
		Mean   float64   `json:"mean"`
		SD     float64   `json:"sd"`
		Values []float64 `json:"values"`
	} `json:"columns"`
}

// writePlanted writes a table whose class is the sign of x alone; noise
// (with missing cells) and color are noise.
func writePlanted(t *testing.T, path string) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("noise,color,x,y\n")
	for i := range 400 {
		x, n := 2*rng.Float64()-1, fmt.Sprintf("%.4f", 2*rng.Float64()-1)
		if i%9 == 2 {
			n = ""
		}
		y := "neg"
		if x > 0 {
			y = "pos"
		}
		fmt.Fprintf(&b, "%s,%s,%.4f,%s\n", n, []string{"red", "green", "blue"}[rng.IntN(3)], x, y)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// TestImportanceEndToEnd: train importance ranks the planted column first
// (text, --json), writes the same numbers to --out (CSV) and a PNG that
// decodes to --plot, and prints the same bytes for 1 and 3 workers.
func TestImportanceEndToEnd(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	data, model := filepath.Join(dir, "planted.csv"), filepath.Join(dir, "m.safetensors")
	writePlanted(t, data)
	code, _, stderr := drive(t, bin, "fit", "--data", data, "--target", "y", "--out", model, "--hidden", "16", "--epochs", "40", "--missing-indicator", "--workers", "1", "--quiet")
	require.Equal(t, 0, code, stderr)

	code, text, stderr := drive(t, bin, "importance", "--model", model, "--data", data)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.Len(t, lines, 5, text)
	assert.True(t, strings.HasPrefix(lines[0], "baseline accuracy "), text)
	assert.Equal(t, []string{"column", "mean", "sd"}, strings.Fields(lines[1]))
	assert.Equal(t, "x", strings.Fields(lines[2])[0], text)

	csvOut, plot := filepath.Join(dir, "imp.csv"), filepath.Join(dir, "imp.png")
	var ref string
	for _, w := range []string{"1", "3"} {
		code, out, stderr := drive(t, bin, "importance", "--model", model, "--data", data, "--json", "--repeats", "4", "--seed", "9",
			"--out", csvOut, "--plot", plot, "--workers", w)
		require.Equal(t, 0, code, stderr)
		if ref == "" {
			ref = out
		}
		assert.Equal(t, ref, out, "workers %s print other numbers", w)
	}
	var imp importanceJSONOut
	require.NoError(t, json.Unmarshal([]byte(ref), &imp))
	assert.Equal(t, "accuracy", imp.Metric)
	assert.Equal(t, 400, imp.Rows)
	assert.Equal(t, 4, imp.Repeats)
	assert.Equal(t, uint64(9), imp.Seed)
	require.Len(t, imp.Columns, 3)
	assert.Equal(t, "x", imp.Columns[0].Name)
	assert.Greater(t, imp.Columns[0].Mean, 0.3)
	for _, c := range imp.Columns[1:] {
		assert.Less(t, c.Mean, 0.06, c.Name)
		assert.Len(t, c.Values, 4)
	}

	f := mustOpen(t, csvOut)
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4)
	assert.Equal(t, []string{"column", "mean", "sd", "repeat_1", "repeat_2", "repeat_3", "repeat_4"}, recs[0])
	for i, c := range imp.Columns {
		assert.Equal(t, c.Name, recs[i+1][0])
		assert.Equal(t, fmt.Sprint(c.Mean), recs[i+1][1])
	}

	p := mustOpen(t, plot)
	img, err := png.Decode(p)
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dy(), 100)

	// --out as JSON holds what --json prints.
	jsonOut := filepath.Join(dir, "imp.json")
	code, _, stderr = drive(t, bin, "importance", "--model", model, "--data", data, "--repeats", "4", "--seed", "9", "--out", jsonOut)
	require.Equal(t, 0, code, stderr)
	b, err := os.ReadFile(jsonOut)
	require.NoError(t, err)
	assert.Equal(t, ref, string(b))
}

// TestImportanceRefusesADirectoryAsOutput: a directory named as --plot or
// --out is refused before anything is read, with one line, and left as
// it is.
func TestImportanceRefusesADirectoryAsOutput(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	for _, flag := range []string{"--plot", "--out"} {
		out := filepath.Join(dir, "out.png")
		if flag == "--out" {
			out = filepath.Join(dir, "out.csv")
		}
		require.NoError(t, os.Mkdir(out, 0o755))
		code, stdout, stderr := drive(t, bin, "importance", "--model", "../../testdata/bad/model_good_iris.safetensors", "--data", "../../testdata/iris.csv", flag, out)
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		assert.True(t, strings.HasPrefix(stderr, "train importance: "+flag+": "), stderr)
		assert.Contains(t, stderr, "is a directory")
		st, err := os.Stat(out)
		require.NoError(t, err)
		assert.True(t, st.IsDir())
	}
}

// TestImportanceSettingFlags: the fields of tabular.ImportanceOptions that
// flagError names are flags of importance, and a refused one is named as
// its flag, with what the command takes.
func TestImportanceSettingFlags(t *testing.T) {
	var help bytes.Buffer
	err := importanceCommand(context.Background(), []string{"-h"}, &help, io.Discard)
	require.True(t, errors.Is(err, flag.ErrHelp), "%v", err)
	for _, field := range []string{"Repeats", "Workers"} {
		assert.Contains(t, help.String(), "-"+settingFlags[field]+" ", field)
	}
	fs := flag.NewFlagSet("importance", flag.ContinueOnError)
	fs.Int("repeats", 5, "")
	require.NoError(t, fs.Parse([]string{"--repeats", "2000"}))
	err = flagError(fs, &tabular.SettingError{Struct: "ImportanceOptions", Field: "Repeats", Value: "2000", Want: "want 1 to 1000 (0: 5)"})
	assert.EqualError(t, err, "--repeats 2000: want 1 to 1000")
}
