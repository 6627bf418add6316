package csvdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissingCellsAndNATokens(t *testing.T) {
	path := write(t, "a,b,c,y\n1,NA,red,0\n,2,,1\n3,?,NULL,\n4,N/A,blue,1\n5,6,red,NaN\n")
	tab, err := Read[float64](path, Options{NA: []string{"?"}})
	require.NoError(t, err)
	// Rows with a missing target (lines 4 and 6) are skipped and counted.
	assert.Equal(t, Cells{Column: "y", Count: 2, Line: 4, Offset: 10}, tab.Skipped)
	// With two targets, the first missing cell names the column, whichever
	// target it is.
	two, err := Read[float64](write(t, "a,y1,y2\n1,1,1\n2,,2\n3,3,\n4,4,4\n"), Options{Targets: []string{"y1", "y2"}})
	require.NoError(t, err)
	assert.Equal(t, Cells{Column: "y1", Count: 2, Line: 3, Offset: 3}, two.Skipped)
	two, err = Read[float64](write(t, "a,y1,y2\n1,1,\n2,,2\n3,3,3\n4,4,4\n"), Options{Targets: []string{"y1", "y2"}})
	require.NoError(t, err)
	assert.Equal(t, Cells{Column: "y2", Count: 2, Line: 2, Offset: 5}, two.Skipped)
	assert.Equal(t, []int32{2, 3, 5}, tab.Lines.All())
	assert.Equal(t, []string{"a", "b", "c=", "c=blue", "c=red"}, tab.Schema.Names())
	nan := math.NaN()
	want := []float64{1, nan, 0, 0, 1, nan, 2, 1, 0, 0, 4, nan, 0, 1, 0}
	require.Len(t, tab.X.Data, len(want))
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(tab.X.Data[i]) || !math.IsNaN(want[i]) && want[i] != tab.X.Data[i] {
			t.Fatalf("value %d: %v, want %v (%v)", i, tab.X.Data[i], want[i], tab.X.Data)
		}
	}
	assert.Equal(t, []float64{0, 1, 1}, tab.Targets[0].Numbers)
	// Missing cells of the kept and skipped rows alike are counted, first
	// position first.
	assert.Equal(t, []Cells{{Column: "a", Count: 1, Line: 3, Offset: 1}, {Column: "b", Count: 3, Line: 2, Offset: 3}, {Column: "c", Count: 2, Line: 3, Offset: 4}}, tab.Missing)
	// Without "?" declared, b mixes numbers and text.
	_, err = Read[float64](path, Options{})
	assert.ErrorContains(t, err, path+`:4:3: column "b" mixes numbers and text (2 numbers, 1 text values, the first "?" here)`)
	// With imputation off a missing number is an error at its place.
	_, err = Read[float64](path, Options{NA: []string{"?"}, MissingIsError: true})
	assert.EqualError(t, err, path+`:2:3: missing value in column "b" (imputation is off)`)
	// Every target missing.
	path = write(t, "a,y\n1,\n2,NA\n")
	_, err = Read[float64](path, Options{})
	assert.EqualError(t, err, path+`: every row has a missing target (column "y", first at line 2)`)
}

