package csvdata

import (
	"bytes"
	"io"
)

// The first pass over a file: count its lines (to size the matrix once)
// and reject, before anything is parsed, what is not a CSV text at all:
// NUL bytes, a byte-order mark after the start, endless lines.

// utf8BOM is UTF-8's byte-order mark.
var utf8BOM = []byte("\xEF\xBB\xBF")

// countLines returns an upper bound on the number of records: the number
// of line ends, plus one for a last line without one. It rejects a file
// with a NUL byte (not text) or a byte-order mark after its start.
func (r *reader[T]) countLines() (int, error) {
	buf := make([]byte, 2+r.opt.ChunkBytes) // two bytes carried over, for a BOM across chunks
	n, last, carry := 0, byte('\n'), 0
	var off int64  // file offset of buf[carry], the chunk just read
	lineStart := 0 // bytes of the current line before the chunk
	for {
		k, err := r.f.Read(buf[carry:])
		chunk := buf[carry : carry+k]
		bad, what := bytes.IndexByte(chunk, 0), "NUL byte: not a text file"
		found := bad >= 0
		if i := innerBOM(buf[:carry+k], off-int64(carry)); i >= 0 && (!found || i-carry < bad) {
			bad, what, found = i-carry, "byte-order mark (U+FEFF) inside the file: only its first bytes may hold one", true
		}
		if found { // bad < 0: a BOM that began in the carried bytes
			before := chunk[:max(bad, 0)]
			line, col := n+1, lineStart+bad+1
			if nl := bytes.LastIndexByte(before, '\n'); nl >= 0 {
				line, col = n+1+bytes.Count(before, []byte{'\n'}), bad-nl
			}
			return 0, r.errAt(line, col, "%s", what)
		}
		if long := r.longLine(chunk, lineStart); long >= 0 {
			line := n + 1 + bytes.Count(chunk[:long], []byte{'\n'})
			return 0, r.errAt(line, 0, "line longer than %d bytes (csvdata.Options.MaxRecordBytes)", r.opt.MaxRecordBytes)
		}
		n += bytes.Count(chunk, []byte{'\n'})
		if nl := bytes.LastIndexByte(chunk, '\n'); nl >= 0 {
			lineStart = k - nl - 1
		} else {
			lineStart += k
		}
		if k > 0 {
			last = chunk[k-1]
		}
		off += int64(k)
		if carry+k >= 2 {
			copy(buf, buf[carry+k-2:carry+k])
			carry = 2
		} else {
			carry += k
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		n++
	}
	if n == 0 {
		return 0, r.errAt(1, 0, "empty file: no header line")
	}
	_, err := r.f.Seek(0, io.SeekStart)
	return n, err
}

// innerBOM returns the index in b of the first byte-order mark that is not
// at the start of the file, b starting at file offset off; or −1.
func innerBOM(b []byte, off int64) int {
	from := 0
	if off == 0 && bytes.HasPrefix(b, utf8BOM) {
		from = 1
	}
	i := bytes.Index(b[from:], utf8BOM)
	if i < 0 {
		return -1
	}
	return from + i
}

// longLine returns the index in chunk of a line end (or of the chunk's end)
// that closes a line longer than MaxRecordBytes, given the bytes of the
// current line before the chunk, or −1. A record can span lines (quoted
// newlines) but never be shorter than one of its lines, so this rejects an
// endless line after reading MaxRecordBytes of it, not the whole file.
func (r *reader[T]) longLine(chunk []byte, before int) int {
	limit, start := r.opt.MaxRecordBytes, -before
	for {
		nl := bytes.IndexByte(chunk[max(start, 0):], '\n')
		if nl < 0 {
			if len(chunk)-start > limit {
				return len(chunk)
			}
			return -1
		}
		nl += max(start, 0)
		if nl-start > limit {
			return nl
		}
		start = nl + 1
	}
}
