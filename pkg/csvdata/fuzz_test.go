package csvdata

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read as a CSV file, with a small and
// variable chunk size so that records straddle chunk boundaries. Read must
// not panic; an error is one line, a ParseError points at a real line; a
// table is consistent and holds no infinity (NaN marks a missing cell). Seeds: the files of
// testdata/ and testdata/bad/ at the repository root, plus
// testdata/fuzz/FuzzRead.
//
//	go test -run '^$' -fuzz FuzzRead -fuzztime 10m ./pkg/csvdata
func FuzzRead(f *testing.F) {
	for _, pattern := range []string{"../../testdata/*.csv", "../../testdata/bad/*.csv"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b, uint16(64))
			}
		}
	}
	f.Add([]byte("a,b,y\n1,2,0\n3,4,1\n"), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opt := Options{Workers: 2, ChunkBytes: 16 + int(chunk)%4096, MaxRecordBytes: 1 << 16}
		tab, err := Read[float32](path, opt)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || msg == "" {
				t.Fatalf("error %q is not one line", msg)
			}
			var pe *ParseError
			// The line may be the one just after the last (no data rows).
			// Line 0 is a file-level error (no column then).
			if errors.As(err, &pe) && (pe.Line < 0 || pe.Line == 0 && pe.Column != 0 || pe.Line > strings.Count(string(data), "\n")+2) {
				t.Fatalf("error at line %d of a %d-line file: %v", pe.Line, strings.Count(string(data), "\n")+1, err)
			}
			return
		}
		if tab.X.Cols != tab.Schema.Width() || len(tab.X.Data) != tab.X.Rows*tab.X.Cols || tab.Lines.Len() != tab.X.Rows {
			t.Fatalf("inconsistent table: %d×%d matrix, schema width %d, %d lines", tab.X.Rows, tab.X.Cols, tab.Schema.Width(), tab.Lines.Len())
		}
		for _, c := range tab.Targets {
			if c.Len() != tab.X.Rows || (c.Numbers != nil && len(c.Numbers) != tab.X.Rows) || (c.Strings != nil && len(c.Strings) != tab.X.Rows) {
				t.Fatalf("target %q has %d values for %d rows", c.Name, c.Len(), tab.X.Rows)
			}
		}
		for _, v := range tab.X.Data {
			if math.IsInf(float64(v), 0) { // NaN marks a missing cell
				t.Fatalf("infinite value %v in the matrix", v)
			}
		}
	})
}
