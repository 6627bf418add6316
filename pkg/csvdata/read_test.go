package csvdata

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func write(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "data.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestReadIris(t *testing.T) {
	tab, err := Read[float32]("../../testdata/iris.csv", Options{})
	require.NoError(t, err)
	assert.Equal(t, 150, tab.X.Rows)
	assert.Equal(t, 4, tab.X.Cols)
	assert.Equal(t, []float32{5.1, 3.5, 1.4, 0.2}, tab.X.Row(0))
	require.Len(t, tab.Targets, 1)
	assert.Equal(t, "label", tab.Targets[0].Name)
	assert.Equal(t, 0.0, tab.Targets[0].Numbers[0])
	assert.Equal(t, 2.0, tab.Targets[0].Numbers[149])
	assert.Equal(t, []string{"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"}, tab.Schema.Names())
}

func TestBOMCRLFQuotesBlankLinesAndStrings(t *testing.T) {
	path := write(t, "\xEF\xBB\xBFa,\"b\",color,y\r\n1, 2.5 ,red,cat\r\n\r\n\"3\",-4e-1,\"blue, dark\",\"dog \"\"rex\"\"\"\r\n5,6,red,cat")
	tab, err := Read[float64](path, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "color", "y"}, tab.Header)
	assert.Equal(t, []string{"a", "b", "color=blue, dark", "color=red"}, tab.Schema.Names())
	assert.Equal(t, []float64{1, 2.5, 0, 1, 3, -0.4, 1, 0, 5, 6, 0, 1}, tab.X.Data)
	assert.Equal(t, []string{"cat", `dog "rex"`, "cat"}, tab.Targets[0].Strings)
	assert.Equal(t, []int32{2, 4, 5}, tab.Lines.All())
	assert.Nil(t, tab.Targets[0].Numbers)
	assert.Equal(t, 0, tab.Targets[0].FirstText)
}

