package csvdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wideText is s in UTF-16 or UTF-32 (size 2 or 4), little- or
// big-endian, after a byte-order mark when bom.
func wideText(s string, size int, big, bom bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	var out []byte
	put := func(v rune) {
		if size == 2 {
			out = order.AppendUint16(out, uint16(v))
		} else {
			out = order.AppendUint32(out, uint32(v))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, r := range s {
		if size == 2 && r > 0xFFFF {
			a, b := utf16.EncodeRune(r)
			put(a)
			put(b)
			continue
		}
		put(r)
	}
	return out
}

// gzipText is b gzipped.
func gzipText(t *testing.T, b []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return z.Bytes()
}

// readAll reads b as a file (plain, gzip), as a request body and as a
// stream, with the chunk size given, and returns the errors by way.
func readAll(t *testing.T, b []byte, chunk int) map[string]error {
	path := filepath.Join(t.TempDir(), "f.csv")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	gz := filepath.Join(t.TempDir(), "f.csv") // gzip, known by its magic bytes
	require.NoError(t, os.WriteFile(gz, gzipText(t, b), 0o644))
	opt := Options{ChunkBytes: chunk}
	errs := map[string]error{}
	_, errs["file"] = Read[float32](path, opt)
	_, errs["gzip file"] = Read[float32](gz, opt)
	_, errs["bytes"] = ReadBytes[float32](context.Background(), "f.csv", b, opt)
	_, errs["stream"] = ReadFrom[float32](context.Background(), "f.csv", bytes.NewReader(b), opt)
	_, errs["gzip stream"] = ReadFrom[float32](context.Background(), "f.csv", bytes.NewReader(gzipText(t, b)), opt)
	return errs
}

// TestWideTextIsNamed: UTF-16 and UTF-32 text, with or without a
// byte-order mark, is named as such at the file's start, with the
// conversion that reads it, not as a NUL byte of binary data.
func TestWideTextIsNamed(t *testing.T) {
	const table = "a,b,y\n1,2,x\n3,4,z\n"
	for _, c := range []struct {
		size     int
		big, bom bool
		want     string
	}{
		{2, false, true, "UTF-16LE text (byte-order mark FF FE), not UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8"},
		{2, true, true, "UTF-16BE text (byte-order mark FE FF), not UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8"},
		{2, false, false, "UTF-16LE text (no byte-order mark), not UTF-8: convert it first, e.g. iconv -f UTF-16LE -t UTF-8"},
		{2, true, false, "UTF-16BE text (no byte-order mark), not UTF-8: convert it first, e.g. iconv -f UTF-16BE -t UTF-8"},
		{4, false, true, "UTF-32LE text (byte-order mark FF FE 00 00), not UTF-8: convert it first, e.g. iconv -f UTF-32 -t UTF-8"},
		{4, true, true, "UTF-32BE text (byte-order mark 00 00 FE FF), not UTF-8: convert it first, e.g. iconv -f UTF-32 -t UTF-8"},
		{4, false, false, "UTF-32LE text (no byte-order mark), not UTF-8"},
		{4, true, false, "UTF-32BE text (no byte-order mark), not UTF-8"},
	} {
		b := wideText(table, c.size, c.big, c.bom)
		for _, chunk := range []int{0, 4, 5, 7} {
			for way, err := range readAll(t, b, chunk) {
				require.Error(t, err, "%q %s chunk %d", b, way, chunk)
				assert.Contains(t, err.Error(), "f.csv:1:1: "+c.want, "%s chunk %d", way, chunk)
			}
		}
	}
	// Text of no ASCII at all has no NUL byte: its byte-order mark tells.
	b := wideText("列,值\n", 2, false, true)
	for way, err := range readAll(t, b, 0) {
		assert.ErrorContains(t, err, "f.csv:1:1: UTF-16LE text (byte-order mark FF FE)", way)
	}
	// A NUL byte in UTF-8 text is still binary data, at its place.
	for way, err := range readAll(t, []byte("a,b,y\n1,\x002,x\n"), 0) {
		assert.ErrorContains(t, err, "f.csv:2:3: NUL byte: not a text file", way)
	}
	for way, err := range readAll(t, []byte("a\x00b\x00,y\n1,x\n"), 0) {
		assert.ErrorContains(t, err, "f.csv:1:2: NUL byte: not a text file", way)
	}
}

// TestCROnlyLineEndsAreNamed: the line ends of old Mac text, CR alone,
// are named at the first one, with the conversion that reads them; a CR
// in a quoted header name, and CRLF line ends, are not.
func TestCROnlyLineEndsAreNamed(t *testing.T) {
	const want = "f.csv:1:6: line ends are CR alone (old Mac text), not LF or CRLF: convert them first, e.g. tr '\\r' '\\n' < in.csv > out.csv"
	for _, chunk := range []int{0, 1, 2, 3, 5, 6, 7, 11} {
		for way, err := range readAll(t, []byte("a,b,y\r1,2,x\r3,4,z\r"), chunk) {
			require.Error(t, err, "%s chunk %d", way, chunk)
			assert.Contains(t, err.Error(), want, "%s chunk %d", way, chunk)
		}
		for _, ok := range []string{"a,b,y\r\n1,2,x\r\n3,4,z\r\n", "a,\"b\rc\",y\n1,2,x\n3,4,z\n", "a,b,y\n1,2,x\r\n3,4,z\r"} {
			for way, err := range readAll(t, []byte(ok), chunk) {
				assert.NoError(t, err, "%q %s chunk %d", ok, way, chunk)
			}
		}
	}
	b := []byte("\xEF\xBB\xBF\"x\r\",b,y\r1,2,x\r")
	for way, err := range readAll(t, b, 0) {
		assert.ErrorContains(t, err, "f.csv:1:9: line ends are CR alone", way)
	}
}

// TestTextChecksAcrossBlocks: the encoding and CR checks see the same
// text, fed in blocks of any size (a pipe's short reads), the same way.
func TestTextChecksAcrossBlocks(t *testing.T) {
	const table = "a,b,y\n1,2,x\n"
	for _, c := range []struct {
		text    []byte
		minStep int // the block size from which the text's start tells
		want    string
	}{
		{wideText(table, 2, false, true), 1, "f.csv:1:1: UTF-16LE text (byte-order mark FF FE)"},
		{wideText(table, 2, true, false), 2, "f.csv:1:1: UTF-16BE text (no byte-order mark)"},
		{wideText(table, 2, false, false), 1, "f.csv:1:1: UTF-16LE text (no byte-order mark)"},
		{wideText(table, 4, true, true), 4, "f.csv:1:1: UTF-32BE text (byte-order mark 00 00 FE FF)"},
		{wideText(table, 4, false, false), 4, "f.csv:1:1: UTF-32LE text (no byte-order mark)"},
		{[]byte("a,b,y\r1,2,x\r"), 1, "f.csv:1:6: line ends are CR alone"},
		{[]byte("\xEF\xBB\xBF\"a\rb\",y\r1,2\r"), 1, "f.csv:1:8: line ends are CR alone"},
		{[]byte("a,b,y\n1,\x002,x\n"), 1, "f.csv:2:3: NUL byte"},
		{[]byte("a,b,y\r\n1,2\rx\n"), 1, ""}, // a CR in a later line is a value's
	} {
		for step := c.minStep; step <= 9; step++ {
			check := lineCounter{path: "f.csv", maxRecord: 1 << 20}
			var err error
			for i := 0; i < len(c.text) && err == nil; i += step {
				if perr := check.feed(c.text[i:min(i+step, len(c.text))]); perr != nil {
					err = perr
				}
			}
			if c.want == "" {
				assert.NoError(t, err, "%q step %d", c.text, step)
				continue
			}
			assert.ErrorContains(t, err, c.want, "%q step %d", c.text, step)
		}
	}
}

// TestBytesAfterTheGzipData: zero bytes after a gzip file's last member
// are ignored, as gzip -d ignores them; other bytes are trailing garbage,
// refused at their offset, whichever way the file comes.
func TestBytesAfterTheGzipData(t *testing.T) {
	const table = "a,b,y\n1,2,x\n3,4,z\n"
	z := gzipText(t, []byte(table))
	want, err := ReadBytes[float32](context.Background(), "f.csv", []byte(table), Options{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "f.csv")
	read := func(b []byte) map[string]error {
		require.NoError(t, os.WriteFile(path, b, 0o644))
		errs := map[string]error{}
		for way, read := range map[string]func() (*Table[float32], error){
			"file": func() (*Table[float32], error) { return Read[float32](path, Options{}) },
			"bytes": func() (*Table[float32], error) {
				return ReadBytes[float32](context.Background(), "f.csv", b, Options{})
			},
			"stream": func() (*Table[float32], error) {
				return ReadFrom[float32](context.Background(), "f.csv", bytes.NewReader(b), Options{})
			},
		} {
			got, err := read()
			if err == nil {
				assert.Equal(t, want.X.Data, got.X.Data, way)
				assert.Equal(t, want.Targets, got.Targets, way)
			}
			errs[way] = err
		}
		return errs
	}
	for _, zeros := range []int{1, 4, 1000} {
		for way, err := range read(append(bytes.Clone(z), make([]byte, zeros)...)) {
			assert.NoError(t, err, "%d zeros, %s", zeros, way)
		}
	}
	for tail, at := range map[string]int{"garbage\n": len(z), "\x00\x00\x00xyz": len(z) + 3, "x": len(z)} {
		for way, err := range read(append(bytes.Clone(z), tail...)) {
			assert.ErrorContains(t, err, fmt.Sprintf("f.csv: trailing garbage after the gzip data, at byte %d: keep what comes before, e.g. head -c %d in.csv.gz > out.csv.gz", at, at), "%q %s", tail, way)
		}
	}
	for way, err := range read(append(bytes.Clone(z), 0x1f)) { // a member cut short, as gzip -d says
		assert.ErrorContains(t, err, "f.csv: gzip: unexpected EOF", way)
	}
}
