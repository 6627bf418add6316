package csvdata

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/klauspost/readahead"
)

// chunk is a block of the text cut at record boundaries: the records'
// offsets in buf and their first lines; size is the bytes its records
// take, last says whether the text ends with it, quotes whether it holds
// a quote.
type chunk struct {
	buf                 []byte
	starts, ends, lines []int32 // lines counted from line0: 12 bytes a record
	line0               int
	size                int
	last, quotes        bool
	err                 error
}

// parse reads the data records from offset off (line line on) into the
// matrix and string columns, and returns the number of rows. One goroutine
// reads the text (decompressing it) and cuts it into chunks of records
// while the workers parse the chunk before: reading and cutting are
// serial, and would leave the other cores idle.
func (r *reader[T]) parse(off int64, line int) (int, error) {
	ctx, cancel := context.WithCancel(r.ctx)
	// A gzip file's reader is the slowest stage: more buffers let the
	// chunks it has read wait for the workers rather than it for them.
	nbuf := 2
	if r.src.gz {
		nbuf = 4
	}
	free, full := make(chan *chunk, nbuf), make(chan *chunk, nbuf-1)
	n := r.opt.ChunkBytes
	if left := r.src.size - off; !r.src.gz && left >= 0 && left < int64(n) {
		n = int(left) + 1 // a small file: no 8 MiB buffers (a longer one grows them)
	}
	for range nbuf {
		free <- &chunk{buf: make([]byte, n)}
	}
	var wg sync.WaitGroup
	wg.Go(func() { r.cut(ctx, off, line, free, full) })
	defer func() {
		cancel()
		wg.Wait() // the file is not touched after parse returns
	}()
	rows, done := 0, off
	for c := range full {
		if c.err != nil {
			return 0, c.err
		}
		if r.tgtText == nil && len(c.starts) > 0 {
			r.targetModes(c)
		}
		if !r.laidOut && len(c.starts) > 0 {
			r.firstLayout(c)
		}
		if need := rows + len(c.starts); need > r.rowCap {
			if err := r.reserve(need, c, done); err != nil {
				return 0, err
			}
		}
		// While the reader decompresses and no chunk waits, one worker
		// fewer leaves it a core of its own: it sets the pace.
		w := len(r.workers)
		if r.src.gz && !c.last && len(full) == 0 {
			w = max(w-1, 1)
		}
		r.addLines(c, rows)
		if err := r.parseChunk(c, rows, w); err != nil {
			return 0, err
		}
		rows += len(c.starts)
		done += int64(c.size)
		free <- c
	}
	return rows, r.ctx.Err()
}