// TestMixedColumnsAreAnError: a column of numbers and a minority of text
// is an error at its first text value, with counts and both fixes; a
// column whose values are at least half text is categorical.
func TestMixedColumnsAreAnError(t *testing.T) {
	for _, c := range []struct{ content, want string }{
		{"a,y\n1,0\nfoo,1\n5,0\n", `:3:1: column "a" mixes numbers and text (2 numbers, 1 text values, the first "foo" here)`},
		{"a,y\nfoo,0\n1,1\n5,0\n", `:2:1: column "a" mixes numbers and text (2 numbers, 1 text values, the first "foo" here)`},
	} {
		path := write(t, c.content)
		_, err := Read[float32](path, Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), path+c.want)
		assert.Contains(t, err.Error(), `declare it with "foo" in Options.NA;`)
		assert.Contains(t, err.Error(), `declare it with "a" in Options.Categorical`)
		// Either declaration resolves it.
		tab, err := Read[float32](path, Options{Categorical: []string{"a"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"a=1", "a=5", "a=foo"}, tab.Schema.Names())
		tab, err = Read[float32](path, Options{NA: []string{"foo"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, tab.Schema.Names())
		assert.Equal(t, 1, tab.Missing[0].Count)
	}
	// Text in at least half the present cells: categories, some written as
	// numbers (ggplot2's mpg: drive "4", "f", "r"), whichever comes first.
	for _, content := range []string{"d,y\nf,0\n4,1\n,0\nr,1\n4,0\n", "d,y\n4,0\nf,1\n,0\nr,1\n4,0\n"} {
		tab, err := Read[float32](write(t, content), Options{})
		require.NoError(t, err, content)
		assert.Equal(t, []string{"d=", "d=4", "d=f", "d=r"}, tab.Schema.Names(), content)
	}
	tab, err := Read[float32](write(t, "a,b,y\n,1,0\nfoo,2,1\nbar,3,0\n"), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a=", "a=bar", "a=foo", "b"}, tab.Schema.Names())
	assert.Equal(t, []float32{1, 0, 0, 1, 0, 0, 1, 2, 0, 1, 0, 3}, tab.X.Data)
}

func TestTargetsKeepTheirTextAndRejectInf(t *testing.T) {
	// Numbers are kept as numbers, each distinct one named as first
	// written.
	tab, err := Read[float32](write(t, "a,y\n1,01\n2,1.0\n3,2.50\n"), Options{})
	require.NoError(t, err)
	c := tab.Targets[0]
	assert.Nil(t, c.Strings)
	assert.Equal(t, []float64{1, 1, 2.5}, c.Numbers)
	assert.Equal(t, -1, c.FirstText)
	assert.Equal(t, map[float64]string{1: "01", 2.5: "2.50"}, c.Written)
	assert.Equal(t, []string{"01", "01", "2.50"}, []string{c.Text(0), c.Text(1), c.Text(2)})
	assert.Equal(t, 3, c.Len())
	// Text is kept as text, the first value telling; a column taken for
	// numbers that holds text later is read again as text.
	for _, text := range []string{"a,y\n1,x\n2,1\n", "a,y\n1,1\n2,x\n"} {
		tab, err = Read[float32](write(t, text), Options{ChunkBytes: 8})
		require.NoError(t, err)
		c = tab.Targets[0]
		assert.Equal(t, []string{strings.Split(text, "\n")[1][2:], strings.Split(text, "\n")[2][2:]}, c.Strings, "%q", text)
		assert.Nil(t, c.Numbers)
	}
	path := write(t, "a,y\n1,2\n2,inf\n")
	_, err = Read[float32](path, Options{})
	assert.EqualError(t, err, path+`:3:3: "inf" in column "y": NaN and Inf are not allowed (if it means a missing value, declare it with "inf" in Options.NA)`)
}

func TestTargetsByNameIndexAndSeveral(t *testing.T) {
	path := write(t, "a,b,c,d\n1,2,3,4\n5,6,7,8\n")
	tab, err := Read[float64](path, Options{Targets: []string{"b", "-1"}})
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 3, 5, 7}, tab.X.Data)
	assert.Equal(t, []float64{2, 6}, tab.Targets[0].Numbers)
	assert.Equal(t, []float64{4, 8}, tab.Targets[1].Numbers)
	tab, err = Read[float64](path, Options{NoTargets: true})
	require.NoError(t, err)
	assert.Equal(t, 4, tab.X.Cols)
	assert.Empty(t, tab.Targets)
}

func TestSchemaFixesFeaturesAndEncodesUnknownCategoriesAsZeros(t *testing.T) {
	train := write(t, "x,color,y\n1,red,0\n2,blue,1\n")
	tab, err := Read[float32](train, Options{})
	require.NoError(t, err)
	s := tab.Schema
	// Prediction input: other column order, no target, an extra column.
	pred := write(t, "extra,color,x\n9,blue,3\n9,red,4\n")
	got, err := Read[float32](pred, Options{Schema: &s, NoTargets: true})
	require.NoError(t, err)
	assert.Equal(t, []float32{3, 1, 0, 4, 0, 1}, got.X.Data)
	assert.Empty(t, got.Unseen)
	unseen := write(t, "x,color\n3,green\n4,red\n5,green\n6,\n")
	got, err = Read[float32](unseen, Options{Schema: &s, NoTargets: true})
	require.NoError(t, err)
	assert.Equal(t, []float32{3, 0, 0, 4, 0, 1, 5, 0, 0, 6, 0, 0}, got.X.Data)
	assert.Equal(t, []Cells{{Column: "color", Count: 3, First: "green", Line: 2, Offset: 3}}, got.Unseen)
	_, err = Read[float32](unseen, Options{Schema: &s, NoTargets: true, StrictCategories: true})
	assert.EqualError(t, err, unseen+`:2:3: category "green" of column "color" was not seen in training`)
	blank := write(t, "x,color\n3,red\n4,NA\n")
	_, err = Read[float32](blank, Options{Schema: &s, NoTargets: true, StrictCategories: true})
	assert.EqualError(t, err, blank+`:3:3: a missing value of column "color" was not seen in training`)
}

func TestRejectsWithFileLineColumn(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"empty file", "", ":1: empty file: no header line"},
		{"only blank lines", "\n\n", ":1: empty file: no header line"},
		{"header only", "a,b\n", ":2: no data rows after the header"},
		{"ragged short", "a,b,c\n1,2,3\n4,5\n", `:3:4: row has 2 fields, the header has 3`},
		{"ragged long", "a,b\n1,2\n3,4,5\n", `:3:5: row has 3 fields, the header has 2`},
		{"extra field after zero", "a,b\n1,2\n0,0,\n", `:3:5: row has 3 fields, the header has 2`},
		{"inf", "a,b\n1,2\n-Inf,4\n", `:3:1: "-Inf" in column "a": NaN and Inf are not allowed (if it means a missing value, declare it with "-Inf" in Options.NA)`},
		{"overflow", "a,b\n1e999,2\n", `:2:1: "1e999" in column "a": NaN and Inf are not allowed`},
		{"unknown target", "a,b\n1,2\n", `:1: target column "zz" not found (columns: a, b)`},
		{"duplicate column", "a,a,b\n1,2,3\n", `:1: duplicate column name "a" (columns 1 and 2)`},
		{"empty column name", "a,,b\n1,2,3\n", `:1: column 2 has an empty name`},
		{"unterminated quote", "a,b\n1,\"2\n", `:2:3: quoted field not terminated`},
		{"bare quote", "a,b\n1,2\"3\n", `:2:4: bare " in an unquoted field`},
		{"text after quote", "a,b\n1,\"2\"3\n", `:2:6: extraneous character after a closing quote`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.content)
			opt := Options{}
			if tc.name == "unknown target" {
				opt.Targets = []string{"zz"}
			}
			if tc.name == "inf" || tc.name == "overflow" {
				opt.Targets = []string{"b"}
			}
			_, err := Read[float32](path, opt)
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T %v", err, err)
			assert.Equal(t, path+tc.want, err.Error()[:min(len(err.Error()), len(path+tc.want))])
			assert.NotContains(t, err.Error(), "\n")
		})
	}
	_, err := Read[float32](filepath.Join(t.TempDir(), "missing.csv"), Options{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestNotANumberUnderASchema(t *testing.T) {
	tab, err := Read[float32](write(t, "a,b\n1,2\n"), Options{})
	require.NoError(t, err)
	path := write(t, "a,b\n1,2\nx7,3\n")
	_, err = Read[float32](path, Options{Schema: &tab.Schema})
	assert.EqualError(t, err, path+`:3:1: "x7" in column "a" is not a number (if it means a missing value, declare it with Options.NA)`)
}

func TestLongRecordIsBounded(t *testing.T) {
	path := write(t, "a,b\n1,2\n"+strings.Repeat("1", 5000)+",2\n")
	_, err := Read[float32](path, Options{ChunkBytes: 512, MaxRecordBytes: 2048})
	assert.ErrorContains(t, err, ":3: line longer than 2048 bytes")
	path = write(t, "a,b\n"+strings.Repeat("1", 5000)+",2\n")
	_, err = Read[float32](path, Options{ChunkBytes: 512, MaxRecordBytes: 2048})
	assert.ErrorContains(t, err, ":2: line longer than 2048 bytes")
	// Records made of short lines (quoted newlines) are bounded by the parser.
	path = write(t, "a,b\n1,2\n\""+strings.Repeat("1\n", 2500)+"\",2\n")
	_, err = Read[float32](path, Options{ChunkBytes: 512, MaxRecordBytes: 2048})
	assert.ErrorContains(t, err, ":3: a row is longer than 2048 bytes")
}

// TestChunksAndWorkersDoNotChangeTheResult parses a random file with
// several chunk sizes and worker counts, including records that straddle
// chunk boundaries, and compares with values computed by strconv.
func TestChunksAndWorkersDoNotChangeTheResult(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("f0,f1,f2,label\n")
	const rows = 997
	want := make([]float64, 0, rows*3)
	for i := range rows {
		for j := range 3 {
			var s string
			switch (i + j) % 4 {
			case 0:
				s = strconv.Itoa(rng.IntN(256))
			case 1:
				s = strconv.FormatFloat(rng.NormFloat64()*1e3, 'f', -1, 64)
			case 2:
				s = strconv.FormatFloat(rng.NormFloat64()*1e-7, 'e', -1, 64)
			default:
				s = fmt.Sprintf("%.17g", rng.Float64())
			}
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			want = append(want, v)
			b.WriteString(s + ",")
		}
		fmt.Fprintf(&b, "%d\n", i%10)
	}
	path := write(t, b.String())
	for _, chunk := range []int{64, 1000, 1 << 20} {
		for _, w := range []int{1, 2, 3, 8} {
			tab, err := Read[float64](path, Options{ChunkBytes: chunk, Workers: w})
			require.NoError(t, err, "chunk %d workers %d", chunk, w)
			require.Equal(t, rows, tab.X.Rows)
			for i, v := range want {
				if math.Float64bits(v) != math.Float64bits(tab.X.Data[i]) {
					t.Fatalf("chunk %d workers %d: value %d is %v, want %v", chunk, w, i, tab.X.Data[i], v)
				}
			}
			assert.Equal(t, float64((rows-1)%10), tab.Targets[0].Numbers[rows-1])
		}
	}
}

func TestParseNumberMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	cases := []string{"0", "-0", "+1", "007", "1.", ".5", "-.25", "1e5", "1E-5", "123456789012345", "1234567890123456789",
		"0.1", "0.30000000000000004", "9007199254740993", "1e22", "1e23", "2.5e-22", "4.9e-324", "1.7976931348623157e308"}
	for range 2000 {
		cases = append(cases, strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)), 'g', rng.IntN(17)+1, 64))
	}
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		require.NoError(t, err)
		got, err := parseNumber([]byte(c))
		require.NoError(t, err, c)
		assert.Equal(t, math.Float64bits(want), math.Float64bits(got), c)
	}
	for _, bad := range []string{"", "-", ".", "e5", "1e", "1.2.3", "abc", "0x", "1_000", "NaN", "inf"} {
		_, err := parseNumber([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// TestNULAndInnerBOMAreRejectedWhereTheyAre: a NUL byte (binary data) or a
// byte-order mark after the file's start is an error at its line and
// column, also when it straddles a chunk boundary.
func TestNULAndInnerBOMAreRejectedWhereTheyAre(t *testing.T) {
	type bad struct {
		content string
		chunk   int
		want    string
	}
	cases := []bad{
		{"\xEF\xBB\xBFa,b,y\n1,2,0\n", 0, ""},                                         // a leading BOM is fine
		{"\xEF\xBB\xBFa,b,y\n1,2,0\n3,\xEF\xBB\xBF4,1\n", 0, ":3:3: byte-order mark"}, // not a second one (found in review)
		{"a,b,y\n1,2,0\n3,\xEF\xBB\xBF4,1\n", 0, ":3:3: byte-order mark"},
		{"a,b,y\n1,2,0\n3,\xEF\xBB\xBF4,1\n", 5, ":3:3: byte-order mark"},
		{"a,b,y\n1,2,0\n3,\xEF\xBB\xBF4,1\n", 15, ":3:3: byte-order mark"}, // BOM across chunks 13–15 / 16–
		{"a,b,y\n1,2,0\n3,\xEF\xBB\xBF4,1\n", 16, ":3:3: byte-order mark"},
		{"a,b,y\n1,2\x00,0\n", 0, ":2:4: NUL byte"},
		{"a,b,y\n1,22222\x00,0\n", 4, ":2:8: NUL byte"},
	}
	for chunk := 1; chunk <= 20; chunk++ { // every split of the BOM, and of the leading one
		cases = append(cases, bad{"a,b,y\n1,2,0\n3,\xEF\xBB\xBF4,1\n", chunk, ":3:3: byte-order mark"},
			bad{"\xEF\xBB\xBFa,b,y\n1,2,0\n", chunk, ""})
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "f.csv")
		require.NoError(t, os.WriteFile(path, []byte(c.content), 0o644))
		_, err := Read[float32](path, Options{ChunkBytes: c.chunk})
		if c.want == "" {
			assert.NoError(t, err, "%q", c.content)
			continue
		}
		require.Error(t, err, "%q chunk %d", c.content, c.chunk)
		assert.Contains(t, err.Error(), c.want, "%q chunk %d", c.content, c.chunk)
	}
}

func TestTooManyColumnsAreRejected(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide.csv")
	require.NoError(t, os.WriteFile(wide, []byte("a,b,c,d,y\n1,2,3,4,0\n"), 0o644))
	_, err := Read[float32](wide, Options{MaxColumns: 4})
	assert.ErrorContains(t, err, "wide.csv:1: 5 columns, more than the limit of 4")
	cats := filepath.Join(dir, "cats.csv")
	require.NoError(t, os.WriteFile(cats, []byte("a,y\nx,0\ny,1\nz,0\nw,1\n"), 0o644))
	_, err = Read[float32](cats, Options{MaxColumns: 3})
	assert.ErrorContains(t, err, "cats.csv: one-hot encoding gives 4 matrix columns, more than the limit of 3")
}

func TestLongLineIsRejectedEarly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.csv")
	require.NoError(t, os.WriteFile(path, []byte("a,b,y\n1,2,0\n3,"+strings.Repeat("4", 30)+",1\n5,6,0\n"), 0o644))
	for _, chunk := range []int{0, 7, 64} {
		_, err := Read[float32](path, Options{ChunkBytes: chunk, MaxRecordBytes: 20})
		assert.ErrorContains(t, err, "long.csv:3: line longer than 20 bytes", "chunk %d", chunk)
	}
	_, err := Read[float32](path, Options{MaxRecordBytes: 200})
	assert.NoError(t, err)
}

// TestChunksAndWorkers: with small chunks and any number of workers every
// row is read, and a long line across chunks is found where it is.
func TestChunksAndWorkers(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,y\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%d,%d\n", i, i%2)
	}
	content := b.String()
	for _, chunk := range []int{8, 13, 64} {
		for _, workers := range []int{1, 2, 3, 7} {
			tab, err := Read[float32](write(t, content), Options{ChunkBytes: chunk, MaxRecordBytes: 64, Workers: workers})
			require.NoError(t, err)
			require.Equal(t, 200, tab.X.Rows)
			long := strings.Replace(content, "\n150,", "\n150"+strings.Repeat("0", 70)+",", 1)
			_, err = Read[float32](write(t, long), Options{ChunkBytes: chunk, MaxRecordBytes: 64, Workers: workers})
			require.ErrorContains(t, err, ":152: line longer than 64 bytes")
			_, err = Read[float32](write(t, content[:len(content)-1]), Options{ChunkBytes: chunk, Workers: workers})
			require.NoError(t, err) // no final line end
		}
	}
}