// TestNumericNATokensAndFastPath checks NA tokens that look like numbers
// (-999, 0) and missing categories on rows the fast path takes: the
// result must not depend on which path parsed a row.
func TestNumericNATokensAndFastPath(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c,y\n")
	for i := range 300 {
		a, c := fmt.Sprint(i%7), []string{"red", "", "blue"}[i%3]
		if i%5 == 0 {
			a = "-999"
		}
		fmt.Fprintf(&b, "%s,%d.5,%s,%d\n", a, i%4, c, i%2+1)
	}
	path := write(t, b.String())
	for _, na := range [][]string{{"-999"}, {"-999", "0"}} {
		tab, err := Read[float32](path, Options{NA: na, Workers: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "c=", "c=blue", "c=red"}, tab.Schema.Names())
		missingA := 0
		for i := range 300 {
			row := tab.X.Row(i)
			wantA := float32(i % 7)
			isNA := i%5 == 0 || len(na) == 2 && i%7 == 0
			if isNA {
				missingA++
				require.True(t, math.IsNaN(float64(row[0])), "row %d: %v", i, row)
			} else {
				require.Equal(t, wantA, row[0], "row %d", i)
			}
			require.Equal(t, float32(i%4)+0.5, row[1])
			onehot := map[int][]float32{0: {0, 0, 1}, 1: {1, 0, 0}, 2: {0, 1, 0}}[i%3]
			require.Equal(t, onehot, row[2:], "row %d", i)
		}
		require.Equal(t, missingA, tab.Missing[0].Count)
		require.Equal(t, Cells{Column: "c", Count: 100, Line: 3, Offset: 7}, tab.Missing[1])
	}
}

func TestIgnoreCategoricalAndNoFeatures(t *testing.T) {
	path := write(t, "id,zip,x,y\nA1,01,1.5,0\nA2,1,2.5,1\nA3,01,3.5,0\n")
	tab, err := Read[float32](path, Options{Ignore: []string{"id"}, Categorical: []string{"zip"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"zip=01", "zip=1", "x"}, tab.Schema.Names())
	assert.Equal(t, []float32{1, 0, 1.5, 0, 1, 2.5, 1, 0, 3.5}, tab.X.Data)
	_, err = Read[float32](path, Options{Ignore: []string{"0", "zip", "x"}})
	assert.EqualError(t, err, path+`:1: no feature columns: the file has 4 columns, all of them targets or ignored`)
	_, err = Read[float32](path, Options{Ignore: []string{"nope"}})
	assert.EqualError(t, err, path+`:1: ignored column "nope" not found (columns: id, zip, x, y)`)
	_, err = Read[float32](path, Options{Ignore: []string{"y"}})
	assert.EqualError(t, err, path+`:1: column "y" is both a target and ignored`)
	_, err = Read[float32](write(t, "y\n1\n2\n"), Options{})
	assert.ErrorContains(t, err, `no feature columns`)
}

func TestIdentifierColumnsAreRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,x,y\n")
	for i := range 30 {
		fmt.Fprintf(&b, "P%03d,%d,%d\n", i, i%3, i%2)
	}
	path := write(t, b.String())
	_, err := Read[float32](path, Options{})
	assert.EqualError(t, err, path+`: column "id" has a distinct text value in every row (30): an identifier, which cannot help predict; leave it out with "id" in Options.Ignore (or keep it with "id" in Options.Categorical)`)
	tab, err := Read[float32](path, Options{Categorical: []string{"id"}})
	require.NoError(t, err)
	assert.Equal(t, 31, tab.X.Cols)
	// More distinct values than MaxCategories: refused as the limit is
	// passed, before the one-hot matrix exists, whatever the workers.
	for _, w := range []int{1, 2, 3} {
		_, err = Read[float32](path, Options{MaxCategories: 10, Workers: w, ChunkBytes: 64})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `column "id" has more than 10 distinct values: an identifier? Leave it out with "id" in Options.Ignore (or raise Options.MaxCategories)`)
	}
}

func TestNonUTF8IsRejectedWhereItIs(t *testing.T) {
	path := write(t, "city,y\nZ\xfcrich,1\nBern,0\n")
	_, err := Read[float32](path, Options{})
	assert.ErrorContains(t, err, path+`:2:2: byte 0xFC is not UTF-8 text`)
	path = write(t, "a,y\n1,caf\xe9\n")
	_, err = Read[float32](path, Options{})
	assert.ErrorContains(t, err, path+`:2:6: byte 0xE9 is not UTF-8 text`)
	path = write(t, "a,\"n\xe9\"\n1,2\n")
	_, err = Read[float32](path, Options{})
	assert.ErrorContains(t, err, path+`:1:5: byte 0xE9 is not UTF-8 text`)
}

