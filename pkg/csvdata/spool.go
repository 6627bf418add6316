package csvdata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/densetrain/densetrain/internal/inflate"
)

// A stream (standard input, a pipe, a device) is copied as it comes to
// an unlinked temporary file, and checked on the way, so that what is no
// CSV text — /dev/zero, /dev/urandom, an endless line — is refused at
// once rather than once the disk is full: plain text is checked as the
// read checks it (lineCounter: no NUL byte, no inner byte-order mark, no
// line longer than Options.MaxRecordBytes); a gzip stream's first
// inflated bytes likewise (a damaged stream is refused there and then).
// The copy is bounded by Options.MaxSpoolBytes, by default a share of the
// space free where it is written. Its errors name the stream, never the
// temporary file.

// spoolHead is how much of a gzip stream is inflated, and its text
// checked, while it is copied: its first bytes, enough to tell a text
// from what is not one.
const spoolHead = 1 << 20

// spoolShare is the share of the free space of the temporary directory
// that a copy may take by default, in percent.
const spoolShare = 90

// spool copies r as it comes to an unlinked temporary file and returns
// it as a source. Cancelling ctx returns at once, even while r blocks (a
// terminal, a stalled pipe): the copy is abandoned, and its file closed
// when r next returns.
func spool(ctx context.Context, name string, r io.Reader, opt Options) (*source, error) {
	tmp, err := os.CreateTemp("", "densetrain-*.csv")
	if err != nil {
		return nil, fmt.Errorf("%s: making its copy in the temporary directory (TMPDIR): %w", name, unpath(err))
	}
	// Unlinked at once: the open file lives on until it is closed.
	if err := os.Remove(tmp.Name()); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("%s: making its copy in the temporary directory (TMPDIR): %w", name, unpath(err))
	}
	sc := &spoolCopy{name: name, dst: tmp, limit: opt.MaxSpoolBytes,
		check: lineCounter{path: name, maxRecord: opt.MaxRecordBytes}}
	if sc.limit <= 0 {
		if free := freeSpace(tmp); free >= 0 {
			sc.limit, sc.share = free/100*spoolShare, true
		}
	}
	done := make(chan error, 1)
	go func() { done <- sc.copy(ctx, r) }()
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
	s.spooled = true
	return s, nil
}

// spoolCopy is the copy of a stream to a spool.
type spoolCopy struct {
	name  string
	dst   *os.File
	limit int64 // the most bytes the copy may take; ≤ 0: no bound
	share bool  // limit is spoolShare of the free space
	n     int64 // bytes copied
	check lineCounter
	// gz says the stream is gzip; head holds its first bytes until they
	// are checked, checked that they have been.
	gz, checked bool
	head        []byte
}

// copy copies r to the spool until r ends or ctx is cancelled, checking
// it on the way.
func (sc *spoolCopy) copy(ctx context.Context, r io.Reader) error {
	buf := make([]byte, 1<<20)
	for first := true; ; first = false {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := r.Read(buf)
		if first { // the first two bytes tell gzip
			for n < 2 && rerr == nil {
				var k int
				k, rerr = r.Read(buf[n:])
				n += k
			}
			sc.gz = bytes.HasPrefix(buf[:n], gzipMagic)
		}
		if err := sc.write(buf[:n], rerr == io.EOF); err != nil {
			return err
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("%s: %w", sc.name, rerr)
		}
	}
}

// write checks the next bytes b of the stream and copies them; last says
// the stream ends with them.
func (sc *spoolCopy) write(b []byte, last bool) error {
	if err := sc.checkText(b, last); err != nil {
		return err
	}
	if sc.limit > 0 && sc.n+int64(len(b)) > sc.limit {
		if sc.share {
			return fmt.Errorf("%s: longer than %s, the most its copy may take of the free space of the temporary directory (TMPDIR): point TMPDIR at a larger disk, or give a file", sc.name, SizeString(sc.limit))
		}
		return fmt.Errorf("%s: longer than %s, the most its copy may take (csvdata.Options.MaxSpoolBytes)", sc.name, SizeString(sc.limit))
	}
	if _, err := sc.dst.Write(b); err != nil {
		return fmt.Errorf("%s: copying it to the temporary directory (TMPDIR): %w", sc.name, unpath(err))
	}
	sc.n += int64(len(b))
	return nil
}

// checkText checks the text of the next bytes b of the stream: all of a
// plain one, the first spoolHead inflated bytes of a gzip one.
func (sc *spoolCopy) checkText(b []byte, last bool) error {
	if !sc.gz {
		if perr := sc.check.feed(b); perr != nil {
			return perr
		}
		return nil
	}
	if sc.checked {
		return nil
	}
	sc.head = append(sc.head, b...)
	if len(sc.head) < spoolHead/4 && !last {
		return nil // a deflate block's worth is needed
	}
	sc.checked = true
	head := sc.head
	sc.head = nil
	zr, err := inflate.NewReader(bytes.NewReader(head))
	if err == nil {
		text := make([]byte, spoolHead)
		var k int
		k, err = fill(zr, text)
		if perr := sc.check.feed(text[:k]); perr != nil {
			return perr
		}
	}
	if err == nil || err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) && !last {
		return nil // its first bytes are text; the rest is checked as it is read
	}
	return (&source{name: sc.name, gz: true}).readErr(err)
}

// unpath drops the path of a temporary file from an error.
func unpath(err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
