package csvdata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// A table's files can be read in pieces, each process of several reading
// the records that start in its run of the files' bytes (OpenPieces); each
// piece reads its file's header, then its own records.

// Piece is a run of the records of one of a table's files: those whose
// first byte is at offset From or after, and before To (−1: the file's
// end). Newlines is the number of line ends before From, which numbers
// the piece's lines as the file's. A piece of a gzip file is the whole
// file.
type Piece struct {
	File     int
	From, To int64
	Newlines int64
}

// OpenPieces opens pieces of the files of one table (paths, as
// OpenFiles takes them), in order, to be read in parts: a share of the
// table that a process of several reads while the others read theirs
// (LearnShare). A piece that starts inside a line starts at the next line;
// each piece reads the file's header too. Bounds then says where its
// records began and ended, for the caller to check that the pieces of a
// file meet (a quoted field over a line end would cut them elsewhere).
func OpenPieces(ctx context.Context, paths []string, pieces []Piece, opt Options) (*File, error) {
	if len(pieces) == 0 {
		return nil, errors.New("csvdata: no pieces")
	}
	opt, err := partOptions(opt)
	if err != nil {
		return nil, err
	}
	f := &File{PartBytes: partBytes(), paths: paths, opt: opt, several: len(paths) > 1, pieces: pieces}
	f.names = make([]string, len(paths))
	for i, p := range pieces {
		if p.File < 0 || p.File >= len(paths) || p.From < 0 || p.To >= 0 && p.To < p.From || i > 0 && p.File < pieces[i-1].File {
			return nil, fmt.Errorf("csvdata: piece %+v of %d files", p, len(paths))
		}
		src, err := openFile(ctx, paths[p.File], opt)
		if err != nil {
			return nil, err
		}
		whole := p.From == 0 && (p.To < 0 || p.To >= src.size)
		switch {
		case src.spooled:
			src.Close()
			return nil, &ParseError{File: paths[p.File], Err: errors.New("not a regular file: pieces of a table are read from files only")}
		case src.gz && !whole:
			src.Close()
			return nil, &ParseError{File: paths[p.File], Err: errors.New("a gzip file is read whole, not in pieces")}
		}
		f.names[p.File] = src.name
		to := src.size
		if p.To >= 0 {
			to = min(to, p.To)
		}
		f.size += max(to-p.From, 0)
		src.Close()
	}
	return f, nil
}

// Bounds returns, for each piece read (OpenPieces), the file offsets of
// its first record and of the end of its last: after a read, a piece's
// end is the next piece's start when they meet.
func (f *File) Bounds() [][2]int64 { return f.bounds }

// lineAt returns a reader of src's text from the first line start at or
// after off (off itself if a newline precedes it), that start, and whether
// a newline was skipped to reach it (1) or not (0); the text read past
// that start is appended to *buf.
func (f *File) lineAt(src *source, off int64, buf *[]byte) (io.Reader, int64, int, error) {
	rd, err := src.open(off - 1)
	if err != nil {
		return nil, 0, 0, err
	}
	var chunk [64 << 10]byte
	at, skipped := off-1, 0
	for {
		n, err := rd.Read(chunk[:])
		if n > 0 && f.Text != nil {
			f.Text(chunk[:n])
		}
		if i := bytes.IndexByte(chunk[:n], '\n'); i >= 0 {
			if at+int64(i) >= off {
				skipped = 1
			}
			*buf = append(*buf, chunk[i+1:n]...)
			return rd, at + int64(i) + 1, skipped, nil
		}
		at += int64(n)
		if err == io.EOF {
			return rd, at, 0, nil
		} else if err != nil {
			return nil, 0, 0, src.readErr(err)
		}
	}
}