func TestSeparatorsAreSniffed(t *testing.T) {
	want := []float32{1, 2.5, 0, 1, 3, -4, 1, 0}
	for _, sep := range []string{",", ";", "\t", "|"} {
		content := strings.ReplaceAll("a,b,c,y\n1,2.5,red,0\n3,-4,blue,1\n", ",", sep)
		tab, err := Read[float32](write(t, content), Options{})
		require.NoError(t, err, "%q", sep)
		assert.Equal(t, sep[0], tab.Delimiter)
		assert.Equal(t, want, tab.X.Data, "%q", sep)
	}
	// A semicolon file whose header has no separator at all needs it said.
	tab, err := Read[float32](write(t, "a;y\n1;0\n"), Options{Delimiter: ';'})
	require.NoError(t, err)
	assert.Equal(t, []float32{1}, tab.X.Data)
}

func TestGzipByMagicBytesAndStreams(t *testing.T) {
	content := "a,c,y\n1,red,0\n2,NA,1\n3,blue,0\n"
	plain, err := Read[float32](write(t, content), Options{})
	require.NoError(t, err)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write([]byte(content))
	require.NoError(t, zw.Close())
	path := filepath.Join(t.TempDir(), "data.bin") // any name
	require.NoError(t, os.WriteFile(path, z.Bytes(), 0o644))
	gz, err := Read[float32](path, Options{})
	require.NoError(t, err)
	assert.Equal(t, plain.X, gz.X)
	for _, in := range [][]byte{z.Bytes(), []byte(content)} {
		st, err := ReadFrom[float32](context.Background(), "stdin", bytes.NewReader(in), Options{})
		require.NoError(t, err)
		assert.Equal(t, plain.X, st.X)
	}
	// A damaged stream is an error naming the input.
	_, err = ReadFrom[float32](context.Background(), "stdin", bytes.NewReader(z.Bytes()[:z.Len()-6]), Options{})
	assert.ErrorContains(t, err, "stdin: gzip:")
	// Errors in a gzip file are at lines of its text.
	z.Reset()
	zw = gzip.NewWriter(&z)
	_, _ = zw.Write([]byte("a,y\n1,0\n2,3,4\n"))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, z.Bytes(), 0o644))
	_, err = Read[float32](path, Options{})
	assert.EqualError(t, err, path+`:3:5: row has 3 fields, the header has 2`)
	// The text checks of the line count hold while spooling: a NUL byte,
	// an inner byte-order mark, an endless line, no text at all.
	for text, want := range map[string]string{
		"a,y\n1,0\n2\x00,1\n":         ":3:2: NUL byte",
		"a,y\n1,0\n\xEF\xBB\xBF2,1\n": ":3:1: byte-order mark",
		"a,y\n1,0\n2222222222,1\n":    ":3: line longer than 8 bytes",
		"":                            ":1: empty file",
	} {
		z.Reset()
		zw = gzip.NewWriter(&z)
		_, _ = zw.Write([]byte(text))
		require.NoError(t, zw.Close())
		for _, in := range [][]byte{z.Bytes(), []byte(text)} {
			_, err = ReadFrom[float32](context.Background(), "stdin", bytes.NewReader(in), Options{MaxRecordBytes: 8})
			assert.ErrorContains(t, err, "stdin"+want, "%q", text)
		}
	}
	// A cancelled context stops the read.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ReadFrom[float32](ctx, "stdin", bytes.NewReader([]byte(content)), Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestCategoriesDoNotDependOnWorkersOrChunks: codes made by several
