package csvdata

import (
	"bytes"
	"errors"
	"fmt"
)

// The checks of the text as it is read, before its records are parsed:
// what is not a CSV text at all — NUL bytes, a byte-order mark after the
// start, endless lines — is rejected at its line and column; UTF-16 or
// UTF-32 text and CR-only line ends are named (encoding.go).

// utf8BOM is UTF-8's byte-order mark.
var utf8BOM = []byte("\xEF\xBB\xBF")

// lineCounter counts the line ends of a text fed to it block by block and
// checks it on the way: no NUL byte, no byte-order mark after the start,
// no line longer than maxRecord, no UTF-16 or UTF-32, no CR-only line
// ends. It is fed the text from its start.
type lineCounter struct {
	path      string
	maxRecord int
	n         int     // line ends so far
	last      byte    // the last byte fed
	tail      [2]byte // the last ntail (≤ 2) bytes fed, at its end: a BOM may span blocks
	ntail     int
	off       int64 // bytes fed before the current block
	lineStart int   // bytes of the current line before the current block

	head    [headBytes]byte // the text's first nhead bytes: its encoding
	nhead   int
	bomSeen bool // the start was checked for a UTF-16 or UTF-32 byte-order mark
	quoted  bool // in line 1, after an odd number of quotes
}

// feed counts and checks the next block of the text.
func (c *lineCounter) feed(chunk []byte) *ParseError {
	k := len(chunk)
	if k == 0 {
		return nil
	}
	if c.off < headBytes {
		c.nhead += copy(c.head[c.nhead:], chunk)
	}
	if perr := c.wideBOM(); perr != nil {
		return perr
	}
	bad, what := bytes.IndexByte(chunk, 0), "NUL byte: not a text file"
	found := bad >= 0
	// A BOM may begin in the last bytes of the previous block.
	var jb [4]byte
	joined := append(append(jb[:0], c.tail[2-c.ntail:]...), chunk[:min(k, 2)]...)
	if i := innerBOM(joined, c.off-int64(c.ntail)); i >= 0 && i < c.ntail {
		bad, what, found = i-c.ntail, "byte-order mark (U+FEFF) inside the file: only its first bytes may hold one", true
	} else if i := innerBOM(chunk, c.off); i >= 0 && (!found || i < bad) {
		bad, what, found = i, "byte-order mark (U+FEFF) inside the file: only its first bytes may hold one", true
	}
	if found && bad >= 0 && chunk[bad] == 0 {
		if perr := c.wideNUL(); perr != nil {
			return perr
		}
	}
	if found { // bad < 0: a BOM that began in the previous block
		before := chunk[:max(bad, 0)]
		line, col := c.n+1, c.lineStart+bad+1
		if nl := bytes.LastIndexByte(before, '\n'); nl >= 0 {
			line, col = c.n+1+bytes.Count(before, []byte{'\n'}), bad-nl
		}
		return &ParseError{File: c.path, Line: line, Column: col, Err: errors.New(what)}
	}
	if perr := c.crOnly(chunk); perr != nil {
		return perr
	}
	if c.lineStart+k > c.maxRecord { // else no line in it can be too long
		if long := longLine(chunk, c.lineStart, c.maxRecord); long >= 0 {
			line := c.n + 1 + bytes.Count(chunk[:long], []byte{'\n'})
			return &ParseError{File: c.path, Line: line, Err: fmt.Errorf("line longer than %d bytes (csvdata.Options.MaxRecordBytes)", c.maxRecord)}
		}
	}
	c.n += bytes.Count(chunk, []byte{'\n'})
	if nl := bytes.LastIndexByte(chunk, '\n'); nl >= 0 {
		c.lineStart = k - nl - 1
	} else {
		c.lineStart += k
	}
	c.last = chunk[k-1]
	c.off += int64(k)
	for _, b := range chunk[max(k-2, 0):] {
		c.tail[0], c.tail[1] = c.tail[1], b
	}
	c.ntail = min(c.ntail+k, 2)
	return nil
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
func longLine(chunk []byte, before, limit int) int {
	start := -before
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

// sniff returns the separator of a header line: the most frequent of ',',
// ';', tab and '|' outside quotes (',' on a tie or when there is none).
func sniff(head []byte) byte {
	cands := []byte{',', ';', '\t', '|'}
	var counts [4]int
	inQuote := false
	for _, c := range head {
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		for i, d := range cands {
			if c == d {
				counts[i]++
			}
		}
	}
	best := 0
	for i := range cands {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return cands[best]
}

// smallBuffer is the size of the header's and a line check's first
// buffer: 64 KiB at most (it grows for a longer header), the text's size
// when it is smaller (a request's body, a small file: nothing to clear
// beyond a few lines).
func (r *reader[T]) smallBuffer() int {
	n := min(r.opt.ChunkBytes, 64<<10)
	if !r.src.gz && r.src.size >= 0 && r.src.size < int64(n) {
		n = int(r.src.size) + 1
	}
	return n
}

// lineFits reads on from text offset off, where check stands, to the end
// of the line open there: an error if it is longer than the limit. The
// header reader asks before its buffer grows, so that an endless first
// line is refused in bounded memory.
func (r *reader[T]) lineFits(check lineCounter, off int64) error {
	rd, err := r.src.open(off)
	if err != nil {
		return err
	}
	buf := make([]byte, r.smallBuffer())
	for {
		k, err := fill(rd, buf)
		if perr := check.feed(buf[:k]); perr != nil {
			return perr
		}
		if err != nil || bytes.IndexByte(buf[:k], '\n') >= 0 {
			return nil // a read error is met again by the reader
		}
	}
}
