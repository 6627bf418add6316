package csvdata

import (
	"context"
	"io"
	"sync"
)

// chunk is a block of the file cut at record boundaries: the records'
// offsets in buf and their first lines.
type chunk struct {
	buf                 []byte
	starts, ends, lines []int
	err                 error
}

// parse reads the data records from offset off (line line on) into the
// matrix and string columns, and returns the number of rows. One goroutine
// reads the file and cuts it into chunks of records while the workers
// parse the chunk before: reading and cutting are serial, and would leave
// the other cores idle.
func (r *reader[T]) parse(off int64, line int) (int, error) {
	if _, err := r.f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(r.ctx)
	free, full := make(chan *chunk, 2), make(chan *chunk, 1)
	free <- &chunk{buf: make([]byte, r.opt.ChunkBytes)}
	free <- &chunk{buf: make([]byte, r.opt.ChunkBytes)}
	var wg sync.WaitGroup
	wg.Go(func() { r.cut(ctx, line, free, full) })
	defer func() {
		cancel()
		wg.Wait() // the file is not touched after parse returns
	}()
	rows := 0
	for c := range full {
		if c.err != nil {
			return 0, c.err
		}
		if rows+len(c.starts) > len(r.lines) {
			return 0, r.errAt(c.lines[0], 0, "more rows than lines: the file changed while being read")
		}
		if err := r.parseChunk(c.buf, c.starts, c.ends, c.lines, rows); err != nil {
			return 0, err
		}
		rows += len(c.starts)
		free <- c
	}
	return rows, r.ctx.Err()
}

// cut reads the file into the free chunks, cuts each at its last complete
// record and sends it on full; the unfinished record is carried over to
// the next chunk. It stops at the end of the file, at an error (sent as a
// chunk) or when ctx is done, and closes full.
func (r *reader[T]) cut(ctx context.Context, line int, free <-chan *chunk, full chan<- *chunk) {
	defer close(full)
	var carry []byte
	for eof := false; !eof; {
		var c *chunk
		select {
		case c = <-free:
		case <-ctx.Done():
			return
		}
		c.err = nil
		if len(carry) > len(c.buf)/2 {
			c.buf = make([]byte, 2*len(carry))
		}
		n := copy(c.buf, carry)
		for {
			if err := ctx.Err(); err != nil {
				return
			}
			k, err := io.ReadFull(r.f, c.buf[n:])
			n += k
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				eof = true
			case err != nil:
				c.err = err
			}
			var done, next int
			if c.err == nil {
				c.starts, c.ends, c.lines, done, next = records(c.buf[:n], line, eof, c.starts[:0], c.ends[:0], c.lines[:0])
				if len(c.starts) == 0 && !eof {
					if n >= r.opt.MaxRecordBytes {
						c.err = r.errAt(line, 0, "a row is longer than %d bytes", r.opt.MaxRecordBytes)
					} else {
						c.buf = append(c.buf[:n], make([]byte, len(c.buf))...) // one record spans the chunk: grow
						continue
					}
				}
			}
			if c.err == nil {
				carry = append(carry[:0], c.buf[done:n]...)
				line = next
			}
			break
		}
		select {
		case full <- c:
		case <-ctx.Done():
			return
		}
		if c.err != nil {
			return
		}
	}
}