// workers' dictionaries give the same matrix as one worker's.
func TestCategoriesDoNotDependOnWorkersOrChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString("c1,x,c2,y\n")
	for i := range 500 {
		c1 := []string{"red", "green", "", "blue", "NA"}[i*7%5]
		fmt.Fprintf(&b, "%s,%d,k%d,%d\n", c1, i, i*i%37, i%3)
	}
	path := write(t, b.String())
	ref, err := Read[float64](path, Options{Workers: 1})
	require.NoError(t, err)
	assert.Len(t, ref.Schema.Features[0].Categories, 4)
	assert.Len(t, ref.Schema.Features[2].Categories, 19) // the squares modulo 37
	for _, chunk := range []int{64, 999, 1 << 20} {
		for _, w := range []int{2, 3, 8} {
			got, err := Read[float64](path, Options{Workers: w, ChunkBytes: chunk})
			require.NoError(t, err)
			assert.Equal(t, ref.Schema, got.Schema)
			assert.Equal(t, ref.X.Data, got.X.Data, "workers %d chunk %d", w, chunk)
		}
	}
}

// TestOnePassStreams: a gzip file (of one or two members) and standard
// input are read in one pass chunk by chunk, rows beyond the first chunk's
// estimate included, and a column whose first values are missing and the
// rest text is read again as categories: the same table as the plain file.
func TestOnePassStreams(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,c,late,y\n")
	for i := range 3000 {
		late := ""
		if i > 2000 {
			late = []string{"p", "q", "NA"}[i%3]
		}
		if i < 100 { // long rows first: the estimate falls short
			fmt.Fprintf(&b, "%d.%s,%s,%s,%d\n", i, strings.Repeat("5", 12), []string{"a", "b"}[i%2], late, i%2)
			continue
		}
		fmt.Fprintf(&b, "%d,%s,%s,%d\n", i, []string{"a", "b"}[i%2], late, i%2)
	}
	content := b.String()
	opt := Options{ChunkBytes: 1000, Workers: 3}
	want, err := Read[float32](write(t, content), opt)
	require.NoError(t, err)
	require.Equal(t, 3000, want.X.Rows)
	assert.Equal(t, []string{"", "p", "q"}, want.Schema.Features[2].Categories) // missing is a category
	gz := func(parts ...string) []byte {
		var z bytes.Buffer
		for _, p := range parts {
			zw := gzip.NewWriter(&z)
			_, _ = zw.Write([]byte(p))
			require.NoError(t, zw.Close())
		}
		return z.Bytes()
	}
	half := strings.Index(content[len(content)/2:], "\n") + len(content)/2 + 1
	for name, data := range map[string][]byte{
		"one member":  gz(content),
		"two members": gz(content[:half], content[half:]),
	} {
		path := filepath.Join(t.TempDir(), "data.csv.gz")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		got, err := Read[float32](path, opt)
		require.NoError(t, err, name)
		assert.Equal(t, want.X, got.X, name)
		assert.Equal(t, want.Targets, got.Targets, name)
		assert.Equal(t, want.Lines.All(), got.Lines.All(), name)
		got, err = ReadFrom[float32](context.Background(), "stdin", bytes.NewReader(data), opt)
		require.NoError(t, err, name)
		assert.Equal(t, want.X, got.X, name)
	}
	// An error is at its line whichever chunk holds it.
	bad := strings.Replace(content, "\n2500,", "\n2500,,", 1)
	path := filepath.Join(t.TempDir(), "bad.gz")
	require.NoError(t, os.WriteFile(path, gz(bad), 0o644))
	_, err = Read[float32](path, opt)
	assert.ErrorContains(t, err, "bad.gz:2502:")
	// A trailer that claims an impossible size is not trusted.
	data := gz(content)
	binary.LittleEndian.PutUint32(data[len(data)-4:], 1<<32-1)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	_, err = Read[float32](path, opt)
	assert.ErrorContains(t, err, "gzip:")
}

// TestCancelWhileTheStreamStalls: cancelling the context returns at once
// even when the stream blocks without data, as a terminal or a stalled
// pipe does.
func TestCancelWhileTheStreamStalls(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte("a,y\n1,0\n")) }() // then nothing
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := ReadFrom[float32](ctx, "stdin", pr, Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 5*time.Second)
}