// cut reads the text from offset off into the free chunks, checks it, cuts
// each chunk at its last complete record and sends it on full; the
// unfinished record is carried over to the next chunk. It stops at the end
// of the text, at an error (sent as a chunk) or when ctx is done, and
// closes full.
func (r *reader[T]) cut(ctx context.Context, off int64, line int, free <-chan *chunk, full chan<- *chunk) {
	defer close(full)
	check := r.checked
	rd, err := r.src.open(off)
	if err != nil {
		select {
		case full <- &chunk{err: err}:
		case <-ctx.Done():
		}
		return
	}
	if r.src.gz {
		// Decompression is the slowest stage: a goroutine of its own
		// decompresses ahead while this one checks and cuts the text.
		ra, err := readahead.NewReaderSize(rd, 4, 1<<20)
		if err == nil {
			defer ra.Close()
			rd = ra
		}
	}
	var carry []byte
	perRecord := 0 // bytes a record in the last chunk, to size the next one's index
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
			k, err := fill(rd, c.buf[n:])
			if perr := check.feed(c.buf[n : n+k]); perr != nil {
				c.err = perr
			}
			n += k
			switch {
			case c.err != nil:
			case err == io.EOF:
				eof = true
			case err != nil:
				c.err = r.src.readErr(err)
			}
			var done, next int
			// The index is sized once (grown by append, that of a chunk of
			// short records would leave several times its size behind):
			// from the last chunk's bytes a record, or the first's lines.
			want := n/max(perRecord, 1) + n/max(perRecord, 1)/8 + 16
			if perRecord == 0 {
				want = bytes.Count(c.buf[:n], []byte{'\n'}) + 1
			}
			if cap(c.starts) < want {
				c.starts, c.ends, c.lines = make([]int32, 0, want), make([]int32, 0, want), make([]int32, 0, want)
			}
			if c.err == nil {
				c.line0 = line
				c.starts, c.ends, c.lines, done, next, c.quotes = records(c.buf[:n], line, eof, c.starts[:0], c.ends[:0], c.lines[:0])
				if len(c.starts) == 0 && !eof {
					if n > r.opt.MaxRecordBytes { // of several lines: check has seen to a long one
						c.err = r.errAt(line, 0, "a row is longer than %d bytes", r.opt.MaxRecordBytes)
					} else {
						c.buf = append(c.buf[:n], make([]byte, len(c.buf))...) // one record spans the chunk: grow
						continue
					}
				}
			}
			if c.err == nil {
				carry = append(carry[:0], c.buf[done:n]...)
				c.size, c.last = done, eof
				if len(c.starts) > 0 {
					perRecord = max(done/len(c.starts), 1)
				}
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

// maxChunkBytes bounds Options.ChunkBytes and MaxRecordBytes.
const maxChunkBytes = 512 << 20

// maxFirstBytes bounds the storage faulted in ahead of the parse from the
// first chunk's estimate: a file whose first rows are much shorter than
// the rest must not make the reader touch more memory than the file
// needs. The rest of the estimate is reserved, not touched: the workers
// fault its pages in as they write rows (see reserveCap).
var maxFirstBytes = 2 << 30

// reserve makes room for at least need rows. The first time, it sizes the
// storage for the whole text: the rows of chunk c (which starts at text
// offset at) and, at the same bytes per row, those of the text after it,
// plus a margin; it grows by half when that falls short. Storage beyond
// the memory budget is refused before it is allocated (see checkBudget).
func (r *reader[T]) reserve(need int, c *chunk, at int64) error {
	n := max(need, r.rowCap+r.rowCap/2)
	likely := n // the rows to fault in now: not the margin
	perRow := r.rowBytes()
	projected := n // the rows the text likely holds, for the budget
	if r.rowCap == 0 && !c.last {
		n = max(need, 4*len(c.starts))
		likely, projected = n, n
		if left := r.src.size - at - int64(c.size); left > 0 && c.size > 0 {
			more := float64(left) / float64(c.size) * float64(len(c.starts))
			n = need + int(min(more*1.05, r.reserveCap(perRow))) + block
			likely = need + int(min(more, float64(maxFirstBytes/perRow)))
			projected = need + int(min(more, 1<<50))
		}
	}
	if err := r.checkBudget(n, projected, perRow); err != nil {
		return err
	}
	r.rowCap = n
	x := make([]T, n*r.width)
	// While a gzip file is inflated, one thread fewer leaves the inflater
	// its core (as parse does with the workers).
	threads := r.opt.Workers
	if r.src.gz && !c.last {
		threads = max(threads-1, 1)
	}
	prefault(x[:min(likely, n)*r.width], threads)
	copy(x, r.x)
	r.x = x
	r.skipRow = resized(r.skipRow, n)
	if r.codes == nil {
		r.codes = make([][]uint32, r.nCat)
		r.tgts, r.tnum = make([][]string, r.nTarget), make([][]float64, r.nTarget)
	}
	for i := range r.codes {
		r.codes[i] = resized(r.codes[i], n)
	}
	for i, text := range r.tgtText {
		if text {
			r.tgts[i] = resized(r.tgts[i], n)
		} else {
			r.tnum[i] = resized(r.tnum[i], n)
		}
	}
	return nil
}

// addLines notes the lines of chunk c's records, rows from row on: a
// chunk on consecutive lines (lines only grow) is one run at most.
func (r *reader[T]) addLines(c *chunk, row int) {
	n := len(c.lines)
	if n == 0 {
		return
	}
	if int(c.lines[n-1]-c.lines[0]) == n-1 {
		r.lines.add(row, c.line0+int(c.lines[0]))
		r.lines.n = row + n
		return
	}
	for i, line := range c.lines {
		r.lines.add(row+i, c.line0+int(line))
	}
}

// resized returns s's elements in a new slice of length n ≥ len(s). The
// first time (s empty) it is a plain make: memory fresh from the system is
// not cleared then, and its pages are first touched by the workers, in
// parallel, rather than by a clear on this goroutine while they wait
// (make followed by copy would clear it).
func resized[E any](s []E, n int) []E {
	t := make([]E, n)
	if len(s) > 0 {
		copy(t, s)
	}
	return t
}
