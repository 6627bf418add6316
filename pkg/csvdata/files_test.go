package csvdata

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitFile writes the data lines of path into n files, each with the
// header, and returns their paths and the first data line's index (from
// 0) of each.
func splitFile(t *testing.T, path string, n int) ([]string, []int) {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	head, data := lines[0], lines[1:]
	dir := t.TempDir()
	var paths []string
	var starts []int
	for k := range n {
		lo, hi := k*len(data)/n, (k+1)*len(data)/n
		p := filepath.Join(dir, fmt.Sprintf("part-%d.csv", k))
		require.NoError(t, os.WriteFile(p, []byte(head+strings.Join(data[lo:hi], "")), 0o644))
		paths, starts = append(paths, p), append(starts, lo)
	}
	return paths, starts
}

// TestFilesReadAsOneTable: a table split into files reads as the whole
// (schema, values, targets, missing counts), each row placed in its file
// at its line there; with a model's schema too.
func TestFilesReadAsOneTable(t *testing.T) {
	for _, tc := range []struct {
		file string
		opt  Options
	}{
		{"../../testdata/iris.csv", Options{}},
		{"../../testdata/messy/Sacramento.csv", Options{}},
		{"../../testdata/messy/own/holes.csv", Options{NA: []string{"?"}}},
		{"../../testdata/messy/scat.csv", Options{}},
	} {
		name := filepath.Base(tc.file)
		whole, err := ReadFile[float32](context.Background(), tc.file, tc.opt)
		require.NoError(t, err)
		paths, starts := splitFile(t, tc.file, 3)
		for _, schema := range []*Schema{nil, &whole.Schema} {
			opt := tc.opt
			opt.Schema = schema
			got, err := ReadFiles[float32](context.Background(), paths, opt)
			require.NoError(t, err, name)
			assert.Equal(t, whole.Schema, got.Schema, name)
			assert.True(t, slices.EqualFunc(whole.X.Data, got.X.Data, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }), name)
			for k, c := range whole.Targets {
				for i := range c.Len() {
					require.Equal(t, c.Text(i), got.Targets[k].Text(i), "%s row %d", name, i)
				}
				assert.Equal(t, c.Numbers == nil, got.Targets[k].Numbers == nil, name)
			}
			assert.Equal(t, whole.Skipped.Count, got.Skipped.Count, name)
			for i := range whole.X.Rows {
				line := whole.Lines.Line(i) - 2 // its data line's index
				k := len(starts) - 1
				for starts[k] > line {
					k--
				}
				f, l := got.Where(i)
				require.Equal(t, paths[k], f, "%s row %d", name, i)
				require.Equal(t, line-starts[k]+2, l, "%s row %d", name, i)
			}
			if schema == nil {
				require.Equal(t, len(whole.Missing), len(got.Missing), name)
				for j, m := range whole.Missing {
					assert.Equal(t, m.Count, got.Missing[j].Count, name)
				}
			}
		}
	}
}

// TestFilesMustShareTheHeader: a file whose header differs is refused at
// its column; a file that is not regular, too.
func TestFilesMustShareTheHeader(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(dir, "c.csv")
	require.NoError(t, os.WriteFile(a, []byte("x,y,t\n1,2,0\n3,4,1\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("x,z,t\n1,2,0\n"), 0o644))
	require.NoError(t, os.WriteFile(c, []byte("x,y\n1,2\n"), 0o644))
	_, err := ReadFiles[float32](context.Background(), []string{a, b}, Options{})
	assert.EqualError(t, err, b+`:1:3: column 2 is "z" here, "y" in `+a+`: the files of a table must have the same columns, in the same order`)
	_, err = ReadFiles[float32](context.Background(), []string{a, c}, Options{})
	assert.EqualError(t, err, c+`:1: the header has 2 columns, `+a+`'s 3: the files of a table must have the same columns`)
	_, err = ReadFiles[float32](context.Background(), []string{a, "/dev/null"}, Options{})
	assert.ErrorContains(t, err, "/dev/null: not a regular file")
}
