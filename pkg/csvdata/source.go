package csvdata

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// The input: a file read twice (a line count, then the parse). A gzip
// stream — known by its magic bytes, whatever the name — and standard
// input are first copied, decompressed, to an unlinked temporary file, so
// that the two passes read plain bytes and nothing is left behind however
// the process ends.

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// openFile opens path; a gzip file is decompressed into a spool, and
// its lines counted on the way (0 otherwise).
func openFile(ctx context.Context, path string, maxRecord int) (*os.File, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	if n == 2 && magic == [2]byte(gzipMagic) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, 0, err
		}
		defer f.Close()
		return spool(ctx, path, f, maxRecord)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: cannot read it twice (%w): pipe it to standard input instead", path, err)
	}
	return f, 0, nil
}

// spool copies r, decompressed if it is gzip, to an unlinked temporary
// file and returns it positioned at its start, with its line count: the
// copy is checked and counted as countLines would (so the reader skips
// that pass).
func spool(ctx context.Context, name string, r io.Reader, maxRecord int) (*os.File, int, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	src := io.Reader(br)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == gzipMagic[0] && magic[1] == gzipMagic[1] {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, &ParseError{File: name, Err: fmt.Errorf("gzip: %w", err)}
		}
		defer zr.Close()
		src = zr
	}
	tmp, err := os.CreateTemp("", "densetrain-*.csv")
	if err != nil {
		return nil, 0, fmt.Errorf("%s: spooling to a temporary file: %w", name, err)
	}
	// Unlinked at once: the open file lives on until it is closed.
	if err := os.Remove(tmp.Name()); err != nil {
		tmp.Close()
		return nil, 0, err
	}
	n, err := copyCounting(ctx, name, tmp, src, maxRecord)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		tmp.Close()
		return nil, 0, err
	}
	return tmp, n, nil
}

// copyCounting copies src to dst, checking and counting its lines.
func copyCounting(ctx context.Context, name string, dst io.Writer, src io.Reader, maxRecord int) (int, error) {
	c := lineCounter{path: name, maxRecord: maxRecord}
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, rerr := fill(src, buf)
		if perr := c.feed(buf[:n]); perr != nil {
			return 0, perr
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return 0, fmt.Errorf("%s: spooling to a temporary file: %w", name, err)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if errors.Is(rerr, gzip.ErrChecksum) || errors.Is(rerr, gzip.ErrHeader) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				return 0, &ParseError{File: name, Err: fmt.Errorf("gzip: %w", rerr)}
			}
			return 0, fmt.Errorf("%s: %w", name, rerr)
		}
	}
	n, perr := c.total()
	if perr != nil {
		return 0, perr
	}
	return n, nil
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