// A delimiter that numbers, quotes, line ends or UTF-8 use is refused
// before anything is read; the usual ones are taken.
func TestCheckDelimiter(t *testing.T) {
	for _, b := range []byte("0159.-+eE\"\n\r\xc3\xa9") {
		assert.Error(t, CheckDelimiter(b), "%q", b)
		_, err := ReadBytes[float32](context.Background(), "t.csv", []byte("a.b\n1.2\n"), Options{Delimiter: b})
		assert.Error(t, err, "%q", b)
	}
	for _, b := range []byte{0, ',', ';', '\t', '|', ' ', ':'} {
		assert.NoError(t, CheckDelimiter(b), "%q", b)
	}
}

func TestCategoricalTargetsAreText(t *testing.T) {
	// Declared categorical, a target of numbers keeps each value as
	// written: "007" and "7" are two classes, not one number. So it is
	// under a Schema (a model's evaluation file).
	path := write(t, "a,y\n1,007\n2,7\n3,7.0\n")
	plain, err := Read[float32](path, Options{})
	require.NoError(t, err)
	assert.Equal(t, []float64{7, 7, 7}, plain.Targets[0].Numbers)
	tab, err := Read[float32](path, Options{Categorical: []string{"y"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"007", "7", "7.0"}, tab.Targets[0].Strings)
	assert.Nil(t, tab.Targets[0].Numbers)
	tab, err = Read[float32](path, Options{Categorical: []string{"y"}, Schema: &tab.Schema, Targets: []string{"y"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"007", "7", "7.0"}, tab.Targets[0].Strings)
	// A file without the target: missing as the target, not as a
	// categorical column.
	_, err = Read[float32](write(t, "a\n1\n"), Options{Categorical: []string{"y"}, Schema: &tab.Schema, Targets: []string{"y"}})
	var nf *ColumnNotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "target", nf.Role)
}

// TestDecimalCommaInNumbers: a number written with a decimal comma among
// numbers is text there; the error says so, and no missing-value token.
func TestDecimalCommaInNumbers(t *testing.T) {
	path := write(t, "a;y\n1;0\n2;1\n3;0\n3,25;1\n")
	_, err := Read[float32](path, Options{})
	assert.EqualError(t, err, path+`:5:1: column "a" mixes numbers and text (3 numbers, 1 text values, the first "3,25" here): "3,25" is a number written with a decimal comma, which is read as text: write the column's numbers with a decimal point; if the column holds categories, declare it with "a" in Options.Categorical`)
	for v, want := range map[string]bool{"3,25": true, "-0,5": true, "1,5e3": true, "3": false, "3.25": false, "1,2,3": false, "1.000,5": false, "a,b": false} {
		assert.Equal(t, want, IsDecimalComma(v), v)
	}
}
