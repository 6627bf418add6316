package csvdata

import (
	"bytes"
	"context"
	"errors"
	"io"

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

// File is a CSV file (plain or gzip) opened to be read in parts.
type File struct {
	// PartBytes is the text of one part (default DefaultPartBytes, or a
	// sixteenth of the memory limit if less, 64 KiB at least); a record
	// longer than that makes its part longer.
	PartBytes int
	// Text is called, when set, with the text as it is read (for a
	// progress bar, a checksum); it must not keep it.
	Text func(b []byte)

	name string
	src  *source
	opt  Options
}

// Open opens the CSV file at path to be read in parts with opt (a Schema
// in opt is ignored: Learn finds it, Parts is given it). A pipe or a
// device is first copied to a spool, as ReadFile does.
func Open(ctx context.Context, path string, opt Options) (*File, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	opt.Schema, opt.part = nil, true
	opt.ExtraRowBytes = 0 // a part's rows are the caller's only once copied
	src, err := openFile(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	part := DefaultPartBytes
	if limit, _ := MemoryLimit(); limit > 0 {
		part = int(min(max(limit/16, 64<<10), int64(part))) // a part's table takes about 3 times its text
	}
	return &File{PartBytes: part, name: src.name, src: src, opt: opt}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.src.Close() }

// Size is the expected length of the text (for a gzip file, what its
// trailer records); 0 when unknown.
func (f *File) Size() int64 { return f.src.size }

// Name is the file's name in messages.
func (f *File) Name() string { return f.name }

// Parts reads the file's parts with schema (as Learn found it), in order,
// and calls each with each part's table: its rows are the file's next
// rows, its Lines and its cells' lines the file's. A part whose rows all
// lack a target has no rows. It stops at each's first error, which it
// returns.
func Parts[T tensor.Float](ctx context.Context, f *File, schema *Schema, each func(*Table[T]) error) error {
	opt := f.opt
	opt.Schema = schema
	return f.parts(ctx, func(text []byte, delta int) error {
		t, err := readPart[T](ctx, f.name, text, delta, opt)
		if err != nil {
			return err
		}
		return each(t)
	})
}

// readPart parses one part's text (the header, then records whose file
// lines are delta more than their lines in text).
func readPart[T tensor.Float](ctx context.Context, name string, text []byte, delta int, opt Options) (*Table[T], error) {
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
	for _, cs := range [][]Cells{t.Missing, t.Unseen} {
		for k := range cs {
			if cs[k].Line > 0 {
				cs[k].Line += delta
			}
		}
	}
	if t.Skipped.Line > 0 {
		t.Skipped.Line += delta
	}
	return t, nil
}

// parts reads the text in parts and calls each with each part's text —
// the header line, a newline, then whole records — and the difference
// between a record's line in the file and in that text. The text it is
// given is reused after each returns.
func (f *File) parts(ctx context.Context, each func(text []byte, delta int) error) error {
	rd, err := f.src.open(0)
	if err != nil {
		return err
	}
	size := max(f.PartBytes, 64)
	check := lineCounter{path: f.name, maxRecord: f.opt.MaxRecordBytes}
	buf := make([]byte, 0, size) // the header, then the part's text
	head := -1                   // where the part's own text starts in buf
	headLines := 0               // the lines the header and its newline take
	line := 1                    // the file line at buf[head:]'s start
	eof := false
	var starts, ends, lines []int32
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !eof && len(buf) < cap(buf) {
			k, err := fill(rd, buf[len(buf):cap(buf)])
			if perr := check.feed(buf[len(buf) : len(buf)+k]); perr != nil {
				return perr
			}
			buf = buf[:len(buf)+k]
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return f.src.readErr(err)
			}
			if f.Text != nil {
				f.Text(buf[len(buf)-k:])
			}
		}
		if head < 0 { // the header: the first record
			starts, ends, _, _, _, _ = records(buf, 1, eof, starts[:0], ends[:0], lines[:0])
			if len(starts) == 0 && !eof {
				if buf, err = f.grow(buf, 0); err != nil {
					return err
				}
				continue
			}
			if len(starts) == 0 {
				return &ParseError{File: f.name, Line: 1, Err: errors.New("empty file: no header line")}
			}
			end := int(ends[0])
			headLines = bytes.Count(buf[:end], []byte("\n")) + 2
			line = headLines
			rest := append([]byte(nil), buf[end:]...) // from the header's newline on
			if len(rest) > 0 && rest[0] == '\n' {
				rest = rest[1:]
			}
			buf = append(append(buf[:end], '\n'), rest...)
			head = end + 1
			continue
		}
		body := buf[head:]
		var done, next int
		starts, ends, lines, done, next, _ = records(body, line, eof, starts[:0], ends[:0], lines[:0])
		if len(starts) == 0 && done == 0 && !eof {
			if buf, err = f.grow(buf, head); err != nil {
				return err
			}
			continue
		}
		if len(starts) > 0 {
			if err := each(buf[:head+done], line-headLines); err != nil {
				return err
			}
		}
		line = next
		if eof && done == len(body) {
			return nil
		}
		n := copy(buf[head:], body[done:])
		buf = buf[:head+n]
	}
}

// grow doubles buf's room for a record longer than a part, up to
// Options.MaxRecordBytes of it after the header.
func (f *File) grow(buf []byte, head int) ([]byte, error) {
	if len(buf)-head >= f.opt.MaxRecordBytes {
		return nil, &ParseError{File: f.name, Err: errors.New("a record is longer than the limit of " + SizeString(int64(f.opt.MaxRecordBytes)))}
	}
	nb := make([]byte, len(buf), 2*cap(buf))
	copy(nb, buf)
	return nb, nil
}
