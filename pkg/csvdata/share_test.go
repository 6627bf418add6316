package csvdata

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shareTables are the plain tables the share tests cut, with their read
// options.
var shareTables = []struct {
	file string
	opt  Options
}{
	{"../../testdata/iris.csv", Options{}},
	{"../../testdata/messy/Sacramento.csv", Options{}},
	{"../../testdata/messy/own/holes.csv", Options{NA: []string{"?"}}},
	{"../../testdata/messy/scat.csv", Options{}},
	{"../../testdata/messy/stackoverflow.csv", Options{}},
}

// wholeFiles returns the pieces that are files lo…hi−1, whole.
func wholeFiles(lo, hi int) []Piece {
	var ps []Piece
	for k := lo; k < hi; k++ {
		ps = append(ps, Piece{File: k, To: -1})
	}
	return ps
}

// TestSharesLearnTheTable: the files of a table learnt in shares —
// every way of cutting 4 files into runs, each share's summary sent as
// bytes — merge into what Learn finds of all the files, and a share's
// cells name their file.
func TestSharesLearnTheTable(t *testing.T) {
	ctx := context.Background()
	for _, tc := range shareTables {
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
				sf, err := OpenPieces(ctx, paths, wholeFiles(cuts[k], cuts[k+1]), tc.opt)
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
		f, err := OpenPieces(ctx, []string{a, b}, wholeFiles(k, k+1), Options{})
		require.NoError(t, err)
		l, err := LearnShare[float32](ctx, f)
		require.NoError(t, err)
		shares = append(shares, l)
	}
	_, err := MergeShares(ctx, []string{a, b}, Options{}, shares)
	assert.ErrorContains(t, err, "b.csv:1: the header is not")
}

// TestPiecesReadAsTheFile: a file read in pieces — cut inside the header,
// inside lines, at line starts, and pieces with no record — each piece
// learnt on its own and sent as bytes, merges into Learn's Summary of the
// file; the pieces' rows, in order, are ReadFile's (values and lines); and
// each piece ends where the next begins.
func TestPiecesReadAsTheFile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range shareTables {
		name := filepath.Base(tc.file)
		text, err := os.ReadFile(tc.file)
		require.NoError(t, err)
		whole, err := ReadFile[float32](ctx, tc.file, tc.opt)
		require.NoError(t, err)
		f, err := Open(ctx, tc.file, tc.opt)
		require.NoError(t, err)
		want, err := Learn[float32](ctx, f, nil)
		require.NoError(t, err)
		f.Close()
		n := int64(len(text))
		nl := int64(bytes.IndexByte(text, '\n'))
		for _, cuts := range [][]int64{
			{0, n / 3, 2 * n / 3, n},
			{0, nl / 2, n / 2, n},                 // a cut inside the header
			{0, nl + 1, nl + 2, nl + 3, n / 2, n}, // at a line start, pieces of no record
			{0, n - 2, n},
		} {
			var shares []*Learnt
			var x []float32
			var lines []int
			var bounds [][2]int64
			for i := range len(cuts) - 1 {
				p := Piece{From: cuts[i], To: cuts[i+1]}
				p.Newlines, err = CountLines(ctx, tc.file, 0, p.From)
				require.NoError(t, err)
				pf, err := OpenPieces(ctx, []string{tc.file}, []Piece{p}, tc.opt)
				require.NoError(t, err)
				l, err := LearnShare[float32](ctx, pf)
				require.NoError(t, err, "%s %v piece %d", name, cuts, i)
				bounds = append(bounds, pf.Bounds()...)
				b, err := l.MarshalBinary()
				require.NoError(t, err)
				back, err := UnmarshalLearnt(b)
				require.NoError(t, err)
				shares = append(shares, back)
			}
			for i := 1; i < len(bounds); i++ {
				assert.Equal(t, bounds[i-1][1], bounds[i][0], "%s %v: piece %d ends where %d begins", name, cuts, i-1, i)
			}
			got, err := MergeShares(ctx, []string{tc.file}, tc.opt, shares)
			require.NoError(t, err, "%s %v", name, cuts)
			assert.Equal(t, want, got, "%s %v", name, cuts)
			for i := range len(cuts) - 1 {
				p := Piece{From: cuts[i], To: cuts[i+1]}
				p.Newlines, _ = CountLines(ctx, tc.file, 0, p.From)
				pf, err := OpenPieces(ctx, []string{tc.file}, []Piece{p}, tc.opt)
				require.NoError(t, err)
				require.NoError(t, Parts(ctx, pf, &got.Schema, func(t *Table[float32]) error {
					x = append(x, t.X.Data...)
					for r := range t.X.Rows {
						lines = append(lines, t.Lines.Line(r))
					}
					return nil
				}))
			}
			require.Equal(t, len(whole.X.Data), len(x), "%s %v", name, cuts)
			assert.True(t, slices.EqualFunc(whole.X.Data, x, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }), "%s %v", name, cuts)
			for r := range whole.X.Rows {
				require.Equal(t, whole.Lines.Line(r), lines[r], "%s %v row %d", name, cuts, r)
			}
		}
	}
}

// TestPiecesMeetOrNot: a cut inside a quoted field that spans a line end
// makes pieces that do not meet, which the caller sees in Bounds.
func TestPiecesMeetOrNot(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.csv")
	text := "a,b,t\n1,\"x\ny\",0\n2,z,1\n3,w,0\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	cut := int64(strings.Index(text, "y\""))
	var bounds [][2]int64
	for _, p := range []Piece{{From: 0, To: cut}, {From: cut, To: -1, Newlines: 2}} {
		f, err := OpenPieces(ctx, []string{path}, []Piece{p}, Options{Categorical: []string{"b"}})
		require.NoError(t, err)
		_, _ = LearnShare[float32](ctx, f)
		bounds = append(bounds, f.Bounds()...)
	}
	assert.NotEqual(t, bounds[0][1], bounds[1][0])
}
