package csvdata

import (
	"bytes"
	"errors"
	"fmt"
)

// What is text, but not the text csvdata reads: UTF-16 or UTF-32 (whose
// ASCII letters come with NUL bytes beside them), and the line ends of old
// Mac text (CR alone), which would read as one endless header line. Both
// are refused at the file's start, named, with the conversion that reads
// them — not as binary data nor as a table with no rows.

// headBytes is how much of the file's start tells its encoding.
const headBytes = 64

// wideBOMs are the byte-order marks of UTF-32 and UTF-16, the longer
// first (UTF-32LE's starts as UTF-16LE's does). No UTF-8 text starts
// with one: 0xFE and 0xFF are never UTF-8 bytes.
var wideBOMs = []struct {
	bom  string
	name string
}{
	{"\xFF\xFE\x00\x00", "UTF-32LE"},
	{"\x00\x00\xFE\xFF", "UTF-32BE"},
	{"\xFF\xFE", "UTF-16LE"},
	{"\xFE\xFF", "UTF-16BE"},
}

// wideError is the error of a text found to be UTF-16 or UTF-32 (name),
// after a byte-order mark or not.
func (c *lineCounter) wideError(name, bom string) *ParseError {
	what, from := "no byte-order mark", name
	if bom != "" {
		what, from = "byte-order mark "+fmt.Sprintf("% X", bom), name[:len("UTF-16")]
	}
	return &ParseError{File: c.path, Line: 1, Column: 1, Err: fmt.Errorf(
		"%s text (%s), not UTF-8: convert it first, e.g. iconv -f %s -t UTF-8 in.csv > out.csv", name, what, from)}
}

// wideBOM reports a UTF-16 or UTF-32 byte-order mark at the start of the
// file, once its first 4 bytes are in (a shorter file is no table, and
// is not UTF-8 text).
func (c *lineCounter) wideBOM() *ParseError {
	if c.nhead < 4 || c.bomSeen {
		return nil
	}
	c.bomSeen = true
	for _, w := range wideBOMs {
		if string(c.head[:len(w.bom)]) == w.bom {
			return c.wideError(w.name, w.bom)
		}
	}
	return nil
}

// wideNUL names the encoding of a file whose start has NUL bytes in the
// places of UTF-16's or UTF-32's ASCII letters: NUL and not NUL, in the
// same order, in three quarters of its first units at least. It returns
// nil for other NUL bytes: binary data.
func (c *lineCounter) wideNUL() *ParseError {
	for _, w := range wideBOMs {
		if len(c.head[:c.nhead]) >= len(w.bom) && string(c.head[:len(w.bom)]) == w.bom {
			return c.wideError(w.name, w.bom)
		}
	}
	head := c.head[:c.nhead]
	for _, w := range []struct {
		size, letter int // the unit's size, where its ASCII letter is
		name         string
	}{{4, 0, "UTF-32LE"}, {4, 3, "UTF-32BE"}, {2, 0, "UTF-16LE"}, {2, 1, "UTF-16BE"}} {
		units, ascii := len(head)/w.size, 0
		for u := range units {
			unit := head[u*w.size : (u+1)*w.size]
			ok := true
			for i, b := range unit {
				if (b == 0) != (i != w.letter) {
					ok = false
				}
			}
			if ok {
				ascii++
			}
		}
		if units > 0 && 4*ascii >= 3*units {
			return c.wideError(w.name, "")
		}
	}
	return nil
}

// errCROnly is the error of CR-only line ends.
var errCROnly = errors.New(`line ends are CR alone (old Mac text), not LF or CRLF: convert them first, e.g. tr '\r' '\n' < in.csv > out.csv`)

// crOnly reports a CR of the first line, outside quotes, not followed by
// LF: the file's line ends are CR alone. It looks no further than the
// first line: a CR in a later value is that value's.
func (c *lineCounter) crOnly(chunk []byte) *ParseError {
	if c.n > 0 || len(chunk) == 0 {
		return nil
	}
	bare := func(col int) *ParseError {
		if bytes.HasPrefix(c.head[:c.nhead], utf8BOM) {
			col -= len(utf8BOM) // as the parser counts
		}
		return &ParseError{File: c.path, Line: 1, Column: col, Err: errCROnly}
	}
	if c.off > 0 && c.last == '\r' && !c.quoted && chunk[0] != '\n' { // the CR ended the block before
		return bare(c.lineStart)
	}
	for i, b := range chunk {
		switch {
		case b == '\n':
			return nil
		case b == '"':
			c.quoted = !c.quoted
		case b == '\r' && !c.quoted && i+1 < len(chunk) && chunk[i+1] != '\n':
			return bare(c.lineStart + i + 1)
		}
	}
	return nil
}
