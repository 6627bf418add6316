package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitTable writes the rows of a CSV file (one line each) into n files
// of dir, each with the header; the second is gzip. It returns a glob
// pattern of them and their paths.
func splitTable(t *testing.T, path, dir string, n int) (string, []string) {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	head, data := lines[0], lines[1:]
	var paths []string
	for k := range n {
		text := head + strings.Join(data[k*len(data)/n:(k+1)*len(data)/n], "")
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		p := filepath.Join(dir, fmt.Sprintf("part-%05d.csv", k))
		if k == 1 {
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			_, _ = w.Write([]byte(text))
			require.NoError(t, w.Close())
			p += ".gz"
			text = z.String()
		}
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		paths = append(paths, p)
	}
	return filepath.Join(dir, "part-*"), paths
}

// TestDataGlobIsOneTable: a table split into files (one gzip) and given
// as a glob or a list trains the model of the whole file, in memory and
// from a cache, and predicts and evaluates as it does; a row's error
// names its file and line there; files with other headers, a pattern
// that matches nothing, are refused in one line.
func TestDataGlobIsOneTable(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	whole := "../../testdata/messy/own/holes.csv"
	glob, paths := splitTable(t, whole, dir, 3)
	run := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	fit := func(data, out string, more ...string) []byte {
		_, e, err := run(append([]string{"fit", "--data", data, "--na", "?", "--epochs", "5", "--quiet", "--out", out}, more...)...)
		require.NoError(t, err, e)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		return b
	}
	want := fit(whole, filepath.Join(dir, "whole.st"))
	assert.Equal(t, want, fit(glob, filepath.Join(dir, "glob.st")), "glob")
	assert.Equal(t, want, fit(strings.Join(paths, ","), filepath.Join(dir, "list.st")), "list")
	assert.Equal(t, want, fit(glob, filepath.Join(dir, "cache.st"), "--cache", filepath.Join(dir, "cache")), "glob, from a cache")
	model := filepath.Join(dir, "whole.st")
	for _, cmd := range []string{"predict", "evaluate"} {
		w, _, err := run(cmd, "--model", model, "--data", whole)
		require.NoError(t, err)
		g, _, err := run(cmd, "--model", model, "--data", glob)
		require.NoError(t, err)
		assert.Equal(t, w, g, cmd)
	}

	bad := filepath.Join(dir, "part-00002.csv")
	b, err := os.ReadFile(bad)
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	cells := strings.Split(lines[4], ",")
	cells[1] = "1e40" // beyond float32, on line 5 of the third file
	lines[4] = strings.Join(cells, ",")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644))
	for _, more := range [][]string{nil, {"--cache", filepath.Join(dir, "cache2")}} {
		_, e, err := run(append([]string{"fit", "--data", glob, "--na", "?", "--quiet", "--out", filepath.Join(dir, "bad.st")}, more...)...)
		require.Error(t, err)
		assert.Equal(t, 2, procExitCode(t, err))
		assert.Contains(t, e, bad+":5:", "%v", more)
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(strings.Split(e, "building the cache\n")[len(strings.Split(e, "building the cache\n"))-1]), "\n")+1)
	}

	require.NoError(t, os.WriteFile(bad, []byte("age,pay,city,score,bought\n1,2,x,3,yes\n"), 0o644))
	_, e, err := run("fit", "--data", glob, "--na", "?", "--quiet", "--out", filepath.Join(dir, "bad.st"))
	require.Error(t, err)
	assert.Equal(t, 2, procExitCode(t, err))
	assert.Equal(t, "train fit: "+bad+`:1:5: column 2 is "pay" here, "income" in `+paths[0]+": the files of a table must have the same columns, in the same order\n", e)

	_, e, err = run("fit", "--data", filepath.Join(dir, "none-*.csv"), "--out", filepath.Join(dir, "bad.st"))
	require.Error(t, err)
	assert.Equal(t, 2, procExitCode(t, err))
	assert.Contains(t, e, "no file matches the pattern")
}
