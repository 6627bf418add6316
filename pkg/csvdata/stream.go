package csvdata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/densetrain/densetrain/pkg/tensor"
)

// A file larger than memory is read in parts: whole records, about
// File.PartBytes of text each, every one parsed as Read parses a file of
// the header and those records. Learn reads every part and merges what
// each part found (column kinds, categories, target kinds, counts) into
// what Read would find of the whole file; Parts then reads the parts with
// that schema, so that every part's matrix has the whole file's layout
// and values as Read converts them. Memory is bounded by a part, whatever
// the file's size.

// DefaultPartBytes is the default of File.PartBytes.
const DefaultPartBytes = 32 << 20

// File is a CSV file (plain or gzip), or several files of one table,
// opened to be read in parts.
type File struct {
	// PartBytes is the text of one part (default DefaultPartBytes, or a
	// sixteenth of the memory limit if less, 64 KiB at least); a record
	// longer than that makes its part longer.
	PartBytes int
	// Text is called, when set, with the text as it is read (for a
	// progress bar, a checksum); it must not keep it.
	Text func(b []byte)

	paths   []string
	names   []string // in messages
	src     *source  // the one file's, opened by Open; nil for OpenFiles'
	size    int64
	opt     Options
	several bool // of a table of several files: cells name their file

	pieces []Piece // of OpenPieces; nil: every file whole
	bounds [][2]int64
}

// Open opens the CSV file at path to be read in parts with opt (a Schema
// in opt is ignored: Learn finds it, Parts is given it). A pipe or a
// device is first copied to a spool, as ReadFile does.
func Open(ctx context.Context, path string, opt Options) (*File, error) {
	opt, err := partOptions(opt)
	if err != nil {
		return nil, err
	}
	src, err := openFile(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	return &File{PartBytes: partBytes(), paths: []string{path}, names: []string{src.name}, src: src, size: src.size, opt: opt}, nil
}

// OpenFiles opens files of one table — each with the same header line,
// their rows in this order — to be read in parts as one file. Each must
// be a regular file (plain or gzip); it is opened when its turn comes.
func OpenFiles(ctx context.Context, paths []string, opt Options) (*File, error) {
	if len(paths) == 1 {
		return Open(ctx, paths[0], opt)
	}
	opt, err := partOptions(opt)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, errors.New("csvdata: no files")
	}
	f := &File{PartBytes: partBytes(), paths: paths, opt: opt, several: true}
	for _, p := range paths {
		src, err := openFile(ctx, p, opt)
		if err != nil {
			return nil, err
		}
		if src.spooled {
			src.Close()
			return nil, &ParseError{File: p, Err: errors.New("not a regular file: a table of several files reads files only")}
		}
		f.names, f.size = append(f.names, src.name), f.size+src.size
		src.Close()
	}
	return f, nil
}

// partOptions are opt for reading parts.
func partOptions(opt Options) (Options, error) {
	opt, err := opt.withDefaults()
	opt.Schema, opt.part = nil, true
	opt.ExtraRowBytes = 0 // a part's rows are the caller's only once copied
	return opt, err
}

// PartSize is File.PartBytes' default: DefaultPartBytes, or a sixteenth
// of the memory limit if less (64 KiB at least).
func PartSize() int { return partBytes() }

// partBytes is File.PartBytes' default.
func partBytes() int {
	part := DefaultPartBytes
	if limit, _ := MemoryLimit(); limit > 0 {
		part = int(min(max(limit/16, 64<<10), int64(part))) // a part's table takes about 3 times its text
	}
	return part
}

// Close closes the file.
func (f *File) Close() error {
	if f.src != nil {
		return f.src.Close()
	}
	return nil
}

// Size is the expected length of the text (for a gzip file, what its
// trailer records); 0 when unknown.
func (f *File) Size() int64 { return f.size }

// Name is the file's name in messages (the first file's, of several; of
// pieces, the first piece's).
func (f *File) Name() string {
	if f.pieces != nil {
		return f.names[f.pieces[0].File]
	}
	return f.names[0]
}

