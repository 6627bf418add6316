package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/densetrain/densetrain/internal/inflate"
)

// DefaultMaxRows is the default of Options.MaxRows.
const DefaultMaxRows = 1 << 20

// DefaultQueueWait is the default of Options.QueueWait.
const DefaultQueueWait = 5 * time.Second

const (
	growStep = 1 << 20 // bytes reserved at a time for a body of unknown size
	// freeAfter is how many body bytes must have been in flight at once
	// since memory was last handed back for the end of a burst to hand
	// it back again.
	freeAfter = 16 << 20
)

var gzipMagic = []byte{0x1f, 0x8b}

// busy is a request refused for want of room for its body:
// answered 503 with Retry-After.
type busy struct{ error }

// tooLarge is a body over a limit: answered 413.
type tooLarge struct{ error }

// budget bounds the body bytes held at once by the requests in flight
// (twice Options.MaxBody), and hands memory back to the system at the end
// of a burst of large bodies.
type budget struct {
	sem  *semaphore.Weighted
	wait time.Duration

	mu      sync.Mutex
	held    int64 // bytes held now
	peak    int64 // the most held at once since memory was handed back
	freeing bool  // a goroutine is handing memory back
}

func newBudget(max int64, wait time.Duration) *budget {
	return &budget{sem: semaphore.NewWeighted(max), wait: wait}
}

// acquire reserves n bytes, waiting for room at most b.wait (or until ctx
// ends); it fails with busy.
func (b *budget) acquire(ctx context.Context, n int64) error {
	if b.sem.TryAcquire(n) { // no timer for the common case
		b.add(n)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := b.sem.Acquire(ctx, n); err != nil {
		return errFull
	}
	b.add(n)
	return nil
}

// errFull is the answer when the bytes in flight leave no room: 503.
var errFull = busy{errors.New("the server holds as many request bytes as it may; retry later")}

// grow reserves n more bytes for a request that already holds some,
// without waiting (two requests waiting on each other's bytes would
// deadlock); it fails with busy.
func (b *budget) grow(n int64) error {
	if !b.sem.TryAcquire(n) {
		return errFull
	}
	b.add(n)
	return nil
}

func (b *budget) add(n int64) {
	b.mu.Lock()
	b.held += n
	b.peak = max(b.peak, b.held)
	b.mu.Unlock()
}

// release gives n bytes back. When nothing is held any more after a
// burst of large bodies, the memory they took is handed back to the
// system (debug.FreeOSMemory, on a goroutine of its own: the answer is
// not held up by it).
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.sem.Release(n)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held -= n
	if b.held == 0 && b.peak >= freeAfter && !b.freeing {
		b.peak, b.freeing = 0, true
		go func() {
			debug.FreeOSMemory()
			b.mu.Lock()
			b.freeing = false
			b.mu.Unlock()
		}()
	}
}

// body is a request's body, read within the limits, and the bytes it
// holds in the budget until done.
type body struct {
	b    []byte
	held int64
	bud  *budget
}

// done releases the body's bytes.
func (r *body) done() {
	r.bud.release(r.held)
	r.held, r.b = 0, nil
}

// reserve makes room for n bytes in all: the first reservation may wait,
// the later ones may not.
func (r *body) reserve(ctx context.Context, n int64) error {
	if n <= r.held {
		return nil
	}
	more := n - r.held
	var err error
	if r.held == 0 {
		err = r.bud.acquire(ctx, more)
	} else {
		err = r.bud.grow(more)
	}
	if err == nil {
		r.held = n
	}
	return err
}

// readBody reads r's body within MaxBody and the budget; a gzip body
// (gunzip true, for CSV) is inflated, and MaxBody bounds its inflated
// size too. A body declared larger than MaxBody is refused before a byte
// of it is read, so that a client that sent "Expect: 100-continue" gets
// no 100 Continue. On an error it has answered, and the body holds
// nothing; else the caller calls done once it no longer needs the bytes.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request, gunzip bool) (*body, bool) {
	b := &body{bud: h.budget}
	err := h.read(r, b, gunzip)
	if err != nil {
		large := b.held >= freeAfter/2
		b.done()
		if large {
			// The bytes read are garbage now. A burst of refused
			// bodies would otherwise pile up buffers until the next
			// collection, at GOGC's distance (train serve runs at
			// 400): collect them before answering.
			runtime.GC()
		}
		var big tooLarge
		var full busy
		switch {
		case errors.As(err, &big):
			// The rest of the body is not read: close the connection.
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestEntityTooLarge, err)
		case errors.As(err, &full):
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusServiceUnavailable, err)
		default:
			writeError(w, http.StatusBadRequest, fmt.Errorf("reading the request body: %w", err))
		}
		return nil, false
	}
	return b, true
}

func (h *handler) read(r *http.Request, b *body, gunzip bool) error {
	limit := h.o.MaxBody
	if n := r.ContentLength; n > limit {
		return tooLarge{fmt.Errorf("request body of %d bytes, over %d bytes", n, limit)}
	}
	var err error
	b.b, err = h.fill(r.Context(), b, http.MaxBytesReader(nil, r.Body, limit), r.ContentLength, "request body")
	if err != nil || !gunzip || !bytes.HasPrefix(b.b, gzipMagic) {
		return err
	}
	zr, err := inflate.NewReader(bytes.NewReader(b.b))
	if err != nil {
		return fmt.Errorf("gzip body: %w", err)
	}
	compressed := b.held
	plain, err := h.fill(r.Context(), b, io.LimitReader(zr, limit+1), -1, "inflated gzip body")
	if err != nil && !errors.As(err, new(tooLarge)) && !errors.As(err, new(busy)) {
		err = fmt.Errorf("gzip body: %w", err)
	}
	if err != nil {
		return err
	}
	// The compressed bytes are no longer needed: keep the inflated ones.
	b.b = plain
	b.bud.release(compressed)
	b.held -= compressed
	return nil
}

// fill reads src to its end into a new slice, whose capacity it holds in
// the budget before it is allocated; size is src's size when known (else
// -1). More than MaxBody bytes is tooLarge.
func (h *handler) fill(ctx context.Context, b *body, src io.Reader, size int64, what string) ([]byte, error) {
	base := b.held
	var buf []byte
	for {
		if cap(buf)-len(buf) < bytes.MinRead {
			// Doubling: what the copies leave to the collector is
			// the final size at most; up to one byte over the limit.
			want := min(max(growStep, 2*cap(buf)), int(h.o.MaxBody)+bytes.MinRead)
			if len(buf) == 0 && size >= 0 {
				want = int(size) + bytes.MinRead // ReadFrom reads to EOF without growing
			}
			if want <= cap(buf) {
				return nil, tooLarge{fmt.Errorf("%s over %d bytes", what, h.o.MaxBody)}
			}
			if err := b.reserve(ctx, base+int64(want)); err != nil {
				return nil, err
			}
			buf = slices.Grow(buf, want-len(buf))
			if err := b.reserve(ctx, base+int64(cap(buf))); err != nil {
				return nil, err
			}
		}
		m, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > h.o.MaxBody {
			return nil, tooLarge{fmt.Errorf("%s over %d bytes", what, h.o.MaxBody)}
		}
		switch {
		case err == io.EOF:
			return buf, nil
		case errors.As(err, new(*http.MaxBytesError)):
			return nil, tooLarge{fmt.Errorf("%s over %d bytes", what, h.o.MaxBody)}
		case err != nil:
			return nil, err
		}
	}
}
