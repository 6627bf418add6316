package csvdata

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"
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
	if r.counted > 0 {
		return r.counted, nil // counted while spooling
	}
	if n, ok := r.countParallel(); ok {
		return n, nil
	}
	c := lineCounter{path: r.path, maxRecord: r.opt.MaxRecordBytes}
	buf := make([]byte, r.opt.ChunkBytes)
	for {
		k, err := r.f.Read(buf)
		if perr := c.feed(buf[:k]); perr != nil {
			return 0, perr
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	n, perr := c.total()
	if perr != nil {
		return 0, perr
	}
	_, err := r.f.Seek(0, io.SeekStart)
	return n, err
}

// countParallel counts the line ends of a regular file, a segment per
// worker read with ReadAt. It reports false when the file is small, is
// not a regular file, or may hold anything the checks of lineCounter
// reject: then the serial pass counts it and says where the problem is.
func (r *reader[T]) countParallel() (int, bool) {
	st, err := r.f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < 4*int64(r.opt.ChunkBytes) || r.opt.ChunkBytes > r.opt.MaxRecordBytes {
		return 0, false
	}
	size, w := st.Size(), int64(len(r.workers))
	if w == 0 {
		w = int64(r.opt.Workers)
	}
	type part struct {
		n         int
		first     int64 // offsets of the first and last line ends, −1 if none
		last      int64
		maxGap    int64 // the longest line between them
		bad, fail bool  // something the serial pass must look at; a read error
	}
	parts := make([]part, w)
	var g errgroup.Group
	for k := range w {
		g.Go(func() error {
			p := &parts[k]
			p.first, p.last = -1, -1
			lo, hi := k*size/w, (k+1)*size/w
			buf := make([]byte, r.opt.ChunkBytes+2)
			for off := lo; off < hi; {
				// Two bytes more, so that a BOM across blocks is seen.
				l := min(int64(r.opt.ChunkBytes), hi-off)
				n, err := r.f.ReadAt(buf[:l+min(2, size-off-l)], off)
				if err != nil && err != io.EOF || int64(n) < l {
					p.fail = true
					return nil
				}
				b := buf[:n]
				if bytes.IndexByte(b, 0) >= 0 || innerBOM(b, off) >= 0 {
					p.bad = true
					return nil
				}
				b = b[:l]
				p.n += bytes.Count(b, []byte{'\n'})
				// Lines inside a block are shorter than the limit: only
				// the gaps between blocks' line ends need measuring.
				if first := bytes.IndexByte(b, '\n'); first >= 0 {
					if p.first < 0 {
						p.first = off + int64(first)
					} else {
						p.maxGap = max(p.maxGap, off+int64(first)-p.last-1)
					}
					p.last = off + int64(bytes.LastIndexByte(b, '\n'))
				}
				off += l
			}
			return nil
		})
	}
	_ = g.Wait()
	n, prev, limit := 0, int64(-1), int64(r.opt.MaxRecordBytes)
	for _, p := range parts {
		if p.bad || p.fail || p.maxGap > limit {
			return 0, false
		}
		n += p.n
		if p.first >= 0 {
			if p.first-prev-1 > limit {
				return 0, false
			}
			prev = p.last
		}
	}
	if size-prev-1 > limit {
		return 0, false
	}
	var last [1]byte
	if _, err := r.f.ReadAt(last[:], size-1); err != nil {
		return 0, false
	}
	if last[0] != '\n' {
		n++
	}
	return n, n > 0
}

// lineCounter counts the line ends of a text fed to it block by block and
// checks it on the way: no NUL byte, no byte-order mark after the start,
// no line longer than maxRecord.
type lineCounter struct {
	path      string
	maxRecord int
	n         int     // line ends so far
	last      byte    // the last byte fed
	tail      [2]byte // the last ntail (≤ 2) bytes fed, at its end: a BOM may span blocks
	ntail     int
	off       int64 // bytes fed before the current block
	lineStart int   // bytes of the current line before the current block
}

// feed counts and checks the next block of the text.
func (c *lineCounter) feed(chunk []byte) *ParseError {
	k := len(chunk)
	if k == 0 {
		return nil
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
	if found { // bad < 0: a BOM that began in the previous block
		before := chunk[:max(bad, 0)]
		line, col := c.n+1, c.lineStart+bad+1
		if nl := bytes.LastIndexByte(before, '\n'); nl >= 0 {
			line, col = c.n+1+bytes.Count(before, []byte{'\n'}), bad-nl
		}
		return &ParseError{File: c.path, Line: line, Column: col, Err: errors.New(what)}
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

// total returns the count once the whole text has been fed.
func (c *lineCounter) total() (int, *ParseError) {
	n := c.n
	if c.off > 0 && c.last != '\n' {
		n++
	}
	if n == 0 {
		return 0, &ParseError{File: c.path, Line: 1, Err: errors.New("empty file: no header line")}
	}
	return n, nil
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