// Parts reads the file's parts with schema (as Learn found it), in order,
// and calls each with each part's table: its rows are the file's next
// rows, its Lines and its cells' lines the file's (its Files names the
// file, of several). A part whose rows all lack a target has no rows. It
// stops at each's first error, which it returns.
func Parts[T tensor.Float](ctx context.Context, f *File, schema *Schema, each func(*Table[T]) error) error {
	opt := f.opt
	opt.Schema = schema
	return f.parts(ctx, func(text []byte, delta, file int) error {
		t, err := readPart[T](ctx, f, text, delta, file, opt)
		if err != nil {
			return err
		}
		return each(t)
	})
}

// readPart parses one part's text (the header, then records whose lines
// in the file are delta more than their lines in text) of f's file file.
func readPart[T tensor.Float](ctx context.Context, f *File, text []byte, delta, file int, opt Options) (*Table[T], error) {
	name := f.names[file]
	src, err := sourceOf(name, memory{bytes.NewReader(text)}, int64(len(text)))
	if err != nil {
		return nil, err
	}
	t, err := read[T](ctx, src, opt)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) && pe.Line > 0 {
			pe.Line += delta
		}
		return nil, err
	}
	for k := range t.Lines.runs {
		t.Lines.runs[k].line += delta
	}
	several := f.several
	for _, cs := range [][]Cells{t.Missing, t.Unseen} {
		for k := range cs {
			if cs[k].Line > 0 {
				cs[k].Line += delta
			}
			if several && cs[k].Count > 0 {
				cs[k].File = name
			}
		}
	}
	if t.Skipped.Line > 0 {
		t.Skipped.Line += delta
	}
	if several && t.Skipped.Count > 0 {
		t.Skipped.File = name
	}
	t.Files = []FileRows{{Name: name, Rows: t.X.Rows}}
	return t, nil
}

