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

// openFile opens path; a gzip file is decompressed into a spool.
func openFile(ctx context.Context, path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	if n == 2 && magic == [2]byte(gzipMagic) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		defer f.Close()
		return spool(ctx, path, f)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: cannot read it twice (%w): pipe it to standard input instead", path, err)
	}
	return f, nil
}

// spool copies r, decompressed if it is gzip, to an unlinked temporary
// file and returns it positioned at its start.
func spool(ctx context.Context, name string, r io.Reader) (*os.File, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	src := io.Reader(br)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == gzipMagic[0] && magic[1] == gzipMagic[1] {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ParseError{File: name, Err: fmt.Errorf("gzip: %w", err)}
		}
		defer zr.Close()
		src = zr
	}
	tmp, err := os.CreateTemp("", "densetrain-*.csv")
	if err != nil {
		return nil, fmt.Errorf("%s: spooling to a temporary file: %w", name, err)
	}
	// Unlinked at once: the open file lives on until it is closed.
	if err := os.Remove(tmp.Name()); err != nil {
		tmp.Close()
		return nil, err
	}
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			tmp.Close()
			return nil, err
		}
		n, rerr := src.Read(buf)
		if _, err := tmp.Write(buf[:n]); err != nil {
			tmp.Close()
			return nil, fmt.Errorf("%s: spooling to a temporary file: %w", name, err)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			tmp.Close()
			if errors.Is(rerr, gzip.ErrChecksum) || errors.Is(rerr, gzip.ErrHeader) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				return nil, &ParseError{File: name, Err: fmt.Errorf("gzip: %w", rerr)}
			}
			return nil, fmt.Errorf("%s: %w", name, rerr)
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
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
