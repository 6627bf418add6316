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
}

// openFile opens the file at path; what cannot be read at any offset (a
// pipe, a device) is first copied to a spool.
func openFile(ctx context.Context, path string) (*source, error) {
	f, err := fifo.Open(ctx, path, os.O_RDONLY) // a named pipe waits for its writer until ctx ends
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		defer f.Close()
		return spool(ctx, path, f)
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
	if s.gz && (errors.Is(err, inflate.ErrChecksum) || errors.Is(err, inflate.ErrHeader) || errors.As(err, &corrupt) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return &ParseError{File: s.name, Err: fmt.Errorf("gzip: %w", err)}
	}
	return fmt.Errorf("%s: %w", s.name, err)
}

// spool copies r as it comes to an unlinked temporary file and returns
// it as a source. Cancelling ctx returns at once, even while r blocks (a
// terminal, a stalled pipe): the copy is abandoned, and its file closed
// when r next returns.
func spool(ctx context.Context, name string, r io.Reader) (*source, error) {
	tmp, err := os.CreateTemp("", "densetrain-*.csv")
	if err != nil {
		return nil, fmt.Errorf("%s: spooling to a temporary file: %w", name, err)
	}
	// Unlinked at once: the open file lives on until it is closed.
	if err := os.Remove(tmp.Name()); err != nil {
		tmp.Close()
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- copyStream(ctx, name, tmp, r) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		go func() {
			<-done
			tmp.Close()
		}()
		return nil, ctx.Err()
	}
	if err != nil {
		tmp.Close()
		return nil, err
	}
	s, err := newSource(name, tmp)
	if err != nil {
		tmp.Close()
		return nil, err
	}
	return s, nil
}

// copyStream copies r to the spool dst until r ends or ctx is cancelled.
func copyStream(ctx context.Context, name string, dst *os.File, r io.Reader) error {
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := r.Read(buf)
		if _, err := dst.Write(buf[:n]); err != nil {
			return fmt.Errorf("%s: spooling to a temporary file: %w", name, err)
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("%s: %w", name, rerr)
		}
	}
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
