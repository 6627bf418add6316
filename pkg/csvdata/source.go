package csvdata

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/densetrain/densetrain/internal/fifo"
	"github.com/densetrain/densetrain/internal/inflate"
)

// The input is read in one pass as it is decompressed: the reader cuts
// records from the stream while the workers parse the records before.
// A gzip file — known by its magic bytes, whatever the name — is
// decompressed on the way, by internal/inflate (twice as fast as
// klauspost/compress, the fastest before it). Standard input is first
// copied as it comes (compressed or not) to an unlinked temporary file,
// so that nothing is left behind however the process ends and a column
// found to be text after all (its first values missing) can be read
// again.

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// source is a file of CSV text, plain or gzip, that can be read from any
// offset of its text, by several readers at once.
type source struct {
	name string
	f    readerAtCloser
	gz   bool
	// size is the expected length of the text: the file's size, or the
	// size a gzip trailer records (modulo 2³², of its last member; a
	// lower bound then); 0 when unknown.
	size int64
	// spooled says f is a copy of a stream: its errors must not name the
	// temporary file, which the user never gave.
	spooled bool
}

// openFile opens the file at path; what cannot be read at any offset (a
// pipe, a device) is first copied to a spool, checked as it comes (see
// spool). A named pipe waits for its writer until ctx ends.
func openFile(ctx context.Context, path string, opt Options) (*source, error) {
	f, err := fifo.Open(ctx, path, os.O_RDONLY)
	if err != nil {
		return nil, ShortPath(err)
	}
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		defer f.Close()
		return spool(ctx, path, f, opt)
	}
	s, err := newSource(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// readerAtCloser is what a source reads: a file, or bytes in memory.
type readerAtCloser interface {
	io.ReaderAt
	io.Closer
}

// newSource reads f's first bytes (and a gzip file's trailer) to know
// what it holds.
func newSource(name string, f *os.File) (*source, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", name)
	}
	return sourceOf(name, f, st.Size())
}

// memory is CSV text in memory, as a source reads it.
type memory struct{ *bytes.Reader }

func (memory) Close() error { return nil }

// sourceOf is the source of the size bytes of f.
func sourceOf(name string, f readerAtCloser, size int64) (*source, error) {
	s := &source{name: name, f: f, size: size}
	var magic [2]byte
	n, err := f.ReadAt(magic[:], 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.gz = n == 2 && magic == [2]byte(gzipMagic)
	if s.gz {
		var isize [4]byte
		s.size = 0
		if _, err := f.ReadAt(isize[:], size-4); err == nil && size >= 18 {
			s.size = int64(binary.LittleEndian.Uint32(isize[:]))
		}
		if s.size > size*1032 { // more than deflate can expand to: not to be trusted
			s.size = 0
		}
	}
	return s, nil
}

// Close closes the file.
func (s *source) Close() error { return s.f.Close() }

// open returns a reader of the text from offset off, independent of any
// other.
func (s *source) open(off int64) (io.Reader, error) {
	if !s.gz {
		return io.NewSectionReader(s.f, off, 1<<63-1), nil
	}
	zr, err := inflate.NewReader(io.NewSectionReader(s.f, 0, 1<<63-1))
	if err != nil {
		return nil, s.readErr(err)
	}
	if _, err := io.CopyN(io.Discard, zr, off); err != nil {
		return nil, s.readErr(err)
	}
	return zr, nil
}

// readErr names the file in a read error; a damaged gzip stream is a
// ParseError.
func (s *source) readErr(err error) error {
	var corrupt *inflate.CorruptError
	if trailing := (*inflate.TrailingError)(nil); s.gz && errors.As(err, &trailing) {
		return &ParseError{File: s.name, Err: fmt.Errorf("%w: keep what comes before, e.g. head -c %d in.csv.gz > out.csv.gz", err, trailing.Offset)}
	}
	if s.gz && (errors.Is(err, inflate.ErrChecksum) || errors.Is(err, inflate.ErrHeader) || errors.As(err, &corrupt) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return &ParseError{File: s.name, Err: fmt.Errorf("gzip: %w", err)}
	}
	if pe := (*os.PathError)(nil); s.spooled && errors.As(err, &pe) {
		err = fmt.Errorf("reading its copy: %s: %w", pe.Op, pe.Err)
	}
	return fmt.Errorf("%s: %w", s.name, err)
}

// fill reads from r until buf is full or r returns an error (io.EOF at
// its end).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
