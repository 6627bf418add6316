package csvdata

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharesLearnTheTable: the files of a table learnt in shares —
// every way of cutting 4 files into runs, each share's summary sent as
// bytes — merge into what Learn finds of all the files, and a share's
// cells name their file.
func TestSharesLearnTheTable(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file string
		opt  Options
	}{
		{"../../testdata/iris.csv", Options{}},
		{"../../testdata/messy/Sacramento.csv", Options{}},
		{"../../testdata/messy/own/holes.csv", Options{NA: []string{"?"}}},
		{"../../testdata/messy/scat.csv", Options{}},
		{"../../testdata/messy/stackoverflow.csv", Options{}},
	} {
		name := filepath.Base(tc.file)
		paths, _ := splitFile(t, tc.file, 4)
		f, err := OpenFiles(ctx, paths, tc.opt)
		require.NoError(t, err)
		want, err := Learn[float32](ctx, f, nil)
		require.NoError(t, err, name)
		f.Close()
		for _, cuts := range [][]int{{0, 4}, {0, 1, 4}, {0, 2, 4}, {0, 3, 4}, {0, 1, 2, 3, 4}, {0, 2, 3, 4}} {
			var shares []*Learnt
			for k := range len(cuts) - 1 {
				sf, err := OpenShare(ctx, paths, cuts[k], cuts[k+1], tc.opt)
				require.NoError(t, err)
				l, err := LearnShare[float32](ctx, sf)
				require.NoError(t, err)
				sf.Close()
				b, err := l.MarshalBinary()
				require.NoError(t, err)
				back, err := UnmarshalLearnt(b)
				require.NoError(t, err)
				shares = append(shares, back, nil) // a share of no files, too
			}
			got, err := MergeShares(ctx, paths, tc.opt, shares)
			require.NoError(t, err, "%s %v", name, cuts)
			assert.Equal(t, want, got, "%s %v", name, cuts)
		}
	}
}

// TestSharesMustShareTheHeader: a share whose files have another header
// is refused at its first file.
func TestSharesMustShareTheHeader(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	require.NoError(t, os.WriteFile(a, []byte("x,y,t\n1,2,0\n3,4,1\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("x,z,t\n1,2,0\n"), 0o644))
	var shares []*Learnt
	for k := range 2 {
		f, err := OpenShare(ctx, []string{a, b}, k, k+1, Options{})
		require.NoError(t, err)
		l, err := LearnShare[float32](ctx, f)
		require.NoError(t, err)
		shares = append(shares, l)
	}
	_, err := MergeShares(ctx, []string{a, b}, Options{}, shares)
	assert.ErrorContains(t, err, "b.csv:1: the header is not")
}