// parts reads the text of each file in parts and calls each with each
// part's text — the header line, a newline, then whole records — the
// difference between a record's line in the file and in that text, and
// the file's index. The text it is given is reused after each returns.
// Every file's header must be the first's.
func (f *File) parts(ctx context.Context, each func(text []byte, delta, file int) error) error {
	var first []string // the first file's header fields
	var buf []byte
	todo := f.pieces
	if todo == nil {
		for k := range f.names {
			todo = append(todo, Piece{File: k, To: -1})
		}
	}
	f.bounds = make([][2]int64, len(todo))
	for i, p := range todo {
		src := f.src
		if src == nil {
			var err error
			if src, err = openFile(ctx, f.paths[p.File], f.opt); err != nil {
				return err
			}
		}
		err := f.fileParts(ctx, src, p, &f.bounds[i], &first, &buf, each)
		if f.src == nil {
			src.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// fileParts is parts for file k, read from src; first holds the first
// file's header fields, once read; buf is the buffer the parts are cut in.
func (f *File) fileParts(ctx context.Context, src *source, p Piece, bounds *[2]int64, first *[]string, bufp *[]byte, each func(text []byte, delta, file int) error) error {
	k := p.File
	rd, err := src.open(0)
	if err != nil {
		return err
	}
	name := f.names[k]
	size := max(f.PartBytes, 64)
	check := lineCounter{path: name, maxRecord: f.opt.MaxRecordBytes}
	buf := (*bufp)[:0]
	if p.From > 0 { // the header alone is read from the file's start
		buf = make([]byte, 0, min(size, 64<<10))
	} else if cap(buf) < size {
		buf = make([]byte, 0, size) // the header, then the part's text
	}
	abs := int64(0) // the file offset of the part's own text, buf[head:]
	defer func() { *bufp = buf[:0] }()
	head := -1     // where the part's own text starts in buf
	headLines := 0 // the lines the header and its newline take
	line := 1      // the file line at buf[head:]'s start
	eof := false
	var starts, ends, lines []int32
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !eof && len(buf) < cap(buf) {
			n, err := fill(rd, buf[len(buf):cap(buf)])
			if perr := check.feed(buf[len(buf) : len(buf)+n]); perr != nil {
				return perr
			}
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return src.readErr(err)
			}
			if f.Text != nil {
				f.Text(buf[len(buf)-n:])
			}
		}
		if head < 0 { // the header: the first record
			starts, ends, _, _, _, _ = records(buf, 1, eof, starts[:0], ends[:0], lines[:0])
			if len(starts) == 0 && !eof {
				if buf, err = f.grow(buf, 0, name); err != nil {
					return err
				}
				continue
			}
			if len(starts) == 0 {
				return &ParseError{File: name, Line: 1, Err: errors.New("empty file: no header line")}
			}
			end := int(ends[0])
			if err := f.sameHeader(first, buf[starts[0]:end], name); err != nil {
				return err
			}
			headLines = bytes.Count(buf[:end], []byte("\n")) + 2
			line = headLines
			rest := append([]byte(nil), buf[end:]...) // from the header's newline on
			abs = int64(end)
			if len(rest) > 0 && rest[0] == '\n' {
				rest, abs = rest[1:], abs+1
			}
			buf = append(append(buf[:end], '\n'), rest...)
			head = end + 1
			if p.From > abs { // a piece after the header: its first line
				buf = append(make([]byte, 0, head+size), buf[:head]...)
				var skipped int
				if rd, abs, skipped, err = f.lineAt(src, p.From, &buf); err != nil {
					return err
				}
				line = 1 + int(p.Newlines) + skipped
				check = lineCounter{path: name, maxRecord: f.opt.MaxRecordBytes, n: line - 1, off: abs, last: '\n', bomSeen: true}
				if perr := check.feed(buf[head:]); perr != nil {
					return perr
				}
				eof = false
			}
			bounds[0], bounds[1] = abs, abs
			continue
		}
		body := buf[head:]
		var done, next int
		starts, ends, lines, done, next, _ = records(body, line, eof, starts[:0], ends[:0], lines[:0])
		if p.To >= 0 { // a piece: the records that start at To or after are the next piece's
			if j, _ := slices.BinarySearch(starts, int32(min(p.To-abs, math.MaxInt32))); j < len(starts) {
				cut := int(starts[j])
				if j > 0 {
					if err := each(buf[:head+cut], line-headLines, k); err != nil {
						return err
					}
				}
				bounds[1] = abs + int64(cut)
				return nil
			}
		}
		if len(starts) == 0 && done == 0 && !eof {
			if buf, err = f.grow(buf, head, name); err != nil {
				return err
			}
			continue
		}
		if len(starts) > 0 {
			if err := each(buf[:head+done], line-headLines, k); err != nil {
				return err
			}
		}
		line = next
		bounds[1] = abs + int64(done)
		if eof && done == len(body) {
			return nil
		}
		n := copy(buf[head:], body[done:])
		buf = buf[:head+n]
		abs += int64(done)
	}
}

// sameHeader checks that a file's header line (its bytes, a byte-order
// mark and all) names the columns of the first file's, which *first
// holds once read.
func (f *File) sameHeader(first *[]string, head []byte, name string) error {
	head = trimCR(bytes.TrimPrefix(head, utf8BOM))
	sep := f.opt.Delimiter
	if sep == 0 {
		sep = sniff(head)
	}
	fs, col, err := splitFields(head, nil, sep)
	if err != nil {
		return &ParseError{File: name, Line: 1, Column: col, Err: err}
	}
	names := make([]string, len(fs))
	for i, fl := range fs {
		names[i] = string(fl.value())
	}
	if *first == nil {
		*first = names
		return nil
	}
	for i := range max(len(names), len(*first)) {
		switch {
		case i >= len(names):
			return &ParseError{File: name, Line: 1, Err: fmt.Errorf("the header has %d columns, %s's %d: the files of a table must have the same columns", len(names), f.names[0], len(*first))}
		case i >= len(*first):
			return &ParseError{File: name, Line: 1, Column: fs[i].col, Err: fmt.Errorf("the header has %d columns, %s's %d: the files of a table must have the same columns", len(names), f.names[0], len(*first))}
		case names[i] != (*first)[i]:
			return &ParseError{File: name, Line: 1, Column: fs[i].col, Err: fmt.Errorf("column %d is %s here, %s in %s: the files of a table must have the same columns, in the same order", i+1, Quote(names[i]), Quote((*first)[i]), f.names[0])}
		}
	}
	return nil
}

// grow doubles buf's room for a record longer than a part, up to
// Options.MaxRecordBytes of it after the header.
func (f *File) grow(buf []byte, head int, name string) ([]byte, error) {
	if len(buf)-head >= f.opt.MaxRecordBytes {
		return nil, &ParseError{File: name, Err: errors.New("a record is longer than the limit of " + SizeString(int64(f.opt.MaxRecordBytes)))}
	}
	nb := make([]byte, len(buf), 2*cap(buf))
	copy(nb, buf)
	return nb, nil
}
